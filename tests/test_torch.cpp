// SPDX-License-Identifier: MIT
// adapool/torch.hpp against ATen's own operators, on the same at::Tensors.
//
// Every tensor form is compared with the ATen computation a PyTorch user would
// write: maxima, indices and gradients bit for bit; averages within
// average_tolerance below. Each comparison runs on contiguous, channels-last,
// sliced, transposed and expanded (stride 0) inputs, for every dtype the core
// operation takes, and checks the memory format of the results. Where ATen
// 1.13 has no CPU kernel for a dtype (adaptive max pooling of Half, of 3d
// BFloat16 and of integers) the reference is ATen's result on exactly widened
// data: every Half, BFloat16, Char and Byte value is a float, so maxima and
// indices do not change. Averages of 16-bit types are compared with ATen's
// float result rounded to the type, integer averages with ATen's double mean
// rounded half to even (at::round), adapool's rule for integers.
//
// One translation unit, and only the ATen headers it calls: libtorch's
// headers are most of the compile time.

#include <gtest/gtest.h>

#include <ATen/TensorOperators.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/_adaptive_avg_pool2d_backward.h>
#include <ATen/ops/_adaptive_avg_pool3d_backward.h>
#include <ATen/ops/_neg_view.h>
#include <ATen/ops/adaptive_avg_pool1d.h>
#include <ATen/ops/adaptive_avg_pool2d.h>
#include <ATen/ops/adaptive_avg_pool3d.h>
#include <ATen/ops/adaptive_max_pool1d.h>
#include <ATen/ops/adaptive_max_pool2d.h>
#include <ATen/ops/adaptive_max_pool2d_backward.h>
#include <ATen/ops/adaptive_max_pool3d.h>
#include <ATen/ops/adaptive_max_pool3d_backward.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/full.h>
#include <ATen/ops/ones_like.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/zeros_like.h>
#include <c10/util/Exception.h>

#include <adapool/adapool.hpp>
#include <adapool/torch.hpp>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace torch_tests {

namespace apt = adapool::torch;
using at::Tensor;

// ---------------------------------------------------------------- data

bool is_integer(at::ScalarType dtype) { return dtype == at::kChar || dtype == at::kByte; }
bool is_narrow_float(at::ScalarType dtype) { return dtype == at::kHalf || dtype == at::kBFloat16; }

// Random values of `dtype`, generated in double and converted. Max tests use
// quarter steps in [-2, 2] (many ties) with NaN and -inf sprinkled in; average
// tests use uniform values in [-2, 2]. Integers cover their whole range.
Tensor random_tensor(at::IntArrayRef sizes, at::ScalarType dtype, bool for_max, unsigned seed) {
  Tensor values = at::empty(sizes, at::TensorOptions().dtype(at::kDouble));
  double* data = values.data_ptr<double>();
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> uniform(-2.0, 2.0);
  std::uniform_int_distribution<int> quarter(-8, 8), byte(0, 255), special(0, 39);
  for (std::int64_t i = 0; i < values.numel(); ++i) {
    if (dtype == at::kByte) {
      data[i] = byte(gen);
    } else if (dtype == at::kChar) {
      data[i] = byte(gen) - 128;
    } else if (!for_max) {
      data[i] = uniform(gen);
    } else {
      const int pick = special(gen);
      data[i] = pick == 0   ? std::numeric_limits<double>::quiet_NaN()
                : pick == 1 ? -std::numeric_limits<double>::infinity()
                            : quarter(gen) / 4.0;
    }
  }
  return values.to(dtype);
}

// How a test tensor sits in memory.
enum class layout { contiguous, channels_last, sliced, transposed, expanded };

// Indexed by layout, in the enum's order (a kind without a name throws).
const char* layout_name(layout kind) {
  static const std::array<const char*, 5> names{"Contiguous", "ChannelsLast", "Sliced", "Transposed", "Expanded"};
  return names.at(static_cast<std::size_t>(kind));
}

// A tensor of logical `sizes` in the memory arrangement `kind`.
Tensor arranged(at::IntArrayRef sizes, at::ScalarType dtype, layout kind, bool for_max, unsigned seed) {
  const auto rank = static_cast<std::int64_t>(sizes.size());
  switch (kind) {
    case layout::contiguous:
      return random_tensor(sizes, dtype, for_max, seed);
    case layout::channels_last: {
      const Tensor x = random_tensor(sizes, dtype, for_max, seed);
      if (rank == 4) return x.contiguous(at::MemoryFormat::ChannelsLast);
      if (rank == 5) return x.contiguous(at::MemoryFormat::ChannelsLast3d);
      return x.transpose(1, 2).contiguous().transpose(1, 2);  // N x L x C memory
    }
    case layout::sliced: {
      // Every other channel, and a margin on the first spatial axis, of a bigger
      // tensor.
      std::vector<std::int64_t> big(sizes.begin(), sizes.end());
      big[1] = 2 * sizes[1] + 1;
      big[2] = sizes[2] + 3;
      return random_tensor(big, dtype, for_max, seed).slice(1, 1, 2 * sizes[1] + 1, 2).slice(2, 2, 2 + sizes[2]);
    }
    case layout::transposed: {
      const Tensor x = random_tensor(sizes, dtype, for_max, seed);
      if (rank == 3) return x.transpose(0, 1).contiguous().transpose(0, 1);  // C x N x L memory
      return x.transpose(-1, -2).contiguous().transpose(-1, -2);             // the last two axes swapped
    }
    default: {
      // One image and one row along the first spatial axis, repeated with stride
      // 0.
      std::vector<std::int64_t> one(sizes.begin(), sizes.end());
      one[0] = 1;
      one[2] = 1;
      return random_tensor(one, dtype, for_max, seed).expand(sizes);
    }
  }
}

