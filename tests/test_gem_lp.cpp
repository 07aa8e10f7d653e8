// SPDX-License-Identifier: MIT
// adaptive_gem_pool{1,2,3}d and adaptive_lp_pool{1,2,3}d against the reference
// (tests/reference.hpp), for every input layout and element type (the test
// parameter, e.g. `nhwc_float`): window shapes with out > in, p = 1, 2, 3, 4
// and 4.5, planes too big for the kernels' buffer, the eps clamp, special
// values, p = 1 against adaptive_avg_pool, and every bad argument.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <adapool/power_pool.hpp>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "reference.hpp"
#include "test_support.hpp"

namespace gem_lp_tests {

using namespace adapool_test;

// Pooled powers may differ from the double reference by rounding: x^p in T,
// the sums as averages round them, the root. At most this fraction of the
// larger of |expected| and the same pooling of |x| (which bounds what
// cancellation in an LP sum can hide).
template <class T>
constexpr double power_tolerance = std::is_same_v<T, float> ? 4e-6 : 1e-12;

struct power_args {
  bool gem;
  double p;
  double eps = 1e-6;
};

std::string args_text(const power_args& a) {
  std::ostringstream text;
  text << (a.gem ? "gem" : "lp") << " p=" << a.p;
  if (a.gem) text << " eps=" << a.eps;
  return text.str();
}

template <class Arch, class In, class Out>
void call_power(const In& in, const Out& out, const power_args& a) {
  constexpr std::size_t rank = In::rank;
  if (a.gem) {
    if constexpr (rank == 3) adapool::adaptive_gem_pool1d<Arch>(in, out, a.p, a.eps);
    if constexpr (rank == 4) adapool::adaptive_gem_pool2d<Arch>(in, out, a.p, a.eps);
    if constexpr (rank == 5) adapool::adaptive_gem_pool3d<Arch>(in, out, a.p, a.eps);
  } else {
    if constexpr (rank == 3) adapool::adaptive_lp_pool1d<Arch>(in, out, a.p);
    if constexpr (rank == 4) adapool::adaptive_lp_pool2d<Arch>(in, out, a.p);
    if constexpr (rank == 5) adapool::adaptive_lp_pool3d<Arch>(in, out, a.p);
  }
}

// Runs the operation through Arch into a fresh output placed as out_kind;
// returns the output in logical order after checking its margins.
template <class Arch, class T, std::size_t Rank>
std::vector<T> run_power(const placed<T, Rank>& input, const std::array<std::int64_t, Rank>& out_shape,
                         layout_kind out_kind, const power_args& a) {
  placed<T, Rank> out = place(out_kind, out_shape, output_fill<T>);
  call_power<Arch>(input.view(), out.view(), a);
  EXPECT_TRUE(out.margin_untouched(output_fill<T>)) << Arch::name << ": wrote outside the output view";
  return out.logical();
}

template <class T>
bool close_power(T got, double want, double scale) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return static_cast<double>(got) == want;
  return std::abs(static_cast<double>(got) - want) <= power_tolerance<T> * std::max(std::abs(want), scale);
}

template <class T>
testing::AssertionResult close_powers(const char* what, const std::vector<T>& got, const std::vector<double>& want,
                                      const std::vector<double>& scale) {
  if (got.size() != want.size()) {
    return testing::AssertionFailure() << what << ": " << got.size() << " values, expected " << want.size();
  }
  std::ostringstream report;
  int differences = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double s = std::isfinite(scale[i]) ? scale[i] : 0;
    if (close_power(got[i], want[i], s)) continue;
    if (++differences <= 5) {
      report << "\n  " << what << "[" << i << "]: got " << number_text(got[i]) << ", expected " << number_text(want[i]);
    }
  }
  if (differences == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << differences << " of " << got.size() << " " << what << " differ" << report.str();
}

