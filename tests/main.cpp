// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstdio>

#include <adapool/simd/arch.hpp>

// ctest runs the suites through run_if_cpu_supports, which skips a suite this
// CPU cannot run; this check only helps when the executable is started by hand.
int main(int argc, char** argv) {
  if (!adapool::simd::cpu_supports<adapool::default_arch>()) {
    std::printf("skipped: this CPU cannot run %s code\n", adapool::default_arch::name);
    return 77;
  }
  std::printf("adapool tests, instruction set: %s\n", adapool::active_arch());
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
