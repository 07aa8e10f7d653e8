// SPDX-License-Identifier: MIT
// expected error: input and output views must have the same element type
// A double output for a float input would silently convert; the types must match.
#include <adapool/adapool.hpp>

void double_output_for_float_input(const adapool::tensor_view<const float, 4>& in,
                                   const adapool::tensor_view<double, 4>& out) {
  adapool::adaptive_avg_pool2d(in, out);
}
