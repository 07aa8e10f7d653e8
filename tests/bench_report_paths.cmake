# SPDX-License-Identifier: MIT
# bench/run_report.sh writes the committed report, bench/results, only on a
# full run: a run given adapool_bench flags after `--` reports elsewhere and
# refuses `--out bench/results`, with --flags too, before building a variant;
# a --flags naming a missing compiler is refused. A stub stands in for
# adapool_bench: it records where it was told to write and fails, so the
# script stops before writing anything.
# Run as: cmake -DSCRIPT=<bench/run_report.sh> -DWORK=<scratch directory> -P bench_report_paths.cmake
cmake_minimum_required(VERSION 3.21)
find_program(BASH bash)
if(NOT BASH)
  message("SKIPPED: bash is not installed")
  return()
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(stub "${WORK}/fake_bench")
file(WRITE "${stub}" "#!/bin/sh
for argument; do
  case $argument in --benchmark_out=*) echo \"\${argument#--benchmark_out=}\" > \"$ADAPOOL_STUB_RECORD\" ;; esac
done
exit 1
")
file(CHMOD "${stub}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
get_filename_component(results "${SCRIPT}" DIRECTORY)
set(results "${results}/results")
file(REAL_PATH "${results}" results)

# Runs the script with ARGN; sets `written` to where the stub was told to write
# (empty when it never ran) and `status` to the script's exit status.
function(report)
  set(record "${WORK}/record")
  file(REMOVE "${record}")
  set(ENV{ADAPOOL_STUB_RECORD} "${record}")
  execute_process(COMMAND ${BASH} ${SCRIPT} --build-dir ${WORK}/build --exe ${stub} ${ARGN}
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  set(written "")
  if(EXISTS "${record}")
    file(STRINGS "${record}" written)
    get_filename_component(written "${written}" DIRECTORY)
    file(REAL_PATH "${written}" written)
  endif()
  set(written "${written}" PARENT_SCOPE)
  set(status "${result}" PARENT_SCOPE)
  set(output "${output}" PARENT_SCOPE)
endfunction()

report(-- --benchmark_filter=W1_)
if(written STREQUAL results OR NOT written MATCHES "/partial-report$")
  message(FATAL_ERROR "a filtered run writes its report to '${written}', expected build/bench/partial-report")
endif()

report(--out ${results} -- --benchmark_filter=W1_)
if(status EQUAL 0 OR NOT written STREQUAL "" OR NOT output MATCHES "bench/results holds the full report")
  message(FATAL_ERROR "a filtered run into bench/results was not refused (status ${status}, wrote '${written}'):\n${output}")
endif()

report(--out ${WORK}/elsewhere -- --benchmark_filter=W1_)
if(NOT written STREQUAL "${WORK}/elsewhere")
  message(FATAL_ERROR "a filtered run with --out ${WORK}/elsewhere writes to '${written}'")
endif()

# Flag variants (--flags, --user-flags) keep the same rules, and a run that is
# refused builds nothing: no variant's build directory appears.
report(--out ${results} --flags -O2 -- --benchmark_filter=W1_)
if(status EQUAL 0 OR NOT written STREQUAL "" OR NOT output MATCHES "bench/results holds the full report"
   OR EXISTS "${WORK}/build-flags-O2")
  message(FATAL_ERROR "a filtered run with --flags into bench/results was not refused before building "
                      "(status ${status}, wrote '${written}'):\n${output}")
endif()

report(--flags "no-such-compiler++:-O2")
if(status EQUAL 0 OR NOT written STREQUAL "" OR NOT output MATCHES "compiler no-such-compiler\\+\\+ not found")
  message(FATAL_ERROR "--flags with a missing compiler was not refused before running (status ${status}):\n${output}")
endif()

report(--flags)
if(status EQUAL 0 OR NOT written STREQUAL "" OR NOT output MATCHES "--flags needs a flag string")
  message(FATAL_ERROR "--flags without a value was accepted (status ${status}):\n${output}")
endif()

# A full run still reports into bench/results.
report()
if(NOT written STREQUAL results)
  message(FATAL_ERROR "a full run writes its report to '${written}', expected ${results}")
endif()
message("run_report.sh: filtered runs report to partial-report, full runs to bench/results; "
        "bad --flags are refused before anything is built")
