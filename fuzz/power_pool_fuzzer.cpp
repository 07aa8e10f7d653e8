// SPDX-License-Identifier: MIT
// libFuzzer target: power-mean pooling, adaptive_gem_pool{1,2,3}d and
// adaptive_lp_pool{1,2,3}d, float and double, every layout on either side, p
// on the exact paths (1, 2, 3, 4) and off them (non-integer, huge, tiny), eps
// from denormal to past float's range. Valid cases: the default instruction
// set and the scalar path each fall inside the interval the plain loops below
// derive from the formula and the summation's rounding bound; GeM with p = 1
// equals adaptive_avg_pool bit for bit where the README promises it. Invalid
// cases (p or eps not a finite number > 0, and every view mutation the shared
// machinery makes): adapool::error naming the operation, every buffer as it was.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using fuzz::extents;
using fuzz::memory;
using fuzz::placed;
using fuzz::placement;
using reference::window_start;
using reference::window_stop;

// A plane of up to this many elements: past the power kernels' 4096-element
// buffer, so planes that do not fit it (pooled a window's rows at a time) are
// reached too.
constexpr std::int64_t max_power_elements = 1 << 14;

struct power_args {
  double p = 3;
  double eps = 1e-6;
};

template <std::size_t Rank>
fuzz::op_info info_for(bool gem) {
  fuzz::op_info info;
  info.name = std::string(gem ? "adaptive_gem_pool" : "adaptive_lp_pool") + std::to_string(Rank - 2) + "d";
  info.local_name = info.name;
  for (std::size_t axis = 2; axis < Rank; ++axis) info.pooled_axes |= 1u << axis;
  return info;
}

// ---------------------------------------------------------------- the calls

template <class Arch, class In, class Out>
void call(bool gem, const power_args& a, const In& in, const Out& out) {
  constexpr std::size_t rank = In::rank;
  if constexpr (rank == 3) {
    if (gem) {
      adapool::adaptive_gem_pool1d<Arch>(in, out, a.p, a.eps);
    } else {
      adapool::adaptive_lp_pool1d<Arch>(in, out, a.p);
    }
  } else if constexpr (rank == 4) {
    if (gem) {
      adapool::adaptive_gem_pool2d<Arch>(in, out, a.p, a.eps);
    } else {
      adapool::adaptive_lp_pool2d<Arch>(in, out, a.p);
    }
  } else {
    if (gem) {
      adapool::adaptive_gem_pool3d<Arch>(in, out, a.p, a.eps);
    } else {
      adapool::adaptive_lp_pool3d<Arch>(in, out, a.p);
    }
  }
}

// ---------------------------------------------------------------- arguments

// p: the exact paths, their neighbours, non-integers, the extremes; `invalid`
// picks a value the operations must reject.
double decode_p(fuzz::reader& r, bool invalid) {
  const std::uint8_t b = r.byte();
  if (invalid) {
    static const double bad[] = {0.0,
                                 -0.0,
                                 -1.0,
                                 -3.0,
                                 -std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::quiet_NaN(),
                                 -std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::max()};
    return bad[b % (sizeof bad / sizeof bad[0])];
  }
  switch (b % 16) {
    case 0:
    case 1:
      return 1 + b / 16 % 4;  // 1, 2, 3, 4: the multiplications
    case 2:
      return 3;  // GeM's usual p
    case 3:
      return std::nextafter(1.0 + b / 16 % 4, b & 0x80 ? 0.0 : 10.0);  // just off an exact path
    case 4:
      return 0.5 + b / 16 % 8;  // halves
    case 5:
      return 40;  // x^40 overflows float past 9.2
    case 6:
      return std::ldexp(1.0, 10 + b / 16 % 16);  // 1024 .. 2^25
    case 7:
      return b & 0x80 ? 1e300 : std::numeric_limits<double>::max();
    case 8:
      return std::ldexp(1.0, -1 - b / 16 % 16);  // 1/2 .. 2^-16: the root amplifies
    case 9:
      return b & 0x80 ? 1e-300 : std::numeric_limits<double>::denorm_min();
    default:
      return 0.01 + static_cast<double>(r.u16()) / 1000;  // 0.01 .. 65.5, mostly non-integer
  }
}

