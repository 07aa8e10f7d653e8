// SPDX-License-Identifier: MIT
// Which instruction set a user's compiler flags give: built once per row of
// the table in tests/compile/CMakeLists.txt, each time with the flags and the
// tag expected for them (ADAPOOL_EXPECTED_ARCH). Partial flag sets such as
// -mavx2 without -mfma, or GCC's -mavx512f alone, must get the widest path they
// can run, not a silent SSE2; one operation is instantiated so that path is
// known to compile under exactly those flags.
#include <type_traits>

#include <adapool/adapool.hpp>

static_assert(std::is_same_v<adapool::default_arch, adapool::simd::ADAPOOL_EXPECTED_ARCH>,
              "these compiler flags do not give the instruction set the table expects");

void global_avg_pool_for_flags(const adapool::tensor_view<const float, 4>& in,
                               const adapool::tensor_view<float, 4>& out) {
  adapool::global_avg_pool(in, out);
}
