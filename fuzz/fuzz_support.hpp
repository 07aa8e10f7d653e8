// SPDX-License-Identifier: MIT
#pragma once

// What the fuzz targets share: a reader that turns the fuzzer's bytes into
// choices, tensors placed in memory by a decoded layout (each in its own heap
// block of exactly the bytes it spans, so AddressSanitizer sees any stray
// access), values with NaN, infinities, denormals, ties and signed zeros, and
// the checks: results equal across instruction sets and to a plain reference,
// and a rejected call leaving every byte of every buffer as it was.
//
// Sizes are kept small (at most max_elements per tensor) so that one input
// runs in well under a millisecond and the fuzzer explores many of them.

#include <adapool/adapool.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

// The tests' specification supplies the windows of the plain loops, not
// adapool::window_begin: a reference computed by the code under test would
// agree with it when both are wrong.
#include "../tests/reference.hpp"

namespace fuzz {

// Elements per tensor in a valid case. Large enough to cross every block size
// of the kernels (column_block 256, sum_block and locate_run 1024).
inline constexpr std::int64_t max_elements = 1 << 12;

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\n*** adapool fuzz check failed: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------- bytes

class reader {
 public:
  reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  // The next byte, or 0 once the input is used up (so short inputs are valid).
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint32_t u16() { return static_cast<std::uint32_t>(byte()) | static_cast<std::uint32_t>(byte()) << 8; }
  std::uint32_t u32() { return u16() | u16() << 16; }
  bool flag() { return (byte() & 1) != 0; }
  // A number in [0, n).
  std::uint32_t below(std::uint32_t n) { return n <= 256 ? byte() % n : u16() % n; }