// ---------------------------------------------------------------- comparisons

// Averages may differ from ATen's by rounding: |ours - ATen| <= atol + rtol *
// |ATen|. Inputs are in [-2, 2]: a mean of n of them summed in sequence, as
// ATen does, is within about 2 * n * u / n = 2u of the exact mean (u the unit
// roundoff, 6e-8 for float), adapool's blocked sum closer still, so float
// allows 5e-7 and double 2e-15. The 16-bit types allow one unit in the last
// place of the result (relative 2^-10 for Half, 2^-7 for BFloat16), since both
// round a float mean that may differ in its last bits; integers are exact.
struct tolerance {
  double atol, rtol;
};
tolerance average_tolerance(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat:
      return {5e-7, 5e-7};
    case at::kDouble:
      return {2e-15, 2e-15};
    case at::kHalf:
      return {1e-6, 1.0 / 1024};
    case at::kBFloat16:
      return {1e-6, 1.0 / 128};
    default:
      return {0, 0};
  }
}

std::string sizes_text(at::IntArrayRef sizes) {
  std::string text = "[";
  for (std::size_t k = 0; k < sizes.size(); ++k) text += (k ? ", " : "") + std::to_string(sizes[k]);
  return text + "]";
}

void expect_same_shape(const Tensor& ours, const Tensor& expected) {
  ASSERT_TRUE(ours.defined());
  ASSERT_EQ(ours.scalar_type(), expected.scalar_type());
  ASSERT_EQ(ours.sizes(), expected.sizes()) << sizes_text(ours.sizes()) << " vs " << sizes_text(expected.sizes());
}

// The same bits in every element, whatever the strides; any NaN equals any
// NaN (ATen's vectorised max returns an all-ones NaN, adapool the NaN element
// itself; the indices say which NaN won).
void expect_bits(const Tensor& ours, const Tensor& expected) {
  expect_same_shape(ours, expected);
  const Tensor a = ours.contiguous(), b = expected.contiguous();
  const auto size = static_cast<std::size_t>(a.element_size());
  const auto* pa = static_cast<const unsigned char*>(a.data_ptr());
  const auto* pb = static_cast<const unsigned char*>(b.data_ptr());
  const bool floating = a.is_floating_point();
  const Tensor nan_a = floating ? a.isnan() : at::Tensor(), nan_b = floating ? b.isnan() : at::Tensor();
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    const auto offset = static_cast<std::size_t>(i) * size;
    if (std::memcmp(pa + offset, pb + offset, size) == 0) continue;
    if (floating && nan_a.data_ptr<bool>()[i] && nan_b.data_ptr<bool>()[i]) continue;
    ADD_FAILURE() << "element " << i << " of " << sizes_text(a.sizes()) << ": " << a.reshape({-1})[i].item<double>()
                  << " vs " << b.reshape({-1})[i].item<double>();
    return;
  }
}

void expect_close(const Tensor& ours, const Tensor& expected) {
  expect_same_shape(ours, expected);
  if (is_integer(ours.scalar_type())) return expect_bits(ours, expected);
  const tolerance tol = average_tolerance(ours.scalar_type());
  const Tensor a = ours.to(at::kDouble).contiguous(), b = expected.to(at::kDouble).contiguous();
  const double* pa = a.data_ptr<double>();
  const double* pb = b.data_ptr<double>();
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    const bool same = pa[i] == pb[i] || (std::isnan(pa[i]) && std::isnan(pb[i]));  // infinities, NaN
    if (!same && !(std::abs(pa[i] - pb[i]) <= tol.atol + tol.rtol * std::abs(pb[i]))) {
      ADD_FAILURE() << "element " << i << " of " << sizes_text(a.sizes()) << ": " << pa[i] << " vs " << pb[i];
      return;
    }
  }
}

// Results are in the input's suggested memory format, as ATen allocates them.
void expect_format(const Tensor& result, const Tensor& input) {
  EXPECT_TRUE(result.is_contiguous(input.suggest_memory_format()))
      << "strides " << sizes_text(result.strides()) << " for an input with strides " << sizes_text(input.strides());
}

// ---------------------------------------------------------------- ATen references

// ATen's average of x: its own kernel for float and double; for integers, on
// doubles rounded half to even; for Half and BFloat16, ATen's float result
// rounded to the type (PyTorch's arithmetic for them where its kernels widen to
// float; ATen 1.13's 3d kernel sums in the 16-bit type itself, two units in the
// last place away on these windows, and has no 1d or 2d Half kernel at all).
template <class Op>
Tensor aten_average(const Tensor& x, const Op& op) {
  if (is_integer(x.scalar_type())) return op(x.to(at::kDouble)).round().to(x.scalar_type());
  if (is_narrow_float(x.scalar_type())) return op(x.to(at::kFloat)).to(x.scalar_type());
  return op(x);
}

// ATen's max and indices: its own kernel, or on exactly widened values.
template <class Op>
std::tuple<Tensor, Tensor> aten_max(const Tensor& x, const Op& op) {
  if (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble) return op(x);
  try {
    return op(x);
  } catch (const c10::Error&) {
    auto [values, indices] = op(x.to(at::kFloat));
    return {values.to(x.scalar_type()), indices};
  }
}

