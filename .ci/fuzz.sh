#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzing: builds the libFuzzer targets in fuzz/ with AddressSanitizer and
# UndefinedBehaviorSanitizer, replays the committed corpus and the regression
# inputs, then fuzzes each target for a bounded time (FUZZ_JOBS at once, one
# core each). Any finding fails the script; its reproducer is left in
# build/fuzz/artifacts/<target>/. fuzz/README.md says how to fuzz longer.
#
#   FUZZ_SECONDS      seconds per target (default 30)
#   FUZZ_JOBS         compiles and fuzzers run at once (default: the number of
#                     cores; each compile of a target takes a core and ~1 GB)
#   FUZZ_ARCH_FLAGS   ISA flags of the default path (default: AVX-512 or AVX2
#                     when this CPU has it, else none)
#   FUZZ_OPT          optimisation level of the build (default -O1)
#   FUZZ_SEED         libFuzzer's seed (default 1, so that a CI run explores the
#                     inputs the previous one did and a red run is a change's
#                     doing; 0 picks a new seed each run, for fuzzing longer)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-1}
opt=${FUZZ_OPT:--O1}
targets=(adaptive_pool_fuzzer channel_pool_fuzzer power_pool_fuzzer backward_fuzzer narrow_types_fuzzer)
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
((jobs >= 1)) || jobs=1
out=build/fuzz
start=$SECONDS

if [[ -z ${FUZZ_ARCH_FLAGS+x} ]]; then
  cpu_flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
  has() { [[ " $cpu_flags " == *" $1 "* ]]; }
  if has avx512f && has avx512bw && has avx512vl && has avx512dq; then
    FUZZ_ARCH_FLAGS="-mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx2 -mfma -mf16c"
  elif has avx2 && has fma; then
    FUZZ_ARCH_FLAGS="-mavx2 -mfma -mf16c"
  else
    FUZZ_ARCH_FLAGS=""
  fi
fi

# fuzz/'s CMake targets, linked with libFuzzer; no build type, so that only
# these flags apply, and no OpenMP threads (each fuzzer has one core). The
# executables land in $out as before.
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all"
echo "fuzz: building ${targets[*]} ($opt $FUZZ_ARCH_FLAGS, $jobs at a time)"
mkdir -p "$out"
cmake -S . -B "$out/cmake" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_EXTENSIONS=OFF \
  -DCMAKE_CXX_FLAGS="-gline-tables-only $FUZZ_ARCH_FLAGS $sanitize" -DCMAKE_EXE_LINKER_FLAGS="$sanitize" \
  -DCMAKE_RUNTIME_OUTPUT_DIRECTORY="$PWD/$out" -DADAPOOL_FUZZ_WITH_LIBFUZZER=ON -DADAPOOL_FUZZ_OPT="$opt" \
  -DADAPOOL_BUILD_FUZZERS=ON -DADAPOOL_BUILD_TESTS=OFF -DADAPOOL_BUILD_EXAMPLES=OFF -DADAPOOL_BUILD_BENCHMARKS=OFF \
  -DADAPOOL_BUILD_TORCH_EXTENSION=OFF -DADAPOOL_INSTALL=OFF -DADAPOOL_OPENMP=OFF -DADAPOOL_WARNINGS_AS_ERRORS=ON \
  >"$out/configure.log" 2>&1 || {
  cat "$out/configure.log"
  echo "fuzz: FAILED: configuring the fuzz targets (log above)"
  exit 1
}
# All of the tree: make builds one --target after another, each on one core.
cmake --build "$out/cmake" -j "$jobs" || {
  echo "fuzz: FAILED: a fuzz target does not build (errors above)"
  exit 1
}
build_seconds=$((SECONDS - start))

# Every committed input once, the seed corpus and the reproducers of past
# findings: ctest's fuzz_replay_<target>, here through libFuzzer's -runs=0.
echo "fuzz: replaying fuzz/corpus and fuzz/regressions"
ctest --test-dir "$out/cmake" -R '^fuzz_replay_' -j "$jobs" --output-on-failure || {
  echo "fuzz: FAILED: a target fails on a committed input (log above)"
  exit 1
}

# Fuzz, new inputs going to a scratch corpus so the committed one stays as it
# is; `jobs` targets at a time.
echo "fuzz: fuzzing each target for ${seconds}s with seed $seed, $jobs at a time"
status=0
executions=0
for ((first = 0; first < ${#targets[@]}; first += jobs)); do
  batch=("${targets[@]:first:jobs}")
  pids=()
  for t in "${batch[@]}"; do
    rm -rf "$out/artifacts/$t" && mkdir -p "$out/artifacts/$t" "$out/corpus/$t"
    # The largest inputs (2^24-element buffers) take seconds on a busy machine: a
    # 30-second limit keeps them from failing CI and still catches a hang.
    "$out/$t" -seed="$seed" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$t/" "$out/corpus/$t" "fuzz/corpus/$t" >"$out/$t.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!batch[@]}"; do
    t=${batch[$i]}
    if ! wait "${pids[$i]}"; then
      status=1
      tail -n 60 "$out/$t.log"
      echo "fuzz: FAILED: $t found a problem; reproducer: $(ls "$out/artifacts/$t"/* 2>/dev/null | head -n 1)"
      continue
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
    echo "fuzz: $t: ${runs:-?} executions, no findings"
    executions=$((executions + ${runs:-0}))
  done
done
if ((status)); then
  echo "fuzz: FAILED (see above)"
  exit 1
fi
echo "fuzz: OK: ${#targets[@]} targets, $executions executions in ${seconds}s each, no findings" \
  "(build ${build_seconds}s, total $((SECONDS - start))s)"
