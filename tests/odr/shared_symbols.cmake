# SPDX-License-Identifier: MIT
# Fails if a weak function symbol defined by both object files (so that the
# linker keeps one copy for both) has a VEX or EVEX instruction in the
# AVX-512 file's copy: the baseline file's callers would then run AVX code.
# Keying adapool's functions by target (simd/target.hpp) leaves only code
# that is the same for any flags (std::string helpers, error's destructors),
# and the functions of a level's namespace, which both files build for that
# level (the baseline file's runtime dispatch copies).
#   cmake -DNM=... -DOBJDUMP=... -DWIDE=wide.o -DBASELINE=baseline.o -P shared_symbols.cmake
cmake_minimum_required(VERSION 3.21)
foreach(var NM OBJDUMP WIDE BASELINE)
  if(NOT ${var})
    message(FATAL_ERROR "shared_symbols.cmake: ${var} is not set")
  endif()
endforeach()

function(weak_functions object out)
  execute_process(COMMAND ${NM} --defined-only ${object} OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${object}")
  endif()
  string(REGEX MATCHALL "[0-9a-f]+ W [^\n]+" lines "${listing}")
  set(names "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[0-9a-f]+ W " "" name "${line}")
    list(APPEND names "${name}")
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

weak_functions(${WIDE} wide)
weak_functions(${BASELINE} baseline)
list(LENGTH wide wide_count)
set(shared "")
foreach(name IN LISTS wide)
  if(name IN_LIST baseline)
    list(APPEND shared "${name}")
  endif()
endforeach()
# The copies runtime dispatch compiles into the baseline file are named by
# level (target_x86_64_v4 ...) and built for exactly that level, like the
# AVX-512 file's own: either copy may be kept. They are counted, not checked.
set(by_level "")
foreach(name IN LISTS shared)
  if(name MATCHES "16target_x86_64_v[34]")
    list(APPEND by_level "${name}")
  endif()
endforeach()
list(LENGTH by_level by_level_count)
if(by_level_count GREATER 0)
  list(REMOVE_ITEM shared ${by_level})
endif()
message(STATUS "weak functions shared by level namespace (runtime dispatch copies): ${by_level_count}")
list(LENGTH shared shared_count)
message(STATUS "weak functions: ${wide_count} in the AVX-512 file, ${shared_count} shared with the baseline file")

set(unsafe 0)
foreach(name IN LISTS shared)
  execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn --disassemble=${name} ${WIDE} OUTPUT_VARIABLE code)
  # VEX/EVEX mnemonics start with v (vmovups, vzeroupper, ...); mask registers are EVEX only.
  string(REGEX MATCHALL "\t(v[a-z0-9]+|k[a-z]+[bwdq]) |%[yz]mm[0-9]+|%k[0-7]" vector_code "${code}")
  list(LENGTH vector_code hits)
  if(hits GREATER 0)
    message(STATUS "shared, with ${hits} AVX instructions: ${name}")
    math(EXPR unsafe "${unsafe} + 1")
  endif()
endforeach()
if(unsafe GREATER 0)
  message(FATAL_ERROR "${unsafe} weak functions are shared between the two files and hold AVX code")
endif()
# The check must be able to see a hazard: the AVX-512 file's own kernels hold AVX-512 code.
execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${WIDE} OUTPUT_VARIABLE all_code)
string(FIND "${all_code}" "%zmm" zmm_at)
if(zmm_at EQUAL -1)
  message(FATAL_ERROR "the AVX-512 file holds no AVX-512 instruction: it was not built for AVX-512")
endif()
message(STATUS "no shared weak function holds AVX code")
