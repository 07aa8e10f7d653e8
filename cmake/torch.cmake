# SPDX-License-Identifier: MIT
# libtorch for the optional adapool/torch.hpp tests and example: found through
# its own CMake package (Debian: libtorch-dev), then used only if its operator
# headers compile in this build. libtorch 1.13's do not compile as C++20 with
# clang++ 14 (libstdc++'s constexpr std::vector meets the incomplete
# c10::IValue), so such a build reports the skip instead of failing.
# Sets adapool_torch_usable in the including directory; the check itself is
# cached, so each directory that includes this pays only find_package.
set(adapool_torch_usable FALSE)
find_package(Torch CONFIG QUIET)
if(Torch_FOUND)
  include(CheckCXXSourceCompiles)
  function(adapool_check_torch_headers)
    # The standard the targets get: CMAKE_CXX_STANDARD, else adapool's C++17.
    if(NOT CMAKE_CXX_STANDARD)
      set(CMAKE_CXX_STANDARD 17)
    endif()
    set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS})
    set(CMAKE_REQUIRED_QUIET ON)
    set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # compile only: nothing of libtorch is linked
    check_cxx_source_compiles("#include <ATen/ops/empty.h>\nint main() { return 0; }" ADAPOOL_TORCH_HEADERS_COMPILE)
  endfunction()
  adapool_check_torch_headers()
  if(ADAPOOL_TORCH_HEADERS_COMPILE)
    set(adapool_torch_usable TRUE)
  else()
    message(STATUS "adapool: libtorch's headers do not compile with ${CMAKE_CXX_COMPILER_ID} "
                   "${CMAKE_CXX_COMPILER_VERSION} in this build's C++ standard; the libtorch interop is not built")
  endif()
endif()