/// The default instruction set and the scalar path against the reference and
/// each other; the input left as it was.
template <class T, std::size_t Rank>
void check_power(const std::array<std::int64_t, Rank>& in_shape, const std::array<std::int64_t, Rank - 2>& out_spatial,
                 layout_kind in_kind, layout_kind out_kind, const std::vector<T>& x, const power_args& a) {
  const auto out_shape = with_spatial(in_shape, out_spatial);
  SCOPED_TRACE(args_text(a) + ", input " + shape_text(in_shape) + " " + layout_name(in_kind) + ", output " +
               shape_text(out_shape) + " " + layout_name(out_kind));
  placed<T, Rank> input = place(in_kind, in_shape, T(0));
  input.assign(x);
  const reference::shape in_dims = to_shape(in_shape), out_dims = to_shape(out_shape);
  const std::vector<double> want = reference::adaptive_power_mean(x, in_dims, out_dims, a.p, a.eps, a.gem);
  std::vector<T> magnitudes(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) magnitudes[i] = std::abs(x[i]);
  const std::vector<double> scale = reference::adaptive_power_mean(magnitudes, in_dims, out_dims, a.p, a.eps, a.gem);
  const std::vector<T> best = run_power<adapool::default_arch>(input, out_shape, out_kind, a);
  const std::vector<T> scalar = run_power<adapool::simd::scalar>(input, out_shape, out_kind, a);
  EXPECT_TRUE(close_powers(adapool::default_arch::name, best, want, scale));
  EXPECT_TRUE(close_powers("scalar", scalar, want, scale));
  const std::vector<T> after = input.logical();
  EXPECT_TRUE(x.empty() || std::memcmp(after.data(), x.data(), x.size() * sizeof(T)) == 0) << "the input was modified";
}

template <class T>
std::vector<T> uniform_values(std::int64_t count, double low, double high, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(low, high);
  std::vector<T> values(static_cast<std::size_t>(count));
  for (T& v : values) v = static_cast<T>(uniform(rng));
  return values;
}

// Every exponent on the data it is meant for: GeM on signed data (the
// negative half clamps to eps); LP on positive data for every p, on signed
// data for the p whose sums cannot cancel into a sensitive root (1 and even p).
template <class T, std::size_t Rank>
void check_exponents(const std::array<std::int64_t, Rank>& in_shape, const std::array<std::int64_t, Rank - 2>& out,
                     layout_kind kind, std::size_t i, std::mt19937_64& rng) {
  const std::int64_t count = element_count(in_shape);
  const std::vector<T> signed_x = uniform_values<T>(count, -1, 1, rng);
  const std::vector<T> positive_x = uniform_values<T>(count, 0, 2, rng);
  for (double p : {1.0, 2.0, 3.0, 4.0, 4.5}) {
    check_power<T>(in_shape, out, kind, output_layout(i++), signed_x, {true, p});
    check_power<T>(in_shape, out, kind, output_layout(i++), positive_x, {false, p});
    if (p != 3 && p != 4.5) check_power<T>(in_shape, out, kind, output_layout(i++), signed_x, {false, p});
  }
}

class PowerPool : public testing::TestWithParam<config> {};

template <std::size_t Rank>
struct shape_case {
  std::array<std::int64_t, Rank> in;
  std::array<std::int64_t, Rank - 2> out;
};

// out == 1, out == in, out > in, non-divisible sizes, the in = 5, out = 3
// window-length edge; one plane, and more channels than a vector. Constant
// tables: nothing may run before main() checks the CPU.
constexpr shape_case<3> cases_1d[]{{{1, 1, 5}, {3}},  {{2, 17, 7}, {1}}, {{1, 1, 2}, {3}},
                                   {{2, 17, 3}, {8}}, {{1, 1, 13}, {5}}, {{2, 17, 17}, {17}}};
constexpr shape_case<4> cases_2d[]{{{1, 1, 5, 5}, {3, 3}},   {{2, 17, 4, 4}, {1, 1}},  {{1, 1, 2, 3}, {3, 5}},
                                   {{2, 17, 7, 11}, {3, 4}}, {{1, 1, 8, 8}, {16, 16}}, {{2, 17, 13, 13}, {7, 7}}};
constexpr shape_case<5> cases_3d[]{
    {{1, 1, 3, 4, 5}, {2, 3, 2}}, {{2, 17, 2, 2, 2}, {1, 1, 1}}, {{2, 3, 2, 3, 2}, {3, 4, 5}}};

