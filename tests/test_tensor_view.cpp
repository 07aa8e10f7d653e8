// SPDX-License-Identifier: MIT
// tensor_view and tensor: strides of each layout, element access in logical
// order, conversions, the owning tensor; and every operation called with typed
// contiguous, channels_last and strided views on both sides (the sweeps in
// the other files pass strided views only).

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

#include "reference.hpp"
#include "test_support.hpp"

namespace tensor_view_tests {

using namespace adapool_test;
using adapool::channels_last;
using adapool::contiguous;
using adapool::strided;
using adapool::tensor_view;
using extents4 = std::array<std::int64_t, 4>;

static_assert(std::is_convertible_v<tensor_view<float, 4>, tensor_view<const float, 4>>);
static_assert(!std::is_convertible_v<tensor_view<const float, 4>, tensor_view<float, 4>>);
static_assert(std::is_convertible_v<tensor_view<float, 4, channels_last>, tensor_view<const float, 4, strided>>);
static_assert(std::is_convertible_v<tensor_view<const double, 5, contiguous>, tensor_view<const double, 5, strided>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4, strided>, tensor_view<float, 4, contiguous>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4, channels_last>, tensor_view<float, 4, contiguous>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4>, tensor_view<double, 4>>);
static_assert(tensor_view<float, 3>::spatial_rank == 1 && tensor_view<float, 5>::spatial_rank == 3);
static_assert(std::is_same_v<adapool::nhwc, channels_last> && std::is_same_v<adapool::nchw, contiguous>);

TEST(TensorView, ContiguousStrides) {
  EXPECT_EQ(contiguous::strides_for<4>({2, 3, 4, 5}), (extents4{60, 20, 5, 1}));
  EXPECT_EQ(contiguous::strides_for<3>({2, 3, 5}), (std::array<std::int64_t, 3>{15, 5, 1}));
  EXPECT_EQ(contiguous::strides_for<5>({2, 3, 4, 5, 6}), (std::array<std::int64_t, 5>{360, 120, 30, 6, 1}));
}

TEST(TensorView, ChannelsLastStrides) {
  EXPECT_EQ(channels_last::strides_for<4>({2, 3, 4, 5}), (extents4{60, 1, 15, 3}));
  EXPECT_EQ(channels_last::strides_for<3>({2, 3, 5}), (std::array<std::int64_t, 3>{15, 1, 3}));
  EXPECT_EQ(channels_last::strides_for<5>({2, 3, 4, 5, 6}), (std::array<std::int64_t, 5>{360, 1, 90, 18, 3}));
}

TEST(TensorView, ElementAccessIsLogical) {
  std::vector<float> memory(2 * 3 * 4 * 5);
  for (std::size_t i = 0; i < memory.size(); ++i) memory[i] = static_cast<float>(i);
  const auto nchw = adapool::make_view(memory.data(), 2, 3, 4, 5);
  const auto nhwc = adapool::make_view<channels_last>(memory.data(), 2, 3, 4, 5);
  static_assert(std::is_same_v<decltype(nchw), const tensor_view<float, 4, contiguous>>);
  EXPECT_EQ(nchw.shape(), (extents4{2, 3, 4, 5}));
  EXPECT_EQ(nhwc.shape(), (extents4{2, 3, 4, 5}));
  EXPECT_EQ(nchw.size(), 120);
  EXPECT_FALSE(nchw.empty());
  EXPECT_EQ(nchw(1, 2, 3, 4), memory[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
  EXPECT_EQ(nhwc(1, 2, 3, 4), memory[((1 * 4 + 3) * 5 + 4) * 3 + 2]);
  EXPECT_EQ(&nhwc(0, 1, 0, 0), memory.data() + 1);
  // Writes through a view land in the same place.
  nchw(0, 1, 2, 3) = -1.0f;
  EXPECT_EQ(memory[(1 * 4 + 2) * 5 + 3], -1.0f);
  // Converted to strided, the same elements.
  const tensor_view<const float, 4, strided> as_strided = nhwc;
  EXPECT_EQ(as_strided.strides(), (extents4{60, 1, 15, 3}));
  EXPECT_EQ(&as_strided(1, 2, 3, 4), &nhwc(1, 2, 3, 4));
  const auto empty = adapool::make_view(memory.data(), 2, 0, 4, 5);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.size(), 0);
}

TEST(TensorView, NegativeStrides) {
  std::vector<double> memory{0, 1, 2, 3, 4, 5};  // one 2 x 3 plane
  // The plane flipped left to right: element (0, 0, h, w) is memory[h * 3 + 2 - w].
  const auto flipped = adapool::make_strided_view(memory.data() + 2, std::array<std::int64_t, 4>{1, 1, 2, 3},
                                                  std::array<std::int64_t, 4>{6, 6, 3, -1});
  EXPECT_EQ(flipped(0, 0, 0, 0), 2);
  EXPECT_EQ(flipped(0, 0, 1, 0), 5);
  EXPECT_EQ(flipped(0, 0, 1, 2), 3);
  // Pooling sees the flipped plane: the max of the first row is at w = 0.
  double value = 0;
  std::int64_t index = 0;
  adapool::adaptive_max_pool2d(flipped, adapool::make_view(&value, 1, 1, 1, 1), adapool::make_view(&index, 1, 1, 1, 1));
  EXPECT_EQ(value, 5);
  EXPECT_EQ(index, 3);  // h = 1, w = 0
}

TEST(TensorView, FromVector) {
  std::vector<float> values(24, 1.0f);
  const auto view = adapool::make_view(values, 2, 3, 4);
  static_assert(std::is_same_v<decltype(view), const tensor_view<float, 3, contiguous>>);
  EXPECT_EQ(view.data(), values.data());
  const std::vector<float>& read_only = values;
  const auto const_view = adapool::make_view<channels_last>(read_only, 1, 2, 3, 4);
  static_assert(std::is_same_v<decltype(const_view), const tensor_view<const float, 4, channels_last>>);
  EXPECT_EQ(const_view.strides(), (extents4{24, 1, 8, 2}));
}

TEST(Tensor, OwnsItsElements) {
  adapool::tensor<float, 4> t({1, 8, 4, 4});
  EXPECT_EQ(t.shape(), (extents4{1, 8, 4, 4}));
  EXPECT_EQ(t.size(), 128);
  EXPECT_EQ(t.values(), std::vector<float>(128, 0.0f));
  t(0, 2, 1, 3) = 5.0f;
  EXPECT_EQ(t.values()[(2 * 4 + 1) * 4 + 3], 5.0f);
  EXPECT_EQ(t.view().data(), t.data());

  adapool::tensor<double, 4, channels_last> nhwc({1, 3, 2, 2}, 1.5);
  EXPECT_EQ(nhwc.values(), std::vector<double>(12, 1.5));
  nhwc(0, 1, 0, 1) = 7.0;
  EXPECT_EQ(nhwc.values()[(0 * 2 + 1) * 3 + 1], 7.0);
  EXPECT_EQ(nhwc.view().strides(), (extents4{12, 1, 6, 3}));
  const auto& read_only = nhwc;
  static_assert(std::is_same_v<decltype(read_only.view()), tensor_view<const double, 4, channels_last>>);
  EXPECT_EQ(read_only(0, 1, 0, 1), 7.0);

  const adapool::tensor<float, 3> none({0, 4, 4});
  EXPECT_EQ(none.size(), 0);
}

// ---------------------------------------------------------------- typed views through every operation

template <class Layout, class T, std::size_t Rank>
tensor_view<T, Rank, Layout> typed(placed<T, Rank>& p) {
  if constexpr (std::is_same_v<Layout, strided>) {
    return p.view();
  } else {
    return {p.data(), p.extents()};
  }
}

// The placement a typed view of Layout is made over; strided views get
// padded inputs and flipped outputs.
template <class Layout>
layout_kind kind_for(bool output) {
  if (std::is_same_v<Layout, contiguous>) return layout_kind::nchw;
  if (std::is_same_v<Layout, channels_last>) return layout_kind::nhwc;
  return output ? layout_kind::flipped : layout_kind::slice;
}

// One operation with typed input, output and indices views (indices in the
// output's layout type), compared with the reference.
template <class Op, class InLayout, class OutLayout, std::size_t Rank>
void check_typed_views(const std::array<std::int64_t, Rank>& in_shape,
                       const std::array<std::int64_t, Rank>& out_shape) {
  using T = float;
  SCOPED_TRACE(std::string("input ") + layout_name(kind_for<InLayout>(false)) + ", output " +
               layout_name(kind_for<OutLayout>(true)));
  std::mt19937_64 rng(31);
  const std::vector<T> x = random_values<T>(in_shape, fill_kind::specials, rng);
  const reference::shape out_dims = to_shape(out_shape);
  placed<T, Rank> input = place(kind_for<InLayout>(false), in_shape, T(0));
  input.assign(x);
  placed<T, Rank> out = place(kind_for<OutLayout>(true), out_shape, output_fill<T>);
  placed<std::int64_t, Rank> indices = place(kind_for<OutLayout>(true), out_shape, index_fill);
  const tensor_view<const T, Rank, InLayout> in = typed<InLayout>(input);
  Op::template run<adapool::default_arch>(in, typed<OutLayout>(out), typed<OutLayout>(indices));
  expect_matches<T>(flags_of<Op>, adapool::default_arch::name, out_dims,
                    collect<T>(out, indices, flags_of<Op>, adapool::default_arch::name),
                    Op::reference(x, to_shape(in_shape), out_dims), magnitude(x));
}

// Layout pairs: each typed layout on each side, same and mixed.
template <class Op, std::size_t Rank>
void check_typed_views(const std::array<std::int64_t, Rank>& in_shape,
                       const std::array<std::int64_t, Rank>& out_shape) {
  check_typed_views<Op, contiguous, contiguous>(in_shape, out_shape);
  check_typed_views<Op, channels_last, channels_last>(in_shape, out_shape);
  check_typed_views<Op, contiguous, channels_last>(in_shape, out_shape);
  check_typed_views<Op, channels_last, strided>(in_shape, out_shape);
  check_typed_views<Op, strided, contiguous>(in_shape, out_shape);
}

TEST(TypedViews, AdaptivePool) {
  check_typed_views<adaptive_avg_op, 4>({2, 5, 7, 6}, {2, 5, 3, 4});
  check_typed_views<adaptive_max_op<true>, 4>({2, 5, 7, 6}, {2, 5, 3, 4});
  check_typed_views<adaptive_max_op<true>, 3>({2, 17, 9}, {2, 17, 4});
}

TEST(TypedViews, GlobalPool) {
  check_typed_views<global_avg_op, 4>({2, 19, 5, 6}, {2, 19, 1, 1});
  check_typed_views<global_max_op<true>, 4>({2, 19, 5, 6}, {2, 19, 1, 1});
  check_typed_views<global_max_op<true>, 5>({1, 9, 2, 3, 4}, {1, 9, 1, 1, 1});
}

TEST(TypedViews, ChannelPool) {
  check_typed_views<channel_avg_op, 4>({2, 19, 5, 6}, {2, 1, 5, 6});
  check_typed_views<channel_max_op<true>, 4>({2, 19, 5, 6}, {2, 3, 5, 6});
}

}  // namespace tensor_view_tests
