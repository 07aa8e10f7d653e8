// SPDX-License-Identifier: MIT
// Backward passes: against the gradients of tests/reference.hpp (accumulated
// in double) for every layout and both element types, including overlapping
// windows; by finite differences; bit-identical across layouts, instruction
// sets and thread counts; every bad argument (out-of-range indices above all)
// rejected before anything is written.

#include <algorithm>
#include <array>
#include <numeric>
#include <utility>

#include "test_support.hpp"

namespace backward_tests {

using namespace adapool_test;

enum class backward_op { adaptive_avg, adaptive_max, global_avg, global_max, channel_avg, channel_max };

constexpr bool is_max(backward_op op) {
  return op == backward_op::adaptive_max || op == backward_op::global_max || op == backward_op::channel_max;
}
constexpr bool is_channel(backward_op op) { return op == backward_op::channel_avg || op == backward_op::channel_max; }

// Calls the backward pass `op` through instruction set Arch.
template <class Arch, class GradOut, class Indices, class GradIn>
void call_backward(backward_op op, const GradOut& grad_out, const Indices& indices, const GradIn& grad_in) {
  constexpr std::size_t rank = GradIn::rank;
  switch (op) {
    case backward_op::adaptive_avg:
      if constexpr (rank == 3) adapool::adaptive_avg_pool1d_backward<Arch>(grad_out, grad_in);
      if constexpr (rank == 4) adapool::adaptive_avg_pool2d_backward<Arch>(grad_out, grad_in);
      if constexpr (rank == 5) adapool::adaptive_avg_pool3d_backward<Arch>(grad_out, grad_in);
      break;
    case backward_op::adaptive_max:
      if constexpr (rank == 3) adapool::adaptive_max_pool1d_backward<Arch>(grad_out, indices, grad_in);
      if constexpr (rank == 4) adapool::adaptive_max_pool2d_backward<Arch>(grad_out, indices, grad_in);
      if constexpr (rank == 5) adapool::adaptive_max_pool3d_backward<Arch>(grad_out, indices, grad_in);
      break;
    case backward_op::global_avg:
      adapool::global_avg_pool_backward<Arch>(grad_out, grad_in);
      break;
    case backward_op::global_max:
      adapool::global_max_pool_backward<Arch>(grad_out, indices, grad_in);
      break;
    case backward_op::channel_avg:
      adapool::channel_avg_pool_backward<Arch>(grad_out, grad_in);
      break;
    case backward_op::channel_max:
      adapool::channel_max_pool_backward<Arch>(grad_out, indices, grad_in);
      break;
  }
}

// ---------------------------------------------------------------- reference

// What the reference says `op` gives, accumulated in double (global pooling is
// adaptive pooling to a 1 x 1 output).
template <class T>
reference::gradient<double> expected_gradient(backward_op op, const std::vector<T>& grad_out,
                                              const std::vector<std::int64_t>& indices,
                                              const reference::shape& in_shape, const reference::shape& out_shape) {
  if (is_channel(op)) {
    return is_max(op) ? reference::channel_max_backward<double>(grad_out, indices, in_shape, out_shape[1])
                      : reference::channel_avg_backward<double>(grad_out, in_shape, out_shape[1]);
  }
  return is_max(op) ? reference::adaptive_max_backward<double>(grad_out, indices, in_shape, out_shape)
                    : reference::adaptive_avg_backward<double>(grad_out, in_shape, out_shape);
}

// Within rounding of the reference: each share rounds at most three times (one
// division per axis) and each addition once. Elements no window reaches are +0.
template <class T>
testing::AssertionResult close_to_reference(const reference::shape& shape, const std::vector<T>& got,
                                            const reference::gradient<double>& want) {
  std::vector<double> accepted(got.size());
  for (std::size_t i = 0; i < got.size() && i < want.values.size(); ++i) {
    const double bound = double(want.terms[i] + 4) * std::numeric_limits<T>::epsilon() * want.magnitudes[i];
    const bool ok = want.terms[i] == 0 ? got[i] == 0 && !std::signbit(got[i])
                                       : std::abs(static_cast<double>(got[i]) - want.values[i]) <= bound;
    // Accepted elements compare equal to themselves below; the others show the reference.
    accepted[i] = ok ? static_cast<double>(got[i]) : want.values[i];
  }
  return compare("grad_in", shape, got, want.values.size() == got.size() ? accepted : want.values,
                 [](T g, double w) { return static_cast<double>(g) == w || (std::isnan(g) && std::isnan(w)); });
}

template <class T>
testing::AssertionResult same_bits(const char* what, const reference::shape& shape, const std::vector<T>& got,
                                   const std::vector<T>& want) {
  return compare(what, shape, got, want, [](T a, T b) { return std::memcmp(&a, &b, sizeof(T)) == 0; });
}

// ---------------------------------------------------------------- one case

// Indices as the forward returns them for random data with many ties (so
// overlapping windows often share their argmax), or anywhere in range.
template <class T>
std::vector<std::int64_t> make_indices(backward_op op, const reference::shape& in_shape,
                                       const reference::shape& out_shape, bool anywhere, std::mt19937_64& rng) {
  if (!is_max(op)) return std::vector<std::int64_t>(static_cast<std::size_t>(reference::element_count(out_shape)));
  if (anywhere) {
    const std::int64_t limit = is_channel(op) ? in_shape[1] : reference::as_dims(in_shape).plane();
    std::uniform_int_distribution<std::int64_t> index(0, limit - 1);
    std::vector<std::int64_t> indices(static_cast<std::size_t>(reference::element_count(out_shape)));
    for (auto& i : indices) i = index(rng);
    return indices;
  }
  const auto x = random_values<T>(reference::element_count(in_shape), fill_kind::ties, rng);
  if (is_channel(op)) return reference::channel_max(x, in_shape, out_shape[1]).indices;
  return reference::adaptive_max(x, in_shape, out_shape).indices;
}

template <class Arch, class T, std::size_t Rank>
std::vector<T> run_backward(backward_op op, const placed<T, Rank>& grad_out, const placed<std::int64_t, Rank>& indices,
                            const std::array<std::int64_t, Rank>& in_shape, layout_kind in_kind) {
  placed<T, Rank> grad_in = place(in_kind, in_shape, output_fill<T>);
  call_backward<Arch>(op, grad_out.view(), indices.view(), grad_in.view());
  EXPECT_TRUE(grad_in.margin_untouched(output_fill<T>)) << Arch::name << ": wrote outside grad_in";
  return grad_in.logical();
}

// Runs `op` with grad_in placed as in_kind and grad_out as out_kind (indices in
// yet another layout), through the default instruction set and the scalar one:
// both within rounding of the reference, and bit-identical to each other and
// to the all-NCHW run (the accumulation order does not depend on the layout).
template <class T, std::size_t Rank>
void check_backward(backward_op op, const std::array<std::int64_t, Rank>& in_shape,
                    const std::array<std::int64_t, Rank>& out_shape, layout_kind in_kind, layout_kind out_kind,
                    std::uint64_t seed) {
  SCOPED_TRACE("grad_in " + shape_text(in_shape) + " " + layout_name(in_kind) + ", grad_out " + shape_text(out_shape) +
               " " + layout_name(out_kind) + ", seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const reference::shape in_dims = to_shape(in_shape), out_dims = to_shape(out_shape);
  const std::vector<T> g = random_values<T>(out_shape, fill_kind::uniform, rng);
  const std::vector<std::int64_t> idx = make_indices<T>(op, in_dims, out_dims, seed % 2 == 1, rng);

  const auto placed_inputs = [&](layout_kind kind) {
    placed<T, Rank> grad_out = place(kind, out_shape, T(0));
    grad_out.assign(g);
    const auto index_kind = all_layouts()[(static_cast<std::size_t>(kind) + 1) % all_layouts().size()];
    placed<std::int64_t, Rank> indices = place(index_kind, out_shape, index_fill);
    indices.assign(idx);
    return std::make_pair(grad_out, indices);
  };
  const auto [plain_out, plain_indices] = placed_inputs(layout_kind::nchw);
  const std::vector<T> baseline =
      run_backward<adapool::default_arch>(op, plain_out, plain_indices, in_shape, layout_kind::nchw);

  const auto [grad_out, indices] = placed_inputs(out_kind);
  const std::vector<T> best = run_backward<adapool::default_arch>(op, grad_out, indices, in_shape, in_kind);
  const std::vector<T> scalar = run_backward<adapool::simd::scalar>(op, grad_out, indices, in_shape, in_kind);

  EXPECT_TRUE(close_to_reference(in_dims, best, expected_gradient(op, g, idx, in_dims, out_dims)));
  EXPECT_TRUE(same_bits("grad_in (this layout vs NCHW)", in_dims, best, baseline));
  EXPECT_TRUE(same_bits("grad_in (default vs scalar)", in_dims, scalar, best));
  EXPECT_TRUE(same_bits("grad_out (after the call)", out_dims, grad_out.logical(), g)) << "grad_out was modified";
  EXPECT_EQ(indices.logical(), idx) << "indices were modified";
}

template <std::size_t Rank>
struct shape_case {
  std::array<std::int64_t, Rank - 2> in, out;
};

// Windows of every kind: out == in, out == 1, out > in (overlapping and
// repeated), a window of ceil(in / out) + 1, windows tiling their rows (in a
// multiple of out), long rows, more output columns than the library divides
// at once (256), prime sizes, an empty output. Functions, not globals: nothing
// may run before main() checks that the CPU has this file's instruction set.
const std::vector<shape_case<3>>& cases_1d() {
  static const std::vector<shape_case<3>> cases{
      {{1}, {1}},  {{1}, {4}},  {{2}, {3}},  {{5}, {3}},  {{7}, {7}},   {{16}, {1}},   {{17}, {5}},
      {{3}, {23}}, {{9}, {16}}, {{31}, {8}}, {{12}, {4}}, {{300}, {7}}, {{20}, {300}}, {{5}, {0}},
  };
  return cases;
}
const std::vector<shape_case<4>>& cases_2d() {
  static const std::vector<shape_case<4>> cases{
      {{5, 7}, {3, 3}},   {{2, 3}, {3, 5}},   {{4, 4}, {4, 4}},   {{7, 7}, {1, 1}},
      {{6, 9}, {13, 4}},  {{1, 1}, {3, 3}},   {{13, 13}, {7, 7}}, {{8, 8}, {2, 2}},
      {{28, 28}, {7, 7}}, {{3, 17}, {5, 16}}, {{2, 300}, {3, 9}}, {{2, 300}, {3, 270}},
  };
  return cases;
}
const std::vector<shape_case<5>>& cases_3d() {
  static const std::vector<shape_case<5>> cases{
      {{3, 4, 5}, {2, 3, 3}}, {{2, 2, 2}, {3, 3, 3}}, {{4, 5, 6}, {1, 1, 1}},
      {{5, 3, 4}, {5, 3, 4}}, {{1, 7, 3}, {2, 5, 4}},
  };
  return cases;
}

class Backward : public testing::TestWithParam<config> {
 protected:
  template <std::size_t Rank>
  void sweep(backward_op op, const std::vector<shape_case<Rank>>& cases, std::int64_t channels = 3) {
    with_dtype(GetParam().type, [&](auto zero) {
      using T = decltype(zero);
      std::uint64_t seed = 0;
      for (const auto& c : cases) {
        std::array<std::int64_t, Rank> in{2, channels}, out{2, channels};
        for (std::size_t axis = 2; axis < Rank; ++axis) {
          in[axis] = c.in[axis - 2];
          out[axis] = c.out[axis - 2];
        }
        for (int repeat = 0; repeat < 2; ++repeat, ++seed) {
          check_backward<T>(op, in, out, GetParam().layout, output_layout(seed), seed);
        }
      }
    });
  }
};

TEST_P(Backward, AdaptiveAvg1d) { sweep(backward_op::adaptive_avg, cases_1d()); }
TEST_P(Backward, AdaptiveAvg2d) { sweep(backward_op::adaptive_avg, cases_2d()); }
TEST_P(Backward, AdaptiveAvg3d) { sweep(backward_op::adaptive_avg, cases_3d()); }
TEST_P(Backward, AdaptiveMax1d) { sweep(backward_op::adaptive_max, cases_1d()); }
TEST_P(Backward, AdaptiveMax2d) { sweep(backward_op::adaptive_max, cases_2d()); }
TEST_P(Backward, AdaptiveMax3d) { sweep(backward_op::adaptive_max, cases_3d()); }

// More channels than one channels-last block of the library (128).
TEST_P(Backward, ManyChannels) {
  const std::vector<shape_case<4>> cases{{{5, 4}, {3, 2}}, {{2, 3}, {3, 5}}, {{3, 3}, {1, 1}}};
  sweep(backward_op::adaptive_avg, cases, 131);
  sweep(backward_op::adaptive_max, cases, 131);
  // Long rows: NCHW's window_rows takes fewer planes at a time than a block holds.
  sweep(backward_op::adaptive_avg, std::vector<shape_case<4>>{{{2, 400}, {2, 390}}}, 21);
}

TEST_P(Backward, Global) {
  sweep(backward_op::global_avg, std::vector<shape_case<3>>{{{1}, {1}}, {{17}, {1}}, {{300}, {1}}});
  // Planes of a vector's size (4 x 4 floats or 2 x 4 doubles under AVX-512,
  // 2 x 4 floats under AVX2) and of one element more, in blocks of planes that
  // start at every alignment.
  sweep(backward_op::global_avg,
        std::vector<shape_case<4>>{
            {{7, 7}, {1, 1}}, {{1, 33}, {1, 1}}, {{4, 4}, {1, 1}}, {{2, 4}, {1, 1}}, {{1, 9}, {1, 1}}},
        131);
  sweep(backward_op::global_avg, std::vector<shape_case<5>>{{{3, 4, 5}, {1, 1, 1}}});
  sweep(backward_op::global_max, std::vector<shape_case<3>>{{{1}, {1}}, {{17}, {1}}, {{300}, {1}}});
  sweep(backward_op::global_max, std::vector<shape_case<4>>{{{7, 7}, {1, 1}}, {{1, 33}, {1, 1}}}, 131);
  sweep(backward_op::global_max, std::vector<shape_case<5>>{{{3, 4, 5}, {1, 1, 1}}});
}

TEST_P(Backward, Channel) {
  with_dtype(GetParam().type, [&](auto zero) {
    using T = decltype(zero);
    std::uint64_t seed = 100;
    for (backward_op op : {backward_op::channel_avg, backward_op::channel_max}) {
      for (std::int64_t c : {1, 2, 3, 5, 8, 17}) {
        for (std::int64_t oc : {1, 2, 3, 4, 7, 17}) {
          check_backward<T>(op, std::array<std::int64_t, 4>{2, c, 3, 5}, std::array<std::int64_t, 4>{2, oc, 3, 5},
                            GetParam().layout, output_layout(seed), seed);
          ++seed;
        }
      }
      // Pixel runs longer than the library's run, 1d and 3d, no output channels.
      check_backward<T>(op, std::array<std::int64_t, 4>{1, 5, 3, 300}, std::array<std::int64_t, 4>{1, 3, 3, 300},
                        GetParam().layout, output_layout(seed), seed);
      check_backward<T>(op, std::array<std::int64_t, 3>{2, 6, 9}, std::array<std::int64_t, 3>{2, 4, 9},
                        GetParam().layout, output_layout(seed + 1), seed + 1);
      check_backward<T>(op, std::array<std::int64_t, 5>{2, 7, 2, 3, 4}, std::array<std::int64_t, 5>{2, 3, 2, 3, 4},
                        GetParam().layout, output_layout(seed + 2), seed + 2);
      check_backward<T>(op, std::array<std::int64_t, 4>{2, 5, 3, 4}, std::array<std::int64_t, 4>{2, 0, 3, 4},
                        GetParam().layout, output_layout(seed + 3), seed + 3);
      seed += 4;
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Layouts, Backward, testing::ValuesIn(all_configs()), config_name);

// ---------------------------------------------------------------- finite differences

// The forward pass in double through adapool, contiguous; fills `indices` for max.
template <std::size_t Rank>
std::vector<double> forward(backward_op op, const std::vector<double>& x, const std::array<std::int64_t, Rank>& in,
                            const std::array<std::int64_t, Rank>& out, std::vector<std::int64_t>* indices) {
  std::vector<double> y(static_cast<std::size_t>(element_count(out)));
  std::vector<std::int64_t> scratch(y.size());
  const adapool::tensor_view<const double, Rank> xv(x.data(), in);
  const adapool::tensor_view<double, Rank> yv(y.data(), out);
  const adapool::tensor_view<std::int64_t, Rank> iv(indices ? indices->data() : scratch.data(), out);
  switch (op) {
    case backward_op::adaptive_avg:
      if constexpr (Rank == 3) adapool::adaptive_avg_pool1d(xv, yv);
      if constexpr (Rank == 4) adapool::adaptive_avg_pool2d(xv, yv);
      if constexpr (Rank == 5) adapool::adaptive_avg_pool3d(xv, yv);
      break;
    case backward_op::adaptive_max:
      if constexpr (Rank == 3) adapool::adaptive_max_pool1d(xv, yv, iv);
      if constexpr (Rank == 4) adapool::adaptive_max_pool2d(xv, yv, iv);
      if constexpr (Rank == 5) adapool::adaptive_max_pool3d(xv, yv, iv);
      break;
    case backward_op::global_avg:
      adapool::global_avg_pool(xv, yv);
      break;
    case backward_op::global_max:
      adapool::global_max_pool(xv, yv, iv);
      break;
    case backward_op::channel_avg:
      adapool::channel_avg_pool(xv, yv);
      break;
    case backward_op::channel_max:
      adapool::channel_max_pool(xv, yv, iv);
      break;
  }
  return y;
}

// The backward pass of `op` at x, applied to weights w, is the gradient of
// sum(w * op(x)); checked element by element with central differences in
// double. Max inputs are distinct, 1/8 apart, and the step 1/1000, so a step
// never changes which element wins: the difference is w at the winner, 0 elsewhere.
template <std::size_t Rank>
void check_finite_differences(backward_op op, const std::array<std::int64_t, Rank>& in,
                              const std::array<std::int64_t, Rank>& out, std::uint64_t seed) {
  SCOPED_TRACE("input " + shape_text(in) + ", output " + shape_text(out));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<double> x(static_cast<std::size_t>(element_count(in)));
  if (is_max(op)) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.125 * static_cast<double>(i) - 3.0;
    std::shuffle(x.begin(), x.end(), rng);
  } else {
    for (double& v : x) v = uniform(rng);
  }
  std::vector<double> w(static_cast<std::size_t>(element_count(out)));
  for (double& v : w) v = uniform(rng);
  std::vector<std::int64_t> indices(w.size());
  forward(op, x, in, out, &indices);

  std::vector<double> grad(x.size(), 1e300);
  call_backward<adapool::default_arch>(op, adapool::tensor_view<const double, Rank>(w.data(), out),
                                       adapool::tensor_view<const std::int64_t, Rank>(indices.data(), out),
                                       adapool::tensor_view<double, Rank>(grad.data(), in));

  const auto objective = [&](const std::vector<double>& at) {
    const std::vector<double> y = forward<Rank>(op, at, in, out, nullptr);
    double sum = 0;
    for (std::size_t i = 0; i < y.size(); ++i) sum += w[i] * y[i];
    return sum;
  };
  constexpr double step = 1e-3;
  std::vector<double> moved = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    moved[i] = x[i] + step;
    const double up = objective(moved);
    moved[i] = x[i] - step;
    const double down = objective(moved);
    moved[i] = x[i];
    const double difference = (up - down) / (2 * step);
    EXPECT_NEAR(grad[i], difference, 1e-9 * (1 + std::abs(difference))) << "at element " << i;
  }
}

// Ranks 3 to 5, each with windows that overlap (out > in) and ones that do not;
// seeds first_seed, first_seed + 1, ...
void check_adaptive_finite_differences(backward_op op, std::uint64_t first_seed) {
  std::uint64_t seed = first_seed;
  check_finite_differences<3>(op, {2, 2, 9}, {2, 2, 4}, seed++);
  check_finite_differences<3>(op, {1, 2, 3}, {1, 2, 7}, seed++);
  check_finite_differences<4>(op, {2, 3, 5, 7}, {2, 3, 3, 4}, seed++);
  check_finite_differences<4>(op, {1, 2, 3, 4}, {1, 2, 5, 7}, seed++);
  check_finite_differences<5>(op, {1, 2, 3, 4, 5}, {1, 2, 2, 3, 3}, seed++);
  check_finite_differences<5>(op, {1, 1, 2, 3, 2}, {1, 1, 3, 4, 3}, seed++);
}

TEST(BackwardFiniteDifferences, AdaptiveAvg) { check_adaptive_finite_differences(backward_op::adaptive_avg, 1); }
TEST(BackwardFiniteDifferences, AdaptiveMax) { check_adaptive_finite_differences(backward_op::adaptive_max, 11); }

TEST(BackwardFiniteDifferences, GlobalAndChannel) {
  check_finite_differences<4>(backward_op::global_avg, {2, 3, 5, 7}, {2, 3, 1, 1}, 21);
  check_finite_differences<4>(backward_op::global_max, {2, 3, 5, 7}, {2, 3, 1, 1}, 22);
  check_finite_differences<4>(backward_op::channel_avg, {2, 7, 3, 4}, {2, 3, 3, 4}, 23);
  check_finite_differences<4>(backward_op::channel_avg, {2, 3, 3, 4}, {2, 7, 3, 4}, 24);
  check_finite_differences<4>(backward_op::channel_max, {2, 7, 3, 4}, {2, 3, 3, 4}, 25);
  check_finite_differences<4>(backward_op::channel_max, {2, 3, 3, 4}, {2, 7, 3, 4}, 26);
}

// ---------------------------------------------------------------- PyTorch's arithmetic

// Shares are divided one axis at a time, grad / kh / kw, as PyTorch's kernel
// does; a 1 x 1 output (a mean in PyTorch) divides once by the plane size.
// The gradient is a value for which the two orders round differently in float.
TEST(BackwardArithmetic, DividesAsPyTorch) {
  float g = 0;
  for (int k = 1; k < 1000 && g == 0; ++k) {
    const float candidate = 0.001f * static_cast<float>(k);
    if (candidate / 3.0f / 3.0f != candidate / 9.0f && candidate / 3.0f / 7.0f != candidate / 21.0f) g = candidate;
  }
  ASSERT_NE(g, 0) << "no gradient tells the orders apart";
  std::vector<float> grad_in(3 * 7);
  adapool::adaptive_avg_pool2d_backward(adapool::make_view(&g, 1, 1, 1, 1), adapool::make_view(grad_in, 1, 1, 3, 7));
  for (float v : grad_in) EXPECT_EQ(v, g / 21.0f);
  // 5 x 5 -> 2 x 2: windows [0, 3) and [2, 5) along both axes, 3 x 3 each.
  const std::vector<float> grads(4, g);
  std::vector<float> plane(5 * 5);
  adapool::adaptive_avg_pool2d_backward(adapool::make_view(grads, 1, 1, 2, 2), adapool::make_view(plane, 1, 1, 5, 5));
  const float share = g / 3.0f / 3.0f;
  EXPECT_EQ(plane[0], share);
  EXPECT_EQ(plane[2], share + share);                              // column 2 is in both column windows
  EXPECT_EQ(plane[2 * 5 + 2], ((share + share) + share) + share);  // the centre, in all four
  EXPECT_EQ(plane[4 * 5 + 4], share);
  // A -0 gradient: PyTorch's mean divides it (-0); its adaptive kernel adds it to a zero (+0).
  const float negative_zero = -0.0f;
  adapool::adaptive_avg_pool2d_backward(adapool::make_view(&negative_zero, 1, 1, 1, 1),
                                        adapool::make_view(grad_in, 1, 1, 3, 7));
  for (float v : grad_in) EXPECT_TRUE(v == 0 && std::signbit(v));
  adapool::adaptive_avg_pool2d_backward(adapool::make_view(std::vector<float>(4, -0.0f), 1, 1, 2, 2),
                                        adapool::make_view(plane, 1, 1, 5, 5));
  for (float v : plane) EXPECT_TRUE(v == 0 && !std::signbit(v));
}

// ---------------------------------------------------------------- typed views, empty cases

TEST(BackwardViews, TypedViewsAndWritableInputs) {
  // Writable grad_out and indices views are accepted as well as read-only ones,
  // contiguous and channels-last typed views as well as strided ones.
  std::vector<float> grad_out{1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<std::int64_t> indices{0, 5, 10, 15, 3, 3, 12, 12};
  std::vector<float> a(2 * 4 * 4), b(2 * 4 * 4);
  adapool::adaptive_max_pool2d_backward(adapool::make_view(grad_out, 1, 2, 2, 2),
                                        adapool::make_view(indices, 1, 2, 2, 2), adapool::make_view(a, 1, 2, 4, 4));
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[5], 2);
  EXPECT_EQ(a[16 + 3], 11);
  EXPECT_EQ(a[16 + 12], 15);
  EXPECT_EQ(std::accumulate(a.begin(), a.end(), 0.0f), 36);
  // The same memory read as channels-last: element (c, pixel) at pixel * 2 + c.
  adapool::adaptive_max_pool2d_backward<adapool::simd::scalar>(
      adapool::make_view<adapool::channels_last>(grad_out.data(), 1, 2, 2, 2),
      adapool::make_view<adapool::channels_last>(std::as_const(indices).data(), 1, 2, 2, 2),
      adapool::make_view<adapool::channels_last>(b.data(), 1, 2, 4, 4));
  std::vector<float> want(b.size());
  want[0 * 2 + 0] = 1;
  want[5 * 2 + 1] = 2;
  want[10 * 2 + 0] = 3;
  want[15 * 2 + 1] = 4;
  want[3 * 2 + 0] = 5;
  want[3 * 2 + 1] = 6;
  want[12 * 2 + 0] = 7;
  want[12 * 2 + 1] = 8;
  EXPECT_EQ(b, want);
}

TEST(BackwardViews, OneColumnIndicesWithAWideStride) {
  // A plane one column wide is contiguous whatever its column stride says;
  // the index check must step through it by one, not by that stride. The
  // gap between images keeps the check from taking the tensor as one run.
  std::vector<float> grad_out{1, 2, 3, 4, 5, 6};
  std::vector<std::int64_t> indices{0, 3, 5, -1, 1, 1, 4};
  std::vector<float> grad_in(12, -1.0f);
  using shape = std::array<std::int64_t, 4>;
  adapool::adaptive_max_pool2d_backward(
      adapool::make_view(grad_out, 2, 1, 3, 1),
      adapool::make_strided_view(std::as_const(indices).data(), shape{2, 1, 3, 1}, shape{4, 4, 1, 7}),
      adapool::make_view(grad_in, 2, 1, 3, 2));
  EXPECT_EQ(grad_in, (std::vector<float>{1, 0, 0, 2, 0, 3, 0, 9, 0, 0, 6, 0}));
}

TEST(BackwardEmpty, ZeroOutputSizeZeroesGradIn) {
  std::vector<double> grad_in(2 * 3 * 4 * 4, 5.0);
  std::vector<double> none;
  std::vector<std::int64_t> no_indices;
  adapool::adaptive_avg_pool2d_backward(adapool::make_view(none.data(), 2, 3, 0, 2),
                                        adapool::make_view(grad_in, 2, 3, 4, 4));
  EXPECT_EQ(grad_in, std::vector<double>(grad_in.size(), 0.0));
  std::fill(grad_in.begin(), grad_in.end(), 5.0);
  adapool::adaptive_max_pool2d_backward(adapool::make_view(none.data(), 2, 3, 2, 0),
                                        adapool::make_view(no_indices.data(), 2, 3, 2, 0),
                                        adapool::make_view(grad_in, 2, 3, 4, 4));
  EXPECT_EQ(grad_in, std::vector<double>(grad_in.size(), 0.0));
  // The same with strided views, whose rows are walked one by one.
  std::fill(grad_in.begin(), grad_in.end(), 5.0);
  using shape = std::array<std::int64_t, 4>;
  adapool::adaptive_max_pool2d_backward(
      adapool::make_strided_view(static_cast<const double*>(nullptr), shape{2, 3, 2, 0}, shape{6, 2, 1, 2}),
      adapool::make_strided_view(static_cast<const std::int64_t*>(nullptr), shape{2, 3, 2, 0}, shape{6, 2, 1, 2}),
      adapool::make_strided_view(grad_in.data(), shape{2, 3, 4, 4}, shape{48, 16, 4, 1}));
  EXPECT_EQ(grad_in, std::vector<double>(grad_in.size(), 0.0));
  std::fill(grad_in.begin(), grad_in.end(), 5.0);
  adapool::channel_max_pool_backward(adapool::make_view(none.data(), 2, 0, 4, 4),
                                     adapool::make_view(no_indices.data(), 2, 0, 4, 4),
                                     adapool::make_view(grad_in, 2, 3, 4, 4));
  EXPECT_EQ(grad_in, std::vector<double>(grad_in.size(), 0.0));
  // Nothing to write at all: N == 0, or an empty grad_in with an empty grad_out.
  adapool::adaptive_avg_pool2d_backward(adapool::make_view(none.data(), 0, 3, 2, 2),
                                        adapool::make_view(none.data(), 0, 3, 4, 4));
  adapool::adaptive_avg_pool2d_backward(adapool::make_view(none.data(), 2, 3, 0, 2),
                                        adapool::make_view(none.data(), 2, 3, 0, 4));
  adapool::global_max_pool_backward(adapool::make_view(none.data(), 2, 0, 1),
                                    adapool::make_view(no_indices.data(), 2, 0, 1),
                                    adapool::make_view(none.data(), 2, 0, 7));
}

// ---------------------------------------------------------------- errors

constexpr float sentinel = -7777.25f;

bool untouched(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::memcmp(&x, &sentinel, sizeof x) == 0; });
}

TEST(BackwardErrors, IndexOutsideThePlane) {
  std::vector<float> grad_out(2 * 3 * 2 * 2, 1.0f);
  std::vector<std::int64_t> indices(grad_out.size(), 5);
  std::vector<float> grad_in(2 * 3 * 4 * 4, sentinel);
  const auto call = [&] {
    adapool::adaptive_max_pool2d_backward(adapool::make_view(grad_out, 2, 3, 2, 2),
                                          adapool::make_view(indices, 2, 3, 2, 2),
                                          adapool::make_view(grad_in, 2, 3, 4, 4));
  };
  indices[(1 * 3 + 2) * 4 + 1] = 16;  // position [1, 2, 0, 1]
  EXPECT_EQ(error_message(call),
            "adaptive_max_pool2d_backward: indices[1, 2, 0, 1] is 16, outside the input plane [0, 16)");
  EXPECT_TRUE(untouched(grad_in));
  indices[(1 * 3 + 2) * 4 + 1] = 5;
  indices.back() = -1;  // the very last index: the whole tensor is checked first
  EXPECT_EQ(error_message(call),
            "adaptive_max_pool2d_backward: indices[1, 2, 1, 1] is -1, outside the input plane [0, 16)");
  EXPECT_TRUE(untouched(grad_in));
  indices.back() = std::numeric_limits<std::int64_t>::min();
  EXPECT_NE(error_message(call).find("is -9223372036854775808"), std::string::npos);
  EXPECT_TRUE(untouched(grad_in));
}

TEST(BackwardErrors, IndexOutsideThePlaneOtherRanks) {
  std::vector<float> grad_out(12, 1.0f), grad_in(2 * 3 * 2 * 3 * 4, sentinel);
  std::vector<std::int64_t> indices(12, 0);
  indices[7] = 24;  // 1d: [1, 0, 1] of [2, 3, 2]; 3d: [1, 0, 0, 1, 0] of [2, 3, 1, 2, 1]
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_max_pool1d_backward(adapool::make_view(grad_out, 2, 3, 2),
                                                    adapool::make_view(indices, 2, 3, 2),
                                                    adapool::make_view(grad_in.data(), 2, 3, 24));
            }),
            "adaptive_max_pool1d_backward: indices[1, 0, 1] is 24, outside the input plane [0, 24)");
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_max_pool3d_backward(adapool::make_view(grad_out, 2, 3, 1, 2, 1),
                                                    adapool::make_view(indices, 2, 3, 1, 2, 1),
                                                    adapool::make_view(grad_in.data(), 2, 3, 2, 3, 4));
            }),
            "adaptive_max_pool3d_backward: indices[1, 0, 0, 1, 0] is 24, outside the input plane [0, 24)");
  EXPECT_EQ(error_message([&] {
              adapool::global_max_pool_backward(adapool::make_view(grad_out, 2, 6, 1),
                                                adapool::make_view(indices, 2, 6, 1),
                                                adapool::make_view(grad_in.data(), 2, 6, 12));
            }),
            "global_max_pool_backward: indices[1, 1, 0] is 24, outside the input plane [0, 12)");
  EXPECT_TRUE(untouched(grad_in));
}

