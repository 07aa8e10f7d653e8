// SPDX-License-Identifier: MIT
// Sizes at the limits of int64_t. Views here describe tensors far larger than
// memory: their data pointers reach a few real elements, so every operation
// must reject them from the sizes and strides alone, before reading or
// writing (under AddressSanitizer a stray access fails the test outright).
// Where a huge view is valid, it reads one small buffer through zero strides,
// which lets in-plane indices pass 2^24 (where float positions stop being
// exact) and 2^31 (where a 32-bit index would wrap).

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "test_support.hpp"

namespace limits_tests {

// 128-bit arithmetic for the exact window formulas (a GCC and Clang extension).
__extension__ typedef __int128 wide;

using adapool::strided;
using adapool::tensor_view;
using adapool_test::error_message;
using adapool_test::mentions;

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t two_to(int k) { return std::int64_t{1} << k; }
constexpr float sentinel = -4242.5f;
constexpr float quiet_nan = std::numeric_limits<float>::quiet_NaN();

// A few real elements behind every huge view; checked untouched after each rejection.
struct small_buffers {
  std::vector<float> input = std::vector<float>(16, 1.0f);
  std::vector<float> output = std::vector<float>(16, sentinel);
  std::vector<std::int64_t> indices = std::vector<std::int64_t>(16, -1);

  bool untouched() const {
    for (float v : output)
      if (v != sentinel) return false;
    for (std::int64_t v : indices)
      if (v != -1) return false;
    return true;
  }
};

// ---------------------------------------------------------------- window arithmetic

// floor(i * in / out) and ceil((i + 1) * in / out) in 128-bit arithmetic.
std::int64_t exact_begin(std::int64_t i, std::int64_t in, std::int64_t out) {
  return static_cast<std::int64_t>(static_cast<wide>(i) * in / out);
}
std::int64_t exact_end(std::int64_t i, std::int64_t in, std::int64_t out) {
  const wide top = static_cast<wide>(i + 1) * in;
  return static_cast<std::int64_t>((top + out - 1) / out);
}

// Input and output sizes whose product is at or just below INT64_MAX, where
// (i + 1) * in + out - 1, the textbook ceiling, overflows, and sizes past 2^24
// and 2^53, where float and double formulas round.
TEST(Limits, WindowsExactUpToTheProductLimit) {
  const std::vector<std::array<std::int64_t, 2>> sizes{
      {7, int64_max / 7},                  // in * out == INT64_MAX
      {int64_max / 7, 7},                  // the same, the other way round
      {1, int64_max},                      // every window one element, out >> in
      {int64_max, 1},                      // one window over everything
      {two_to(31) + 5, two_to(31)},        // 32-bit sizes, just past the int32 range
      {two_to(32) - 1, two_to(31) - 1},    // in * out near 2^63
      {(two_to(24) + 1), two_to(24) - 1},  // where float formulas round
      {two_to(53) + 1, 1023},              // where double formulas round
      {3037000499, 3037000499},            // the largest square below INT64_MAX
  };
  for (const auto& [in, out] : sizes) {
    ASSERT_LE(static_cast<wide>(in) * out, int64_max);
    // The first and last windows and some in between, by 128-bit arithmetic.
    const std::vector<std::int64_t> positions{0, 1, 2, out / 3, out / 2, out - 3, out - 2, out - 1};
    for (std::int64_t i : positions) {
      if (i < 0 || i >= out) continue;
      EXPECT_EQ(adapool::window_begin(i, in, out), exact_begin(i, in, out))
          << "i=" << i << " in=" << in << " out=" << out;
      EXPECT_EQ(adapool::window_end(i, in, out), exact_end(i, in, out)) << "i=" << i << " in=" << in << " out=" << out;
    }
    EXPECT_EQ(adapool::window_begin(0, in, out), 0);
    EXPECT_EQ(adapool::window_end(out - 1, in, out), in);
  }
}

// ---------------------------------------------------------------- huge views, rejected

// Element counts, element offsets and byte offsets each overflow for one view
// of each kind (input, output, indices); every message names the operation,
// the argument and its shape.
TEST(Limits, OverflowingViewsAreRejectedBeforeAnyAccess) {
  using view4 = std::array<std::int64_t, 4>;
  struct bad_view {
    const char* what;
    view4 shape, strides;
  };
  const std::vector<bad_view> bad{
      {"element count", {two_to(32), two_to(32), 1, 1}, {0, 0, 0, 0}},
      {"element count", {3, 3, int64_max / 4, 2}, {0, 0, 0, 0}},
      {"offsets", {1, 1, 3, 1}, {0, 0, two_to(62), 1}},
      {"offsets", {2, 1, 1, 1}, {-int64_max, 0, 0, 1}},
      {"byte offsets", {1, 1, 1, two_to(61) + 1}, {0, 0, 0, 1}},  // 2^61 floats = 2^63 bytes
  };
  for (const bad_view& v : bad) {
    small_buffers b;
    const std::string shape = "[" + std::to_string(v.shape[0]) + ", " + std::to_string(v.shape[1]) + ", " +
                              std::to_string(v.shape[2]) + ", " + std::to_string(v.shape[3]) + "]";
    const tensor_view<const float, 4, strided> huge_in(b.input.data(), v.shape, v.strides);
    const tensor_view<float, 4, strided> huge_out(b.output.data(), v.shape, v.strides);
    const tensor_view<std::int64_t, 4, strided> huge_idx(b.indices.data(), v.shape, v.strides);
    const tensor_view<const float, 4, strided> in(b.input.data(), {1, 1, 2, 2}, {4, 4, 2, 1});
    const tensor_view<float, 4, strided> out(b.output.data(), {1, 1, 1, 1}, {1, 1, 1, 1});
    const tensor_view<std::int64_t, 4, strided> idx(b.indices.data(), {1, 1, 1, 1}, {1, 1, 1, 1});

    EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool2d(huge_in, out); }),
                         {"adaptive_avg_pool2d: input has shape " + shape, "overflow"}))
        << v.what;
    EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_max_pool2d(in, huge_out, idx); }),
                         {"adaptive_max_pool2d: output has shape " + shape, "overflow"}))
        << v.what;
    EXPECT_TRUE(mentions(error_message([&] { adapool::global_max_pool(in, out, huge_idx); }),
                         {"global_max_pool: indices has shape " + shape, "overflow"}))
        << v.what;
    EXPECT_TRUE(mentions(error_message([&] { adapool::channel_avg_pool(huge_in, out); }),
                         {"channel_avg_pool: input has shape " + shape, "overflow"}))
        << v.what;
    // Backward passes: the gradient views.
    EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool2d_backward(huge_in, out); }),
                         {"adaptive_avg_pool2d_backward", shape, "overflow"}))
        << v.what;
    EXPECT_TRUE(mentions(error_message([&] { adapool::global_avg_pool_backward(in, huge_out); }),
                         {"global_avg_pool_backward", shape, "overflow"}))
        << v.what;
    EXPECT_TRUE(b.untouched()) << v.what;
  }
}