  // The bytes not read yet; values are drawn from them.
  const std::uint8_t* rest() const { return data_ + std::min(pos_, size_); }
  std::size_t remaining() const { return size_ - std::min(pos_, size_); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// A spatial size: mostly tiny (where the edge cases are), sometimes past the
// vector widths, now and then past the kernels' block sizes.
inline std::int64_t decode_size(reader& r) {
  const std::uint8_t b = r.byte();
  if (b < 160) return b % 8;
  if (b < 224) return 8 + b % 33;
  return 200 + (b % 32) * 30;  // 200 .. 1130
}

// An output size for an input size: equal, one, smaller, larger (windows
// overlap), zero.
inline std::int64_t decode_out_size(reader& r, std::int64_t in) {
  const std::uint8_t b = r.byte();
  switch (b % 8) {
    case 0:
      return in;
    case 1:
      return 1;
    case 2:
      return 0;
    case 3:
      return in + 1 + b / 8 % 4;
    case 4:
      return 2 * in + 1;
    case 5:
      return 257 + b / 8;  // more outputs than a window table holds
    default:
      return in == 0 ? b / 8 % 3 : 1 + (b / 8) % in;
  }
}

// ---------------------------------------------------------------- values

// The NaN payloads the values may carry; the fill pattern of buffers is none of them.
template <class T>
T nan_with(std::uint64_t payload, bool negative, bool quiet) {
  using bits_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr int mantissa = std::numeric_limits<T>::digits - 1;
  constexpr bits_t exponent = ((bits_t{1} << (sizeof(T) * 8 - 1 - mantissa)) - 1) << mantissa;
  const bits_t quiet_bit = bits_t{1} << (mantissa - 1);
  bits_t bits = exponent | (static_cast<bits_t>(payload) & (quiet_bit - 1));
  if (quiet) {
    bits |= quiet_bit;
  } else if ((bits & (quiet_bit - 1)) == 0) {
    bits |= 1;  // a signaling NaN needs a payload
  }
  if (negative) bits |= bits_t{1} << (sizeof(T) * 8 - 1);
  T value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// One value from two bytes. Finite values stay below 2^100 in magnitude, so no
// sum of max_elements of them overflows even in float: an overflow would make
// two correct summation orders disagree.
template <class T>
T decode_value(std::uint8_t kind, std::uint8_t b) {
  constexpr T inf = std::numeric_limits<T>::infinity();
  if (kind < 128) {
    // Few distinct mantissas, many exponents: ties, cancellation, spread.
    const int exponent = kind % 16 - 8;
    return std::ldexp(static_cast<T>(static_cast<int>(b) - 128), exponent);
  }
  if (kind < 192) return static_cast<T>(static_cast<int>(b % 5) - 2);  // heavy ties, signed zero via -0 * ..
  switch (kind % 20) {
    case 0:
      return T(0);
    case 1:
      return -T(0);
    case 2:
      return inf;
    case 3:
      return -inf;
    case 4:
      return nan_with<T>(0, false, true);
    case 5:
      return nan_with<T>(0, true, true);
    case 6:
      return nan_with<T>(b, (b & 1) != 0, true);
    case 7:
      return nan_with<T>(b, false, false);  // signaling
    case 8:
      return std::numeric_limits<T>::denorm_min();
    case 9:
      return -std::numeric_limits<T>::denorm_min();
    case 10:
      return std::numeric_limits<T>::denorm_min() * static_cast<T>(b + 1);
    case 11:
      return std::numeric_limits<T>::min() * (b & 1 ? T(-1) : T(1));
    case 12:
      return std::ldexp(T(1), 100) * (b & 1 ? T(-1) : T(1));
    case 13:
      return std::ldexp(T(1) + std::numeric_limits<T>::epsilon() * static_cast<T>(b), b % 40 - 20);
    case 14:
      return std::nextafter(T(1), T(2)) * (b & 1 ? T(-1) : T(1));
    default:
      return static_cast<T>(b % 3);
  }
}

// Values for `count` elements: the remaining input bytes in pairs, repeated
// (short inputs give periodic data, full of ties), or a generator seeded from
// them.
template <class T>
std::vector<T> decode_values(reader& r, std::int64_t count) {
  std::vector<T> values(static_cast<std::size_t>(count));
  const bool generated = r.byte() % 4 == 0;
  const std::uint8_t* bytes = r.rest();
  const std::size_t available = r.remaining();
  if (generated || available < 2) {
    std::uint64_t state = 0x9e3779b97f4a7c15u;
    for (std::size_t i = 0; i < std::min<std::size_t>(available, 16); ++i) state = (state ^ bytes[i]) * 0x100000001b3u;
    const std::uint8_t noise = available > 0 ? bytes[0] : 0;
    for (auto& v : values) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      const auto kind = static_cast<std::uint8_t>(state >> 56);
      // Mostly ordinary values; specials at a rate the first byte sets.
      const bool special = static_cast<std::uint8_t>(state >> 40) < noise / 4;
      v = decode_value<T>(special ? static_cast<std::uint8_t>(192 | kind) : static_cast<std::uint8_t>(kind & 127),
                          static_cast<std::uint8_t>(state >> 48));
    }
    return values;
  }
  const std::size_t pairs = available / 2;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::size_t at = (i % pairs) * 2;
    values[i] = decode_value<T>(bytes[at], bytes[at + 1]);
  }
  return values;
}

// ---------------------------------------------------------------- placement

// How a tensor sits in memory. Outputs use only the kinds that write each
// element once; inputs also broadcast (zero strides) and overlap.
enum class placement_kind : std::uint8_t {
  contiguous,     // NCHW strides
  channels_last,  // NHWC strides
  permuted,       // any axis order, padding on some axes
  flipped,        // permuted, then some strides negated
  broadcast,      // input only: flipped, then some strides zero
  overlapping,    // input only: small arbitrary strides, windows of memory overlap
};

template <std::size_t Rank>
using extents = std::array<std::int64_t, Rank>;

template <std::size_t Rank>
struct placement {
  placement_kind kind{};
  extents<Rank> shape{};
  extents<Rank> strides{};
};

template <std::size_t Rank>
extents<Rank> contiguous_strides(const extents<Rank>& shape, const std::array<std::size_t, Rank>& order,
                                 const extents<Rank>& pad) {
  extents<Rank> strides{};
  std::int64_t step = 1;
  for (std::size_t k = Rank; k-- > 0;) {
    strides[order[k]] = step;
    step *= std::max<std::int64_t>(shape[order[k]] + pad[order[k]], 1);
  }
  return strides;
}

template <std::size_t Rank>
placement<Rank> decode_placement(reader& r, const extents<Rank>& shape, bool is_input) {
  placement<Rank> p;
  p.shape = shape;
  const std::uint8_t b = r.byte();
  p.kind = static_cast<placement_kind>(b % (is_input ? 6 : 4));
  std::array<std::size_t, Rank> order{};
  for (std::size_t axis = 0; axis < Rank; ++axis) order[axis] = axis;
  extents<Rank> pad{};
  switch (p.kind) {
    case placement_kind::contiguous:
      break;
    case placement_kind::channels_last:
      for (std::size_t k = 1; k + 1 < Rank; ++k) order[k] = k + 1;
      order[Rank - 1] = 1;
      break;
    default:
      // A random axis order (Fisher-Yates from the bytes) and per-axis padding.
      for (std::size_t k = Rank; k > 1; --k) std::swap(order[k - 1], order[r.below(static_cast<std::uint32_t>(k))]);
      for (auto& extra : pad) extra = r.byte() % 4 == 0 ? r.byte() % 3 : 0;
      break;
  }
  p.strides = contiguous_strides(shape, order, pad);
  if (p.kind == placement_kind::flipped || p.kind == placement_kind::broadcast) {
    const std::uint8_t flips = r.byte();
    for (std::size_t axis = 0; axis < Rank; ++axis)
      if (flips >> axis & 1) p.strides[axis] = -p.strides[axis];
  }
  if (p.kind == placement_kind::broadcast) {
    const std::uint8_t zeros = r.byte();
    for (std::size_t axis = 0; axis < Rank; ++axis)
      if (zeros >> axis & 1) p.strides[axis] = 0;
  }
  if (p.kind == placement_kind::overlapping) {
    for (auto& s : p.strides) s = static_cast<std::int64_t>(r.byte() % 7) - 3;
  }
  return p;
}

// Lowest and one-past-highest element offset a view reaches, relative to its
// element (0, 0, ...); {0, 0} when it has no elements. False when the sizes
// are not small enough to allocate (the invalid cases build such views).
template <std::size_t Rank>
bool element_span(const extents<Rank>& shape, const extents<Rank>& strides, std::int64_t* low, std::int64_t* high) {
  *low = *high = 0;
  for (std::int64_t s : shape) {
    if (s < 0) return false;
    if (s == 0) return true;
  }
  std::int64_t lo = 0, hi = 0;
  for (std::size_t axis = 0; axis < Rank; ++axis) {
    if (shape[axis] > (std::int64_t{1} << 24) || strides[axis] > (std::int64_t{1} << 24) ||
        strides[axis] < -(std::int64_t{1} << 24)) {
      return false;
    }
    const std::int64_t reach = strides[axis] * (shape[axis] - 1);
    (reach < 0 ? lo : hi) += reach;
  }
  if (hi - lo >= (std::int64_t{1} << 26)) return false;
  *low = lo;
  *high = hi + 1;
  return true;
}

// Heap memory of exactly the bytes asked for, filled with a pattern; views
// point into it. Several views may share one (the overlap cases).
struct memory {
  std::vector<unsigned char> bytes;