TEST(BackwardErrors, ChannelOutsideTheInput) {
  std::vector<float> grad_out(2 * 2 * 3, 1.0f), grad_in(2 * 5 * 3, sentinel);
  std::vector<std::int64_t> indices(grad_out.size(), 4);
  const auto call = [&] {
    adapool::channel_max_pool_backward(adapool::make_view(grad_out, 2, 2, 3), adapool::make_view(indices, 2, 2, 3),
                                       adapool::make_view(grad_in, 2, 5, 3));
  };
  indices[1 * 6 + 0 * 3 + 2] = 5;
  EXPECT_EQ(error_message(call), "channel_max_pool_backward: indices[1, 0, 2] is 5, outside the channels [0, 5)");
  EXPECT_TRUE(untouched(grad_in));
  indices[1 * 6 + 0 * 3 + 2] = -3;
  EXPECT_EQ(error_message(call), "channel_max_pool_backward: indices[1, 0, 2] is -3, outside the channels [0, 5)");
  EXPECT_TRUE(untouched(grad_in));
}

TEST(BackwardErrors, Shapes) {
  std::vector<float> grad_out(2 * 4 * 2 * 2, 1.0f), grad_in(2 * 4 * 5 * 5, sentinel);
  std::vector<std::int64_t> indices(grad_out.size(), 0);
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_avg_pool2d_backward(adapool::make_view(grad_out.data(), 2, 3, 2, 2),
                                                    adapool::make_view(grad_in.data(), 2, 4, 5, 5));
            }),
            "adaptive_avg_pool2d_backward: grad_out has shape [2, 3, 2, 2], expected [2, 4, *, *] (grad_in has shape "
            "[2, 4, 5, 5])");
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_max_pool2d_backward(adapool::make_view(grad_out.data(), 2, 4, 2, 2),
                                                    adapool::make_view(indices.data(), 2, 4, 2, 1),
                                                    adapool::make_view(grad_in.data(), 2, 4, 5, 5));
            }),
            "adaptive_max_pool2d_backward: indices has shape [2, 4, 2, 1], expected [2, 4, 2, 2]");
  EXPECT_EQ(error_message([&] {
              adapool::global_avg_pool_backward(adapool::make_view(grad_out.data(), 2, 4, 2, 2),
                                                adapool::make_view(grad_in.data(), 2, 4, 5, 5));
            }),
            "global_avg_pool_backward: grad_out has shape [2, 4, 2, 2], expected [2, 4, 1, 1] (grad_in has shape "
            "[2, 4, 5, 5])");
  EXPECT_EQ(error_message([&] {
              adapool::channel_avg_pool_backward(adapool::make_view(grad_out.data(), 2, 4, 2, 2),
                                                 adapool::make_view(grad_in.data(), 2, 4, 5, 5));
            }),
            "channel_avg_pool_backward: grad_out has shape [2, 4, 2, 2], expected [2, *, 5, 5] (grad_in has shape "
            "[2, 4, 5, 5])");
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_avg_pool2d_backward(adapool::make_view(grad_out.data(), 2, 4, 2, 2),
                                                    adapool::make_view(grad_in.data(), 2, 4, 0, 5));
            }),
            "adaptive_avg_pool2d_backward: grad_in has shape [2, 4, 0, 5] with an empty spatial size, but grad_out "
            "has shape [2, 4, 2, 2]");
  EXPECT_EQ(error_message([&] {
              adapool::channel_max_pool_backward(adapool::make_view(grad_out.data(), 2, 4, 2, 2),
                                                 adapool::make_view(indices.data(), 2, 4, 2, 2),
                                                 adapool::make_view(grad_in.data(), 2, 0, 2, 2));
            }),
            "channel_max_pool_backward: grad_in has shape [2, 0, 2, 2] with no channels, but grad_out has shape "
            "[2, 4, 2, 2]");
  EXPECT_TRUE(untouched(grad_in));
}

