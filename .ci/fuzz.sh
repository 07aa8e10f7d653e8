#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzing: builds the libFuzzer targets in fuzz/ with AddressSanitizer and
# UndefinedBehaviorSanitizer, replays the committed corpus and the regression
# inputs, then fuzzes each target for a bounded time (FUZZ_JOBS at once, one
# core each). Any finding fails the script; its reproducer is left in
# build/fuzz/artifacts/<target>/. fuzz/README.md says how to fuzz longer.
#
#   FUZZ_SECONDS      seconds per target (default 45)
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

seconds=${FUZZ_SECONDS:-45}
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

mkdir -p "$out"
echo "fuzz: building ${targets[*]} ($opt $FUZZ_ARCH_FLAGS, $jobs at a time)"
pids=()
build_failed=0
for t in "${targets[@]}"; do
  # shellcheck disable=SC2086  # the flags are a list
  clang++ -std=c++17 "$opt" -gline-tables-only $FUZZ_ARCH_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Wpedantic -Werror -Iinclude "fuzz/$t.cpp" -o "$out/$t" &
  pids+=($!)
  if ((${#pids[@]} >= jobs)); then
    wait "${pids[0]}" || build_failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do
  wait "$pid" || build_failed=1
done
if ((build_failed)); then
  echo "fuzz: FAILED: a fuzz target does not build (errors above)"
  exit 1
fi
build_seconds=$((SECONDS - start))

# Every committed input once: the seed corpus and the reproducers of past findings.
for t in "${targets[@]}"; do
  inputs=("fuzz/corpus/$t")
  [[ -d fuzz/regressions/$t ]] && inputs+=("fuzz/regressions/$t")
  echo "fuzz: replaying ${inputs[*]}"
  "$out/$t" -runs=0 "${inputs[@]}" >"$out/$t.replay.log" 2>&1 || {
    cat "$out/$t.replay.log"
    echo "fuzz: FAILED: $t on a committed input (log above)"
    exit 1
  }
done

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