  explicit memory(std::size_t size) : bytes(size, 0xA5) {}
  template <class T>
  T* at(std::int64_t byte_offset) {
    return reinterpret_cast<T*>(bytes.data() + byte_offset);
  }
};

// Calls f(i, offset) for the i-th element of the view in logical row-major order.
template <std::size_t Rank, class F>
void for_each_offset(const extents<Rank>& shape, const extents<Rank>& strides, F f) {
  std::int64_t count = 1;
  for (std::int64_t s : shape) count *= s;
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t rest = i, offset = 0;
    for (std::size_t axis = Rank; axis-- > 0;) {
      offset += (rest % shape[axis]) * strides[axis];
      rest /= shape[axis];
    }
    f(i, offset);
  }
}

template <class T, std::size_t Rank>
std::vector<T> read_logical(const T* origin, const extents<Rank>& shape, const extents<Rank>& strides) {
  std::int64_t count = 1;
  for (std::int64_t s : shape) count *= s;
  std::vector<T> values(static_cast<std::size_t>(count));
  for_each_offset(shape, strides, [&](std::int64_t i, std::int64_t offset) {
    std::memcpy(&values[static_cast<std::size_t>(i)], origin + offset, sizeof(T));
  });
  return values;
}

template <class T, std::size_t Rank>
void write_logical(T* origin, const extents<Rank>& shape, const extents<Rank>& strides, const std::vector<T>& values) {
  for_each_offset(shape, strides, [&](std::int64_t i, std::int64_t offset) {
    std::memcpy(origin + offset, &values[static_cast<std::size_t>(i)], sizeof(T));
  });
}

// True when every byte of `now` outside the view's elements equals `before`.
template <class T, std::size_t Rank>
bool margin_untouched(const memory& before, const memory& now, std::int64_t origin_byte, const extents<Rank>& shape,
                      const extents<Rank>& strides) {
  std::vector<bool> covered(now.bytes.size());
  for_each_offset(shape, strides, [&](std::int64_t, std::int64_t offset) {
    const auto first = static_cast<std::size_t>(origin_byte + offset * static_cast<std::int64_t>(sizeof(T)));
    for (std::size_t k = 0; k < sizeof(T); ++k) covered[first + k] = true;
  });
  for (std::size_t i = 0; i < now.bytes.size(); ++i)
    if (!covered[i] && now.bytes[i] != before.bytes[i]) return false;
  return true;
}

// A tensor of its own: the memory it spans and the view's parameters.
template <class T, std::size_t Rank>
struct placed {
  extents<Rank> shape{};
  extents<Rank> strides{};
  memory mem{0};
  std::int64_t origin_byte = 0;  // where element (0, 0, ...) is

  placed() = default;
  explicit placed(const placement<Rank>& p) : shape(p.shape), strides(p.strides) {
    std::int64_t low = 0, high = 0;
    if (!element_span(shape, strides, &low, &high)) fail("placed: a valid case with an unallocatable view");
    mem = memory(static_cast<std::size_t>(high - low) * sizeof(T));
    origin_byte = -low * static_cast<std::int64_t>(sizeof(T));
  }
  T* data() { return mem.bytes.empty() ? nullptr : mem.at<T>(origin_byte); }
  std::vector<T> logical() const {
    return read_logical(reinterpret_cast<const T*>(mem.bytes.data() + origin_byte), shape, strides);
  }
  void assign(const std::vector<T>& values) { write_logical(data(), shape, strides, values); }
};

// ---------------------------------------------------------------- views

// A view of type Layout over (data, shape, strides): typed views take their
// strides from the shape, so callers only pass matching placements.
template <class Layout, class T, std::size_t Rank>
adapool::tensor_view<T, Rank, Layout> make_view(T* data, const extents<Rank>& shape, const extents<Rank>& strides) {
  if constexpr (std::is_same_v<Layout, adapool::strided>) {
    return {data, shape, strides};
  } else {
    return {data, shape};
  }
}

// Which view type a placement may be passed as (besides strided, always allowed).
template <class Layout>
constexpr bool typed_matches(placement_kind kind) {
  if constexpr (std::is_same_v<Layout, adapool::contiguous>) {
    return kind == placement_kind::contiguous;
  } else if constexpr (std::is_same_v<Layout, adapool::channels_last>) {
    return kind == placement_kind::channels_last;
  } else {
    return true;
  }
}

// ---------------------------------------------------------------- comparison

template <class T>
auto bits_of(T v) {
  std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t> bits;
  std::memcpy(&bits, &v, sizeof v);
  return bits;
}

template <class T>
bool same_bits(T a, T b) {
  return bits_of(a) == bits_of(b);
}

// A computed result (a sum, a mean): the same bits, or NaN in both. Which NaN
// payload a sum carries follows its operand order, which compilers may swap;
// maxima select an input element and are compared with same_bits.
template <class T>
bool same_result(T a, T b) {
  return same_bits(a, b) || (std::isnan(a) && std::isnan(b));
}

template <class T>
std::string describe(T v) {
  char text[96];
  std::snprintf(text, sizeof text, "%.17g (bits 0x%llx)", static_cast<double>(v),
                static_cast<unsigned long long>(bits_of(v)));
  return text;
}

// The tolerance of averages between instruction sets and against the double
// reference: 1e-5 of the largest input magnitude (a sum's rounding scales with
// its terms, not with its result), plus the float resolution near zero.
template <class T>
bool average_close(T got, double want, double scale) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return static_cast<double>(got) == want;
  if (!std::isfinite(got)) return false;
  const double slack = 1e-5 * scale + static_cast<double>(std::numeric_limits<T>::denorm_min());
  return std::abs(static_cast<double>(got) - want) <= slack;
}

