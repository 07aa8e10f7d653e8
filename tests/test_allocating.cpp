// SPDX-License-Identifier: MIT
// The allocating overloads of every operation: the result has the right shape,
// the input's memory format (a strided input gives a contiguous tensor) and
// the values of the reference. A typed suite over input layout x element type
// (names such as `nhwc_float`); the view overloads they forward to are swept
// in the other files.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "reference.hpp"
#include "test_support.hpp"

namespace allocating_tests {

using namespace adapool_test;

template <class Layout, class T>
struct input_format {
  using layout = Layout;
  using type = T;
  // What the allocating forms return for this input.
  using result_layout = std::conditional_t<std::is_same_v<Layout, adapool::strided>, adapool::contiguous, Layout>;
  static constexpr layout_kind kind = std::is_same_v<Layout, adapool::contiguous>      ? layout_kind::nchw
                                      : std::is_same_v<Layout, adapool::channels_last> ? layout_kind::nhwc
                                                                                       : layout_kind::slice;
};

using formats = testing::Types<input_format<adapool::contiguous, float>, input_format<adapool::channels_last, float>,
                               input_format<adapool::strided, float>, input_format<adapool::channels_last, double>>;

struct format_names {
  template <class F>
  static std::string GetName(int) {
    return std::string(layout_name(F::kind)) + "_" + (std::is_same_v<typename F::type, float> ? "float" : "double");
  }
};

template <class F>
class Allocating : public testing::Test {
 protected:
  using T = typename F::type;
  using result_layout = typename F::result_layout;

  // Random input of `shape`, placed as the format says.
  template <std::size_t Rank>
  placed<T, Rank> input(const std::array<std::int64_t, Rank>& shape) {
    std::mt19937_64 rng(static_cast<unsigned>(shape[1] * 7 + Rank));
    x_ = random_values<T>(shape, fill_kind::specials, rng);
    placed<T, Rank> p = place(F::kind, shape, T(0));
    p.assign(x_);
    return p;
  }
  template <std::size_t Rank>
  adapool::tensor_view<const T, Rank, typename F::layout> view(const placed<T, Rank>& p) {
    if constexpr (std::is_same_v<typename F::layout, adapool::strided>) {
      return p.view();
    } else {
      return {p.data(), p.extents()};
    }
  }

  template <std::size_t Rank>
  using result = adapool::tensor<T, Rank, result_layout>;
  template <std::size_t Rank>
  using result_with_indices = adapool::values_and_indices<T, Rank, result_layout>;

  template <class Tensor>
  void expect_average_any(const Tensor& got, const std::vector<double>& want, const reference::shape& shape) {
    EXPECT_EQ(to_shape(got.shape()), shape);
    EXPECT_TRUE(close_averages("average", shape, logical_values(got), want, magnitude(x_)));
  }
  template <class Values, class Indices>
  void expect_max(const Values& values, const Indices* indices, const reference::max_result<T>& want,
                  const reference::shape& shape) {
    EXPECT_EQ(to_shape(values.shape()), shape);
    EXPECT_TRUE(same_maxima("max", shape, logical_values(values), want.values));
    if (indices) {
      EXPECT_EQ(to_shape(indices->shape()), shape);
      EXPECT_TRUE(same_indices("index", shape, logical_values(*indices), want.indices));
    }
  }

  // An average, a max and a max with indices from the allocating forms,
  // against the reference. The parameter types are the results the format
  // must get: a form that returns another type does not compile.
  template <std::size_t Rank>
  void expect_results(const result<Rank>& avg, const result<Rank>& max, const result_with_indices<Rank>& both,
                      const std::vector<double>& want_avg, const reference::max_result<T>& want_max,
                      const reference::shape& out_shape) {
    expect_average_any(avg, want_avg, out_shape);
    expect_max(max, static_cast<const adapool::tensor<std::int64_t, Rank>*>(nullptr), want_max, out_shape);
    expect_max(both.values, &both.indices, want_max, out_shape);
  }