TEST_P(PowerPool, WindowShapes) {
  with_dtype(GetParam().type, 1, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    const auto check_all = [&](const auto& cases) {
      for (const auto& shapes : cases) {
        check_exponents<T>(shapes.in, shapes.out, GetParam().layout, i, rng);
        i += 13;
      }
    };
    check_all(cases_1d);
    check_all(cases_2d);
    check_all(cases_3d);
  });
}

// Row lengths and channel counts around the lane counts and past 256 (the
// channels-last column block), p = 3 (vector path) and 4.5 (std::pow).
TEST_P(PowerPool, RowAndChannelSweeps) {
  with_dtype(GetParam().type, 7, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (std::int64_t w : lane_sizes()) {
      const std::array<std::int64_t, 4> in_shape{1, 2, 3, w};
      const std::vector<T> x = uniform_values<T>(element_count(in_shape), -1, 1, rng);
      for (std::int64_t out_w : {std::int64_t{1}, std::int64_t{3}, w + 1}) {
        check_power<T>(in_shape, {2, out_w}, GetParam().layout, output_layout(i++), x, {true, 3});
        check_power<T>(in_shape, {2, out_w}, GetParam().layout, output_layout(i++), x, {false, 2});
      }
    }
    for (std::int64_t c : lane_sizes_and({256, 300})) {
      const std::array<std::int64_t, 4> in_shape{2, c, 3, 4};
      const std::vector<T> x = uniform_values<T>(element_count(in_shape), -1, 1, rng);
      check_power<T>(in_shape, {2, 3}, GetParam().layout, output_layout(i++), x, {true, 3});
      check_power<T>(in_shape, {1, 1}, GetParam().layout, output_layout(i++), x, {true, 4.5});
      check_power<T>(in_shape, {2, 3}, GetParam().layout, output_layout(i++), x, {false, 4});
    }
    // Channel counts of four to sixteen whole vectors, whose channels-last sums
    // stay in registers, over windows of more than twice 64 pixels.
    for (std::int64_t c : {16, 32, 64, 128, 256}) {
      const std::array<std::int64_t, 4> in_shape{1, c, 12, 12};
      const std::vector<T> x = uniform_values<T>(element_count(in_shape), -1, 1, rng);
      check_power<T>(in_shape, {1, 1}, GetParam().layout, output_layout(i++), x, {true, 3});
    }
  });
}

// Planes bigger than the 4096-element buffer: a window's rows raised at a time
// (rows of up to 256 and longer), and windows whose rows do not fit either.
TEST_P(PowerPool, BigPlanes) {
  with_dtype(GetParam().type, 11, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const std::array<std::int64_t, 4> square{1, 2, 70, 70};
    const std::array<std::int64_t, 4> wide{1, 1, 20, 300};
    const std::array<std::int64_t, 3> row{1, 2, 9000};
    std::size_t i = 0;
    for (const power_args a : {power_args{true, 3}, power_args{false, 1}, power_args{true, 2.5}}) {
      const std::vector<T> x = uniform_values<T>(element_count(square), -1, 1, rng);
      const std::vector<T> positive = uniform_values<T>(element_count(wide), 0, 1, rng);
      const std::vector<T> line = uniform_values<T>(element_count(row), 0, 1, rng);
      check_power<T>(square, {6, 5}, GetParam().layout, output_layout(i++), x, a);
      check_power<T>(square, {1, 1}, GetParam().layout, output_layout(i++), x, a);
      check_power<T>(square, {7, 1}, GetParam().layout, output_layout(i++), x, a);
      check_power<T>(square, {1, 3}, GetParam().layout, output_layout(i++), x, a);
      check_power<T>(wide, {4, 4}, GetParam().layout, output_layout(i++), positive, a);
      check_power<T>(row, {1}, GetParam().layout, output_layout(i++), line, a);
      check_power<T>(row, {3}, GetParam().layout, output_layout(i++), line, a);
    }
  });
}

