// SPDX-License-Identifier: MIT
#pragma once

// What the operation tests share: tensors placed in memory in every layout the
// library accepts, random data with ties and special values, the comparison
// rules (and the one place their tolerances live), check_case, which runs
// one operation on one input through the default instruction set and the
// scalar path and compares both with tests/reference.hpp, and the checks of
// error messages.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <limits>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "reference.hpp"

namespace adapool_test {

// ---------------------------------------------------------------- tolerances

// Max values and indices are compared exactly (bit for bit; any NaN equals any
// NaN, the index then says which one). Averages may differ from the
// double-precision reference by rounding only: at most this fraction of the
// larger of |expected| and the largest input magnitude (the error of a sum
// scales with its terms, not with its result, which cancellation can make tiny).
// For float that is about 8 ulp of the data; the same bound holds between two
// instruction sets.
template <class T>
constexpr double average_tolerance = std::is_same_v<T, float> ? 1e-6 : 1e-13;

// ---------------------------------------------------------------- layouts

// How a test tensor sits in memory. Sizes are always given in logical order.
// check_case passes every kind through a strided view; with_view (and
// test_tensor_view.cpp) use the typed contiguous and channels_last views.
enum class layout_kind {
  nchw,        // contiguous
  nhwc,        // channels-last
  slice,       // NCHW inside a bigger buffer (a margin on every axis)
  nhwc_slice,  // channels-last with padded channels and pixels
  flipped,     // NCHW with negative strides on C and the last spatial axis
  transposed,  // spatial axes in reverse memory order (W outer, H inner)
};

inline const std::vector<layout_kind>& all_layouts() {
  static const std::vector<layout_kind> kinds{layout_kind::nchw,       layout_kind::nhwc,    layout_kind::slice,
                                              layout_kind::nhwc_slice, layout_kind::flipped, layout_kind::transposed};
  return kinds;
}

// Indexed by layout_kind, in the enum's order (a kind without a name throws).
inline const char* layout_name(layout_kind kind) {
  static const std::array<const char*, 6> names{"nchw", "nhwc", "slice", "nhwc_slice", "flipped", "transposed"};
  return names.at(static_cast<std::size_t>(kind));
}

// The layout to use for outputs of the i-th case, so that over a sweep every
// output layout meets every input layout.
inline layout_kind output_layout(std::size_t i) { return all_layouts()[i % all_layouts().size()]; }

template <std::size_t Rank>
std::string shape_text(const std::array<std::int64_t, Rank>& shape) {
  std::string text = "[";
  for (std::size_t axis = 0; axis < Rank; ++axis) text += (axis ? ", " : "") + std::to_string(shape[axis]);
  return text + "]";
}

template <std::size_t Rank>
reference::shape to_shape(const std::array<std::int64_t, Rank>& shape) {
  return reference::shape(shape.begin(), shape.end());
}

template <std::size_t Rank>
std::int64_t element_count(const std::array<std::int64_t, Rank>& shape) {
  std::int64_t count = 1;
  for (std::int64_t s : shape) count *= s;
  return count;
}

// A tensor of logical shape `shape` placed in `storage` as `kind` says; every
// storage element outside the tensor keeps the fill value, so that a stray
// write is caught. The rank lives in the sizes, not the type, so this code is
// compiled once per element type (the suite is built once per ISA).
template <class T>
struct placed_values {
  layout_kind kind{};
  reference::shape shape, strides;
  std::int64_t origin = 0;  // storage offset of element (0, 0, ...)
  std::vector<T> storage;

  T* data() { return storage.data() + origin; }
  const T* data() const { return storage.data() + origin; }

  // Calls f(i, offset) for the i-th element in logical row-major order.
  template <class F>
  void for_each(F f) const {
    const std::int64_t count = reference::element_count(shape);
    for (std::int64_t i = 0; i < count; ++i) {
      std::int64_t rest = i, offset = origin;
      for (std::size_t axis = shape.size(); axis-- > 0;) {
        offset += (rest % shape[axis]) * strides[axis];
        rest /= shape[axis];
      }
      f(i, offset);
    }
  }

