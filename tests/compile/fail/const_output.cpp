// SPDX-License-Identifier: MIT
// expected error: the output view must be writable
// An output view of const float cannot receive results.
#include <adapool/adapool.hpp>

void const_output(const adapool::tensor_view<const float, 4>& in, const adapool::tensor_view<const float, 4>& out) {
  adapool::global_max_pool(in, out);
}