double decode_eps(fuzz::reader& r, bool invalid) {
  const std::uint8_t b = r.byte();
  if (invalid) {
    static const double bad[] = {0.0,
                                 -0.0,
                                 -1e-6,
                                 std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::denorm_min()};
    return bad[b % (sizeof bad / sizeof bad[0])];
  }
  switch (b % 8) {
    case 0:
    case 1:
      return 1e-6;  // the default
    case 2:
      return std::ldexp(1.0, static_cast<int>(b / 8) - 16);  // 2^-16 .. 2^15
    case 3:
      return std::numeric_limits<double>::denorm_min();  // 0 in float
    case 4:
      return std::numeric_limits<float>::denorm_min();
    case 5:
      return b & 0x80 ? 1e300 : 1e38;  // past float's range (the clamp is inf) or near it
    default:
      return static_cast<double>(r.u16() + 1) / 4096;  // 2^-12 .. 16
  }
}

// ---------------------------------------------------------------- reference

struct dims5 {
  std::int64_t n, c, d, h, w;
};

template <std::size_t Rank>
dims5 as5(const extents<Rank>& s) {
  std::int64_t spatial[3] = {1, 1, 1};
  for (std::size_t axis = 2; axis < Rank; ++axis) spatial[axis + 3 - Rank] = s[axis];
  return {s[0], s[1], spatial[0], spatial[1], spatial[2]};
}

// What an output may be: NaN for sure, or a value in [lo, hi] (as T), with
// NaN or any non-finite value also allowed where rounding decides.
struct allowed {
  bool must_be_nan = false;
  bool nan_ok = false;
  bool nonfinite_ok = false;
  double lo = 0, hi = 0;
};