  void assign(const std::vector<T>& logical) {
    for_each([&](std::int64_t i, std::int64_t offset) { storage[offset] = logical[i]; });
  }
  std::vector<T> logical() const {
    std::vector<T> values(static_cast<std::size_t>(reference::element_count(shape)));
    for_each([&](std::int64_t i, std::int64_t offset) { values[i] = storage[offset]; });
    return values;
  }
  // True when every storage element the tensor does not cover still holds `fill`.
  bool margin_untouched(T fill) const {
    std::vector<bool> covered(storage.size());
    for_each([&](std::int64_t, std::int64_t offset) { covered[offset] = true; });
    for (std::size_t i = 0; i < storage.size(); ++i)
      if (!covered[i] && std::memcmp(&storage[i], &fill, sizeof(T)) != 0) return false;
    return true;
  }
};

template <class T>
placed_values<T> place_values(layout_kind kind, const reference::shape& shape, T fill) {
  const std::size_t rank = shape.size();
  placed_values<T> p;
  p.kind = kind;
  p.shape = shape;
  p.strides.assign(rank, 0);
  // Axes from outermost to innermost in memory, extra elements per axis, flips.
  std::vector<std::size_t> order(rank);
  for (std::size_t axis = 0; axis < rank; ++axis) order[axis] = axis;
  std::vector<std::int64_t> pad(rank, 0);
  std::vector<bool> flip(rank, false);
  if (kind == layout_kind::nhwc || kind == layout_kind::nhwc_slice) {
    for (std::size_t k = 1; k + 1 < rank; ++k) order[k] = k + 1;
    order[rank - 1] = 1;
  }
  if (kind == layout_kind::transposed) {
    for (std::size_t k = 2; k < rank; ++k) order[k] = rank + 1 - k;
  }
  if (kind == layout_kind::slice) pad.assign(rank, 2);
  if (kind == layout_kind::nhwc_slice) {
    for (std::size_t axis = 2; axis < rank; ++axis) pad[axis] = 2;
    pad[1] = 3;
  }
  if (kind == layout_kind::flipped) flip[1] = flip[rank - 1] = true;

  std::int64_t step = 1;
  for (std::size_t k = rank; k-- > 0;) {
    p.strides[order[k]] = step;
    step *= shape[order[k]] + pad[order[k]];
  }
  p.storage.assign(static_cast<std::size_t>(std::max<std::int64_t>(step, 1)), fill);
  for (std::size_t axis = 0; axis < rank; ++axis) {
    if (pad[axis] > 0) p.origin += p.strides[axis];  // one element of margin before, the rest after
    if (flip[axis] && shape[axis] > 0) {
      p.origin += p.strides[axis] * (shape[axis] - 1);
      p.strides[axis] = -p.strides[axis];
    }
  }
  return p;
}

template <std::size_t Rank>
std::array<std::int64_t, Rank> to_array(const reference::shape& s) {
  std::array<std::int64_t, Rank> a{};
  for (std::size_t axis = 0; axis < Rank; ++axis) a[axis] = s[axis];
  return a;
}

// placed_values with the rank its views need.
template <class T, std::size_t Rank>
struct placed : placed_values<T> {
  adapool::tensor_view<T, Rank, adapool::strided> view() {
    return {this->data(), to_array<Rank>(this->shape), to_array<Rank>(this->strides)};
  }
  adapool::tensor_view<const T, Rank, adapool::strided> view() const {
    return {this->data(), to_array<Rank>(this->shape), to_array<Rank>(this->strides)};
  }
  std::array<std::int64_t, Rank> extents() const { return to_array<Rank>(this->shape); }
};

template <class T, std::size_t Rank>
placed<T, Rank> place(layout_kind kind, const std::array<std::int64_t, Rank>& shape, T fill) {
  return {place_values(kind, to_shape(shape), fill)};
}

// The elements of an owning tensor in logical order, whatever its layout.
template <class Tensor>
auto logical_values(const Tensor& t) {
  placed_values<std::decay_t<decltype(*t.data())>> p;
  p.shape = to_shape(t.shape());
  p.strides = to_shape(t.view().strides());
  p.storage = t.values();
  return p.logical();
}

// Calls f with the view type the layout is meant to be used through: typed
// contiguous and channels_last views for those layouts, strided otherwise.
template <class T, std::size_t Rank, class F>
void with_view(const placed<T, Rank>& p, F&& f) {
  if (p.kind == layout_kind::nchw) {
    f(adapool::tensor_view<const T, Rank, adapool::contiguous>(p.data(), p.extents()));
  } else if (p.kind == layout_kind::nhwc) {
    f(adapool::tensor_view<const T, Rank, adapool::channels_last>(p.data(), p.extents()));
  } else {
    f(p.view());
  }
}

// ---------------------------------------------------------------- element types

enum class dtype { f32, f64 };

inline const char* dtype_name(dtype type) { return type == dtype::f32 ? "float" : "double"; }

template <class F>
void with_dtype(dtype type, F&& f) {
  if (type == dtype::f32) {
    f(float{});
  } else {
    f(double{});
  }
}

// with_dtype for a random sweep: calls f(T{}, rng), rng seeded with `seed`.
template <class F>
void with_dtype(dtype type, std::uint64_t seed, F&& f) {
  std::mt19937_64 rng(seed);
  with_dtype(type, [&](auto t) { f(t, rng); });
}

// The parameter of the layout x dtype suites; names read as `nhwc_float`.
struct config {
  layout_kind layout;
  dtype type;
};

inline std::vector<config> all_configs() {
  std::vector<config> configs;
  for (layout_kind kind : all_layouts())
    for (dtype type : {dtype::f32, dtype::f64}) configs.push_back({kind, type});
  return configs;
}

inline void PrintTo(const config& c, std::ostream* os) { *os << layout_name(c.layout) << " " << dtype_name(c.type); }

inline std::string config_name(const testing::TestParamInfo<config>& info) {
  return std::string(layout_name(info.param.layout)) + "_" + dtype_name(info.param.type);
}

// ---------------------------------------------------------------- data

enum class fill_kind {
  uniform,   // uniform in [-1, 1)
  ties,      // small integers and signed zeros: many equal maxima
  specials,  // ties plus NaN, +inf and -inf
  neg_inf,   // mostly -inf: windows of only -inf
};

inline const std::vector<fill_kind>& all_fills() {
  static const std::vector<fill_kind> fills{fill_kind::uniform, fill_kind::ties, fill_kind::specials,
                                            fill_kind::neg_inf};
  return fills;
}

// The fill of the i-th case, so that over a sweep every fill meets every
// output layout.
inline fill_kind fill_for(std::size_t i) { return all_fills()[i % all_fills().size()]; }

template <class T>
std::vector<T> random_values(std::int64_t count, fill_kind kind, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::uniform_int_distribution<int> small(-3, 3);
  std::uniform_int_distribution<int> percent(0, 99);
  const T inf = std::numeric_limits<T>::infinity();
  std::vector<T> values(static_cast<std::size_t>(count));
  for (T& v : values) {
    if (kind == fill_kind::uniform) {
      v = static_cast<T>(uniform(rng));
      continue;
    }
    v = static_cast<T>(small(rng));
    if (v == 0 && percent(rng) < 50) v = -T(0);
    const int roll = percent(rng);
    if (kind == fill_kind::specials) {
      if (roll < 6) v = std::numeric_limits<T>::quiet_NaN();
      if (roll >= 6 && roll < 10) v = inf;
      if (roll >= 10 && roll < 16) v = -inf;
    } else if (kind == fill_kind::neg_inf && roll < 85) {
      v = -inf;
    }
  }
  return values;
}

template <class T, std::size_t Rank>
std::vector<T> random_values(const std::array<std::int64_t, Rank>& shape, fill_kind kind, std::mt19937_64& rng) {
  return random_values<T>(element_count(shape), kind, rng);
}

// Largest finite |x|, at least a tiny positive number: the scale of average errors.
template <class T>
double magnitude(const std::vector<T>& x) {
  double largest = std::numeric_limits<double>::min();
  for (T v : x)
    if (std::isfinite(v)) largest = std::max(largest, std::abs(static_cast<double>(v)));
  return largest;
}

// ---------------------------------------------------------------- comparisons

template <class T>
std::string number_text(T value) {
  std::ostringstream text;
  text.precision(std::numeric_limits<T>::max_digits10);
  text << value;
  if (value == 0 && std::signbit(value)) text.str("-0");
  return text.str();
}

template <class T>
bool same_max(T got, T want) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  return std::memcmp(&got, &want, sizeof(T)) == 0;  // tells -0 from +0
}