template <class T>
double largest_finite_magnitude(const std::vector<T>& values) {
  double m = 0;
  for (T v : values)
    if (std::isfinite(v)) m = std::max(m, std::abs(static_cast<double>(v)));
  return m;
}

template <std::size_t Rank>
std::string shape_text(const extents<Rank>& shape) {
  std::string text = "[";
  for (std::size_t axis = 0; axis < Rank; ++axis) text += (axis ? ", " : "") + std::to_string(shape[axis]);
  return text + "]";
}

// Runs a call that must be rejected: it must throw adapool::error naming `op`
// and leave every byte of `buffers` as it was.
template <class Call>
void expect_rejected(const char* op, const std::string& what, std::vector<memory*> buffers, Call call) {
  std::vector<memory> before;
  before.reserve(buffers.size());
  for (const memory* m : buffers) before.push_back(*m);
  bool thrown = false;
  try {
    call();
  } catch (const adapool::error& e) {
    thrown = true;
    const std::string message = e.what();
    if (message.rfind(std::string(op) + ": ", 0) != 0)
      fail(std::string(op) + " (" + what + "): message does not start with the operation: " + message);
  } catch (const std::exception& e) {
    fail(std::string(op) + " (" + what + "): threw something other than adapool::error: " + e.what());
  }
  if (!thrown) fail(std::string(op) + " (" + what + "): accepted, expected adapool::error");
  for (std::size_t k = 0; k < buffers.size(); ++k) {
    if (buffers[k]->bytes != before[k].bytes)
      fail(std::string(op) + " (" + what + "): rejected, but memory was written");
  }
}

// Runs a call that must be accepted.
template <class Call>
void expect_accepted(const char* op, const std::string& what, Call call) {
  try {
    call();
  } catch (const std::exception& e) {
    fail(std::string(op) + " (" + what + "): rejected a valid call: " + e.what());
  }
}

// ---------------------------------------------------------------- cases

template <std::size_t Rank>
std::int64_t count_of(const extents<Rank>& s) {
  std::int64_t count = 1;
  for (std::int64_t v : s) count *= v;
  return count;
}

// Halves the largest of the sizes `axes` selects (bit k: axis k) until the
// tensor is small enough, counting sizes of 0 as 1: loops over the other axes
// still run (in the reference, at least).
template <std::size_t Rank>
void bound(extents<Rank>& s, unsigned axes, std::int64_t limit = max_elements) {
  const auto work = [&] {
    std::int64_t count = 1;
    for (std::int64_t v : s) count *= std::max<std::int64_t>(v, 1);
    return count;
  };
  while (work() > limit) {
    std::size_t largest = Rank;
    for (std::size_t axis = 0; axis < Rank; ++axis)
      if (axes >> axis & 1 && (largest == Rank || s[axis] > s[largest])) largest = axis;
    if (largest == Rank || s[largest] <= 1) return;  // nothing left to shrink
    s[largest] /= 2;
  }
}

// A placement the view type `Layout` can describe.
template <class Layout, std::size_t Rank>
placement<Rank> place_as(reader& r, const extents<Rank>& shape, bool is_input) {
  placement<Rank> p = decode_placement(r, shape, is_input);
  if constexpr (!std::is_same_v<Layout, adapool::strided>) {
    p.kind = std::is_same_v<Layout, adapool::contiguous> ? placement_kind::contiguous : placement_kind::channels_last;
    p.strides = Layout::strides_for(shape);
  }
  return p;
}

// What tests/reference.hpp computes for every output element, in logical order.
template <class T>
struct reference_result {
  std::vector<T> max;
  std::vector<std::int64_t> index;
  std::vector<double> mean;
};

// Adaptive pooling of x (logical order) from in_shape to out_shape: max, its
// in-plane index and mean of every window.
template <class T, std::size_t Rank>
reference_result<T> spatial_reference(const std::vector<T>& x, const std::array<std::int64_t, Rank>& in_shape,
                                      const std::array<std::int64_t, Rank>& out_shape) {
  const reference::shape in(in_shape.begin(), in_shape.end()), out(out_shape.begin(), out_shape.end());
  reference::max_result<T> max = reference::adaptive_max(x, in, out);
  return {std::move(max.values), std::move(max.indices), reference::adaptive_avg(x, in, out)};
}