// ATen's adaptive pooling of t's rank.
Tensor aten_adaptive_avg(const Tensor& t, at::IntArrayRef out) {
  return t.dim() == 3   ? at::adaptive_avg_pool1d(t, out)
         : t.dim() == 4 ? at::adaptive_avg_pool2d(t, out)
                        : at::adaptive_avg_pool3d(t, out);
}
std::tuple<Tensor, Tensor> aten_adaptive_max(const Tensor& t, at::IntArrayRef out) {
  return t.dim() == 3   ? at::adaptive_max_pool1d(t, out)
         : t.dim() == 4 ? at::adaptive_max_pool2d(t, out)
                        : at::adaptive_max_pool3d(t, out);
}

// Channel pooling as PyTorch users write it: channels moved last, pooled by
// adaptive_*_pool1d over them, and moved back.
Tensor channels_as_rows(const Tensor& x) { return x.movedim(1, -1).reshape({-1, 1, x.size(1)}); }
Tensor rows_as_channels(const Tensor& rows, const Tensor& x) {
  std::vector<std::int64_t> sizes(x.sizes().begin(), x.sizes().end());
  sizes.erase(sizes.begin() + 1);
  sizes.push_back(rows.size(2));
  return rows.reshape(sizes).movedim(-1, 1);
}

// ---------------------------------------------------------------- test cases

struct shape_case {
  std::vector<std::int64_t> input, output;  // output: the spatial sizes only
};

// Per rank: windows of one size, windows of two sizes (in = 5, out = 3 has a
// longer middle window), overlapping windows (out > in), identity, global.
std::vector<shape_case> shapes(std::size_t rank) {
  if (rank == 3) return {{{2, 5, 12}, {4}}, {{2, 5, 11}, {3}}, {{2, 5, 5}, {7}}, {{1, 3, 6}, {6}}, {{2, 4, 9}, {1}}};
  if (rank == 4) {
    return {{{2, 5, 8, 6}, {4, 3}},
            {{2, 5, 7, 9}, {3, 4}},
            {{2, 5, 3, 5}, {5, 7}},
            {{1, 3, 4, 4}, {4, 4}},
            {{2, 4, 7, 6}, {1, 1}}};
  }
  return {{{2, 3, 4, 5, 6}, {2, 3, 4}}, {{1, 3, 5, 4, 3}, {3, 5, 2}}, {{2, 2, 3, 4, 5}, {1, 1, 1}}};
}

using dtype_and_layout = std::tuple<at::ScalarType, layout>;

std::string case_name(const testing::TestParamInfo<dtype_and_layout>& info) {
  return std::string(c10::toString(std::get<0>(info.param))) + "_" + layout_name(std::get<1>(info.param));
}

const std::vector<layout> all_layouts{layout::contiguous, layout::channels_last, layout::sliced, layout::transposed,
                                      layout::expanded};

class TorchAllTypes : public testing::TestWithParam<dtype_and_layout> {
 protected:
  at::ScalarType dtype() const { return std::get<0>(GetParam()); }
  Tensor input(at::IntArrayRef sizes, bool for_max, unsigned seed) const {
    return arranged(sizes, dtype(), std::get<1>(GetParam()), for_max, seed);
  }

  // Calls check(sizes) for one input shape of each rank, 3 to 5: shape case
  // `which` of that rank.
  template <class Check>
  void for_each_rank(std::size_t which, const Check& check) const {
    for (std::size_t rank = 3; rank <= 5; ++rank) {
      const std::vector<std::int64_t> sizes = shapes(rank)[which].input;
      SCOPED_TRACE(sizes_text(sizes));
      check(sizes);
    }
  }

  // Calls check(x, s) for each shape case s of ranks 3 to 5, x a new input of
  // s.input (for max or not), seeded first_seed, first_seed + 1, ...
  template <class Check>
  void for_each_shape_case(unsigned first_seed, bool for_max, const Check& check) const {
    unsigned seed = first_seed;
    for (std::size_t rank = 3; rank <= 5; ++rank) {
      for (const shape_case& s : shapes(rank)) {
        SCOPED_TRACE(sizes_text(s.input) + " -> " + sizes_text(s.output));
        check(input(s.input, for_max, seed++), s);
      }
    }
  }
};
using TorchFloatTypes = TorchAllTypes;

INSTANTIATE_TEST_SUITE_P(Torch, TorchAllTypes,
                         testing::Combine(testing::Values(at::kFloat, at::kDouble, at::kHalf, at::kBFloat16, at::kChar,
                                                          at::kByte),
                                          testing::ValuesIn(all_layouts)),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Torch, TorchFloatTypes,
                         testing::Combine(testing::Values(at::kFloat, at::kDouble), testing::ValuesIn(all_layouts)),
                         case_name);

TEST_P(TorchAllTypes, AdaptiveAvgPool) {
  for_each_shape_case(1, false, [](const Tensor& x, const shape_case& s) {
    const Tensor ours = x.dim() == 3   ? apt::adaptive_avg_pool1d(x, s.output)
                        : x.dim() == 4 ? apt::adaptive_avg_pool2d(x, s.output)
                                       : apt::adaptive_avg_pool3d(x, s.output);
    expect_close(ours, aten_average(x, [&](const Tensor& t) { return aten_adaptive_avg(t, s.output); }));
    expect_format(ours, x);
  });
}

TEST_P(TorchAllTypes, AdaptiveMaxPool) {
  for_each_shape_case(2, true, [](const Tensor& x, const shape_case& s) {
    const auto [values, indices] = x.dim() == 3   ? apt::adaptive_max_pool1d(x, s.output)
                                   : x.dim() == 4 ? apt::adaptive_max_pool2d(x, s.output)
                                                  : apt::adaptive_max_pool3d(x, s.output);
    const auto [expected_values, expected_indices] =
        aten_max(x, [&](const Tensor& t) { return aten_adaptive_max(t, s.output); });
    expect_bits(values, expected_values);
    expect_bits(indices, expected_indices);
    expect_format(values, x);
    expect_format(indices, x);
  });
}