template <class T>
bool close_average(T got, double want, double scale) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return static_cast<double>(got) == want;
  return std::abs(static_cast<double>(got) - want) <= average_tolerance<T> * std::max(std::abs(want), scale);
}

// Compares element by element and reports the first few differences with their
// logical (n, c, spatial...) position.
template <class Got, class Want, class Same>
testing::AssertionResult compare(const char* what, const reference::shape& shape, const std::vector<Got>& got,
                                 const std::vector<Want>& want, Same same) {
  if (got.size() != want.size()) {
    return testing::AssertionFailure() << what << ": " << got.size() << " elements, expected " << want.size();
  }
  std::ostringstream report;
  int differences = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (same(got[i], want[i])) continue;
    if (++differences > 5) continue;
    std::string where;
    std::int64_t rest = static_cast<std::int64_t>(i);
    for (std::size_t axis = shape.size(); axis-- > 0;) {
      where = std::to_string(rest % shape[axis]) + (where.empty() ? "" : ", ") + where;
      rest /= shape[axis];
    }
    report << "\n  " << what << "[" << where << "]: got " << number_text(got[i]) << ", expected "
           << number_text(want[i]);
  }
  if (differences == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << differences << " of " << got.size() << " " << what << " differ" << report.str();
}

template <class T>
testing::AssertionResult same_maxima(const char* what, const reference::shape& shape, const std::vector<T>& got,
                                     const std::vector<T>& want) {
  return compare(what, shape, got, want, [](T a, T b) { return same_max(a, b); });
}