// Channel pooling of x to out_channels: max, its channel and mean of every window of channels.
template <class T, std::size_t Rank>
reference_result<T> channel_reference(const std::vector<T>& x, const std::array<std::int64_t, Rank>& in_shape,
                                      std::int64_t out_channels) {
  const reference::shape in(in_shape.begin(), in_shape.end());
  reference::max_result<T> max = reference::channel_max(x, in, out_channels);
  return {std::move(max.values), std::move(max.indices), reference::channel_avg(x, in, out_channels)};
}

// What one operation is, for the shared checks.
struct op_info {
  std::string name;
  bool is_max = false;
  bool indices = false;
  bool global = false;       // output sizes of the pooled axes must be 1
  std::string local_name;    // the name of the same op with `global` off
  unsigned pooled_axes = 0;  // bit k: axis k is pooled (its size may differ between input and output)
  // A backward pass: `in` is grad_in (written), `out` grad_out and `idx` the
  // indices (both read), so only `in` must not repeat or overlap the others.
  bool backward = false;
};

// A valid case: input, output and indices placements (the indices placed like
// an output, used only by ops with indices).
template <std::size_t Rank>
struct case_layout {
  placement<Rank> in, out, idx;
  std::string what() const { return "input " + shape_text(in.shape) + " output " + shape_text(out.shape); }
};

// Runs a valid case through the default instruction set and the scalar path and
// checks them against each other and against `reference` (a function of the
// input's logical values). `call(arch_tag, op, in, out, idx)` runs the operation.
template <class T, std::size_t Rank, class LIn, class LOut, class Call, class Reference>
void check_valid(reader& r, const op_info& op, const case_layout<Rank>& layout, Call call, Reference reference) {
  const std::string context = op.name + " " + layout.what();
  const auto failed = [&](const std::string& message) { fail(context + ": " + message); };
  placed<T, Rank> in(layout.in);
  in.assign(decode_values<T>(r, count_of(layout.in.shape)));
  const std::vector<T> x = in.logical();  // with overlapping placements, what memory holds
  const double scale = largest_finite_magnitude(x);
  const memory in_before = in.mem;
  const reference_result<T> ref = reference(x);

  placed<T, Rank> out_default(layout.out), out_scalar(layout.out);
  placed<std::int64_t, Rank> idx_default(layout.idx), idx_scalar(layout.idx);
  const memory out_before = out_default.mem, idx_before = idx_default.mem;
  const auto in_view = make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  expect_accepted(op.name.c_str(), layout.what(), [&] {
    call(adapool::default_arch{}, op, in_view,
         make_view<LOut>(out_default.data(), out_default.shape, out_default.strides),
         make_view<LOut>(idx_default.data(), idx_default.shape, idx_default.strides));
    call(adapool::simd::scalar{}, op, in_view, make_view<LOut>(out_scalar.data(), out_scalar.shape, out_scalar.strides),
         make_view<LOut>(idx_scalar.data(), idx_scalar.shape, idx_scalar.strides));
  });
  if (in.mem.bytes != in_before.bytes) failed("wrote to its input");
  for (auto* p : {&out_default, &out_scalar}) {
    if (!margin_untouched<T>(out_before, p->mem, p->origin_byte, p->shape, p->strides))
      failed("wrote outside its output view");
  }
  for (auto* p : {&idx_default, &idx_scalar}) {
    if (!margin_untouched<std::int64_t>(idx_before, p->mem, p->origin_byte, p->shape, p->strides))
      failed("wrote outside its indices view");
  }
  const std::vector<T> got_default = out_default.logical(), got_scalar = out_scalar.logical();
  const std::vector<std::int64_t> at_default = idx_default.logical(), at_scalar = idx_scalar.logical();
  for (std::size_t i = 0; i < got_default.size(); ++i) {
    const std::string where = " at output element " + std::to_string(i);
    if (op.is_max) {
      if (!same_bits(got_default[i], ref.max[i]) || !same_bits(got_scalar[i], ref.max[i]))
        failed("max" + where + ": default " + describe(got_default[i]) + ", scalar " + describe(got_scalar[i]) +
               ", reference " + describe(ref.max[i]));
      if (op.indices && (at_default[i] != ref.index[i] || at_scalar[i] != ref.index[i]))
        failed("index" + where + ": default " + std::to_string(at_default[i]) + ", scalar " +
               std::to_string(at_scalar[i]) + ", reference " + std::to_string(ref.index[i]));
    } else if (!average_close(got_default[i], ref.mean[i], scale) ||
               !average_close(got_scalar[i], ref.mean[i], scale) ||
               !average_close(got_default[i], static_cast<double>(got_scalar[i]), scale)) {
      failed("average" + where + ": default " + describe(got_default[i]) + ", scalar " + describe(got_scalar[i]) +
             ", reference " + describe(ref.mean[i]));
    }
  }
}

// ---------------------------------------------------------------- invalid cases