// ATen pools globally with the same operators at output size 1 (a mean for averages).
TEST_P(TorchAllTypes, GlobalPool) {
  unsigned seed = 3;
  for_each_rank(1, [&](const std::vector<std::int64_t>& sizes) {
    std::vector<std::int64_t> spatial_axes, ones(sizes.size() - 2, 1);
    for (std::int64_t axis = 2; axis < static_cast<std::int64_t>(sizes.size()); ++axis) spatial_axes.push_back(axis);

    const Tensor x = input(sizes, false, seed++);
    const Tensor avg = apt::global_avg_pool(x);
    expect_close(avg, aten_average(x, [&](const Tensor& t) { return t.mean(spatial_axes, true); }));
    expect_format(avg, x);

    const Tensor y = input(sizes, true, seed++);
    const auto [max, indices] = apt::global_max_pool(y);
    const auto [expected_max, expected_indices] =
        aten_max(y, [&](const Tensor& t) { return aten_adaptive_max(t, ones); });
    expect_bits(max, expected_max);
    expect_bits(indices, expected_indices);
    expect_format(max, y);
    expect_format(indices, y);
  });
}

// x.mean(1, true) and x.amax(1, true) for one output channel; for more, the
// permute + adaptive_{avg,max}_pool1d formulation, whose indices are channels.
TEST_P(TorchAllTypes, ChannelPool) {
  unsigned seed = 4;
  for (std::size_t rank = 3; rank <= 5; ++rank) {
    const std::vector<std::int64_t> sizes = shapes(rank)[0].input;  // 5 or 3 channels
    for (std::int64_t out_channels : {std::int64_t{1}, std::int64_t{2}, sizes[1], sizes[1] + 2}) {
      SCOPED_TRACE(sizes_text(sizes) + " -> " + std::to_string(out_channels) + " channels");
      const Tensor x = input(sizes, false, seed++);
      const Tensor avg = apt::channel_avg_pool(x, out_channels);
      expect_close(avg, aten_average(x, [&](const Tensor& t) {
                     if (out_channels == 1) return t.mean(1, true);
                     return rows_as_channels(at::adaptive_avg_pool1d(channels_as_rows(t), {out_channels}), t);
                   }));
      expect_format(avg, x);

      const Tensor y = input(sizes, true, seed++);
      const auto [max, indices] = apt::channel_max_pool(y, out_channels);
      const auto [expected_max, expected_indices] = aten_max(y, [&](const Tensor& t) {
        const auto [values, positions] = at::adaptive_max_pool1d(channels_as_rows(t), {out_channels});
        return std::make_tuple(rows_as_channels(values, t), rows_as_channels(positions, t));
      });
      expect_bits(max, expected_max);
      expect_bits(indices, expected_indices);
      if (out_channels == 1) expect_bits(max, y.amax(1, true));
      expect_format(max, y);
      expect_format(indices, y);
    }
  }
}

TEST_P(TorchFloatTypes, AdaptiveAvgMaxAndConcatPool) {
  const Tensor x = input({2, 5, 7, 9}, true, 5);
  const auto [avg, max, indices] = apt::adaptive_avg_max_pool2d(x, {3, 4});
  const Tensor expected_avg = at::adaptive_avg_pool2d(x, {3, 4});
  const auto [expected_max, expected_indices] = at::adaptive_max_pool2d(x, {3, 4});
  expect_close(avg, expected_avg);
  expect_bits(avg, apt::adaptive_avg_pool2d(x, {3, 4}));  // the single call's bits
  expect_bits(max, expected_max);
  expect_bits(indices, expected_indices);
  for (const Tensor& t : {avg, max, indices}) expect_format(t, x);

  const Tensor concat = apt::adaptive_concat_pool2d(x, {3, 4});
  const Tensor expected_concat = at::cat({expected_max, expected_avg}, 1);
  expect_close(concat, expected_concat);
  expect_bits(concat.slice(1, 0, 5), expected_max);
  expect_format(concat, x);
}

TEST_P(TorchFloatTypes, ChannelMaxAvgPool) {
  for (const std::vector<std::int64_t>& sizes : {shapes(3)[0].input, shapes(4)[0].input, shapes(5)[0].input}) {
    SCOPED_TRACE(sizes_text(sizes));
    const Tensor x = input(sizes, false, 6);
    const Tensor both = apt::channel_max_avg_pool(x);
    expect_close(both, at::cat({x.amax(1, true), x.mean(1, true)}, 1));
    expect_bits(both.slice(1, 0, 1), x.amax(1, true));
    expect_format(both, x);
  }
}

TEST_P(TorchFloatTypes, Pyramid) {
  const Tensor x = input({2, 5, 13, 11}, false, 7);
  // Four levels are one core call; six are a group of four and a group of two.
  for (const std::vector<std::int64_t>& bins :
       {std::vector<std::int64_t>{1, 2, 3, 6}, std::vector<std::int64_t>{1, 2, 3, 6, 4, 16}, {5}}) {
    SCOPED_TRACE(sizes_text(bins));
    const std::vector<Tensor> levels = apt::adaptive_avg_pool2d_pyramid(x, bins);
    ASSERT_EQ(levels.size(), bins.size());
    for (std::size_t k = 0; k < bins.size(); ++k) {
      expect_close(levels[k], at::adaptive_avg_pool2d(x, {bins[k], bins[k]}));
      expect_bits(levels[k], apt::adaptive_avg_pool2d(x, {bins[k], bins[k]}));
      expect_format(levels[k], x);
    }
  }
}