inline testing::AssertionResult same_indices(const char* what, const reference::shape& shape,
                                             const std::vector<std::int64_t>& got,
                                             const std::vector<std::int64_t>& want) {
  return compare(what, shape, got, want, [](std::int64_t a, std::int64_t b) { return a == b; });
}

template <class T, class W>
testing::AssertionResult close_averages(const char* what, const reference::shape& shape, const std::vector<T>& got,
                                        const std::vector<W>& want, double scale) {
  return compare(what, shape, got, want, [scale](T a, W b) { return close_average(a, static_cast<double>(b), scale); });
}

// ---------------------------------------------------------------- operations

// Output fill values: numbers no operation produces from the test data.
template <class T>
constexpr T output_fill = T(-7777.25);
constexpr std::int64_t index_fill = -99;

// What the reference says an operation gives.
template <class T>
struct expected {
  std::vector<double> averages;  // average operations
  std::vector<T> maxima;         // max operations
  std::vector<std::int64_t> indices;
};

// Calls form(indices) for the form of a max operation with an indices view,
// form() for the one without.
template <bool Indices, class Idx, class Form>
void with_indices_if(const Idx& indices, Form&& form) {
  if constexpr (Indices) {
    form(indices);
  } else {
    form();
  }
}

// What kind of result a descriptor below gives (read through flags_of).
template <bool IsMax, bool Indices = false>
struct op_kind {
  static constexpr bool is_max = IsMax;
  static constexpr bool with_indices = Indices;
};

// One descriptor per operation family: how to call it (Arch chosen by the
// caller) and what the reference expects. `Indices` says whether the form
// with an indices view is exercised.
struct adaptive_avg_op : op_kind<false> {
  template <class Arch, class In, class Out, class Idx>
  static void run(const In& in, const Out& out, const Idx&) {
    if constexpr (In::rank == 3) adapool::adaptive_avg_pool1d<Arch>(in, out);
    if constexpr (In::rank == 4) adapool::adaptive_avg_pool2d<Arch>(in, out);
    if constexpr (In::rank == 5) adapool::adaptive_avg_pool3d<Arch>(in, out);
  }
  template <class T>
  static expected<T> reference(const std::vector<T>& x, const reference::shape& in, const reference::shape& out) {
    return {reference::adaptive_avg(x, in, out), {}, {}};
  }
};

template <bool Indices>
struct adaptive_max_op : op_kind<true, Indices> {
  template <class Arch, class In, class Out, class Idx>
  static void run(const In& in, const Out& out, const Idx& indices) {
    with_indices_if<Indices>(indices, [&](const auto&... idx) {
      if constexpr (In::rank == 3) adapool::adaptive_max_pool1d<Arch>(in, out, idx...);
      if constexpr (In::rank == 4) adapool::adaptive_max_pool2d<Arch>(in, out, idx...);
      if constexpr (In::rank == 5) adapool::adaptive_max_pool3d<Arch>(in, out, idx...);
    });
  }
  template <class T>
  static expected<T> reference(const std::vector<T>& x, const reference::shape& in, const reference::shape& out) {
    auto result = reference::adaptive_max(x, in, out);
    return {{}, std::move(result.values), std::move(result.indices)};
  }
};

struct global_avg_op : adaptive_avg_op {
  template <class Arch, class In, class Out, class Idx>
  static void run(const In& in, const Out& out, const Idx&) {
    adapool::global_avg_pool<Arch>(in, out);
  }
};

template <bool Indices>
struct global_max_op : adaptive_max_op<Indices> {
  template <class Arch, class In, class Out, class Idx>
  static void run(const In& in, const Out& out, const Idx& indices) {
    with_indices_if<Indices>(indices, [&](const auto&... idx) { adapool::global_max_pool<Arch>(in, out, idx...); });
  }
};