// Changes that each make a valid case invalid.
enum class mutation : std::uint8_t {
  size_mismatch,    // the output differs from the input on an axis that is not pooled
  global_size,      // a global op with an output size other than 1
  indices_shape,    // indices not shaped as the output
  negative_size,    // a negative size in some view
  null_data,        // a null pointer with a non-zero size
  output_repeats,   // an output stride that writes an element twice
  indices_repeats,  // the same for indices
  output_on_input,  // output memory overlaps the input
  indices_on_data,  // indices memory overlaps the output or the input
  empty_input,      // a pooled input size of 0 with a non-empty output
  count_overflow,   // an element count past int64_t
  offset_overflow,  // a stride whose offsets pass int64_t
  window_overflow,  // input size x output size past int64_t on a pooled axis
  count
};

template <std::size_t Rank>
bool has_axis_of_two(const extents<Rank>& s, std::size_t* axis) {
  for (std::size_t a = 0; a < Rank; ++a) {
    if (s[a] >= 2) {
      *axis = a;
      return true;
    }
  }
  return false;
}

// Memory for a view of a call that must fail before touching it: the bytes the
// view spans when that is small, else a few elements, so ASan sees any access.
template <class T, std::size_t Rank>
T* memory_for(memory& m, const extents<Rank>& shape, const extents<Rank>& strides) {
  std::int64_t low = 0, high = 0;
  if (element_span(shape, strides, &low, &high)) {
    m = memory(static_cast<std::size_t>(high - low) * sizeof(T));
    return m.bytes.empty() ? nullptr : m.at<T>(-low * static_cast<std::int64_t>(sizeof(T)));
  }
  m = memory(4 * sizeof(T));
  return m.at<T>(0);
}

