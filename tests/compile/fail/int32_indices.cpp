// SPDX-License-Identifier: MIT
// expected error: no matching function for call to .*adaptive_max_pool2d
// Indices are int64_t, as PyTorch's; an int32 index view must not bind.
#include <adapool/adapool.hpp>
#include <cstdint>

void int32_indices(const adapool::tensor_view<const float, 4>& in, const adapool::tensor_view<float, 4>& out,
                   const adapool::tensor_view<std::int32_t, 4>& indices) {
  adapool::adaptive_max_pool2d(in, out, indices);
}
