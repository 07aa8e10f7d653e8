# SPDX-License-Identifier: MIT
# The installed adapool.pc and adapool-openmp.pc: pkg-config must find them
# through PKG_CONFIG_PATH and report the project's version; adapool.pc's flags
# must build and run consumer.cpp without OpenMP, and must keep the standard the
# user chose (consumer_cxx20.cpp with -std=c++20); adapool-openmp.pc's must
# build it with OpenMP threads.
# Run as: cmake -DPKG_CONFIG=... -DPREFIX=... -DPC_DIR=... -DVERSION=... -DCXX=...
#               -DSOURCE=... -DSOURCE_CXX20=... -DOUTPUT=... -DWERROR=... -DOPENMP=...
#               -P pkg_config.cmake
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

# The language standard is the user's choice: the .pc file must not set one.
if(output MATCHES "-std=")
  message(FATAL_ERROR "pkg-config --cflags adapool sets the language standard: ${output}")
endif()

set(warnings -Wall -Wextra -Wpedantic)
if(WERROR)
  list(APPEND warnings -Werror)
endif()
# C++17, as adapool requires; the compiler's default may be older.
run(${CXX} -std=c++17 ${cflags} ${warnings} -DCONSUMER_THREADS=0 ${SOURCE} -o ${OUTPUT})
run(${OUTPUT})
message("${output}")
# C++20 asked for first, as users write it: pkg-config's flags come after.
run(${CXX} -std=c++20 ${cflags} ${warnings} ${SOURCE_CXX20} -o ${OUTPUT}_cxx20)
run(${OUTPUT}_cxx20)
message("${output}")

if(NOT OPENMP)
  message("OpenMP not found: adapool-openmp.pc is not tested")
  return()
endif()
run(${PKG_CONFIG} --modversion adapool-openmp)
if(NOT output STREQUAL VERSION)
  message(FATAL_ERROR "pkg-config reports adapool-openmp ${output}, expected ${VERSION}")
endif()
run(${PKG_CONFIG} --cflags --libs adapool-openmp)
message("pkg-config --cflags --libs adapool-openmp: ${output}")
separate_arguments(flags UNIX_COMMAND "${output}")
run(${CXX} -std=c++17 ${flags} ${warnings} -DCONSUMER_THREADS=1 ${SOURCE} -o ${OUTPUT}_threads)
run(${OUTPUT}_threads)
message("${output}")
