// SPDX-License-Identifier: MIT
// expected error: invalid initialization of reference|no matching function for call to .*takes_double
// A view of float does not bind where a view of double is expected.
#include <adapool/adapool.hpp>

void takes_double(const adapool::tensor_view<const double, 4>&) {}
void float_view_as_double(const adapool::tensor_view<float, 4>& v) { takes_double(v); }
