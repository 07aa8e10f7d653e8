#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the benchmarks (Release, in build/bench), runs every case with
# repetitions, keeps the JSON and writes REPORT.md and chart.png.
#
#   bench/run_report.sh                 full run into bench/results (about 7 minutes on 2 cores)
#   bench/run_report.sh --user-flags    the same, plus adapool under the flags users compile with (below)
#   bench/run_report.sh --quick         one short run of every case into build/bench/quick-report
#   bench/run_report.sh --exe PATH      use an already built adapool_bench
#   bench/run_report.sh --out DIR       write somewhere else
#   bench/run_report.sh --build-dir DIR build there instead of build/bench
#   bench/run_report.sh --flags SPEC    also build adapool's and the ceiling's cases with other flags (repeatable)
#   bench/run_report.sh -- ARGS...      extra flags for adapool_bench, e.g. --benchmark_filter=W1_;
#                                       the report goes to build/bench/partial-report (never bench/results)
#
# A --flags SPEC is "FLAGS" (the compiler CMake picks, e.g. "-O2 -march=x86-64-v3")
# or "COMPILER:FLAGS" (e.g. "clang++:-O2"). Each one is built without the peers in
# <build dir>-flags-<slug> and runs only adapool's and the ceiling's cases on the
# standard workloads, with the same timing settings and filter as the main run;
# the report gets a column for each. --user-flags adds "-O2" (x86-64 baseline),
# "-O2 -march=x86-64-v3" and, if clang++ is installed, "clang++:-O2 -march=x86-64-v3"
# (7 to 9 more minutes on 2 cores for a full run).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build_dir="$root/build/bench"
exe=""
out=""
quick=0
extra=()
variants=()
while (($#)); do
  case "$1" in
    --exe) exe=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --flags)
      (($# >= 2)) && [[ -n $2 ]] || { echo "run_report.sh: --flags needs a flag string (see --help)" >&2; exit 2; }
      variants+=("$2"); shift 2 ;;
    --user-flags)
      # What users compile with, rather than -O3 -march=native: the distribution
      # default (adapool's SSE2 path), an AVX2 target, and the other compiler.
      variants+=("-O2" "-O2 -march=x86-64-v3")
      if command -v clang++ >/dev/null; then
        variants+=("clang++:-O2 -march=x86-64-v3")
      else
        echo "run_report.sh: clang++ not found; --user-flags leaves out its column" >&2
      fi
      shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '3,22p' "$0"; exit 0 ;;
    *) echo "run_report.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Splits a --flags SPEC into its compiler (empty: CMake's choice) and flags.
# A compiler is a leading word without spaces or a leading dash, ended by ':'.
spec_compiler() { [[ $1 =~ ^([^-[:space:]:][^[:space:]:]*): ]] && echo "${BASH_REMATCH[1]}" || true; }
spec_flags() {
  local compiler
  compiler=$(spec_compiler "$1")
  echo "${1#"${compiler:+$compiler:}"}"
}

# Check every variant's compiler before anything is built or run.
for spec in "${variants[@]}"; do
  compiler=$(spec_compiler "$spec")
  if [[ -n $compiler ]] && ! command -v "$compiler" >/dev/null; then
    echo "run_report.sh: --flags '$spec': compiler $compiler not found" >&2
    exit 2
  fi
done

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

configure_and_build() {  # build dir, then extra cmake arguments
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
    -DADAPOOL_BUILD_TESTS=OFF -DADAPOOL_BUILD_EXAMPLES=OFF -DADAPOOL_INSTALL=OFF -DADAPOOL_BUILD_BENCHMARKS=ON "$@"
  cmake --build "$dir" --target adapool_bench -j2
}

if [[ -z $exe ]]; then
  configure_and_build "$build_dir"
  exe="$build_dir/bench/adapool_bench"
fi
[[ -x $exe ]] || { echo "run_report.sh: $exe is not built (Google Benchmark missing?)" >&2; exit 1; }

# Every variant is built before anything is timed, so that a build error stops
# the script early and no compiler competes with the runs for the cores.
variant_exes=()
for spec in "${variants[@]}"; do
  compiler=$(spec_compiler "$spec")
  flags=$(spec_flags "$spec")
  slug=$(tr -cs 'A-Za-z0-9.' '-' <<<"$spec" | sed 's/^-*//; s/-*$//')
  dir="$build_dir-flags-$slug"
  # Release's own -O3 would sit before the variant's flags on the command
  # line; the variant's flags alone decide the optimisation, as for a user.
  # The peers are the same libraries whatever adapool is compiled with, so
  # they are measured once, in the main run, and left out here.
  configure_and_build "$dir" -DCMAKE_CXX_FLAGS_RELEASE=-DNDEBUG -DADAPOOL_BENCH_FLAGS="$flags" \
    ${compiler:+-DCMAKE_CXX_COMPILER="$compiler"} \
    -DADAPOOL_BENCH_TORCH=OFF -DADAPOOL_BENCH_ONEDNN=OFF -DADAPOOL_BENCH_XNNPACK=OFF -DADAPOOL_BENCH_EIGEN=OFF
  variant_exes+=("$dir/bench/adapool_bench")
done

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

# A report describes one run: the variants of an earlier run must not appear in it.
rm -f "$out"/flags-*.json
for n in "${!variants[@]}"; do
  spec=${variants[n]}
  variant_exe=${variant_exes[n]}
  # Only adapool's and the ceiling's single-thread cases on the standard
  # workloads, among those the main run's arguments select: the names that
  # list lists, joined into one exact filter (a later --benchmark_filter
  # would replace the user's, not narrow it).
  names=$("$variant_exe" --benchmark_list_tests "${extra[@]}" | grep -E '^W[0-9]+_[A-Za-z0-9_]*/(adapool|ceiling)$' || true)
  if [[ -z $names ]]; then
    echo "run_report.sh: --flags '$spec': no adapool or ceiling case on a standard workload selected" >&2
    continue
  fi
  filter="^($(paste -sd '|' <<<"$names"))\$"
  variant_status=0
  "$variant_exe" "${timing[@]}" "${extra[@]}" --benchmark_filter="$filter" \
    --benchmark_out="$out/flags-$((n + 1)).json" --benchmark_out_format=json \
    "${context[@]}" || variant_status=$?
  ((variant_status == 0 || variant_status == 2)) || exit "$variant_status"
  ((variant_status == 0)) || status=2
done

python=/usr/bin/python3
[[ -x $python ]] || python=python3
"$python" "$here/make_report.py" "$out"
exit "$status"