// One case of random sizes: N and C up to 4, inputs up to 11, outputs up to
// 13 (often more than the input), GeM or LP, p = 2 or 3.
template <class T, std::size_t Rank>
void check_random_case(std::mt19937_64& rng, layout_kind kind, std::size_t i) {
  std::array<std::int64_t, Rank> in_shape{};
  std::array<std::int64_t, Rank - 2> out{};
  for (std::size_t axis = 0; axis < Rank; ++axis)
    in_shape[axis] = 1 + static_cast<std::int64_t>(rng() % (axis < 2 ? 4 : 11));
  for (std::int64_t& size : out) size = 1 + static_cast<std::int64_t>(rng() % 13);
  const std::vector<T> x = uniform_values<T>(element_count(in_shape), -1, 1, rng);
  check_power<T>(in_shape, out, kind, output_layout(i), x, {i % 2 == 0, i % 3 == 0 ? 3.0 : 2.0});
}

TEST_P(PowerPool, RandomShapes) {
  with_dtype(GetParam().type, 101, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    for (std::size_t i = 0; i < 20; ++i) {
      check_random_case<T, 3>(rng, GetParam().layout, i);
      check_random_case<T, 4>(rng, GetParam().layout, i);
      if (i < 12) check_random_case<T, 5>(rng, GetParam().layout, i);
    }
  });
}

// eps is a floor: values below it count as eps, so a window of values all at
// or below eps gives eps; larger eps raise the result.
TEST_P(PowerPool, EpsClamp) {
  with_dtype(GetParam().type, 13, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const std::array<std::int64_t, 4> shape{1, 5, 6, 6};
    const std::vector<T> x = uniform_values<T>(element_count(shape), -1, 1, rng);
    std::size_t i = 0;
    for (double eps : {1e-6, 0.25, 0.75}) {
      check_power<T>(shape, {2, 3}, GetParam().layout, output_layout(i++), x, {true, 3, eps});
    }
    // Every value at or below eps: the output is eps (rounded to T).
    const std::vector<T> low(static_cast<std::size_t>(element_count(shape)), T(-2));
    placed<T, 4> input = place(GetParam().layout, shape, T(0));
    input.assign(low);
    for (double p : {1.0, 3.0, 4.5}) {
      const std::vector<T> got =
          run_power<adapool::default_arch>(input, {1, 5, 2, 3}, layout_kind::nchw, {true, p, 0.5});
      for (T v : got) EXPECT_NEAR(static_cast<double>(v), 0.5, 0.5 * power_tolerance<T>) << "p = " << p;
    }
  });
}

// NaN, +inf and -inf among small integers: the reference's std::pow rules.
// GeM: NaN in a window gives NaN, +inf gives +inf, -inf clamps to eps. LP:
// (-inf)^p is -inf for odd p, +inf otherwise; inf - inf is NaN; a negative sum
// gives NaN unless p = 1; a sum of -inf gives +inf for p = 3.
TEST_P(PowerPool, SpecialValues) {
  with_dtype(GetParam().type, 17, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    std::size_t i = 0;
    for (fill_kind fill : {fill_kind::ties, fill_kind::specials, fill_kind::neg_inf}) {
      const std::array<std::int64_t, 4> shape{2, 3, 5, 7};
      const std::vector<T> x = random_values<T>(shape, fill, rng);
      for (double p : {1.0, 2.0, 3.0, 4.0, 4.5}) {
        check_power<T>(shape, {3, 3}, GetParam().layout, output_layout(i++), x, {true, p});
        check_power<T>(shape, {3, 3}, GetParam().layout, output_layout(i++), x, {false, p});
      }
    }
  });
}