// Sizes whose product passes INT64_MAX in the window arithmetic, each size
// alone fine: the input is one element read through zero strides, the output
// 2^24 elements that do not exist.
TEST(Limits, WindowArithmeticOverflowIsRejected) {
  small_buffers b;
  const std::int64_t in_size = two_to(40), out_size = two_to(24);
  const tensor_view<const float, 3, strided> in(b.input.data(), {1, 1, in_size}, {0, 0, 0});
  const tensor_view<float, 3> out(b.output.data(), {1, 1, out_size});
  const tensor_view<std::int64_t, 3> idx(b.indices.data(), {1, 1, out_size});
  for (const std::string& message : {error_message([&] { adapool::adaptive_avg_pool1d(in, out); }),
                                     error_message([&] { adapool::adaptive_max_pool1d(in, out, idx); })}) {
    EXPECT_TRUE(mentions(message, {"adaptive_", "[1, 1, 1099511627776]", "[1, 1, 16777216]", "overflow"}));
  }
  // The same over channels.
  const tensor_view<const float, 3, strided> channels(b.input.data(), {1, in_size, 1}, {0, 0, 0});
  const tensor_view<float, 3> channel_out(b.output.data(), {1, out_size, 1});
  EXPECT_TRUE(mentions(error_message([&] { adapool::channel_max_pool(channels, channel_out); }),
                       {"channel_max_pool", "[1, 1099511627776, 1]", "overflow"}));
  // 3d, on the depth axis.
  const tensor_view<const float, 5, strided> volume(b.input.data(), {1, 1, in_size, 1, 1}, {0, 0, 0, 0, 0});
  const tensor_view<float, 5> volume_out(b.output.data(), {1, 1, out_size, 1, 1});
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool3d(volume, volume_out); }),
                       {"adaptive_avg_pool3d", "overflow"}));
  // The backward pass of the same shapes.
  const tensor_view<const float, 3> grad_out(b.input.data(), {1, 1, out_size});
  const tensor_view<float, 3, strided> grad_in(b.output.data(), {1, 1, in_size}, {0, 0, 1});
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool1d_backward(grad_out, grad_in); }),
                       {"adaptive_avg_pool1d_backward"}));
  EXPECT_TRUE(b.untouched());
}

