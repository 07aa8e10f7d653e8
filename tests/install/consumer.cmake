# SPDX-License-Identifier: MIT
# The part every consumer project shares: consumer.cpp built with strict
# warnings against adapool::adapool (consumer, which must not get OpenMP) and,
# when this compiler has OpenMP, against adapool::openmp (consumer_threads,
# which must), and a target that runs them.
set(consumers consumer)
if(CONSUMER_OPENMP)
  list(APPEND consumers consumer_threads)
else()
  message(STATUS "OpenMP not found: adapool::openmp is not tested")
endif()
foreach(consumer IN LISTS consumers)
  add_executable(${consumer} ${CMAKE_CURRENT_LIST_DIR}/consumer.cpp)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${consumer} PRIVATE -Wall -Wextra -Wpedantic $<$<BOOL:${CONSUMER_WERROR}>:-Werror>)
  endif()
endforeach()
target_link_libraries(consumer PRIVATE adapool::adapool)
target_compile_definitions(consumer PRIVATE CONSUMER_THREADS=0)
if(CONSUMER_OPENMP)
  target_link_libraries(consumer_threads PRIVATE adapool::openmp)
  target_compile_definitions(consumer_threads PRIVATE CONSUMER_THREADS=1)
endif()
list(TRANSFORM consumers PREPEND "COMMAND;")
add_custom_target(run_consumer ${consumers} VERBATIM)