// Hand-checked windows of two (in = 4, out = 2).
TEST_P(PowerPool, SpecialValuesByHand) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const T inf = std::numeric_limits<T>::infinity();
    const auto pool = [&](const std::vector<T>& x, const power_args& a) {
      placed<T, 3> input = place(GetParam().layout, std::array<std::int64_t, 3>{1, 1, 4}, T(0));
      input.assign(x);
      return run_power<adapool::default_arch>(input, {1, 1, 2}, layout_kind::nchw, a);
    };
    std::vector<T> got = pool({1, nan, inf, 1}, {true, 3});
    EXPECT_TRUE(std::isnan(got[0]));
    EXPECT_EQ(got[1], inf);
    got = pool({-inf, 1, -inf, -inf}, {true, 2, 0.5});
    EXPECT_NEAR(static_cast<double>(got[0]), std::sqrt(0.625), 1e-6);
    EXPECT_NEAR(static_cast<double>(got[1]), 0.5, 1e-6);
    got = pool({-2, 1, -inf, 0}, {false, 3});
    EXPECT_TRUE(std::isnan(got[0]));  // cbrt(-7) would be a number; pow(-7, 1/3) is NaN, as in PyTorch
    EXPECT_EQ(got[1], inf);           // pow(-inf, 1/3) is +inf
    got = pool({-2, 1, -1, 2}, {false, 1});
    EXPECT_EQ(got[0], T(-1));
    EXPECT_EQ(got[1], T(1));
    got = pool({-1, 2, 3, 4}, {false, 4.5});
    EXPECT_TRUE(std::isnan(got[0]));  // (-1)^4.5
    EXPECT_NEAR(static_cast<double>(got[1]), std::pow(std::pow(3.0, 4.5) + std::pow(4.0, 4.5), 1 / 4.5), 1e-4);
    got = pool({-3, 0, 2, -2}, {false, 2});
    EXPECT_EQ(got[0], T(3));
    EXPECT_NEAR(static_cast<double>(got[1]), std::sqrt(8.0), 1e-6);
  });
}

// The cube roots of p = 3 are taken a vector of outputs at a time: every
// value the fast root leaves to std::cbrt or std::pow (0, NaN, infinities,
// negative sums, sums above 1e30 or below 1e-30) at every lane position of a
// run of 40 outputs (channels here), between ordinary values.
TEST_P(PowerPool, CubeRootsOfEveryKind) {
  with_dtype(GetParam().type, 17, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const T inf = std::numeric_limits<T>::infinity();
    const std::vector<T> specials{0, nan, inf, -inf, -2, T(1e11), T(1e-11), T(1e12), T(-1e-5)};
    const std::array<std::int64_t, 3> shape{1, 40, 2};
    std::size_t i = 0;
    for (std::size_t shift = 0; shift < specials.size(); ++shift) {
      // Both elements of a channel's window hold the special value, in every
      // other channel, so that its sum is the value's kind.
      std::vector<T> x = uniform_values<T>(element_count(shape), 0.5, 2, rng);
      for (std::size_t c = 0; c < 40; c += 2) x[2 * c] = x[2 * c + 1] = specials[(c / 2 + shift) % specials.size()];
      check_power<T>(shape, {1}, GetParam().layout, output_layout(i++), x, {false, 3});
      check_power<T>(shape, {1}, GetParam().layout, output_layout(i++), x, {true, 3});
    }
  });
}

