#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The tests built by clang++ as C++20, under AddressSanitizer and
# UndefinedBehaviorSanitizer: a Debug build (Debian's libclang-rt-14-dev
# provides the runtimes) of the dynamic suite, run capped to SSE2, AVX2 and
# AVX-512 in turn (every test there runs the scalar path too and compares the
# two), the portable suite, the mixed-ISA program, the compile-time tests and
# the no-exceptions test (the fuzz targets' inputs replay under the same
# sanitizers in .ci/fuzz.sh). The examples and the Eigen tests are left out:
# they call the operations tested here (the Eigen interop only wraps them),
# and the examples alone took a sixth of this step's build time; the README's
# test command builds and runs both. This
# is CI's clang++ build: one build checks the second compiler, the newer
# standard and the sanitizers. Any report fails its test: the sanitizers abort
# on the first finding (-fno-sanitize-recover=all).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build/asan
mkdir -p build
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
start=$SECONDS

# -O1 keeps asserts but runs the suites several times faster than -O0; line
# tables are all the reports need, and compile faster than full debug info.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-gline-tables-only -O1" \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=20 \
  -DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DADAPOOL_TEST_ARCHES=dynamic -DADAPOOL_BUILD_BENCHMARKS=OFF -DADAPOOL_BUILD_EXAMPLES=OFF \
  -DADAPOOL_INSTALL=OFF -DADAPOOL_WARNINGS_AS_ERRORS=ON -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DADAPOOL_BUILD_TORCH_EXTENSION=OFF -DADAPOOL_BUILD_FUZZERS=OFF \
  >"$dir.configure.log" 2>&1 || {
  cat "$dir.configure.log"
  exit 1
}
# Everything this configuration has (the tests below and a few compile-only
# checks), in one build so that both jobs stay busy across targets.
cmake --build "$dir" -j2
build_seconds=$((SECONDS - start))

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
ctest --test-dir "$dir" --output-on-failure -j2 -R 'tests_|odr_|compile_|no_exceptions'
echo "sanitizers: OK: clang++ C++20, the dynamic suite (each set this CPU has, and the scalar path), portable suite," \
  "mixed-ISA program, compile-time tests and no-exceptions test clean under ASan+UBSan" \
  "(build ${build_seconds}s, total $((SECONDS - start))s)"
