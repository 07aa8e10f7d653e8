# SPDX-License-Identifier: MIT
# The part every consumer project shares: build consumer.cpp against
# adapool::adapool with strict warnings, and a target that runs it.
add_executable(consumer ${CMAKE_CURRENT_LIST_DIR}/consumer.cpp)
target_link_libraries(consumer PRIVATE adapool::adapool)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(consumer PRIVATE -Wall -Wextra -Wpedantic $<$<BOOL:${CONSUMER_WERROR}>:-Werror>)
endif()
add_custom_target(run_consumer COMMAND consumer VERBATIM)
