// SPDX-License-Identifier: MIT
// libFuzzer target: the narrow element types (float16, bfloat16, int8_t,
// uint8_t) through adaptive average and max pooling (with indices) and channel
// average and max pooling (with channel indices), ranks 3 to 5, any placement
// of input and output in memory, element bits straight from the input (every
// NaN payload, subnormals, infinities). The default instruction set and the
// scalar path must both give: maxima and indices of the plain loops below, bit
// for bit; byte means exactly rounded half to even; float16 and bfloat16 means
// that are float's rounding of the exact mean give or take the float
// summation's error bound. Argument checks are the float path's own code,
// fuzzed by the other targets.

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using adapool::bfloat16;
using adapool::float16;
using fuzz::extents;
using fuzz::placed;

template <class T>
double value_of(T v) {
  if constexpr (adapool::detail::is_half_type<T>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

template <class T>
std::uint32_t bits_of(T v) {
  if constexpr (adapool::detail::is_half_type<T>) {
    return v.bits;
  } else {
    return static_cast<std::uint8_t>(v);
  }
}

template <class T>
std::string describe(T v) {
  char bits[16];
  std::snprintf(bits, sizeof bits, "%x", bits_of(v));
  return std::to_string(value_of(v)) + " (bits 0x" + bits + ")";
}

// One element from the input bytes. bfloat16 exponents above 2^100 are folded
// down, so that no float sum of a window overflows where the exact sum does not.
template <class T>
T decode_element(fuzz::reader& r) {
  if constexpr (std::is_same_v<T, float16>) {
    return float16::from_bits(static_cast<std::uint16_t>(r.u16()));
  } else if constexpr (std::is_same_v<T, bfloat16>) {
    auto bits = static_cast<std::uint16_t>(r.u16());
    const unsigned exponent = bits >> 7 & 0xffu;
    if (exponent > 227 && exponent < 255) bits = static_cast<std::uint16_t>(bits - (100u << 7));
    return bfloat16::from_bits(bits);
  } else {
    return static_cast<T>(r.byte());
  }
}

// The window of output i along an axis.
struct span {
  std::int64_t begin, end;
};
span window_of(std::int64_t i, std::int64_t in, std::int64_t out) {
  return {reference::window_start(i, in, out), reference::window_stop(i, in, out)};
}

// One pooled value's window as the list of (logical input offset, position).
using window_elements = std::vector<std::pair<std::int64_t, std::int64_t>>;

template <class T>
struct expectation {
  bool ok;
  std::string want;
};

// Whether `got` is an acceptable mean of the elements.
template <class T>
expectation<T> check_mean(T got, const std::vector<T>& x, const window_elements& window) {
  double sum = 0, magnitude = 0;
  bool nan = false;
  double inf_sign = 0;
  bool both_infs = false;
  for (const auto& [offset, position] : window) {
    static_cast<void>(position);
    const double v = value_of(x[static_cast<std::size_t>(offset)]);
    if (std::isnan(v)) {
      nan = true;
    } else if (std::isinf(v)) {
      if (inf_sign != 0 && inf_sign != v) both_infs = true;
      inf_sign = v;
    } else {
      sum += v;
      magnitude += std::abs(v);
    }
  }
  const auto n = static_cast<double>(window.size());
  const double g = value_of(got);
  if (nan || both_infs) return {std::isnan(g), "NaN"};
  if (inf_sign != 0) return {g == inf_sign, std::to_string(inf_sign)};
  const double mean = sum / n;
  if constexpr (adapool::detail::is_byte_type<T>) {
    const double want = std::nearbyint(mean);  // sums are exact in double; ties are exact .5
    return {g == want, std::to_string(want)};
  } else {
    // Blocks of at most 256 float additions: each block's error is within
    // 256 * 2^-24 of its absolute sum, so the mean's within 2^-16 of the mean
    // magnitude. Any T between the roundings of the interval's ends is right.
    const double slack = std::ldexp(magnitude / n, -16);
    const double low = static_cast<float>(T(static_cast<float>(mean - slack)));
    const double high = static_cast<float>(T(static_cast<float>(mean + slack)));
    return {g >= low && g <= high, "[" + std::to_string(low) + ", " + std::to_string(high) + "]"};
  }
}

// PyTorch's max rule over the window, in scan order: the element itself and its position.
template <class T>
std::pair<T, std::int64_t> max_of(const std::vector<T>& x, const window_elements& window) {
  T best = x[static_cast<std::size_t>(window.front().first)];
  double best_value = -std::numeric_limits<double>::infinity();
  std::int64_t best_position = window.front().second;
  for (const auto& [offset, position] : window) {
    const double v = value_of(x[static_cast<std::size_t>(offset)]);
    if (v > best_value || std::isnan(v)) {
      best = x[static_cast<std::size_t>(offset)];
      best_value = v;
      best_position = position;
    }
  }
  return {best, best_position};
}

template <class T, std::size_t Rank>
void run(fuzz::reader& r) {
  const bool channel = r.flag();
  const bool is_max = r.flag();
  static constexpr std::int64_t batches[4] = {1, 1, 2, 0};
  extents<Rank> in_shape{};
  in_shape[0] = batches[r.byte() % 4];
  const std::uint8_t c = r.byte();
  in_shape[1] = c < 160 ? c % 10 : 10 + c % 300;
  for (std::size_t axis = 2; axis < Rank; ++axis) in_shape[axis] = fuzz::decode_size(r);
  fuzz::bound(in_shape, ~1u);
  extents<Rank> out_shape = in_shape;
  if (channel) {
    out_shape[1] = in_shape[1] == 0 ? 0 : fuzz::decode_out_size(r, in_shape[1]);
    if (out_shape[1] > 0 && in_shape[1] == 0) out_shape[1] = 0;
  } else {
    for (std::size_t axis = 2; axis < Rank; ++axis) {
      out_shape[axis] = fuzz::decode_out_size(r, in_shape[axis]);
      if (in_shape[axis] == 0) out_shape[axis] = 0;  // an empty input axis only pools to nothing
    }
  }
  fuzz::bound(out_shape, channel ? 1u << 1 : ~3u);
  placed<T, Rank> in(fuzz::decode_placement(r, in_shape, true));
  const fuzz::placement<Rank> out_place = fuzz::decode_placement(r, out_shape, false);
  std::vector<T> values(static_cast<std::size_t>(fuzz::count_of(in_shape)));
  for (T& v : values) v = decode_element<T>(r);
  in.assign(values);
  const std::vector<T> x = in.logical();  // overlapping placements: what memory holds
  const std::string what = std::string(channel ? "channel_" : "adaptive_") + (is_max ? "max" : "avg") + " input " +
                           fuzz::shape_text(in_shape) + " output " + fuzz::shape_text(out_shape);
  const auto in_view = adapool::make_strided_view(static_cast<const T*>(in.data()), in.shape, in.strides);

  placed<T, Rank> outs[2] = {placed<T, Rank>(out_place), placed<T, Rank>(out_place)};
  placed<std::int64_t, Rank> idx[2] = {placed<std::int64_t, Rank>(out_place), placed<std::int64_t, Rank>(out_place)};
  const auto call = [&](auto arch, int k) {
    using Arch = decltype(arch);
    const auto out = adapool::make_strided_view(outs[k].data(), outs[k].shape, outs[k].strides);
    const auto at = adapool::make_strided_view(idx[k].data(), idx[k].shape, idx[k].strides);
    if (channel) {
      if (is_max) {
        adapool::channel_max_pool<Arch>(in_view, out, at);
      } else {
        adapool::channel_avg_pool<Arch>(in_view, out);
      }
    } else if constexpr (Rank == 3) {
      is_max ? adapool::adaptive_max_pool1d<Arch>(in_view, out, at) : adapool::adaptive_avg_pool1d<Arch>(in_view, out);
    } else if constexpr (Rank == 4) {
      is_max ? adapool::adaptive_max_pool2d<Arch>(in_view, out, at) : adapool::adaptive_avg_pool2d<Arch>(in_view, out);
    } else {
      is_max ? adapool::adaptive_max_pool3d<Arch>(in_view, out, at) : adapool::adaptive_avg_pool3d<Arch>(in_view, out);
    }
  };
  fuzz::expect_accepted(what.c_str(), what, [&] {
    call(adapool::default_arch{}, 0);
    call(adapool::simd::scalar{}, 1);
  });

  // Each output's window, in scan order, by logical offsets into x.
  extents<Rank> in_strides{}, out_index{};
  std::int64_t step = 1;
  for (std::size_t axis = Rank; axis-- > 0;) {
    in_strides[axis] = step;
    step *= in_shape[axis];
  }
  const std::int64_t outputs = fuzz::count_of(out_shape);
  std::vector<T> got[2] = {outs[0].logical(), outs[1].logical()};
  std::vector<std::int64_t> got_index[2] = {idx[0].logical(), idx[1].logical()};
  for (std::int64_t o = 0; o < outputs; ++o) {
    std::int64_t rest = o;
    for (std::size_t axis = Rank; axis-- > 0;) {
      out_index[axis] = rest % out_shape[axis];
      rest /= out_shape[axis];
    }
    window_elements window;
    if (channel) {
      const span wc = window_of(out_index[1], in_shape[1], out_shape[1]);
      std::int64_t pixel = out_index[0] * in_strides[0];
      for (std::size_t axis = 2; axis < Rank; ++axis) pixel += out_index[axis] * in_strides[axis];
      for (std::int64_t ch = wc.begin; ch < wc.end; ++ch) window.emplace_back(pixel + ch * in_strides[1], ch);
    } else {
      // Row-major scan of the spatial window; the position is the in-plane offset.
      std::array<span, Rank> spans{};
      for (std::size_t axis = 2; axis < Rank; ++axis)
        spans[axis] = window_of(out_index[axis], in_shape[axis], out_shape[axis]);
      const std::int64_t plane = out_index[0] * in_strides[0] + out_index[1] * in_strides[1];
      extents<Rank> at = out_index;
      for (std::size_t axis = 2; axis < Rank; ++axis) at[axis] = spans[axis].begin;
      while (true) {
        std::int64_t position = 0;
        for (std::size_t axis = 2; axis < Rank; ++axis) position += at[axis] * in_strides[axis];
        window.emplace_back(plane + position, position);
        std::size_t axis = Rank;
        while (axis-- > 2 && ++at[axis] == spans[axis].end) at[axis] = spans[axis].begin;
        if (axis < 2) break;  // every axis wrapped
      }
    }
    for (int k = 0; k < 2; ++k) {
      const auto i = static_cast<std::size_t>(o);
      const std::string where = what + (k == 0 ? " default" : " scalar") + " element " + std::to_string(o) + ": ";
      if (is_max) {
        const auto [want, position] = max_of(x, window);
        if (bits_of(got[k][i]) != bits_of(want) || got_index[k][i] != position)
          fuzz::fail(where + describe(got[k][i]) + " at " + std::to_string(got_index[k][i]) + ", want " +
                     describe(want) + " at " + std::to_string(position));
      } else {
        const expectation<T> e = check_mean(got[k][i], x, window);
        if (!e.ok) fuzz::fail(where + describe(got[k][i]) + ", want " + e.want);
      }
    }
  }
}

template <class T>
void run_rank(fuzz::reader& r, std::uint8_t choice) {
  switch (choice % 3) {
    case 0:
      return run<T, 3>(r);
    case 1:
      return run<T, 4>(r);
    default:
      return run<T, 5>(r);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::reader r(data, size);
  const std::uint8_t header = r.byte();
  switch (header % 4) {
    case 0:
      run_rank<float16>(r, header / 4);
      break;
    case 1:
      run_rank<bfloat16>(r, header / 4);
      break;
    case 2:
      run_rank<std::int8_t>(r, header / 4);
      break;
    default:
      run_rank<std::uint8_t>(r, header / 4);
      break;
  }
  return 0;
}