// GeM: adaptive_avg_pool(x.clamp_min(eps).pow(p)).pow(1 / p). LP: the window
// sum of x^p (the average times the window's element count), to the 1 / p.
// ATen forms x^p, the mean and the root in the element type, adapool the sum
// and the root in double, so these allow a relative 1e-5 (float) and 1e-12
// (double).
TEST_P(TorchFloatTypes, GemAndLpPool) {
  const double rtol = dtype() == at::kFloat ? 1e-5 : 1e-12;
  const auto expect_near = [&](const Tensor& ours, const Tensor& expected) {
    expect_same_shape(ours, expected);
    const Tensor a = ours.to(at::kDouble), b = expected.to(at::kDouble);
    EXPECT_TRUE(((a - b).abs() <= b.abs() * rtol + rtol).all().item<bool>())
        << "largest difference " << (a - b).abs().max().item<double>();
  };
  for_each_shape_case(8, false, [&](const Tensor& x, const shape_case& s) {
    const std::size_t rank = s.input.size();
    const auto avg = [&](const Tensor& t) { return aten_adaptive_avg(t, s.output); };
    // Each output's window element count, from the window rule written out.
    Tensor count = at::ones_like(avg(x), at::MemoryFormat::Contiguous).to(at::kDouble);
    for (std::size_t axis = 0; axis < rank - 2; ++axis) {
      const std::int64_t in = s.input[axis + 2], out = s.output[axis];
      std::vector<std::int64_t> shape(rank, 1);
      shape[axis + 2] = out;
      Tensor lengths = at::empty(shape, at::TensorOptions().dtype(at::kDouble));
      for (std::int64_t i = 0; i < out; ++i) {
        lengths.data_ptr<double>()[i] = static_cast<double>((1 + ((i + 1) * in - 1) / out) - (i * in) / out);
      }
      count = count * lengths;
    }

    const Tensor gem = rank == 3   ? apt::adaptive_gem_pool1d(x, s.output)
                       : rank == 4 ? apt::adaptive_gem_pool2d(x, s.output, 3.0, 1e-6)
                                   : apt::adaptive_gem_pool3d(x, s.output, 2.5);
    const double p = rank == 5 ? 2.5 : 3.0;
    expect_near(gem, avg(x.clamp_min(1e-6).pow(p)).pow(1.0 / p));
    expect_format(gem, x);

    const Tensor lp = rank == 3   ? apt::adaptive_lp_pool1d(x, s.output, 2)
                      : rank == 4 ? apt::adaptive_lp_pool2d(x, s.output, 2)
                                  : apt::adaptive_lp_pool3d(x, s.output, 4);
    const double q = rank == 5 ? 4.0 : 2.0;
    expect_near(lp, (avg(x.pow(q)).to(at::kDouble) * count).pow(1.0 / q).to(dtype()));
    expect_format(lp, x);
  });
}

// grad_out is arranged as the input is. Compared with ATen's backward
// operators on the same tensors, and bit for bit with them on contiguous
// copies: ATen's channels-last 2d average kernel can differ from its plane
// kernel in the last bit of a double gradient, and ATen 1.13's
// adaptive_max_pool3d_backward misreads channels-last-3d grad_output and
// indices (a wrong gradient, unlike zeros().scatter_add_()), so that case is
// compared on contiguous copies only.
TEST_P(TorchFloatTypes, AdaptiveBackward) {
  unsigned seed = 9;
  for (std::size_t rank = 3; rank <= 5; ++rank) {
    // ATen's 1d pooling is its 2d pooling of an N x C x 1 x L view.
    const auto aten_avg_backward = [rank](const Tensor& grad_out, const Tensor& x) {
      if (rank == 3) return at::_adaptive_avg_pool2d_backward(grad_out.unsqueeze(2), x.unsqueeze(2)).squeeze(2);
      if (rank == 4) return at::_adaptive_avg_pool2d_backward(grad_out, x);
      return at::_adaptive_avg_pool3d_backward(grad_out, x);
    };
    const auto aten_max_backward = [rank](const Tensor& grad_out, const Tensor& x, const Tensor& indices) {
      if (rank == 3) {
        return at::adaptive_max_pool2d_backward(grad_out.unsqueeze(2), x.unsqueeze(2), indices.unsqueeze(2)).squeeze(2);
      }
      if (rank == 4) return at::adaptive_max_pool2d_backward(grad_out, x, indices);
      return at::adaptive_max_pool3d_backward(grad_out, x, indices);
    };
    for (const shape_case& s : shapes(rank)) {
      // A 1 x 1 output is a mean in PyTorch, whose gradient GlobalAndChannelBackward checks.
      if (s.output == std::vector<std::int64_t>(rank - 2, 1)) continue;
      SCOPED_TRACE(sizes_text(s.input) + " -> " + sizes_text(s.output));
      const Tensor x = input(s.input, true, seed++);
      std::vector<std::int64_t> out_sizes(s.input.begin(), s.input.begin() + 2);
      out_sizes.insert(out_sizes.end(), s.output.begin(), s.output.end());
      const Tensor grad_out = input(out_sizes, false, seed++);

      Tensor avg_grad, max_grad, indices;
      if (rank == 3) {
        indices = std::get<1>(apt::adaptive_max_pool1d(x, s.output));
        avg_grad = apt::adaptive_avg_pool1d_backward(grad_out, x);
        max_grad = apt::adaptive_max_pool1d_backward(grad_out, x, indices);
      } else if (rank == 4) {
        indices = std::get<1>(apt::adaptive_max_pool2d(x, s.output));
        avg_grad = apt::adaptive_avg_pool2d_backward(grad_out, x);
        max_grad = apt::adaptive_max_pool2d_backward(grad_out, x, indices);
      } else {
        indices = std::get<1>(apt::adaptive_max_pool3d(x, s.output));
        avg_grad = apt::adaptive_avg_pool3d_backward(grad_out, x);
        max_grad = apt::adaptive_max_pool3d_backward(grad_out, x, indices);
      }
      expect_bits(avg_grad, aten_avg_backward(grad_out.contiguous(), x.contiguous()));
      expect_close(avg_grad, aten_avg_backward(grad_out, x));
      expect_bits(max_grad, aten_max_backward(grad_out.contiguous(), x.contiguous(), indices.contiguous()));
      if (rank != 5 || std::get<1>(GetParam()) != layout::channels_last) {
        expect_bits(max_grad, aten_max_backward(grad_out, x, indices));
      }
      expect_format(avg_grad, x);
      expect_format(max_grad, x);
    }
  }
}