TEST(BackwardErrors, MemoryAndMalformedViews) {
  std::vector<float> buffer(2 * 4 * 5 * 5, sentinel);
  std::vector<std::int64_t> indices(2 * 4 * 2 * 2, 0);
  // grad_out inside grad_in's memory.
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_avg_pool2d_backward(adapool::make_view(buffer.data() + 10, 2, 4, 2, 2),
                                                    adapool::make_view(buffer.data(), 2, 4, 5, 5));
            }),
            "adaptive_avg_pool2d_backward: grad_in (shape [2, 4, 5, 5]) overlaps grad_out (shape [2, 4, 2, 2]) in "
            "memory");
  // indices sharing grad_in's memory.
  std::vector<float> grad_out(indices.size(), 1.0f);
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_max_pool2d_backward(
                  adapool::make_view(grad_out, 2, 4, 2, 2), adapool::make_view(indices, 2, 4, 2, 2),
                  adapool::make_view(reinterpret_cast<float*>(indices.data()), 2, 4, 2, 2));
            }),
            "adaptive_max_pool2d_backward: grad_in (shape [2, 4, 2, 2]) overlaps indices (shape [2, 4, 2, 2]) in "
            "memory");
  // grad_in writing elements twice (a zero stride).
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_avg_pool2d_backward(
                  adapool::make_view(grad_out, 2, 4, 2, 2),
                  adapool::make_strided_view(buffer.data(), std::array<std::int64_t, 4>{2, 4, 5, 5},
                                             std::array<std::int64_t, 4>{100, 25, 5, 0}));
            }),
            "adaptive_avg_pool2d_backward: grad_in has shape [2, 4, 5, 5] and strides [100, 25, 5, 0], which write "
            "some elements more than once");
  // Null data with a non-zero size, and a negative size.
  EXPECT_EQ(error_message([&] {
              adapool::adaptive_max_pool2d_backward(adapool::make_view(grad_out, 2, 4, 2, 2),
                                                    adapool::make_view(static_cast<std::int64_t*>(nullptr), 2, 4, 2, 2),
                                                    adapool::make_view(buffer.data(), 2, 4, 5, 5));
            }),
            "adaptive_max_pool2d_backward: indices has shape [2, 4, 2, 2] and a null data pointer");
  EXPECT_EQ(error_message([&] {
              adapool::channel_avg_pool_backward(adapool::make_view(grad_out.data(), 2, -4, 2, 2),
                                                 adapool::make_view(buffer.data(), 2, 4, 2, 2));
            }),
            "channel_avg_pool_backward: grad_out has shape [2, -4, 2, 2], a negative size");
  EXPECT_TRUE(untouched(buffer));
}

