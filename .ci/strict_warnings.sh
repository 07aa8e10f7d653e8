#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The library headers under the strictest warning set, as a user's translation
# unit includes them: tests/compile/strict_headers.cpp instantiates every public
# operation (float and double, every layout, ranks 3 to 5). Two passes, each
# with -Werror:
#  - every compiler x standard x instruction set, whole file, front end only
#    (-fsyntax-only instantiates every template, which is where -Wconversion and
#    friends fire);
#  - every compiler x instruction set, optimised (-O2 -c) on the file's quick
#    form (strided views, the default path), for the warnings that come from
#    the optimiser's flow analysis (-Wmaybe-uninitialized, -Warray-bounds, ...).
# Eigen is included as a system header: its warnings are not ours.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/strict-warnings
rm -rf "$out" && mkdir -p "$out"
warnings=(-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror)
isa_names=(none avx2 avx512)
# Eigen refuses AVX-512 without FMA; every AVX-512 CPU has it.
isa_flags=("" "-mavx2 -mfma" "-mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma")
eigen=$(pkg-config --cflags-only-I eigen3 2>/dev/null | sed 's/-I//; s/[[:space:]]*$//' || true)
eigen=${eigen:-/usr/include/eigen3}
start=$SECONDS

jobs=()
for compiler in g++ clang++; do
  for i in "${!isa_names[@]}"; do
    for std in c++17 c++20; do
      jobs+=("$compiler|$std|${isa_names[$i]}|${isa_flags[$i]}|syntax")
    done
    # The optimised pass: g++ with C++17, clang++ with C++20, so each standard meets each optimiser once.
    std=c++17
    [[ $compiler == clang++ ]] && std=c++20
    jobs+=("$compiler|$std|${isa_names[$i]}|${isa_flags[$i]}|O2")
  done
done

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
echo "strict-warnings: OK: ${#jobs[@]} configurations (g++, clang++; C++17, C++20; none, avx2, avx512)" \
  "warning-free in $((SECONDS - start))s"