// Global: the gradient of a mean is grad_out / plane size everywhere (what
// autograd gives for F.adaptive_avg_pool2d(x, 1)); max as ATen's backward at
// output size 1. Channel: the permute formulation's backward, and for max
// zeros_like(x).scatter_add_(1, indices, grad_out).
TEST_P(TorchFloatTypes, GlobalAndChannelBackward) {
  unsigned seed = 10;
  for_each_rank(1, [&](const std::vector<std::int64_t>& sizes) {
    const std::size_t rank = sizes.size();
    const Tensor x = input(sizes, true, seed++);
    std::vector<std::int64_t> pooled(rank, 1);
    pooled[0] = sizes[0];
    pooled[1] = sizes[1];
    const Tensor grad_out = input(pooled, false, seed++);
    std::int64_t plane = 1;
    for (std::size_t axis = 2; axis < rank; ++axis) plane *= sizes[axis];

    const Tensor avg_grad = apt::global_avg_pool_backward(grad_out, x);
    expect_bits(avg_grad, (grad_out.expand(sizes) / static_cast<double>(plane)).contiguous());
    expect_format(avg_grad, x);

    const auto [max, indices] = apt::global_max_pool(x);
    const Tensor max_grad = apt::global_max_pool_backward(grad_out, x, indices);
    const Tensor flat_grad = grad_out.reshape({sizes[0], sizes[1], 1, 1});
    const Tensor flat_indices = indices.reshape({sizes[0], sizes[1], 1, 1});
    expect_bits(max_grad,
                at::adaptive_max_pool2d_backward(flat_grad, x.reshape({sizes[0], sizes[1], 1, plane}), flat_indices)
                    .reshape(sizes));
    expect_format(max_grad, x);

    for (std::int64_t out_channels : {std::int64_t{1}, std::int64_t{3}, sizes[1] + 1}) {
      SCOPED_TRACE(std::to_string(out_channels) + " channels");
      std::vector<std::int64_t> channel_sizes = sizes;
      channel_sizes[1] = out_channels;
      const Tensor channel_grad = input(channel_sizes, false, seed++);

      const Tensor channel_avg_grad = apt::channel_avg_pool_backward(channel_grad, x);
      const Tensor rows = channels_as_rows(x).unsqueeze(2);
      const Tensor row_grad = channels_as_rows(channel_grad).unsqueeze(2);
      expect_bits(channel_avg_grad, rows_as_channels(at::_adaptive_avg_pool2d_backward(row_grad, rows).squeeze(2), x));
      expect_format(channel_avg_grad, x);

      const auto [channel_max, channel_indices] = apt::channel_max_pool(x, out_channels);
      const Tensor channel_max_grad = apt::channel_max_pool_backward(channel_grad, x, channel_indices);
      if (out_channels <= sizes[1]) {
        // Windows overlap by at most one channel here, so at most two
        // contributions meet, and their sum does not depend on the order.
        expect_bits(channel_max_grad, at::zeros_like(x).scatter_add_(1, channel_indices, channel_grad));
      }
      expect_bits(channel_max_grad, rows_as_channels(at::adaptive_max_pool2d_backward(
                                                         row_grad, rows, channels_as_rows(channel_indices).unsqueeze(2))
                                                         .squeeze(2),
                                                     x));
      expect_format(channel_max_grad, x);
    }
  });
}

// ---------------------------------------------------------------- views