struct channel_avg_op : op_kind<false> {
  template <class Arch, class In, class Out, class Idx>
  static void run(const In& in, const Out& out, const Idx&) {
    adapool::channel_avg_pool<Arch>(in, out);
  }
  template <class T>
  static expected<T> reference(const std::vector<T>& x, const reference::shape& in, const reference::shape& out) {
    return {reference::channel_avg(x, in, out[1]), {}, {}};
  }
};

template <bool Indices>
struct channel_max_op : op_kind<true, Indices> {
  template <class Arch, class In, class Out, class Idx>
  static void run(const In& in, const Out& out, const Idx& indices) {
    with_indices_if<Indices>(indices, [&](const auto&... idx) { adapool::channel_max_pool<Arch>(in, out, idx...); });
  }
  template <class T>
  static expected<T> reference(const std::vector<T>& x, const reference::shape& in, const reference::shape& out) {
    auto result = reference::channel_max(x, in, out[1]);
    return {{}, std::move(result.values), std::move(result.indices)};
  }
};

template <class T>
struct outcome {
  std::vector<T> values;
  std::vector<std::int64_t> indices;
};

// What kind of result an operation gives; the comparisons below depend on
// nothing else, so they are compiled once per element type.
struct op_flags {
  bool is_max;
  bool with_indices;
};

template <class Op>
constexpr op_flags flags_of{Op::is_max, Op::with_indices};

// Reads the outputs of one call back in logical order, after checking that
// nothing outside them (or in indices that were not asked for) was written.
template <class T>
outcome<T> collect(const placed_values<T>& out, const placed_values<std::int64_t>& indices, op_flags op,
                   const char* arch) {
  EXPECT_TRUE(out.margin_untouched(output_fill<T>)) << arch << ": wrote outside the output view";
  EXPECT_TRUE(indices.margin_untouched(index_fill)) << arch << ": wrote outside the indices view";
  outcome<T> result{out.logical(), indices.logical()};
  if (!op.with_indices) {
    EXPECT_EQ(result.indices, std::vector<std::int64_t>(result.indices.size(), index_fill))
        << arch << ": wrote indices that were not asked for";
    result.indices.clear();
  }
  return result;
}

// Runs Op through instruction set Arch into freshly filled output buffers.
template <class Op, class Arch, class T, std::size_t Rank>
outcome<T> run_op(const placed<T, Rank>& input, const std::array<std::int64_t, Rank>& out_shape, layout_kind out_kind) {
  placed<T, Rank> out = place(out_kind, out_shape, output_fill<T>);
  // The indices go in another layout than the values: the two are independent views.
  const auto index_kind = all_layouts()[(static_cast<std::size_t>(out_kind) + 1) % all_layouts().size()];
  placed<std::int64_t, Rank> indices = place(index_kind, out_shape, index_fill);
  // Every layout goes in through a strided view: the library reduces all views
  // to sizes and strides before its kernels run, so this reaches the same code
  // as typed views at a fraction of the compile time (test_tensor_view.cpp
  // passes typed contiguous and channels_last views to every operation).
  Op::template run<Arch>(input.view(), out.view(), indices.view());
  return collect<T>(out, indices, flags_of<Op>, Arch::name);
}

template <class T>
void expect_matches(op_flags op, const char* arch, const reference::shape& out_shape, const outcome<T>& got,
                    const expected<T>& want, double scale) {
  SCOPED_TRACE(arch);
  if (op.is_max) {
    EXPECT_TRUE(same_maxima("max", out_shape, got.values, want.maxima));
    if (op.with_indices) {
      EXPECT_TRUE(same_indices("index", out_shape, got.indices, want.indices));
    }
  } else {
    EXPECT_TRUE(close_averages("average", out_shape, got.values, want.averages, scale));
  }
}

