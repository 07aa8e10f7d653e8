// SPDX-License-Identifier: MIT
// expected error: use make_strided_view for strided views
// make_view derives strides from a layout; a strided view needs them spelled out.
#include <adapool/adapool.hpp>

void make_view_strided(float* data) { static_cast<void>(adapool::make_view<adapool::strided>(data, 1, 2, 3, 4)); }