// p = 1 GeM on values >= eps is the average: bit for bit on contiguous NCHW and
// channels-last input whose planes fit the kernels' buffer (the same sums over
// the same values), within the average tolerance for every other layout.
TEST_P(PowerPool, GemOfOneIsTheAverage) {
  with_dtype(GetParam().type, 19, [&](auto t, std::mt19937_64& rng) {
    using T = decltype(t);
    const layout_kind kind = GetParam().layout;
    const bool exact = kind == layout_kind::nchw || kind == layout_kind::nhwc;
    std::size_t i = 0;
    const auto check = [&](auto in_shape, auto out_spatial) {
      const auto out_shape = with_spatial(in_shape, out_spatial);
      SCOPED_TRACE("input " + shape_text(in_shape) + ", output " + shape_text(out_shape));
      const std::vector<T> x = uniform_values<T>(element_count(in_shape), 0.5, 1.5, rng);
      auto input = place(kind, in_shape, T(0));
      input.assign(x);
      const std::vector<T> gem = run_power<adapool::default_arch>(input, out_shape, output_layout(i), {true, 1});
      auto avg = place(output_layout(i++), out_shape, output_fill<T>);
      if constexpr (decltype(in_shape)().size() == 3) adapool::adaptive_avg_pool1d(input.view(), avg.view());
      if constexpr (decltype(in_shape)().size() == 4) adapool::adaptive_avg_pool2d(input.view(), avg.view());
      if constexpr (decltype(in_shape)().size() == 5) adapool::adaptive_avg_pool3d(input.view(), avg.view());
      const std::vector<T> average = avg.logical();
      if (exact) {
        EXPECT_TRUE(gem.empty() || std::memcmp(gem.data(), average.data(), gem.size() * sizeof(T)) == 0);
      } else {
        EXPECT_TRUE(close_averages("gem p=1", to_shape(out_shape), gem, average, magnitude(x)));
      }
    };
    check(std::array<std::int64_t, 4>{2, 17, 7, 7}, std::array<std::int64_t, 2>{1, 1});
    check(std::array<std::int64_t, 4>{2, 9, 13, 13}, std::array<std::int64_t, 2>{7, 7});
    check(std::array<std::int64_t, 4>{1, 3, 5, 9}, std::array<std::int64_t, 2>{8, 11});
    check(std::array<std::int64_t, 3>{2, 5, 31}, std::array<std::int64_t, 1>{4});
    check(std::array<std::int64_t, 5>{1, 4, 3, 5, 6}, std::array<std::int64_t, 3>{2, 2, 3});
    check(std::array<std::int64_t, 4>{1, 300, 4, 4}, std::array<std::int64_t, 2>{3, 3});
  });
}

// N == 0, C == 0 and zero output sizes: valid, nothing written.
TEST_P(PowerPool, EmptyIsValid) {
  with_dtype(GetParam().type, [&](auto t) {
    using T = decltype(t);
    const layout_kind kind = GetParam().layout;
    check_power<T, 4>({0, 3, 4, 4}, {2, 2}, kind, layout_kind::nchw, {}, {true, 3});
    check_power<T, 4>({2, 0, 4, 4}, {2, 2}, kind, layout_kind::nhwc, {}, {false, 2});
    check_power<T, 4>({2, 3, 4, 4}, {0, 2}, kind, layout_kind::slice, std::vector<T>(96, T(1)), {true, 3});
    check_power<T, 3>({1, 2, 0}, {0}, kind, layout_kind::nchw, {}, {false, 3});
  });
}

INSTANTIATE_TEST_SUITE_P(Layouts, PowerPool, testing::ValuesIn(all_configs()), config_name);

// Inputs above the per-thread grain (2^18 elements): the same bits with one
// thread and with two, for each way the kernels split the work (blocks of
// small planes, big planes, channels-last windows).
TEST(PowerPoolThreads, SameBitsForAnyThreadCount) {
  std::mt19937_64 rng(29);
  const std::array<std::int64_t, 4> shapes[][2]{{{2, 64, 56, 56}, {7, 7}}, {{1, 4, 300, 300}, {5, 3}}};
  for (const auto& shape : shapes) {
    for (const layout_kind kind : {layout_kind::nchw, layout_kind::nhwc}) {
      const std::vector<float> x = uniform_values<float>(element_count(shape[0]), -1, 1, rng);
      placed<float, 4> input = place(kind, shape[0], 0.0f);
      input.assign(x);
      const auto out_shape = with_spatial(shape[0], {shape[1][0], shape[1][1]});
      for (const power_args a : {power_args{true, 3}, power_args{false, 4.5}}) {
        std::vector<float> by_thread_count[2];
        for (int threads = 1; threads <= 2; ++threads) {
          const adapool::scoped_num_threads scope(threads);
          by_thread_count[threads - 1] = run_power<adapool::default_arch>(input, out_shape, kind, a);
        }
        EXPECT_TRUE(by_thread_count[0].empty() || std::memcmp(by_thread_count[0].data(), by_thread_count[1].data(),
                                                              by_thread_count[0].size() * 4) == 0)
            << args_text(a) << " " << layout_name(kind) << " " << shape_text(shape[0]);
      }
    }
  }
}

// ---------------------------------------------------------------- allocating forms

