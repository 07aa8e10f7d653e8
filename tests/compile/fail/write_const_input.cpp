// SPDX-License-Identifier: MIT
// expected error: assignment of read-only location|returns a const value
// An input view (const float) cannot be written through.
#include <adapool/adapool.hpp>

void write_const_input(const adapool::tensor_view<const float, 4>& in) { in(0, 0, 0, 0) = 1.0f; }