TEST(TorchView, SizesStridesAndAddressAsGiven) {
  const Tensor big = at::zeros({3, 9, 8, 7});
  const Tensor x = big.slice(0, 1, 3).slice(1, 1, 9, 2).slice(3, 2, 6);  // 2 x 4 x 8 x 4, offset
  const auto v = apt::view<float, 4>(x);
  using sizes4 = std::array<std::int64_t, 4>;
  EXPECT_EQ(static_cast<const void*>(v.data()), x.data_ptr());
  EXPECT_EQ(v.shape(), (sizes4{2, 4, 8, 4}));
  EXPECT_EQ(v.strides(), (sizes4{504, 112, 7, 1}));

  const Tensor cl = at::zeros({2, 3, 4, 5}).contiguous(at::MemoryFormat::ChannelsLast);
  EXPECT_EQ((apt::view<float, 4>(cl).strides()), (sizes4{60, 1, 15, 3}));
  const Tensor expanded = at::zeros({1, 3, 1, 5}).expand({2, 3, 4, 5});
  EXPECT_EQ((apt::view<float, 4>(expanded).strides()), (sizes4{0, 5, 0, 1}));

  // Each element type under its dtype, the 16-bit floats with their bits.
  const auto filled = [](at::IntArrayRef sizes, double value, at::ScalarType dtype) {
    return at::full(sizes, value, at::TensorOptions().dtype(dtype));
  };
  EXPECT_EQ((apt::view<adapool::float16, 4>(filled({1, 1, 1, 1}, 1.5, at::kHalf))(0, 0, 0, 0).bits), 0x3e00);
  EXPECT_EQ((static_cast<float>(apt::view<adapool::bfloat16, 3>(filled({1, 1, 1}, -2, at::kBFloat16))(0, 0, 0))),
            -2.0f);
  EXPECT_EQ((apt::view<std::int8_t, 3>(filled({1, 1, 1}, -7, at::kChar))(0, 0, 0)), -7);
  EXPECT_EQ((apt::view<std::uint8_t, 5>(filled({1, 1, 1, 1, 1}, 200, at::kByte))(0, 0, 0, 0, 0)), 200);
  EXPECT_EQ((apt::view<double, 3>(filled({1, 1, 2}, 0.25, at::kDouble))(0, 0, 1)), 0.25);
  EXPECT_EQ((apt::view<std::int64_t, 4>(filled({1, 1, 1, 1}, 41, at::kLong))(0, 0, 0, 0)), 41);
}

TEST(TorchView, MutableViewWritesTheTensor) {
  const Tensor x = random_tensor({2, 3, 6, 6}, at::kFloat, false, 11).contiguous(at::MemoryFormat::ChannelsLast);
  Tensor out = at::zeros({2, 3, 4, 4}).slice(3, 1, 3);  // 2 x 3 x 4 x 2, strided
  adapool::adaptive_avg_pool2d(apt::view<float, 4>(x), apt::mutable_view<float, 4>(out));
  expect_close(out, at::adaptive_avg_pool2d(x, {4, 2}));

  // The core operation rejects an output that would write one element twice.
  Tensor expanded = at::zeros({2, 3, 1, 2}).expand({2, 3, 4, 2});
  EXPECT_THROW(adapool::adaptive_avg_pool2d(apt::view<float, 4>(x), apt::mutable_view<float, 4>(expanded)),
               adapool::error);
  EXPECT_EQ(expanded.abs().sum().item<double>(), 0.0);  // nothing written
}

// The forms record no autograd history, whatever the input's requires_grad.
TEST(TorchView, ResultsRecordNoHistory) {
  Tensor x = random_tensor({1, 3, 4, 4}, at::kFloat, false, 13);
  x.set_requires_grad(true);
  const Tensor y = apt::adaptive_avg_pool2d(x, {2, 2});
  EXPECT_FALSE(y.requires_grad());
  expect_close(y, at::adaptive_avg_pool2d(x.detach(), {2, 2}));
}

// ---------------------------------------------------------------- errors

