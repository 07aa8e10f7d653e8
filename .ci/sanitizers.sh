#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer: a Debug
# build with clang++ (Debian's libclang-rt-14-dev provides the runtimes) of the
# AVX2 suite (every test there runs the scalar path too and compares the two),
# the no-exceptions test and the examples (those without Eigen: the Eigen twins
# only wrap the operations tested here, and CI's time is better spent
# elsewhere; the fuzz targets' inputs replay under the same sanitizers in
# .ci/fuzz.sh). Any report
# fails its test: the sanitizers abort on the first finding
# (-fno-sanitize-recover=all).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build/asan
mkdir -p build
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
start=$SECONDS

# -O1 keeps asserts and debug info but runs the suites several times faster than -O0.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DADAPOOL_TEST_ARCHES=avx2 -DADAPOOL_BUILD_BENCHMARKS=OFF -DADAPOOL_BUILD_EXAMPLES=ON \
  -DADAPOOL_INSTALL=OFF -DADAPOOL_WARNINGS_AS_ERRORS=ON -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DADAPOOL_BUILD_TORCH_EXTENSION=OFF -DADAPOOL_BUILD_FUZZERS=OFF \
  >"$dir.configure.log" 2>&1 || {
  cat "$dir.configure.log"
  exit 1
}
# Only what the tests below run.
cmake --build "$dir" -j2 --target adapool_tests_avx2 adapool_run_if_cpu_supports adapool_no_exceptions adapool_examples
build_seconds=$((SECONDS - start))

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
ctest --test-dir "$dir" --output-on-failure -j2 -R 'tests_avx2|no_exceptions|example'
echo "sanitizers: OK: the avx2 suite (default and scalar paths), no-exceptions test and examples clean under ASan+UBSan" \
  "(build ${build_seconds}s, total $((SECONDS - start))s)"
