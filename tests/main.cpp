// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstdio>

#include <adapool/simd/arch.hpp>

// ctest treats exit code 77 as "skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt).
int main(int argc, char** argv) {
  if (!adapool::simd::cpu_supports<adapool::default_arch>()) {
    std::printf("skipped: this CPU cannot run %s code\n", adapool::default_arch::name);
    return 77;
  }
  std::printf("adapool tests, instruction set: %s\n", adapool::active_arch_name);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