// The allocating forms: a size whose tensor cannot be counted, and negative sizes.
TEST(Limits, AllocatingFormsRejectImpossibleSizes) {
  small_buffers b;
  const auto in = adapool::make_view(static_cast<const float*>(b.input.data()), 1, 1, 4, 4);
  EXPECT_TRUE(mentions(error_message([&] {
                         static_cast<void>(adapool::adaptive_avg_pool2d(in, {two_to(40), two_to(40)}));
                       }),
                       {"[1, 1, 1099511627776, 1099511627776]"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         static_cast<void>(adapool::adaptive_max_pool2d_with_indices(in, {-1, 2}));
                       }),
                       {"adaptive_max_pool2d_with_indices", "negative"}));
  EXPECT_TRUE(mentions(error_message([&] { static_cast<void>(adapool::channel_max_pool(in, -3)); }),
                       {"channel_max_pool", "-3"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         static_cast<void>(adapool::tensor<float, 4>({two_to(32), two_to(32), 1, 1}));
                       }),
                       {"tensor", "[4294967296, 4294967296, 1, 1]"}));
  std::vector<float> values(16);
  EXPECT_TRUE(
      mentions(error_message([&] { static_cast<void>(adapool::make_view(values, two_to(32), two_to(32), 1, 1)); }),
               {"make_view", "16"}));
}

// ---------------------------------------------------------------- huge views, accepted

// At INT64_MAX exactly: an input of INT64_MAX elements (one real element, zero
// strides) is a valid view; only the output size decides whether the window
// arithmetic fits. With N = 0 nothing is read at all.
TEST(Limits, CountsAtInt64MaxAreValid) {
  small_buffers b;
  const tensor_view<const float, 3, strided> in(b.input.data(), {0, 1, int64_max}, {0, 0, 0});
  const tensor_view<float, 3> out(b.output.data(), {0, 1, 1});
  EXPECT_NO_THROW(adapool::adaptive_avg_pool1d(in, out));
  EXPECT_NO_THROW(adapool::global_max_pool(in, out));
  const tensor_view<const float, 3, strided> one_row(b.input.data(), {1, 1, int64_max}, {0, 0, 0});
  const tensor_view<float, 3> two(b.output.data(), {1, 1, 2});
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_max_pool1d(one_row, two); }), {"overflow"}));
  EXPECT_TRUE(b.untouched());
}