template <class Call>
void expect_error(const Call& call, const std::string& message) {
  try {
    call();
    ADD_FAILURE() << "no error, expected: " << message;
  } catch (const adapool::error& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(TorchErrors, ViewChecks) {
  const Tensor x = at::zeros({1, 8, 4, 4});
  expect_error([&] { apt::view<float, 4>(x.to(at::kHalf)); },
               "adapool::torch::view: input has dtype Half, expected Float");
  expect_error([&] { apt::mutable_view<adapool::bfloat16, 4>(x, "grad_in"); },
               "adapool::torch::mutable_view: grad_in has dtype Float, "
               "expected BFloat16");
  expect_error(
      [&] {
        apt::view<float, 4>(at::zeros({1, 8, 4}));
      },
      "adapool::torch::view: input has 3 dimensions [1, 8, 4], expected 4 (N, "
      "C, H, W)");
  expect_error([&] { apt::view<float, 5>(x, "features"); },
               "adapool::torch::view: features has 4 dimensions [1, 8, 4, 4], "
               "expected 5 (N, C, D, H, W)");
  expect_error([&] { apt::view<float, 4>(Tensor()); }, "adapool::torch::view: input is an undefined tensor");
  expect_error(
      [&] {
        apt::view<float, 4>(at::empty({1, 8, 4, 4}, at::TensorOptions().device(at::kMeta)));
      },
      "adapool::torch::view: input is on device meta, expected cpu");
  expect_error([&] { apt::view<float, 4>(x.to_sparse()); },
               "adapool::torch::view: input has layout Sparse, expected Strided");
  expect_error([&] { apt::view<float, 4>(at::_neg_view(x)); },
               "adapool::torch::view: input has its negative bit set, expected materialised values (call "
               "resolve_neg())");
}

TEST(TorchErrors, TensorFormChecks) {
  const Tensor x = at::zeros({1, 8, 4, 4});
  expect_error(
      [&] {
        apt::adaptive_avg_pool2d(x.to(at::kInt), {2, 2});
      },
      "adapool::torch::adaptive_avg_pool2d: input has dtype Int, expected "
      "Float, Double, Half, BFloat16, "
      "Char or Byte");
  expect_error(
      [&] {
        apt::adaptive_max_pool2d(at::zeros({1, 8, 4}), {2, 2});
      },
      "adapool::torch::adaptive_max_pool2d: input has 3 dimensions [1, 8, 4], "
      "expected 4 (N, C, H, W)");
  expect_error(
      [&] {
        apt::adaptive_avg_pool3d(Tensor(), {1, 1, 1});
      },
      "adapool::torch::adaptive_avg_pool3d: input is an undefined tensor");
  expect_error(
      [&] {
        apt::global_max_pool(at::empty({1, 8, 4, 4}, at::TensorOptions().device(at::kMeta)));
      },
      "adapool::torch::global_max_pool: input is on device meta, expected cpu");
  expect_error(
      [&] {
        apt::global_avg_pool(at::zeros({8, 4}));
      },
      "adapool::torch::global_avg_pool: input has 2 dimensions [8, 4], "
      "expected 3 to 5 (N, C and 1 to 3 "
      "spatial sizes)");
  expect_error([&] { apt::adaptive_avg_pool2d(x, {2}); },
               "adapool::torch::adaptive_avg_pool2d: output_size [2] has 1 "
               "size, expected 2");
  expect_error(
      [&] {
        apt::adaptive_max_pool1d(at::zeros({1, 8, 4}), {-1});
      },
      "adapool::torch::adaptive_max_pool1d: output_size [-1] has a negative "
      "size");
  expect_error([&] { apt::channel_max_pool(x, -2); },
               "adapool::torch::channel_max_pool: out_channels is -2, expected "
               "0 or more");
  expect_error(
      [&] {
        apt::adaptive_avg_pool2d_pyramid(x, {1, -3});
      },
      "adapool::torch::adaptive_avg_pool2d_pyramid: bins [1, -3] has a "
      "negative size");

  // Operations the core runs on float and double only name those.
  expect_error(
      [&] {
        apt::adaptive_gem_pool2d(x.to(at::kHalf), {1, 1});
      },
      "adapool::torch::adaptive_gem_pool2d: input has dtype Half, expected "
      "Float or Double");
  expect_error([&] { apt::channel_max_avg_pool(x.to(at::kByte)); },
               "adapool::torch::channel_max_avg_pool: input has dtype Byte, "
               "expected Float or Double");
  expect_error([&] { apt::adaptive_avg_pool2d_backward(x.to(at::kBFloat16), x); },
               "adapool::torch::adaptive_avg_pool2d_backward: grad_out has dtype "
               "BFloat16, expected Float or Double");

  // The core operation's own checks follow, with its own messages.
  expect_error(
      [&] {
        apt::adaptive_gem_pool2d(x, {1, 1}, -1);
      },
      "adaptive_gem_pool2d: p is -1, expected a finite number greater than 0");
}

TEST(TorchErrors, BackwardChecks) {
  const Tensor x = at::zeros({1, 8, 4, 4});
  const Tensor grad = at::zeros({1, 8, 2, 2});
  const Tensor indices = at::zeros({1, 8, 2, 2}, at::TensorOptions().dtype(at::kLong));
  expect_error([&] { apt::adaptive_avg_pool2d_backward(grad, x.to(at::kDouble)); },
               "adapool::torch::adaptive_avg_pool2d_backward: input has dtype Double, "
               "expected Float (the dtype of "
               "grad_out)");
  expect_error([&] { apt::adaptive_max_pool2d_backward(grad, x, indices.to(at::kInt)); },
               "adapool::torch::adaptive_max_pool2d_backward: indices has dtype Int, "
               "expected Long");
  expect_error([&] { apt::adaptive_max_pool2d_backward(grad, x, Tensor()); },
               "adapool::torch::adaptive_max_pool2d_backward: indices is an "
               "undefined tensor");
  expect_error(
      [&] {
        apt::global_avg_pool_backward(grad, at::zeros({1, 8, 16}));
      },
      "adapool::torch::global_avg_pool_backward: input has 3 dimensions [1, 8, "
      "16], expected 4 (N, C, H, W)");
  expect_error(
      [&] {
        apt::channel_avg_pool_backward(grad, at::empty({1, 8, 2, 2}, at::TensorOptions().device(at::kMeta)));
      },
      "adapool::torch::channel_avg_pool_backward: input is on device meta, "
      "expected cpu");
  // An index outside the plane is the core's error, found before anything is written.
  expect_error([&] { apt::adaptive_max_pool2d_backward(grad, x, indices + 16); },
               "adaptive_max_pool2d_backward: indices[0, 0, 0, 0] is 16, outside the "
               "input plane [0, 16)");
}

// N = 0 or an output size of 0 gives an empty result of the right shape, as in ATen.
TEST(TorchEmpty, EmptyResults) {
  const Tensor none = at::zeros({0, 3, 4, 4});
  EXPECT_EQ(apt::adaptive_avg_pool2d(none, {2, 2}).sizes(), at::IntArrayRef({0, 3, 2, 2}));
  EXPECT_EQ(std::get<1>(apt::adaptive_max_pool2d(none, {2, 2})).sizes(), at::IntArrayRef({0, 3, 2, 2}));
  EXPECT_EQ(apt::global_avg_pool(at::zeros({2, 0, 5})).sizes(), at::IntArrayRef({2, 0, 1}));
  EXPECT_EQ(apt::adaptive_avg_pool2d(at::zeros({1, 3, 4, 4}), {0, 2}).sizes(), at::IntArrayRef({1, 3, 0, 2}));
  const Tensor x = random_tensor({1, 3, 4, 4}, at::kFloat, false, 12);
  const std::vector<Tensor> levels = apt::adaptive_avg_pool2d_pyramid(x, {0, 2});
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(levels[0].sizes(), at::IntArrayRef({1, 3, 0, 0}));
  expect_bits(levels[1], apt::adaptive_avg_pool2d(x, {2, 2}));
  EXPECT_TRUE(apt::adaptive_avg_pool2d_pyramid(x, {}).empty());
}

}  // namespace torch_tests
