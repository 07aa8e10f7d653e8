#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The library headers under the strictest warning set, as a user's translation
# unit includes them: tests/compile/strict_headers.cpp instantiates every public
# operation (float and double, every layout, ranks 3 to 5, every instruction
# set the flags enable). Two passes, each with -Werror:
#  - every compiler x standard with AVX-512 flags (so the AVX-512, AVX2, SSE2
#    and scalar paths are all instantiated), and each compiler with no ISA
#    flags (the runtime-dispatch copies), front end only (-fsyntax-only
#    instantiates every template, which is where -Wconversion and friends
#    fire);
#  - each compiler once optimised (-O2 -c) on the file's quick form (strided
#    views, the default path), for the warnings that come from g++'s optimiser
#    (-Wmaybe-uninitialized, -Warray-bounds, ...) and clang++'s code generator.
# clang++ reports nearly everything from its front end; optimising its three
# dispatch copies took 176 of this script's 189 seconds. Their code generation
# (where clang++ checks each intrinsic against its function's target) is built
# with -Werror by the sanitizer step, whose test suite is the dispatch build.
# Eigen is included as a system header: its warnings are not ours.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/strict-warnings
rm -rf "$out" && mkdir -p "$out"
warnings=(-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror)
# Eigen refuses AVX-512 without FMA; every AVX-512 CPU has it (and F16C, which
# the float16 conversions use).
avx512="-mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -mf16c"
eigen=$(pkg-config --cflags-only-I eigen3 2>/dev/null | sed 's/-I//; s/[[:space:]]*$//' || true)
eigen=${eigen:-/usr/include/eigen3}
start=$SECONDS

# compiler|standard|ISA name|ISA flags|mode
jobs=(
  "g++|c++17|avx512|$avx512|syntax"
  "g++|c++20|avx512|$avx512|syntax"
  "clang++|c++17|avx512|$avx512|syntax"
  "clang++|c++20|avx512|$avx512|syntax"
  "g++|c++17|none||syntax"
  "clang++|c++17|none||syntax"
  "g++|c++17|avx2|-mavx2 -mfma -mf16c|O2"
  "clang++|c++20|avx512|$avx512|O2"
)

run_job() {
  local compiler std isa flags mode log
  IFS='|' read -r compiler std isa flags mode <<<"$1"
  log="$out/$compiler-$std-$isa-$mode.log"
  local args=(-std="$std" "${warnings[@]}" -Iinclude -isystem "$eigen")
  # shellcheck disable=SC2206  # the ISA flags are a list
  args+=($flags)
  if [[ $mode == syntax ]]; then
    args+=(-fsyntax-only)
  else
    args+=(-O2 -DSTRICT_HEADERS_QUICK -c -o /dev/null)
  fi
  if "$compiler" "${args[@]}" tests/compile/strict_headers.cpp >"$log" 2>&1; then
    echo "strict-warnings: ok      $compiler -std=$std $isa $mode"
  else
    echo "strict-warnings: FAILED  $compiler -std=$std $isa $mode"
    return 1
  fi
}

# Two at a time.
failed=0
running=0
for job in "${jobs[@]}"; do
  run_job "$job" &
  running=$((running + 1))
  if ((running >= 2)); then
    wait -n || failed=$((failed + 1))
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=$((failed + 1))
  running=$((running - 1))
done

if ((failed)); then
  echo "strict-warnings: the diagnostics, each once (file:line:col: message [flag]):"
  cat "$out"/*.log | grep -E '(warning|error):' | sort | uniq -c | sort -rn
  echo "strict-warnings: FAILED: $failed of ${#jobs[@]} configurations report warnings (logs in $out)"
  exit 1
fi
echo "strict-warnings: OK: ${#jobs[@]} configurations (g++, clang++; C++17, C++20; every instruction set)" \
  "warning-free in $((SECONDS - start))s"