// In-plane indices past 2^24: floats stop counting exactly there, and the
// SIMD kernels hold positions as T. A channels-last-like input (channels
// innermost) of 2 x 4097 x 4097 per image reads one row of 4097 pixels for
// every h (stride 0). Channel 0 rises along w; channel 1 has a NaN in the last
// column, which max reports at its last occurrence, in the last row.
TEST(Limits, IndicesPast2To24AreExact) {
  constexpr std::int64_t side = 4097;  // side * side > 2^24
  std::vector<float> row(2 * side);
  for (std::int64_t w = 0; w < side; ++w) {
    row[static_cast<std::size_t>(2 * w)] = static_cast<float>(w) / side;
    row[static_cast<std::size_t>(2 * w + 1)] = w == side - 1 ? quiet_nan : 0.5f;
  }
  const tensor_view<const float, 4, strided> in(row.data(), {1, 2, side, side}, {0, 1, 0, 2});

  adapool::tensor<float, 4> values({1, 2, 1, 1}, sentinel);
  adapool::tensor<std::int64_t, 4> indices({1, 2, 1, 1}, -1);
  adapool::global_max_pool(in, values.view(), indices.view());
  EXPECT_EQ(values(0, 0, 0, 0), static_cast<float>(side - 1) / side);
  EXPECT_EQ(indices(0, 0, 0, 0), side - 1);  // first row: ties keep the first
  EXPECT_TRUE(std::isnan(values(0, 1, 0, 0)));
  EXPECT_EQ(indices(0, 1, 0, 0), side * side - 1);  // last NaN: last row, last column

  // Adaptive windows, 2 x 2: the right column of windows holds the NaN column.
  adapool::tensor<float, 4> window_values({1, 2, 2, 2}, sentinel);
  adapool::tensor<std::int64_t, 4> window_indices({1, 2, 2, 2}, -1);
  adapool::adaptive_max_pool2d(in, window_values.view(), window_indices.view());
  for (std::int64_t oh = 0; oh < 2; ++oh) {
    const std::int64_t h0 = adapool::window_begin(oh, side, 2), h1 = adapool::window_end(oh, side, 2);
    for (std::int64_t ow = 0; ow < 2; ++ow) {
      const std::int64_t w1 = adapool::window_end(ow, side, 2);
      EXPECT_EQ(window_indices(0, 0, oh, ow), h0 * side + w1 - 1) << oh << ", " << ow;
      EXPECT_EQ(window_indices(0, 1, oh, ow),
                ow == 1 ? (h1 - 1) * side + side - 1 : h0 * side + adapool::window_begin(ow, side, 2))
          << oh << ", " << ow;
    }
  }
}

// Channel indices past 2^24: 2^24 + 3 channels of one pixel, all the same NaN
// (stride 0); max reports the last NaN of each channel window.
TEST(Limits, ChannelIndicesPast2To24AreExact) {
  constexpr std::int64_t channels = two_to(24) + 3;
  const float nan = quiet_nan;
  const tensor_view<const float, 3, strided> in(&nan, {1, channels, 1}, {0, 0, 0});
  adapool::tensor<float, 3> values({1, 2, 1}, sentinel);
  adapool::tensor<std::int64_t, 3> indices({1, 2, 1}, -1);
  adapool::channel_max_pool(in, values.view(), indices.view());
  EXPECT_EQ(indices(0, 0, 0), adapool::window_end(0, channels, 2) - 1);
  EXPECT_EQ(indices(0, 1, 0), channels - 1);
  EXPECT_TRUE(std::isnan(values(0, 0, 0)) && std::isnan(values(0, 1, 0)));
}

// In-plane indices past 2^31, where a 32-bit index wraps: a plane of
// 2^19 + 1 rows of 4096 pixels, every row the same 4096 floats (stride 0
// between rows), a NaN in the last column. The NaN rule reports the last
// one: row 2^19, column 4095, index 2^31 + 4095. This reads 2^31 elements,
// about a second on one core for an x86 SIMD path in an optimised build, so
// it runs only there (not in Debug, sanitizer, scalar or emulated builds).
TEST(Limits, IndicesPast2To31DoNotWrap) {
#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__) || !(defined(__x86_64__) || defined(_M_X64))
  GTEST_SKIP() << "reads 2^31 elements: optimised x86 builds only";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "reads 2^31 elements: unsanitised builds only";
#endif
#endif
  if (std::is_same_v<adapool::default_arch, adapool::simd::scalar>)
    GTEST_SKIP() << "reads 2^31 elements: SIMD paths only";
  constexpr std::int64_t width = 4096, rows = two_to(19) + 1;
  std::vector<float> row(width, 1.0f);
  row[width - 1] = quiet_nan;
  const tensor_view<const float, 4, strided> in(row.data(), {1, 1, rows, width}, {0, 0, 0, 1});
  adapool::tensor<float, 4> value({1, 1, 1, 1}, sentinel);
  adapool::tensor<std::int64_t, 4> index({1, 1, 1, 1}, -1);
  adapool::global_max_pool(in, value.view(), index.view());
  EXPECT_TRUE(std::isnan(value(0, 0, 0, 0)));
  EXPECT_EQ(index(0, 0, 0, 0), (rows - 1) * width + width - 1);
  EXPECT_GT(index(0, 0, 0, 0), std::int64_t{std::numeric_limits<std::int32_t>::max()});
}

}  // namespace limits_tests
