#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every target (tests, examples, benchmarks with their peers, fuzzers) compiled
# for CPUs this machine may not be, with -Werror, and nothing run: a warning or
# error that only an AVX-512 build shows must fail here, not on the first
# AVX-512 user's machine (GCC 12's -Wuninitialized inside _mm512_reduce_add_ps
# once broke the README's test command that way).
#
#   x86-64-v4        AVX-512 F/BW/VL/DQ, the level adapool's avx512f path needs
#   sapphirerapids   a recent server: AVX-512 FP16, BF16, VNNI and AMX on top
#
# Each argument is CPU[:OPT[:no-suite|suite-only]] (OPT -O3 by default). The
# flags go to every translation unit (CMAKE_CXX_FLAGS, and the benchmark
# targets' ADAPOOL_BENCH_FLAGS, whose level stays -O3, the benchmarks' own), so
# with ADAPOOL_ARCH unset the default path is avx512f throughout; the one test
# suite built is the avx512f one (the others differ only in the ADAPOOL_ARCH
# they pin, which the release build covers). `no-suite` builds every target but
# that suite; `suite-only` builds that suite alone. CI builds x86-64-v4 at -O2
# (RelWithDebInfo's level and the presets') with no-suite, and Sapphire Rapids
# at -O3 with suite-only: every target is compiled for AVX-512 once, and the
# suite, which calls every kernel, at the level whose optimiser warns
# differently. adapool reads no Sapphire Rapids feature macro.
# The PyTorch extension is left out: the libtorch tests compile the same header.
set -euo pipefail
cd "$(dirname "$0")/.."

for spec in "${@:-x86-64-v4}"; do
  IFS=: read -r cpu opt suite <<<"$spec"
  opt=${opt:--O3}
  case $suite in
    '') arches=avx512f targets=() ;;
    no-suite) arches='' targets=() ;;
    suite-only) arches=avx512f targets=(--target adapool_tests_avx512f) ;;
    *)
      echo "compile_for_cpus: $spec: the mode is '$suite', not no-suite or suite-only" >&2
      exit 2
      ;;
  esac
  dir=build/compile-$cpu
  echo "compile_for_cpus: -march=$cpu $opt, ${suite:-every target} into $dir"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="$opt -DNDEBUG" \
    -DADAPOOL_WARNINGS_AS_ERRORS=ON -DCMAKE_CXX_FLAGS="-march=$cpu" -DADAPOOL_BENCH_FLAGS="-O3 -march=$cpu" \
    -DADAPOOL_TEST_ARCHES="$arches" -DADAPOOL_BUILD_TORCH_EXTENSION=OFF -DADAPOOL_INSTALL=OFF >/dev/null
  cmake --build "$dir" -j2 "${targets[@]}"
done
echo "compile_for_cpus: OK"