TEST(PowerPoolAllocating, ShapesFormatsAndValues) {
  std::mt19937_64 rng(23);
  const std::vector<float> x = uniform_values<float>(2 * 6 * 5 * 7, 0, 1, rng);
  placed<float, 4> nhwc = place(layout_kind::nhwc, std::array<std::int64_t, 4>{2, 6, 5, 7}, 0.0f);
  nhwc.assign(x);
  const adapool::tensor_view<const float, 4, adapool::channels_last> view(nhwc.data(), nhwc.extents());
  const auto gem = adapool::adaptive_gem_pool2d(view, {3, 2});
  const auto lp = adapool::adaptive_lp_pool2d(view, {3, 2}, 2);
  static_assert(std::is_same_v<std::decay_t<decltype(gem)>, adapool::tensor<float, 4, adapool::channels_last>>);
  EXPECT_EQ(gem.shape(), (std::array<std::int64_t, 4>{2, 6, 3, 2}));
  const reference::shape in_dims{2, 6, 5, 7}, out_dims{2, 6, 3, 2};
  const std::vector<double> want_gem = reference::adaptive_power_mean(x, in_dims, out_dims, 3, 1e-6, true);
  const std::vector<double> want_lp = reference::adaptive_power_mean(x, in_dims, out_dims, 2, 0, false);
  EXPECT_TRUE(close_powers("gem", logical_values(gem), want_gem, want_gem));
  EXPECT_TRUE(close_powers("lp", logical_values(lp), want_lp, want_lp));

  adapool::tensor<double, 3> line({1, 2, 10});
  for (std::int64_t k = 0; k < line.size(); ++k) line.data()[k] = static_cast<double>(k % 7);
  const auto gem1 = adapool::adaptive_gem_pool1d(line.view(), {4}, 4.5, 0.5);
  const auto lp1 = adapool::adaptive_lp_pool1d(line.view(), {4}, 3);
  EXPECT_EQ(gem1.shape(), (std::array<std::int64_t, 3>{1, 2, 4}));
  EXPECT_EQ(lp1.shape(), (std::array<std::int64_t, 3>{1, 2, 4}));
  const std::vector<double> line_x(line.data(), line.data() + line.size());
  EXPECT_TRUE(close_powers("gem1d", logical_values(gem1),
                           reference::adaptive_power_mean(line_x, {1, 2, 10}, {1, 2, 4}, 4.5, 0.5, true),
                           std::vector<double>(8, 1.0)));
  EXPECT_TRUE(close_powers("lp1d", logical_values(lp1),
                           reference::adaptive_power_mean(line_x, {1, 2, 10}, {1, 2, 4}, 3, 0, false),
                           std::vector<double>(8, 1.0)));

  adapool::tensor<float, 5> volume({1, 2, 3, 4, 5});
  for (std::int64_t k = 0; k < volume.size(); ++k) volume.data()[k] = 1.0f;
  const auto gem3 = adapool::adaptive_gem_pool3d(volume.view(), {2, 2, 2});
  const auto lp3 = adapool::adaptive_lp_pool3d(volume.view(), {1, 1, 1}, 1);
  EXPECT_EQ(gem3.shape(), (std::array<std::int64_t, 5>{1, 2, 2, 2, 2}));
  for (float v : logical_values(gem3)) EXPECT_FLOAT_EQ(v, 1.0f);
  for (float v : logical_values(lp3)) EXPECT_FLOAT_EQ(v, 60.0f);
}

// ---------------------------------------------------------------- errors

constexpr float sentinel = -7777.25f;

bool untouched(const std::vector<float>& out) {
  for (float v : out)
    if (std::memcmp(&v, &sentinel, sizeof v) != 0) return false;
  return true;
}