// The interval every correct implementation lands in, from the formula
// out = root(m), m = mean (GeM) or sum (LP) of t = max(x, eps)^p, root(m) = m^(1/p):
//  - t: x^p is formed in T (README), by up to three roundings (v * v, then
//    * v or squared: relative 3u, u = T's unit roundoff) or std::pow in double
//    rounded to T (1u); the t below is std::pow's, within about an ulp (2u) of
//    x^p; in T's subnormal range each rounding is off by up to half a
//    denorm_min instead. So the library's term lies in
//    [t (1 - 5u) - 2 dm, t (1 + 5u) + 2 dm], each bound rounded to T (which
//    makes the overflow to inf part of the interval).
//  - m: any summation order of n terms, float blocks combined in double or
//    not, is off by at most (n - 1) u sum|t| (to first order); the mean is
//    stored in T once (u |m| + dm / 2, times n for LP's sum). 2 (n + 2) u sum|t|
//    + n dm bounds all of it, second-order terms included.
//  - root: increasing in m, so the bounds of m give the bounds of out. It
//    amplifies a relative error of m by 1/p (so the interval is wide for a tiny
//    p: the conditioning of the formula, not slack). sqrt and pow are within an
//    ulp of double, the cube roots of p = 3 within some 1e-14 (kernels_power.hpp):
//    1e-13 relative covers them, before the final rounding to T (monotone, so
//    rounding the bounds bounds the result).
// A window whose terms sum past T's range in magnitude may overflow a float
// partial sum: then inf or NaN is allowed too.
template <class T>
allowed power_reference(const std::vector<T>& x, std::int64_t plane_offset, const dims5& in, std::int64_t d0,
                        std::int64_t d1, std::int64_t h0, std::int64_t h1, std::int64_t w0, std::int64_t w1, bool gem,
                        const power_args& a) {
  constexpr double u = std::numeric_limits<T>::epsilon() / 2;
  constexpr double dm = static_cast<double>(std::numeric_limits<T>::denorm_min());
  constexpr double biggest = static_cast<double>(std::numeric_limits<T>::max());
  constexpr double inf = std::numeric_limits<double>::infinity();
  // The clamp is made in T (eps rounded to T: 0 or inf when it is out of T's range).
  const T floor = gem ? static_cast<T>(a.eps) : -std::numeric_limits<T>::infinity();
  allowed result;
  double sum_lo = 0, sum_hi = 0, magnitude = 0;
  bool plus_inf = false, minus_inf = false;
  const std::int64_t n = (d1 - d0) * (h1 - h0) * (w1 - w0);
  for (std::int64_t d = d0; d < d1; ++d)
    for (std::int64_t h = h0; h < h1; ++h)
      for (std::int64_t w = w0; w < w1; ++w) {
        const T value = x[static_cast<std::size_t>(plane_offset + (d * in.h + h) * in.w + w)];
        const T v = value > floor || std::isnan(value) ? value : floor;
        const double t = std::pow(static_cast<double>(v), a.p);
        if (std::isnan(t)) {
          result.must_be_nan = true;
          continue;
        }
        double lo = t, hi = t;
        if (!std::isinf(t)) {
          lo = static_cast<double>(static_cast<T>(t - std::abs(t) * 5 * u - 2 * dm));
          hi = static_cast<double>(static_cast<T>(t + std::abs(t) * 5 * u + 2 * dm));
        }
        plus_inf = plus_inf || lo == inf;
        minus_inf = minus_inf || hi == -inf;
        sum_lo += lo;
        sum_hi += hi;
        magnitude += std::max(std::abs(lo), std::abs(hi));
      }
  if (result.must_be_nan || (plus_inf && minus_inf)) {
    result.must_be_nan = true;
    return result;
  }
  const double count = static_cast<double>(n);
  const double error = 2 * (count + 2) * u * magnitude + count * dm;
  result.nonfinite_ok = !(magnitude * (1 + 2 * (count + 2) * u) <= biggest);
  if (std::isnan(sum_lo) || std::isnan(sum_hi) || std::isnan(error)) {
    result.nan_ok = result.nonfinite_ok = true;
    result.lo = -inf;
    result.hi = inf;
    return result;
  }
  const double divisor = gem ? count : 1;
  double m_lo = (sum_lo - error) / divisor, m_hi = (sum_hi + error) / divisor;
  if (plus_inf) m_lo = m_hi = inf;
  if (minus_inf) m_lo = m_hi = -inf;
  const auto root = [&](double m) { return std::pow(m, 1.0 / a.p); };
  constexpr double slack = 1e-13;
  if (a.p == 1) {
    // The identity: the output is m itself.
    result.lo = static_cast<double>(static_cast<T>(m_lo - std::abs(m_lo) * slack));
    result.hi = static_cast<double>(static_cast<T>(m_hi + std::abs(m_hi) * slack));
    return result;
  }
  if (m_lo == -inf && m_hi == -inf) {
    result.lo = result.hi = root(-inf);  // pow(-inf, 1/p): +inf
    return result;
  }
  if (m_hi < 0) {
    result.must_be_nan = true;  // the root of a negative sum
    return result;
  }
  if (m_lo < 0) {
    result.nan_ok = true;  // the sum may round either side of 0
    m_lo = 0;
  }
  result.lo = static_cast<double>(static_cast<T>(root(m_lo) * (1 - slack)));
  result.hi = static_cast<double>(static_cast<T>(root(m_hi) * (1 + slack)));
  return result;
}

template <class T>
std::vector<allowed> reference(const std::vector<T>& x, dims5 in, dims5 out, bool gem, const power_args& a) {
  std::vector<allowed> r;
  const std::int64_t plane = in.d * in.h * in.w;
  for (std::int64_t n = 0; n < out.n; ++n)
    for (std::int64_t c = 0; c < out.c; ++c)
      for (std::int64_t od = 0; od < out.d; ++od)
        for (std::int64_t oh = 0; oh < out.h; ++oh)
          for (std::int64_t ow = 0; ow < out.w; ++ow)
            r.push_back(power_reference(x, (n * in.c + c) * plane, in, window_start(od, in.d, out.d),
                                        window_stop(od, in.d, out.d), window_start(oh, in.h, out.h),
                                        window_stop(oh, in.h, out.h), window_start(ow, in.w, out.w),
                                        window_stop(ow, in.w, out.w), gem, a));
  return r;
}