// Both instruction sets against the reference, against each other (as
// tightly), and the input left as it was.
template <class T>
void expect_case_results(op_flags op, const reference::shape& out_shape, const expected<T>& want,
                         const outcome<T>& best, const outcome<T>& scalar, const std::vector<T>& x,
                         const placed_values<T>& input) {
  const double scale = magnitude(x);
  expect_matches(op, adapool::default_arch::name, out_shape, best, want, scale);
  expect_matches(op, "scalar", out_shape, scalar, want, scale);
  if (op.is_max) {
    EXPECT_TRUE(same_maxima("max (default vs scalar)", out_shape, best.values, scalar.values));
    EXPECT_TRUE(same_indices("index (default vs scalar)", out_shape, best.indices, scalar.indices));
  } else {
    EXPECT_TRUE(close_averages("average (default vs scalar)", out_shape, best.values, scalar.values, scale));
  }
  const std::vector<T> after = input.logical();
  EXPECT_TRUE(after.size() == x.size() && (x.empty() || std::memcmp(after.data(), x.data(), x.size() * sizeof(T)) == 0))
      << "the input was modified";
}

/// Runs Op on `x` (logical values of shape in_shape, placed as in_kind) into an
/// output of out_shape placed as out_kind, with the default instruction set and
/// with the scalar one; checks both against the reference and each other.
template <class Op, class T, std::size_t Rank>
void check_case(const std::array<std::int64_t, Rank>& in_shape, const std::array<std::int64_t, Rank>& out_shape,
                layout_kind in_kind, layout_kind out_kind, const std::vector<T>& x) {
  SCOPED_TRACE("input " + shape_text(in_shape) + " " + layout_name(in_kind) + ", output " + shape_text(out_shape) +
               " " + layout_name(out_kind));
  placed<T, Rank> input = place(in_kind, in_shape, T(0));
  input.assign(x);
  const reference::shape out_dims = to_shape(out_shape);
  const outcome<T> best = run_op<Op, adapool::default_arch>(input, out_shape, out_kind);
  const outcome<T> scalar = run_op<Op, adapool::simd::scalar>(input, out_shape, out_kind);
  expect_case_results<T>(flags_of<Op>, out_dims, Op::reference(x, to_shape(in_shape), out_dims), best, scalar, x,
                         input);
}

// Each of Ops on the same input, into the output layouts of cases i, i + 1, ...
template <class... Ops, class T, std::size_t Rank>
void check_cases(const std::array<std::int64_t, Rank>& in_shape, const std::array<std::int64_t, Rank>& out_shape,
                 layout_kind in_kind, std::size_t i, const std::vector<T>& x) {
  (check_case<Ops>(in_shape, out_shape, in_kind, output_layout(i++), x), ...);
}

// The output shape of adaptive pooling: in's N and C, then `spatial`.
template <std::size_t Rank>
std::array<std::int64_t, Rank> with_spatial(const std::array<std::int64_t, Rank>& in,
                                            const std::array<std::int64_t, Rank - 2>& spatial) {
  std::array<std::int64_t, Rank> out = in;
  for (std::size_t axis = 2; axis < Rank; ++axis) out[axis] = spatial[axis - 2];
  return out;
}

template <std::size_t Rank>
std::array<std::int64_t, Rank> with_channels(const std::array<std::int64_t, Rank>& in, std::int64_t channels) {
  std::array<std::int64_t, Rank> out = in;
  out[1] = channels;
  return out;
}

template <std::size_t Rank>
std::array<std::int64_t, Rank> global_of(const std::array<std::int64_t, Rank>& in) {
  std::array<std::int64_t, Rank> out{};
  out.fill(1);
  out[0] = in[0];
  out[1] = in[1];
  return out;
}

// Sizes around every SIMD lane count L in {2, 4, 8, 16} (L - 1, L, L + 1,
// 2L + 1) and primes, as lengths of rows, planes and channel runs.
inline const std::vector<std::int64_t>& lane_sizes() {
  static const std::vector<std::int64_t> sizes{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 127, 257};
  return sizes;
}

// lane_sizes() and then `more`, for sweeps that also cross a kernel's block size.
inline std::vector<std::int64_t> lane_sizes_and(std::initializer_list<std::int64_t> more) {
  std::vector<std::int64_t> sizes = lane_sizes();
  sizes.insert(sizes.end(), more);
  return sizes;
}

// ---------------------------------------------------------------- errors

// Runs f, which must throw adapool::error; returns the message (or says what
// happened instead, so that a failed check shows it).
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const adapool::error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an adapool::error: ") + e.what() + ">";
  }
  return "<no error>";
}

// Whether `message` contains every one of `parts`.
inline testing::AssertionResult mentions(const std::string& message, std::initializer_list<std::string> parts) {
  for (const std::string& part : parts) {
    if (message.find(part) == std::string::npos) {
      return testing::AssertionFailure() << "message \"" << message << "\" does not mention \"" << part << "\"";
    }
  }
  return testing::AssertionSuccess() << message;
}

}  // namespace adapool_test