// Makes a valid case invalid in one way chosen by the input, then checks that
// both instruction sets reject it without writing anything. `call(arch_tag,
// op, in, out, idx)` runs the operation; it may be asked to run a non-global
// variant (op.global false) for the window overflow.
template <class T, std::size_t Rank, class LIn, class LOut, class Call>
void check_invalid(reader& r, op_info op, case_layout<Rank> layout, Call call) {
  constexpr bool in_strided = std::is_same_v<LIn, adapool::strided>;
  constexpr bool out_strided = std::is_same_v<LOut, adapool::strided>;
  auto m = static_cast<mutation>(r.byte() % static_cast<int>(mutation::count));
  const std::uint8_t b = r.byte();
  extents<Rank> in_shape = layout.in.shape, out_shape = layout.out.shape, idx_shape = layout.out.shape;
  extents<Rank> in_strides = layout.in.strides, out_strides = layout.out.strides, idx_strides = layout.idx.strides;
  std::vector<std::size_t> pooled, matched;
  for (std::size_t a = 0; a < Rank; ++a) (op.pooled_axes >> a & 1 ? pooled : matched).push_back(a);

  // Mutations that do not apply to this op or these views become a size mismatch.
  std::size_t axis = 0;
  if (m == mutation::global_size && !op.global) m = mutation::size_mismatch;
  if ((m == mutation::indices_shape || m == mutation::indices_repeats) && !op.indices) m = mutation::size_mismatch;
  // Writing an element twice needs an output with elements, one axis of them at least two.
  // A backward pass writes only grad_in (`in`): both mutations repeat its elements.
  if (op.backward && (m == mutation::output_repeats || m == mutation::indices_repeats) &&
      (!in_strided || count_of(in_shape) == 0 || !has_axis_of_two(in_shape, &axis))) {
    m = mutation::size_mismatch;
  } else if (!op.backward && (m == mutation::output_repeats || m == mutation::indices_repeats) &&
             (!out_strided || count_of(out_shape) == 0 || !has_axis_of_two(out_shape, &axis))) {
    m = mutation::size_mismatch;
  }
  // Huge views with chosen strides need a strided input.
  if ((m == mutation::offset_overflow || m == mutation::count_overflow || m == mutation::window_overflow) &&
      !in_strided) {
    m = mutation::negative_size;
  }
  const auto restride = [&] {
    if constexpr (!in_strided) in_strides = LIn::strides_for(in_shape);
    if constexpr (!out_strided) {
      out_strides = LOut::strides_for(out_shape);
      idx_strides = LOut::strides_for(idx_shape);
    }
  };
  enum { none, input, output, indices } nulled = none;
  bool share_output_with_input = false, share_indices = false;
  std::string what;

  switch (m) {
    case mutation::size_mismatch:
    case mutation::count: {
      const std::size_t at = matched[b % matched.size()];
      out_shape[at] = in_shape[at] > 0 && b & 0x80 ? b & 0x40 ? 0 : in_shape[at] - 1 : in_shape[at] + 1 + b / 8 % 3;
      idx_shape = out_shape;
      what = "output size differs on axis " + std::to_string(at);
      break;
    }
    case mutation::global_size:
      out_shape[pooled[b % pooled.size()]] = b & 0x80 ? 0 : 2 + b / 8 % 5;
      idx_shape = out_shape;
      what = "global output size not 1";
      break;
    case mutation::indices_shape:
      idx_shape[b % Rank] += 1 + b / 8 % 2;
      what = "indices shape differs";
      break;
    case mutation::negative_size: {
      const std::int64_t negative = -1 - b / 32 % 4;
      const unsigned which = b % 3;
      const std::size_t at = b / 3 % Rank;
      if (which == 2 && op.indices) {
        idx_shape[at] = negative;
      } else if (which == 1) {
        out_shape[at] = negative;
        idx_shape = out_shape;
      } else {
        in_shape[at] = negative;
      }
      what = "a negative size";
      break;
    }
    case mutation::null_data:
      if (b % 3 == 0 && count_of(in_shape) > 0) {
        nulled = input;
      } else if (b % 3 == 2 && op.indices && count_of(idx_shape) > 0) {
        nulled = indices;
      } else if (count_of(out_shape) > 0) {
        nulled = output;
      } else {
        out_shape[0] = in_shape[0] + 1;  // nothing to null: a mismatch instead
        idx_shape = out_shape;
      }
      what = "null data";
      break;
    case mutation::output_repeats:
    case mutation::indices_repeats: {
      extents<Rank>& strides = op.backward ? in_strides : m == mutation::output_repeats ? out_strides : idx_strides;
      const extents<Rank>& shape = op.backward ? in_shape : out_shape;
      // Zero, or the stride of another axis of size >= 2 (two axes step alike).
      strides[axis] = 0;
      for (std::size_t other = 0; other < Rank; ++other)
        if (b % 2 && other != axis && shape[other] >= 2) strides[axis] = strides[other];
      what = op.backward                     ? "grad_in writes an element twice"
             : m == mutation::output_repeats ? "output writes an element twice"
                                             : "indices write an element twice";
      break;
    }
    case mutation::output_on_input:
      share_output_with_input = true;
      what = "output overlaps input";
      break;
    case mutation::indices_on_data:
      share_indices = op.indices;
      share_output_with_input = !op.indices;
      what = op.indices ? "indices overlap" : "output overlaps input";
      break;
    case mutation::empty_input: {
      const std::size_t at = pooled[b % pooled.size()];
      // Every other size at least 1 (matched in and out), the output non-empty.
      for (std::size_t a = 0; a < Rank; ++a) {
        if (a == at) continue;
        in_shape[a] = std::max<std::int64_t>(in_shape[a], 1);
        out_shape[a] = op.pooled_axes >> a & 1 ? std::max<std::int64_t>(out_shape[a], 1) : in_shape[a];
      }
      in_shape[at] = 0;
      out_shape[at] = op.global ? 1 : 1 + b / 8 % 3;
      idx_shape = out_shape;
      what = "empty input on a pooled axis";
      break;
    }
    case mutation::count_overflow:
      // Each size alone is fine; their product is not.
      in_shape[0] = std::int64_t{1} << (32 + b % 8);
      in_shape[Rank - 1] = std::int64_t{1} << (32 + b / 8 % 8);
      in_strides.fill(0);
      what = "element count overflows";
      break;
    case mutation::offset_overflow: {
      // Offsets are checked only for a view with elements.
      for (std::size_t a = 0; a < Rank; ++a) {
        in_shape[a] = std::max<std::int64_t>(in_shape[a], 1);
        if (!(op.pooled_axes >> a & 1)) out_shape[a] = in_shape[a];
      }
      const std::size_t at = b % Rank;
      in_strides[at] = (b & 0x80 ? -1 : 1) * (std::int64_t{1} << 62);
      in_shape[at] = std::max<std::int64_t>(in_shape[at], 3);
      if (!(op.pooled_axes >> at & 1)) out_shape[at] = in_shape[at];
      idx_shape = out_shape;
      what = "offsets overflow";
      break;
    }
    case mutation::window_overflow: {
      // A huge input read through stride 0 and a huge output on one pooled
      // axis: each element count fits, the product of the sizes does not.
      const std::size_t at = pooled.back();
      in_shape.fill(1);
      out_shape.fill(1);
      in_shape[at] = std::int64_t{1} << (40 + b % 8);
      out_shape[at] = std::int64_t{1} << (24 + b / 8 % 4);
      if (op.global) {
        op.global = false;
        op.name = op.local_name;
      }
      in_strides.fill(0);
      out_strides = adapool::contiguous::strides_for(out_shape);
      idx_shape = out_shape;
      idx_strides = out_strides;
      what = "window arithmetic overflows";
      break;
    }
  }
  restride();

  // Memory: each view its own block, except the views made to share one.
  memory in_mem(0), out_mem(0), idx_mem(0);
  T* in_data = memory_for<T>(in_mem, in_shape, in_strides);
  T* out_data = memory_for<T>(out_mem, out_shape, out_strides);
  std::int64_t* idx_data = memory_for<std::int64_t>(idx_mem, idx_shape, idx_strides);
  std::int64_t low = 0, high = 0;
  if (element_span(in_shape, in_strides, &low, &high) && high > low)
    write_logical(in_data, in_shape, in_strides, decode_values<T>(r, count_of(in_shape)));
  if (share_output_with_input || share_indices) {
    // One block holding the first view with room on both sides; the second
    // view placed so that one of its elements covers a byte of one of the
    // first view's elements (interleaved views that share nothing are valid).
    // grad_out and indices may share memory (both are read): a backward pass
    // overlaps one of them with grad_in.
    const bool with_input = share_output_with_input || b % 2 == 0 || op.backward;
    const extents<Rank>& first_shape = with_input ? in_shape : out_shape;
    const extents<Rank>& first_strides = with_input ? in_strides : out_strides;
    const extents<Rank>& second_shape = share_output_with_input ? out_shape : idx_shape;
    const extents<Rank>& second_strides = share_output_with_input ? out_strides : idx_strides;
    std::int64_t first_low = 0, first_high = 0, second_low = 0, second_high = 0;
    const bool spans = element_span(first_shape, first_strides, &first_low, &first_high) &&
                       element_span(second_shape, second_strides, &second_low, &second_high);
    const auto element = static_cast<std::int64_t>(sizeof(T));
    const std::int64_t second_size = share_output_with_input ? element : std::int64_t{sizeof(std::int64_t)};
    const std::int64_t first_bytes = (first_high - first_low) * element;
    const std::int64_t second_bytes = (second_high - second_low) * second_size;
    if (!spans || first_bytes == 0 || second_bytes == 0) {
      // Nothing to overlap (an empty view): a mismatch instead.
      out_shape[0] = in_shape[0] + 1;
      idx_shape = out_shape;
      restride();
      out_data = memory_for<T>(out_mem, out_shape, out_strides);
      idx_data = memory_for<std::int64_t>(idx_mem, idx_shape, idx_strides);
      what = "output batch differs";
    } else {
      // Byte layout: [second_bytes][first view][second_bytes], 8-aligned.
      const std::int64_t margin = (second_bytes + 7) / 8 * 8;
      memory shared(static_cast<std::size_t>(2 * margin + first_bytes + 8));
      const std::int64_t first_origin = margin - first_low * element;
      // Element `i` of the first view and element `k` of the second share a byte.
      std::vector<std::int64_t> first_offsets, second_offsets;
      for_each_offset(first_shape, first_strides, [&](std::int64_t, std::int64_t o) { first_offsets.push_back(o); });
      for_each_offset(second_shape, second_strides, [&](std::int64_t, std::int64_t o) { second_offsets.push_back(o); });
      const std::int64_t meet = first_origin + first_offsets[r.u16() % first_offsets.size()] * element;
      const std::int64_t second_origin =
          meet - meet % second_size - second_offsets[r.u16() % second_offsets.size()] * second_size;
      if (with_input) {
        in_mem = shared;
        in_data = in_mem.at<T>(first_origin);
        write_logical(in_data, in_shape, in_strides, decode_values<T>(r, count_of(in_shape)));
        if (share_output_with_input) {
          out_data = in_mem.at<T>(second_origin);
        } else {
          idx_data = in_mem.at<std::int64_t>(second_origin);
        }
      } else {
        out_mem = shared;
        out_data = out_mem.at<T>(first_origin);
        idx_data = out_mem.at<std::int64_t>(second_origin);
      }
    }
  }
  if (nulled == input) in_data = nullptr;
  if (nulled == output) out_data = nullptr;
  if (nulled == indices) idx_data = nullptr;

  const auto in = make_view<LIn>(static_cast<const T*>(in_data), in_shape, in_strides);
  const auto out = make_view<LOut>(out_data, out_shape, out_strides);
  const auto idx = make_view<LOut>(idx_data, idx_shape, idx_strides);
  const std::vector<memory*> buffers{&in_mem, &out_mem, &idx_mem};
  const std::string context = what + ", input " + shape_text(in_shape) + " output " + shape_text(out_shape);
  expect_rejected(op.name.c_str(), context, buffers, [&] { call(adapool::default_arch{}, op, in, out, idx); });
  expect_rejected(op.name.c_str(), context, buffers, [&] { call(adapool::simd::scalar{}, op, in, out, idx); });
}

