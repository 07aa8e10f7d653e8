#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Static analysis of include/, with the committed configuration:
#  - clang-tidy (.clang-tidy) on tests/compile/strict_headers.cpp, which
#    instantiates every public operation, reporting only what lies in
#    include/adapool/; AVX-512 flags, so that the scalar, SSE2, AVX2 and
#    AVX-512 code is all parsed (nothing runs);
#  - cppcheck on every header, with .cppcheck-suppressions.
# Both at once; any finding fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/static-analysis
rm -rf "$out" && mkdir -p "$out"
eigen=$(pkg-config --cflags-only-I eigen3 2>/dev/null | sed 's/-I//; s/[[:space:]]*$//' || true)
eigen=${eigen:-/usr/include/eigen3}
start=$SECONDS

clang-tidy --quiet -header-filter='include/adapool/.*' tests/compile/strict_headers.cpp -- \
  -std=c++17 -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -DSTRICT_HEADERS_QUICK \
  -Iinclude -isystem "$eigen" >"$out/clang-tidy.log" 2>&1 &
tidy=$!

mapfile -t headers < <(find include/adapool -name '*.hpp' | sort)
cppcheck --enable=warning,performance,portability,style --std=c++17 --language=c++ -Iinclude \
  --inline-suppr --suppressions-list=.cppcheck-suppressions --error-exitcode=1 --quiet \
  --template='{file}:{line}:{column}: {severity}: {message} [{id}]' "${headers[@]}" >"$out/cppcheck.log" 2>&1 &
cppcheck_pid=$!

failed=()
if ! wait "$tidy"; then
  grep -E '(warning|error):' "$out/clang-tidy.log" || cat "$out/clang-tidy.log"
  failed+=(clang-tidy)
fi
if ! wait "$cppcheck_pid"; then
  cat "$out/cppcheck.log"
  failed+=(cppcheck)
fi
if ((${#failed[@]})); then
  echo "static-analysis: FAILED: ${failed[*]} (findings above; logs in $out)"
  exit 1
fi
echo "static-analysis: OK: clang-tidy and cppcheck clean on include/ in $((SECONDS - start))s"
