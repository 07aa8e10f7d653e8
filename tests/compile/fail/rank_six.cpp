// SPDX-License-Identifier: MIT
// expected error: Rank is 3 \(N, C, L\), 4 \(N, C, H, W\) or 5
// Views have 1 to 3 spatial axes; a rank-6 view is rejected where it is declared.
#include <adapool/adapool.hpp>

void rank_six(float* data) {
  const adapool::tensor_view<float, 6> v(data, {1, 1, 1, 1, 1, 1});
  static_cast<void>(v);
}