// p (and eps for GeM) not a finite number > 0: the message names the
// operation, the argument and its value, and nothing is written.
TEST(PowerPoolErrors, BadExponentAndEps) {
  const std::vector<float> x(2 * 3 * 4 * 4, 1.0f);
  std::vector<float> y(2 * 3 * 2 * 2, sentinel);
  const auto in = adapool::make_view(x.data(), 2, 3, 4, 4);
  const auto out = adapool::make_view(y.data(), 2, 3, 2, 2);
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<double, std::string>> bad{{0, "0"},     {-1, "-1"},   {-0.5, "-0.5"},
                                                        {nan, "nan"}, {inf, "inf"}, {-inf, "-inf"}};
  for (const auto& entry : bad) {
    // Named copies: C++17 lambdas cannot capture structured bindings.
    const double value = entry.first;
    const std::string& text = entry.second;
    EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_gem_pool2d(in, out, value); }),
                         {"adaptive_gem_pool2d", "p is " + text, "finite", "greater than 0"}));
    EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_gem_pool2d(in, out, 3.0, value); }),
                         {"adaptive_gem_pool2d", "eps is " + text}));
    EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_lp_pool2d(in, out, value); }),
                         {"adaptive_lp_pool2d", "p is " + text}));
    EXPECT_TRUE(untouched(y));
  }
  // LP has no eps; the ranks name themselves.
  adapool::adaptive_lp_pool2d(in, out, 2);
  EXPECT_FALSE(untouched(y));
  std::vector<float> y1(6, sentinel), y3(6, sentinel);
  const auto in1 = adapool::make_view(x.data(), 2, 3, 16);
  const auto in3 = adapool::make_view(x.data(), 2, 3, 2, 2, 4);
  EXPECT_TRUE(
      mentions(error_message([&] { adapool::adaptive_gem_pool1d(in1, adapool::make_view(y1.data(), 2, 3, 1), -3); }),
               {"adaptive_gem_pool1d", "p is -3"}));
  EXPECT_TRUE(mentions(
      error_message([&] { adapool::adaptive_lp_pool3d(in3, adapool::make_view(y3.data(), 2, 3, 1, 1, 1), 0); }),
      {"adaptive_lp_pool3d", "p is 0"}));
  EXPECT_TRUE(untouched(y1));
  EXPECT_TRUE(untouched(y3));
  EXPECT_TRUE(mentions(error_message([&] {
                         static_cast<void>(adapool::adaptive_gem_pool2d(in, {2, 2}, 1, 0));
                       }),
                       {"adaptive_gem_pool2d", "eps is 0"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         static_cast<void>(adapool::adaptive_lp_pool2d(in, {-1, 2}, 2));
                       }),
                       {"adaptive_lp_pool2d", "output_size", "negative"}));
}

// The checks every operation makes: shapes, overlapping memory, empty planes.
TEST(PowerPoolErrors, ShapesAndOverlap) {
  std::vector<float> x(2 * 3 * 4 * 4, 1.0f);
  std::vector<float> y(2 * 3 * 2 * 2 + 1, sentinel);
  const auto in = adapool::make_view(static_cast<const float*>(x.data()), 2, 3, 4, 4);
  EXPECT_TRUE(
      mentions(error_message([&] { adapool::adaptive_gem_pool2d(in, adapool::make_view(y.data(), 2, 4, 2, 2)); }),
               {"adaptive_gem_pool2d", "output has shape [2, 4, 2, 2]", "expected [2, 3, *, *]", "[2, 3, 4, 4]"}));
  EXPECT_TRUE(
      mentions(error_message([&] { adapool::adaptive_lp_pool2d(in, adapool::make_view(y.data(), 1, 3, 2, 2), 3); }),
               {"adaptive_lp_pool2d", "output has shape [1, 3, 2, 2]"}));
  EXPECT_TRUE(untouched(y));
  // The output inside the input.
  EXPECT_TRUE(
      mentions(error_message([&] { adapool::adaptive_gem_pool2d(in, adapool::make_view(x.data() + 3, 2, 3, 2, 2)); }),
               {"adaptive_gem_pool2d", "overlaps"}));
  for (float v : x) EXPECT_EQ(v, 1.0f);
  // An empty input plane with a non-empty output.
  const auto empty_in = adapool::make_view(static_cast<const float*>(x.data()), 2, 3, 0, 4);
  EXPECT_TRUE(mentions(
      error_message([&] { adapool::adaptive_lp_pool2d(empty_in, adapool::make_view(y.data(), 2, 3, 2, 2), 2); }),
      {"adaptive_lp_pool2d", "empty spatial size"}));
  EXPECT_TRUE(untouched(y));
}

}  // namespace gem_lp_tests