  // The adaptive forms of rank Rank on random input of in_shape; returns the
  // input.
  template <std::size_t Rank>
  placed<T, Rank> expect_adaptive(const std::array<std::int64_t, Rank>& in_shape,
                                  const std::array<std::int64_t, Rank - 2>& output_size) {
    placed<T, Rank> in = input(in_shape);
    const auto view_in = view(in);
    const reference::shape in_dims = to_shape(in_shape), out_dims = to_shape(with_spatial(in_shape, output_size));
    const std::vector<double> want_avg = reference::adaptive_avg(x_, in_dims, out_dims);
    const reference::max_result<T> want_max = reference::adaptive_max(x_, in_dims, out_dims);
    if constexpr (Rank == 3) {
      expect_results(adapool::adaptive_avg_pool1d(view_in, output_size),
                     adapool::adaptive_max_pool1d(view_in, output_size),
                     adapool::adaptive_max_pool1d_with_indices(view_in, output_size), want_avg, want_max, out_dims);
    } else if constexpr (Rank == 4) {
      expect_results(adapool::adaptive_avg_pool2d(view_in, output_size),
                     adapool::adaptive_max_pool2d(view_in, output_size),
                     adapool::adaptive_max_pool2d_with_indices(view_in, output_size), want_avg, want_max, out_dims);
    } else {
      expect_results(adapool::adaptive_avg_pool3d(view_in, output_size),
                     adapool::adaptive_max_pool3d(view_in, output_size),
                     adapool::adaptive_max_pool3d_with_indices(view_in, output_size), want_avg, want_max, out_dims);
    }
    return in;
  }

