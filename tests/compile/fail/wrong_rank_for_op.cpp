// SPDX-License-Identifier: MIT
// expected error: no matching function for call to .*adaptive_avg_pool2d
// adaptive_avg_pool2d takes rank-4 views; a rank-5 view must not bind.
#include <adapool/adapool.hpp>

void wrong_rank_for_op(const adapool::tensor_view<const float, 5>& in, const adapool::tensor_view<float, 5>& out) {
  adapool::adaptive_avg_pool2d(in, out);
}