template <class T>
bool within(T got, const allowed& want) {
  if (want.must_be_nan) return std::isnan(got);
  if (std::isnan(got)) return want.nan_ok || want.nonfinite_ok;
  if (std::isinf(got) && want.nonfinite_ok) return true;
  const auto g = static_cast<double>(got);
  return g >= want.lo && g <= want.hi;
}

std::string describe(const allowed& a) {
  if (a.must_be_nan) return "NaN";
  char text[160];
  std::snprintf(text, sizeof text, "[%.17g, %.17g]%s%s", a.lo, a.hi, a.nan_ok ? " or NaN" : "",
                a.nonfinite_ok ? " or non-finite" : "");
  return text;
}

std::string args_text(bool gem, const power_args& a) {
  char text[96];
  if (gem) {
    std::snprintf(text, sizeof text, " p %.17g eps %.17g", a.p, a.eps);
  } else {
    std::snprintf(text, sizeof text, " p %.17g", a.p);
  }
  return text;
}

// ---------------------------------------------------------------- valid cases

template <class Layout, class T, std::size_t Rank>
auto view_of(placed<T, Rank>& p) {
  return fuzz::make_view<Layout>(p.data(), p.shape, p.strides);
}

template <class T, std::size_t Rank, class LIn, class LOut>
void check_power(fuzz::reader& r, bool gem, const power_args& a, const fuzz::case_layout<Rank>& layout) {
  const std::string name = info_for<Rank>(gem).name;
  const std::string context = name + " " + layout.what() + args_text(gem, a);
  placed<T, Rank> in(layout.in);
  in.assign(fuzz::decode_values<T>(r, fuzz::count_of(layout.in.shape)));
  const std::vector<T> x = in.logical();
  const memory in_before = in.mem;
  placed<T, Rank> out_default(layout.out), out_scalar(layout.out);
  const memory out_before = out_default.mem;
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  fuzz::expect_accepted(name.c_str(), context, [&] {
    call<adapool::default_arch>(gem, a, in_view, view_of<LOut>(out_default));
    call<adapool::simd::scalar>(gem, a, in_view, view_of<LOut>(out_scalar));
  });
  if (in.mem.bytes != in_before.bytes) fuzz::fail(context + ": wrote to its input");
  for (auto* o : {&out_default, &out_scalar})
    if (!fuzz::margin_untouched<T>(out_before, o->mem, o->origin_byte, o->shape, o->strides))
      fuzz::fail(context + ": wrote outside its output view");
  const std::vector<allowed> want = reference(x, as5(layout.in.shape), as5(layout.out.shape), gem, a);
  const std::vector<T> got_default = out_default.logical(), got_scalar = out_scalar.logical();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!within(got_default[i], want[i]) || !within(got_scalar[i], want[i]))
      fuzz::fail(context + ": output element " + std::to_string(i) + ": default " + fuzz::describe(got_default[i]) +
                 ", scalar " + fuzz::describe(got_scalar[i]) + ", expected " + describe(want[i]));
  }

  // README: GeM with p = 1, on values of at least eps, equals adaptive_avg_pool
  // bit for bit for contiguous NCHW and channels-last input whose planes hold
  // up to 4096 elements.
  const auto kind = layout.in.kind;
  std::int64_t plane = 1;
  for (std::size_t axis = 2; axis < Rank; ++axis) plane *= layout.in.shape[axis];
  const bool at_least_eps = std::all_of(x.begin(), x.end(), [&](T v) { return v >= static_cast<T>(a.eps); });
  if (!gem || a.p != 1 || !at_least_eps || plane > 4096 ||
      (kind != fuzz::placement_kind::contiguous && kind != fuzz::placement_kind::channels_last)) {
    return;
  }
  placed<T, Rank> avg(layout.out);
  const auto avg_view = view_of<LOut>(avg);
  if constexpr (Rank == 3) {
    adapool::adaptive_avg_pool1d(in_view, avg_view);
  } else if constexpr (Rank == 4) {
    adapool::adaptive_avg_pool2d(in_view, avg_view);
  } else {
    adapool::adaptive_avg_pool3d(in_view, avg_view);
  }
  const std::vector<T> means = avg.logical();
  for (std::size_t i = 0; i < means.size(); ++i)
    if (!fuzz::same_result(got_default[i], means[i]))
      fuzz::fail(context + ": p = 1, output element " + std::to_string(i) + " is " + fuzz::describe(got_default[i]) +
                 ", adaptive_avg_pool gives " + fuzz::describe(means[i]));
}