  std::vector<T> x_;
};

TYPED_TEST_SUITE(Allocating, formats, format_names);

TYPED_TEST(Allocating, AdaptivePool1d) { this->expect_adaptive(std::array<std::int64_t, 3>{2, 5, 11}, {4}); }

TYPED_TEST(Allocating, AdaptivePool2d) {
  const auto in = this->expect_adaptive(std::array<std::int64_t, 4>{2, 17, 7, 6}, {3, 4});
  // Zero output sizes: an empty tensor, not an error.
  EXPECT_EQ(adapool::adaptive_avg_pool2d(this->view(in), {0, 4}).size(), 0);
}

TYPED_TEST(Allocating, AdaptivePool3d) { this->expect_adaptive(std::array<std::int64_t, 5>{1, 3, 4, 5, 3}, {2, 3, 2}); }

TYPED_TEST(Allocating, GlobalPool) {
  const auto in = this->input(std::array<std::int64_t, 4>{2, 19, 5, 6});
  const reference::shape in_dims{2, 19, 5, 6}, out_dims{2, 19, 1, 1};
  this->expect_results(adapool::global_avg_pool(this->view(in)), adapool::global_max_pool(this->view(in)),
                       adapool::global_max_pool_with_indices(this->view(in)),
                       reference::adaptive_avg(this->x_, in_dims, out_dims),
                       reference::adaptive_max(this->x_, in_dims, out_dims), out_dims);
}

TYPED_TEST(Allocating, ChannelPool) {
  const auto in = this->input(std::array<std::int64_t, 4>{2, 17, 5, 6});
  const reference::shape in_dims{2, 17, 5, 6};
  for (std::int64_t out_channels : {1, 3}) {
    this->expect_results(adapool::channel_avg_pool(this->view(in), out_channels),
                         adapool::channel_max_pool(this->view(in), out_channels),
                         adapool::channel_max_pool_with_indices(this->view(in), out_channels),
                         reference::channel_avg(this->x_, in_dims, out_channels),
                         reference::channel_max(this->x_, in_dims, out_channels), {2, out_channels, 5, 6});
  }
  // One output channel is the default: global depth-wise pooling.
  this->expect_results(adapool::channel_avg_pool(this->view(in)), adapool::channel_max_pool(this->view(in)),
                       adapool::channel_max_pool_with_indices(this->view(in)),
                       reference::channel_avg(this->x_, in_dims, 1), reference::channel_max(this->x_, in_dims, 1),
                       {2, 1, 5, 6});
}

// The scalar path through the allocating forms gives the same results.
TEST(AllocatingScalar, SameAsDefault) {
  std::mt19937_64 rng(3);
  const std::vector<float> x = random_values<float>(2 * 9 * 7 * 5, fill_kind::ties, rng);
  const auto in = adapool::make_view(x, 2, 9, 7, 5);
  EXPECT_TRUE(same_maxima("max", {2, 9, 3, 2},
                          adapool::adaptive_max_pool2d_with_indices<adapool::simd::scalar>(in, {3, 2}).values.values(),
                          adapool::adaptive_max_pool2d_with_indices(in, {3, 2}).values.values()));
  EXPECT_TRUE(close_averages("average", {2, 9, 1, 1}, adapool::global_avg_pool<adapool::simd::scalar>(in).values(),
                             adapool::global_avg_pool(in).values(), 3.0));
  EXPECT_TRUE(same_indices("channel", {2, 1, 7, 5},
                           adapool::channel_max_pool_with_indices<adapool::simd::scalar>(in).indices.values(),
                           adapool::channel_max_pool_with_indices(in).indices.values()));
}

// The allocating forms refuse negative sizes before allocating anything.
TEST(AllocatingErrors, NegativeRequestedSizes) {
  std::vector<float> x(2 * 3 * 4 * 4, 1.0f);
  const auto in2 = adapool::make_view(x, 2, 3, 4, 4);
  const auto in1 = adapool::make_view(x, 2, 3, 16);
  const auto in3 = adapool::make_view(x, 2, 3, 2, 2, 4);
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::adaptive_avg_pool2d(in2, {-1, 2});
                       }),
                       {"adaptive_avg_pool2d", "output_size", "[-1, 2]"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::adaptive_max_pool2d(in2, {2, -5});
                       }),
                       {"adaptive_max_pool2d", "output_size", "[2, -5]"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::adaptive_max_pool2d_with_indices(in2, {2, -5});
                       }),
                       {"adaptive_max_pool2d_with_indices", "output_size", "[2, -5]"}));
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool1d(in1, {-3}); }),
                       {"adaptive_avg_pool1d", "output_size", "[-3]"}));
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_max_pool1d_with_indices(in1, {-3}); }),
                       {"adaptive_max_pool1d_with_indices", "output_size", "[-3]"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::adaptive_avg_pool3d(in3, {1, -1, 1});
                       }),
                       {"adaptive_avg_pool3d", "output_size", "[1, -1, 1]"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::adaptive_max_pool3d(in3, {1, -1, 1});
                       }),
                       {"adaptive_max_pool3d", "output_size", "[1, -1, 1]"}));
  EXPECT_TRUE(
      mentions(error_message([&] { adapool::channel_avg_pool(in2, -1); }), {"channel_avg_pool", "out_channels", "-1"}));
  EXPECT_TRUE(
      mentions(error_message([&] { adapool::channel_max_pool(in2, -2); }), {"channel_max_pool", "out_channels", "-2"}));
  EXPECT_TRUE(mentions(error_message([&] { adapool::channel_max_pool_with_indices(in2, -1); }),
                       {"channel_max_pool_with_indices", "out_channels", "-1"}));
  // Zero is a valid size: an empty result.
  EXPECT_EQ(adapool::adaptive_avg_pool2d(in2, {0, 2}).size(), 0);
  EXPECT_EQ(adapool::channel_max_pool(in2, 0).size(), 0);
  // Errors of the view overload carry the allocating form's name.
  const auto bad = adapool::tensor_view<const float, 4>(x.data(), {2, 3, 0, 4});
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::adaptive_max_pool2d_with_indices(bad, {2, 2});
                       }),
                       {"adaptive_max_pool2d_with_indices", "input", "[2, 3, 0, 4]"}));
}

}  // namespace allocating_tests
