// SPDX-License-Identifier: MIT
// expected error: could not convert|no viable conversion from returned value
// A strided view is not known to be contiguous: no conversion to a contiguous view.
#include <adapool/adapool.hpp>

adapool::tensor_view<const float, 4> strided_to_contiguous(
    const adapool::tensor_view<const float, 4, adapool::strided>& v) {
  return v;
}