// ---------------------------------------------------------------- invalid arguments

// A valid layout with p (or GeM's eps) not a finite number > 0.
template <class T, std::size_t Rank, class LIn, class LOut>
void check_bad_argument(fuzz::reader& r, bool gem, power_args a, const fuzz::case_layout<Rank>& layout) {
  const std::string name = info_for<Rank>(gem).name;
  const bool bad_eps = gem && r.flag();
  if (bad_eps) {
    a.eps = decode_eps(r, true);
  } else {
    a.p = decode_p(r, true);
  }
  placed<T, Rank> in(layout.in), out(layout.out);
  in.assign(fuzz::decode_values<T>(r, fuzz::count_of(layout.in.shape)));
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  const std::vector<memory*> buffers{&in.mem, &out.mem};
  const std::string what = std::string(bad_eps ? "invalid eps, " : "invalid p, ") + layout.what() + args_text(gem, a);
  fuzz::expect_rejected(name.c_str(), what, buffers,
                        [&] { call<adapool::default_arch>(gem, a, in_view, view_of<LOut>(out)); });
  fuzz::expect_rejected(name.c_str(), what, buffers,
                        [&] { call<adapool::simd::scalar>(gem, a, in_view, view_of<LOut>(out)); });
}

// ---------------------------------------------------------------- decoding

template <class T, std::size_t Rank, class LIn, class LOut>
void run(fuzz::reader& r) {
  const std::uint8_t op = r.byte();
  const bool gem = op % 2 == 0;
  const bool invalid = r.byte() % 4 == 0;
  static constexpr std::int64_t batches[8] = {1, 1, 1, 2, 2, 3, 0, 1};
  extents<Rank> in_shape{};
  in_shape[0] = batches[r.byte() % 8];
  const std::uint8_t c = r.byte();
  in_shape[1] = c < 128 ? 1 + c % 4 : c < 224 ? c % 24 : 250 + c % 16;
  for (std::size_t axis = 2; axis < Rank; ++axis) in_shape[axis] = fuzz::decode_size(r);
  // Now and then a plane bigger than the kernels' buffer.
  const std::int64_t limit = op & 0x80 ? max_power_elements : fuzz::max_elements;
  fuzz::bound(in_shape, ~1u, limit);
  extents<Rank> out_shape = in_shape;
  for (std::size_t axis = 2; axis < Rank; ++axis) out_shape[axis] = fuzz::decode_out_size(r, in_shape[axis]);
  for (std::size_t axis = 2; axis < Rank; ++axis)
    if (in_shape[axis] == 0) out_shape[axis] = 0;  // an empty input plane is valid only with an empty output
  const fuzz::op_info info = info_for<Rank>(gem);
  fuzz::bound(out_shape, info.pooled_axes, limit);
  power_args a;
  a.p = decode_p(r, false);
  a.eps = decode_eps(r, false);
  fuzz::case_layout<Rank> layout{fuzz::place_as<LIn>(r, in_shape, true), fuzz::place_as<LOut>(r, out_shape, false),
                                 fuzz::place_as<LOut>(r, out_shape, false)};
  if (!invalid) return check_power<T, Rank, LIn, LOut>(r, gem, a, layout);
  if (r.flag()) return check_bad_argument<T, Rank, LIn, LOut>(r, gem, a, layout);
  fuzz::check_invalid<T, Rank, LIn, LOut>(
      r, info, layout, [&](auto arch, const fuzz::op_info&, const auto& in, const auto& out, const auto&) {
        call<decltype(arch)>(gem, a, in, out);
      });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_input(data, size, [](fuzz::reader& r, auto types) {
    using case_types = decltype(types);
    run<typename case_types::element, case_types::rank, typename case_types::in_layout,
        typename case_types::out_layout>(r);
  });
}