// ---------------------------------------------------------------- entry point

// The element type, rank and view types of a case, handed to a generic lambda
// as one value (C++17 lambdas take no template parameters).
template <class T, std::size_t Rank, class LIn, class LOut>
struct case_types {
  using element = T;
  static constexpr std::size_t rank = Rank;
  using in_layout = LIn;
  using out_layout = LOut;
};

// Typed views take their strides from the shape; strided views carry any
// placement, contiguous and channels-last ones included.
template <class T, std::size_t Rank, class Run>
void run_layouts(reader& r, std::uint8_t choice, Run& run) {
  switch (choice % 3) {
    case 0:
      return run(r, case_types<T, Rank, adapool::contiguous, adapool::contiguous>{});
    case 1:
      return run(r, case_types<T, Rank, adapool::channels_last, adapool::strided>{});
    default:
      return run(r, case_types<T, Rank, adapool::strided, adapool::strided>{});
  }
}

template <class T, class Run>
void run_rank(reader& r, std::uint8_t header, Run& run) {
  const auto layouts = static_cast<std::uint8_t>(header / 6);
  switch (header % 3) {
    case 0:
      return run_layouts<T, 3>(r, layouts, run);
    case 1:
      return run_layouts<T, 4>(r, layouts, run);
    default:
      return run_layouts<T, 5>(r, layouts, run);
  }
}

// LLVMFuzzerTestOneInput of the float and double targets: the first byte
// chooses float or double, the rank and the view types, and `run(r, types)`
// decodes the rest of the case. Every target reads that byte alike, so a
// change here changes what every committed input means.
template <class Run>
int run_input(const std::uint8_t* data, std::size_t size, Run run) {
  reader r(data, size);
  const std::uint8_t header = r.byte();
  if (header / 3 % 2) {
    run_rank<double>(r, header, run);
  } else {
    run_rank<float>(r, header, run);
  }
  return 0;
}

}  // namespace fuzz
