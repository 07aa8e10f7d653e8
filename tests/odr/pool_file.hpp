// SPDX-License-Identifier: MIT
// The body of wide.cpp and baseline.cpp: one file is built for AVX-512
// (-march=x86-64-v4), the other with no flags, and both run the same
// operations with their own default instruction set. Linked into one program,
// they instantiate the same templates; keyed by target, no copy is shared.
#pragma once

#include <adapool/adapool.hpp>
#include <cstdint>
#include <string>

#include "pooled.hpp"

// Internal linkage: an inline function here would itself be the shared copy
// this test is about.
static void pool_all(const float* input, pooled& out) {
  const auto x = adapool::make_view(input, 2, 16, 13, 13);
  adapool::adaptive_avg_pool2d(x, adapool::make_view(out.avg, 2, 16, 7, 7));
  adapool::adaptive_max_pool2d(x, adapool::make_view(out.max, 2, 16, 7, 7),
                               adapool::make_view(out.max_index, 2, 16, 7, 7));
  adapool::global_avg_pool(x, adapool::make_view(out.global_avg, 2, 16, 1, 1));
  adapool::channel_max_pool(x, adapool::make_view(out.channel_max, 2, 1, 13, 13),
                            adapool::make_view(out.channel_index, 2, 1, 13, 13));
  out.arch = adapool::active_arch();
  try {
    adapool::adaptive_avg_pool2d(x, adapool::make_view(out.avg, 2, 15, 7, 7));
  } catch (const adapool::error& e) {
    out.error_message = e.what();
  }
}
