#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the benchmarks (Release, in build/bench), runs every case with
# repetitions, keeps the JSON and writes REPORT.md and chart.png.
#
#   bench/run_report.sh                 full run into bench/results (about 7 minutes on 2 cores)
#   bench/run_report.sh --quick         one short run of every case into build/bench/quick-report
#   bench/run_report.sh --exe PATH      use an already built adapool_bench
#   bench/run_report.sh --out DIR       write somewhere else
#   bench/run_report.sh --build-dir DIR build there instead of build/bench
#   bench/run_report.sh -- ARGS...      extra flags for adapool_bench, e.g. --benchmark_filter=W1_;
#                                       the report goes to build/bench/partial-report (never bench/results)

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build_dir="$root/build/bench"
exe=""
out=""
quick=0
extra=()
while (($#)); do
  case "$1" in
    --exe) exe=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '3,12p' "$0"; exit 0 ;;
    *) echo "run_report.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z $exe ]]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
    -DADAPOOL_BUILD_TESTS=OFF -DADAPOOL_BUILD_EXAMPLES=OFF -DADAPOOL_INSTALL=OFF -DADAPOOL_BUILD_BENCHMARKS=ON
  cmake --build "$build_dir" --target adapool_bench -j2
  exe="$build_dir/bench/adapool_bench"
fi
[[ -x $exe ]] || { echo "run_report.sh: $exe is not built (Google Benchmark missing?)" >&2; exit 1; }

# bench/results holds the committed report of a full run: a run given extra
# adapool_bench flags (a filter, other timings) would replace it with a
# partial one, so such runs report elsewhere and may not be pointed at it.
if ((${#extra[@]})); then
  if [[ -n $out && -d $out && $(cd "$out" && pwd -P) == $(cd "$here/results" && pwd -P) ]]; then
    echo "run_report.sh: bench/results holds the full report; a run with adapool_bench flags (${extra[*]})" \
      "cannot write there: leave out --out, or give another directory" >&2
    exit 2
  fi
  out=${out:-$build_dir/partial-report}
fi

if ((quick)); then
  out=${out:-$build_dir/quick-report}
  timing=(--benchmark_min_time=0.01)
else
  out=${out:-$here/results}
  # 1.7.1 takes a bare number of seconds for --benchmark_min_time.
  timing=(--benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_min_time=0.2)
fi
mkdir -p "$out"

# Which library code was measured: the commit, and whether the headers had
# uncommitted changes.
context=()
if commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
  git -C "$root" diff --quiet HEAD -- include 2>/dev/null || commit+=" with uncommitted changes to include/"
  context=(--benchmark_context=adapool_commit="$commit")
fi

# A failed output check (exit status 2) still gets a report, which lists it.
status=0
"$exe" "${timing[@]}" --benchmark_out="$out/bench.json" --benchmark_out_format=json \
  --peak_rss_out="$out/memory.json" "${context[@]}" "${extra[@]}" || status=$?
((status == 0 || status == 2)) || exit "$status"

python=/usr/bin/python3
[[ -x $python ]] || python=python3
"$python" "$here/make_report.py" "$out"
exit "$status"
