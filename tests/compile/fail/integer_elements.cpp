// SPDX-License-Identifier: MIT
// expected error: element type must be float or double
// int32_t is not an element type (float, double, float16, bfloat16, int8_t and uint8_t are).
#include <adapool/adapool.hpp>
#include <cstdint>

void integer_elements(const adapool::tensor_view<const std::int32_t, 4>& in,
                      const adapool::tensor_view<std::int32_t, 4>& out) {
  adapool::adaptive_max_pool2d(in, out);
}
