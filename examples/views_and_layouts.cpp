// SPDX-License-Identifier: MIT
// The ways to hand data to adapool, all over the same logical N x C x H x W
// values: a raw pointer, a std::vector, channels-last memory, a strided crop and
// an owning tensor. Views are always indexed (n, c, h, w), whatever the memory
// order, so every one of them pools to the same result. Also: calling one
// instruction set explicitly.

#include <adapool/adapool.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  std::printf("FAILED: %s\n", what);
  ++failures;
}

// Max-pools `in` to 2 x 2 and compares with `expected`, element by element.
template <class View>
void check_pool(const char* what, const View& in, const adapool::tensor<float, 4>& expected) {
  const auto got = adapool::adaptive_max_pool2d(in, {2, 2});
  bool same = got.shape() == expected.shape();
  for (std::int64_t n = 0; same && n < expected.extent(0); ++n)
    for (std::int64_t c = 0; c < expected.extent(1); ++c)
      for (std::int64_t i = 0; i < 2; ++i)
        for (std::int64_t j = 0; j < 2; ++j) same = same && got(n, c, i, j) == expected(n, c, i, j);
  std::printf("%-40s %s\n", what, same ? "same result" : "DIFFERENT");
  check(same, what);
}

}  // namespace

int main() {
  const std::int64_t N = 2, C = 3, H = 6, W = 5;
  // The same values in NCHW and in NHWC memory.
  std::vector<float> nchw_data(N * C * H * W), nhwc_data(N * H * W * C);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t h = 0; h < H; ++h)
        for (std::int64_t w = 0; w < W; ++w) {
          const float v = std::sin(static_cast<float>(1 + n * 1000 + c * 100 + h * 10 + w));
          nchw_data[((n * C + c) * H + h) * W + w] = v;
          nhwc_data[((n * H + h) * W + w) * C + c] = v;
        }

  // [readme:views]
  // A raw pointer to NCHW data; sizes always in the order N, C, H, W.
  adapool::tensor_view<float, 4> a = adapool::make_view(nchw_data.data(), N, C, H, W);
  // A whole std::vector (an error if its size is not N * C * H * W).
  adapool::tensor_view<float, 4> b = adapool::make_view(nchw_data, N, C, H, W);
  // Channels-last (NHWC) memory, still indexed (n, c, h, w).
  adapool::tensor_view<float, 4, adapool::nhwc> c =
      adapool::make_view<adapool::channels_last>(nhwc_data.data(), N, C, H, W);
  // Explicit element strides: rows 1 to 4 of each plane of the NCHW data.
  adapool::tensor_view<float, 4, adapool::strided> d = adapool::make_strided_view(
      nchw_data.data() + W, std::array<std::int64_t, 4>{N, C, H - 2, W}, {C * H * W, H * W, W, 1});
  // Inputs can be read-only; any view converts to a strided one.
  adapool::tensor_view<const float, 4, adapool::strided> e = c;
  // An owning tensor; t.view() is its view.
  adapool::tensor<float, 4> t({N, C, H, W});
  // [readme-end]
  std::copy(nchw_data.begin(), nchw_data.end(), t.data());

  const adapool::tensor<float, 4> expected = adapool::adaptive_max_pool2d(a, {2, 2});
  check_pool("make_view(pointer, N, C, H, W)", b, expected);
  check_pool("make_view<channels_last>(pointer, ...)", c, expected);
  check_pool("channels-last view as strided, const", e, expected);
  check_pool("owning tensor", t.view(), expected);

  // The crop: pooling rows 1 to 4 equals pooling the same rows copied out.
  adapool::tensor<float, 4> cropped({N, C, H - 2, W});
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t ch = 0; ch < C; ++ch)
      for (std::int64_t h = 0; h < H - 2; ++h)
        for (std::int64_t w = 0; w < W; ++w) cropped(n, ch, h, w) = a(n, ch, h + 1, w);
  check_pool("strided crop", d, adapool::adaptive_max_pool2d(cropped.view(), {2, 2}));

  // [readme:arch]
  std::printf("default instruction set: %s\n", adapool::active_arch());
  adapool::tensor<float, 4> out({N, C, 2, 2}), out_scalar({N, C, 2, 2});
  adapool::adaptive_max_pool2d(a, out.view());                                // adapool::default_arch
  adapool::adaptive_max_pool2d<adapool::simd::scalar>(a, out_scalar.view());  // the portable loops
  // [readme-end]
  check(out.values() == out_scalar.values(), "the scalar path gives the same maxima");

  // [readme:strategy]
  adapool::tensor<float, 4> x({8, 512, 13, 13}), y({8, 512, 7, 7});
  std::puts(adapool::planned_strategy(adapool::pooling::average, x.view(), y.view()));  // short_rows with AVX2
  // [readme-end]
  // Without lane permutations (SSE2, scalar) the 169-element planes go one per lane.
  const std::string plan = adapool::planned_strategy(adapool::pooling::average, x.view(), y.view());
  check(plan == "short_rows" || plan == "lane_planes", "13 x 13 -> 7 x 7 is planned as short rows or lane planes");

  if (failures != 0) return 1;
  std::printf("every view pools to the same values\n");
  return 0;
}
