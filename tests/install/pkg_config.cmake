# SPDX-License-Identifier: MIT
# The installed adapool.pc: pkg-config must find it through PKG_CONFIG_PATH,
# report the project's version, and give flags that build and run consumer.cpp.
# Run as: cmake -DPKG_CONFIG=... -DPREFIX=... -DPC_DIR=... -DVERSION=... -DCXX=...
#               -DSOURCE=... -DOUTPUT=... -DWERROR=... -P pkg_config.cmake
cmake_minimum_required(VERSION 3.21)
if(NOT PKG_CONFIG)
  message("SKIPPED: pkg-config is not installed, so adapool.pc was not checked")
  return()
endif()

set(ENV{PKG_CONFIG_PATH} "${PC_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "${command}\nfailed (${status}):\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

run(${PKG_CONFIG} --modversion adapool)
if(NOT output STREQUAL VERSION)
  message(FATAL_ERROR "pkg-config reports adapool ${output}, expected ${VERSION}")
endif()

run(${PKG_CONFIG} --cflags adapool)
message("pkg-config --cflags adapool: ${output}")
separate_arguments(cflags UNIX_COMMAND "${output}")
# The .pc file locates the headers relative to itself: they must be the installed ones.
get_filename_component(prefix "${PREFIX}" REALPATH)
set(found_include FALSE)
foreach(flag IN LISTS cflags)
  if(flag MATCHES "^-I(.*)$")
    get_filename_component(dir "${CMAKE_MATCH_1}" REALPATH)
    if(dir STREQUAL "${prefix}/include")
      set(found_include TRUE)
    endif()
  endif()
endforeach()
if(NOT found_include)
  message(FATAL_ERROR "pkg-config --cflags adapool does not point at ${PREFIX}/include")
endif()

set(warnings -Wall -Wextra -Wpedantic)
if(WERROR)
  list(APPEND warnings -Werror)
endif()
run(${CXX} ${cflags} ${warnings} ${SOURCE} -o ${OUTPUT})
run(${OUTPUT})
message("${output}")
