// SPDX-License-Identifier: MIT
// expected error: this instruction set is not enabled by the compiler flags
// Asking for AVX-512 code in a translation unit built without AVX-512 flags.
#include <adapool/adapool.hpp>

void isa_not_enabled(const adapool::tensor_view<const float, 4>& in, const adapool::tensor_view<float, 4>& out) {
  adapool::adaptive_avg_pool2d<adapool::simd::avx512f>(in, out);
}