// ---------------------------------------------------------------- threads

// Large enough (over 2^18 grad_in elements per thread) that two threads split
// the work; the result must not depend on it.
TEST(BackwardThreads, SameBitsForOneAndTwoThreads) {
  struct workload {
    backward_op op;
    std::array<std::int64_t, 4> in, out;
    bool channels_last;
  };
  const workload workloads[] = {
      {backward_op::adaptive_avg, {4, 128, 33, 33}, {4, 128, 7, 7}, false},
      {backward_op::adaptive_avg, {2, 64, 40, 40}, {2, 64, 57, 57}, false},  // overlapping windows
      {backward_op::adaptive_avg, {2, 256, 32, 32}, {2, 256, 5, 5}, true},
      {backward_op::adaptive_max, {4, 128, 33, 33}, {4, 128, 7, 7}, false},
      {backward_op::adaptive_max, {2, 256, 32, 32}, {2, 256, 5, 5}, true},
      {backward_op::global_avg, {1, 512, 32, 32}, {1, 512, 1, 1}, false},
      {backward_op::global_max, {1, 512, 32, 32}, {1, 512, 1, 1}, true},
      {backward_op::channel_avg, {1, 64, 96, 96}, {1, 3, 96, 96}, false},
      {backward_op::channel_avg, {1, 64, 96, 96}, {1, 3, 96, 96}, true},
      {backward_op::channel_max, {1, 64, 96, 96}, {1, 3, 96, 96}, false},
      {backward_op::channel_max, {1, 64, 96, 96}, {1, 3, 96, 96}, true},
  };
  std::mt19937_64 rng(7);
  for (const workload& s : workloads) {
    SCOPED_TRACE("grad_in " + shape_text(s.in) + (s.channels_last ? " channels-last" : ""));
    const std::vector<float> g = random_values<float>(s.out, fill_kind::uniform, rng);
    const std::vector<std::int64_t> idx = make_indices<float>(s.op, to_shape(s.in), to_shape(s.out), true, rng);
#if defined(_OPENMP)
    {
      const adapool::scoped_num_threads two(2);
      EXPECT_GE(adapool::detail::useful_threads(element_count(s.in) + element_count(s.out)), 2)
          << "too small to be split";
    }
#endif
    const auto run = [&](int threads) {
      const adapool::scoped_num_threads scope(threads);
      std::vector<float> grad_in(static_cast<std::size_t>(element_count(s.in)), sentinel);
      if (s.channels_last) {
        call_backward<adapool::default_arch>(
            s.op, adapool::tensor_view<const float, 4, adapool::channels_last>(g.data(), s.out),
            adapool::tensor_view<const std::int64_t, 4, adapool::channels_last>(idx.data(), s.out),
            adapool::tensor_view<float, 4, adapool::channels_last>(grad_in.data(), s.in));
      } else {
        call_backward<adapool::default_arch>(s.op, adapool::tensor_view<const float, 4>(g.data(), s.out),
                                             adapool::tensor_view<const std::int64_t, 4>(idx.data(), s.out),
                                             adapool::tensor_view<float, 4>(grad_in.data(), s.in));
      }
      return grad_in;
    };
    const std::vector<float> one = run(1), two = run(2);
    EXPECT_TRUE(same_bits("grad_in (2 threads vs 1)", to_shape(s.in), two, one));
  }
}

}  // namespace backward_tests
