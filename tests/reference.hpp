// SPDX-License-Identifier: MIT
#pragma once

// The specification every adapool operation is tested against: the plainest
// loops that compute PyTorch's results, written without any of adapool's code.
//
// Tensors here are a std::vector in logical row-major order (N, C, then the
// spatial axes) plus a shape with 1, 2 or 3 spatial sizes. Averages accumulate
// in double and are returned in double; maxima are returned in the element type
// with their int64_t indices; gradients accumulate in the type the caller names
// (double, or the element type for PyTorch's bits). Sizes are small in the
// tests, so products such as i * in never overflow here (tests/test_windows.cpp
// checks adapool's own window arithmetic for huge sizes).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace reference {

using shape = std::vector<std::int64_t>;  // N, C, then 1 to 3 spatial sizes

inline std::int64_t element_count(const shape& s) {
  std::int64_t count = 1;
  for (std::int64_t size : s) count *= size;
  return count;
}

// PyTorch's adaptive window: output position i of `out` along an axis of
// `in` input positions reads the half-open range [window_start, window_stop):
//   start = floor(i * in / out),   stop = ceil((i + 1) * in / out).
inline std::int64_t window_start(std::int64_t i, std::int64_t in, std::int64_t out) { return (i * in) / out; }
inline std::int64_t window_stop(std::int64_t i, std::int64_t in, std::int64_t out) {
  return ((i + 1) * in + out - 1) / out;
}

// Every shape read as N x C x D x H x W: a 1d tensor has D = H = 1, a 2d one D = 1.
// The in-plane index d * H * W + h * W + w is then PyTorch's index for every rank
// (w for 1d, h * W + w for 2d).
struct dims {
  std::int64_t n, c, d, h, w;
  std::int64_t plane() const { return d * h * w; }
  std::int64_t at(std::int64_t in, std::int64_t ic, std::int64_t id, std::int64_t ih, std::int64_t iw) const {
    return (((in * c + ic) * d + id) * h + ih) * w + iw;
  }
};

inline dims as_dims(const shape& s) {
  const std::size_t spatial = s.size() - 2;
  return {s[0], s[1], spatial == 3 ? s[2] : 1, spatial >= 2 ? s[s.size() - 2] : 1, s.back()};
}

template <class T>
struct max_result {
  std::vector<T> values;
  std::vector<std::int64_t> indices;
};

// PyTorch's max rule: start at -inf with the index of the window's first
// element; scan in order; take a value when it is greater or NaN. So ties keep
// the first index, a NaN wins and the last NaN's index is kept, and a window of
// only -inf gives -inf at the window's first element.
template <class T>
bool takes_over(T value, T best) {
  return value > best || std::isnan(value);
}

/// The elements of every window in scan order (d, then h, then w), one window
/// per output position in row-major order (n, c, then the output's spatial axes).
template <class T>
std::vector<std::vector<T>> windows_of(const std::vector<T>& x, const shape& in_shape, const shape& out_shape) {
  const dims in = as_dims(in_shape), out = as_dims(out_shape);
  std::vector<std::vector<T>> windows;
  for (std::int64_t n = 0; n < out.n; ++n)
    for (std::int64_t c = 0; c < out.c; ++c)
      for (std::int64_t od = 0; od < out.d; ++od)
        for (std::int64_t oh = 0; oh < out.h; ++oh)
          for (std::int64_t ow = 0; ow < out.w; ++ow) {
            std::vector<T>& window = windows.emplace_back();
            for (std::int64_t d = window_start(od, in.d, out.d); d < window_stop(od, in.d, out.d); ++d)
              for (std::int64_t h = window_start(oh, in.h, out.h); h < window_stop(oh, in.h, out.h); ++h)
                for (std::int64_t w = window_start(ow, in.w, out.w); w < window_stop(ow, in.w, out.w); ++w)
                  window.push_back(x[in.at(n, c, d, h, w)]);
          }
  return windows;
}

/// adaptive_avg_pool{1,2,3}d: the mean of each window. `out` is N, C, output sizes.
template <class T>
std::vector<double> adaptive_avg(const std::vector<T>& x, const shape& in_shape, const shape& out_shape) {
  std::vector<double> y;
  for (const std::vector<T>& window : windows_of(x, in_shape, out_shape)) {
    double sum = 0;
    for (T value : window) sum += static_cast<double>(value);
    y.push_back(sum / static_cast<double>(window.size()));
  }
  return y;
}

/// adaptive_max_pool{1,2,3}d with indices (offsets within one input plane).
template <class T>
max_result<T> adaptive_max(const std::vector<T>& x, const shape& in_shape, const shape& out_shape) {
  const dims in = as_dims(in_shape), out = as_dims(out_shape);
  max_result<T> y;
  for (std::int64_t n = 0; n < out.n; ++n)
    for (std::int64_t c = 0; c < out.c; ++c)
      for (std::int64_t od = 0; od < out.d; ++od)
        for (std::int64_t oh = 0; oh < out.h; ++oh)
          for (std::int64_t ow = 0; ow < out.w; ++ow) {
            const std::int64_t d0 = window_start(od, in.d, out.d);
            const std::int64_t h0 = window_start(oh, in.h, out.h);
            const std::int64_t w0 = window_start(ow, in.w, out.w);
            T best = -std::numeric_limits<T>::infinity();
            std::int64_t best_index = (d0 * in.h + h0) * in.w + w0;
            for (std::int64_t d = d0; d < window_stop(od, in.d, out.d); ++d)
              for (std::int64_t h = h0; h < window_stop(oh, in.h, out.h); ++h)
                for (std::int64_t w = w0; w < window_stop(ow, in.w, out.w); ++w) {
                  const T value = x[in.at(n, c, d, h, w)];
                  if (takes_over(value, best)) {
                    best = value;
                    best_index = (d * in.h + h) * in.w + w;
                  }
                }
            y.values.push_back(best);
            y.indices.push_back(best_index);
          }
  return y;
}

/// The output shape of global pooling: N, C, then 1 for every spatial axis.
inline shape global_shape(const shape& in_shape) {
  shape out(in_shape.size(), 1);
  out[0] = in_shape[0];
  out[1] = in_shape[1];
  return out;
}

/// channel_avg_pool: at every pixel, the mean over each adaptive window of channels.
template <class T>
std::vector<double> channel_avg(const std::vector<T>& x, const shape& in_shape, std::int64_t out_channels) {
  const dims in = as_dims(in_shape);
  std::vector<double> y;
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t oc = 0; oc < out_channels; ++oc)
      for (std::int64_t pixel = 0; pixel < in.plane(); ++pixel) {
        double sum = 0;
        std::int64_t count = 0;
        for (std::int64_t c = window_start(oc, in.c, out_channels); c < window_stop(oc, in.c, out_channels); ++c) {
          sum += static_cast<double>(x[(n * in.c + c) * in.plane() + pixel]);
          ++count;
        }
        y.push_back(sum / static_cast<double>(count));
      }
  return y;
}

/// channel_max_pool with indices: the index is the winning channel c in [0, C).
template <class T>
max_result<T> channel_max(const std::vector<T>& x, const shape& in_shape, std::int64_t out_channels) {
  const dims in = as_dims(in_shape);
  max_result<T> y;
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t oc = 0; oc < out_channels; ++oc)
      for (std::int64_t pixel = 0; pixel < in.plane(); ++pixel) {
        const std::int64_t c0 = window_start(oc, in.c, out_channels);
        T best = -std::numeric_limits<T>::infinity();
        std::int64_t best_channel = c0;
        for (std::int64_t c = c0; c < window_stop(oc, in.c, out_channels); ++c) {
          const T value = x[(n * in.c + c) * in.plane() + pixel];
          if (takes_over(value, best)) {
            best = value;
            best_channel = c;
          }
        }
        y.values.push_back(best);
        y.indices.push_back(best_channel);
      }
  return y;
}

/// adaptive_gem_pool{1,2,3}d (`gem`) and adaptive_lp_pool{1,2,3}d: over each
/// window, the mean (GeM) or the sum (LP) of x^p, then raised to 1/p, all in
/// double through std::pow. GeM first clamps each x below at eps by the max
/// rule, so a NaN stays NaN. A negative LP sum gives NaN (std::pow's rule for
/// a negative base and a non-integer exponent) unless p = 1.
template <class T>
std::vector<double> adaptive_power_mean(const std::vector<T>& x, const shape& in_shape, const shape& out_shape,
                                        double p, double eps, bool gem) {
  std::vector<double> y;
  for (const std::vector<T>& window : windows_of(x, in_shape, out_shape)) {
    double sum = 0;
    for (T element : window) {
      double value = static_cast<double>(element);
      if (gem && !takes_over(value, eps)) value = eps;
      sum += std::pow(value, p);
    }
    y.push_back(std::pow(gem ? sum / static_cast<double>(window.size()) : sum, 1.0 / p));
  }
  return y;
}

// ---------------------------------------------------------------- backward passes

/// A backward pass's result, grad_in in logical order with the forward input's
/// shape, formed as PyTorch's CPU kernels form it: zero, then each output cell,
/// in row-major order, adds its share of grad_out to the elements it was pooled
/// from, all in Acc. Beside the values, what bounds the rounding of the same
/// sums in another type: the number of shares each element received and the
/// sum of their magnitudes.
template <class Acc>
struct gradient {
  std::vector<Acc> values;
  std::vector<Acc> magnitudes;
  std::vector<std::int64_t> terms;

  explicit gradient(const shape& in_shape)
      : values(static_cast<std::size_t>(element_count(in_shape))), magnitudes(values.size()), terms(values.size()) {}

  void add(std::int64_t at, Acc share) {
    values[at] += share;
    magnitudes[at] += std::abs(share);
    ++terms[at];
  }
  void set(std::int64_t at, Acc share) {
    values[at] = share;
    magnitudes[at] = std::abs(share);
    terms[at] = 1;
  }
};

/// adaptive_avg_pool{1,2,3}d_backward, and global_avg_pool_backward with
/// out_shape = global_shape(in_shape). A cell's share is grad / kd / kh / kw,
/// one division per window size as PyTorch's kernels divide (by 1, exactly, on
/// the axes a lower rank lacks). A 1 x 1 output is a mean in PyTorch, whose
/// gradient sets every element to grad / (plane size): one division, and a -0
/// gradient gives -0 where an addition to zero would give +0.
template <class Acc, class T>
gradient<Acc> adaptive_avg_backward(const std::vector<T>& grad_out, const shape& in_shape, const shape& out_shape) {
  const dims in = as_dims(in_shape), out = as_dims(out_shape);
  gradient<Acc> g(in_shape);
  std::int64_t k = 0;
  for (std::int64_t n = 0; n < out.n; ++n)
    for (std::int64_t c = 0; c < out.c; ++c)
      for (std::int64_t od = 0; od < out.d; ++od)
        for (std::int64_t oh = 0; oh < out.h; ++oh)
          for (std::int64_t ow = 0; ow < out.w; ++ow, ++k) {
            const Acc grad = static_cast<Acc>(grad_out[k]);
            if (out.plane() == 1) {
              const Acc share = grad / static_cast<Acc>(in.plane());
              for (std::int64_t e = 0; e < in.plane(); ++e) g.set((n * in.c + c) * in.plane() + e, share);
              continue;
            }
            const std::int64_t d0 = window_start(od, in.d, out.d), d1 = window_stop(od, in.d, out.d);
            const std::int64_t h0 = window_start(oh, in.h, out.h), h1 = window_stop(oh, in.h, out.h);
            const std::int64_t w0 = window_start(ow, in.w, out.w), w1 = window_stop(ow, in.w, out.w);
            const Acc share = grad / static_cast<Acc>(d1 - d0) / static_cast<Acc>(h1 - h0) / static_cast<Acc>(w1 - w0);
            for (std::int64_t d = d0; d < d1; ++d)
              for (std::int64_t h = h0; h < h1; ++h)
                for (std::int64_t w = w0; w < w1; ++w) g.add(in.at(n, c, d, h, w), share);
          }
  return g;
}

/// adaptive_max_pool{1,2,3}d_backward, and global_max_pool_backward with
/// out_shape = global_shape(in_shape): each cell adds its grad to the element
/// at its index (an offset within the input plane, as the forward returns it).
template <class Acc, class T>
gradient<Acc> adaptive_max_backward(const std::vector<T>& grad_out, const std::vector<std::int64_t>& indices,
                                    const shape& in_shape, const shape& out_shape) {
  const dims in = as_dims(in_shape), out = as_dims(out_shape);
  gradient<Acc> g(in_shape);
  for (std::int64_t n = 0; n < out.n; ++n)
    for (std::int64_t c = 0; c < out.c; ++c)
      for (std::int64_t cell = 0; cell < out.plane(); ++cell) {
        const std::int64_t k = (n * out.c + c) * out.plane() + cell;
        g.add((n * in.c + c) * in.plane() + indices[k], static_cast<Acc>(grad_out[k]));
      }
  return g;
}

/// channel_avg_pool_backward: at every pixel, output channel oc adds
/// grad / (its window's channel count) to each channel of its window.
template <class Acc, class T>
gradient<Acc> channel_avg_backward(const std::vector<T>& grad_out, const shape& in_shape, std::int64_t out_channels) {
  const dims in = as_dims(in_shape);
  gradient<Acc> g(in_shape);
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t oc = 0; oc < out_channels; ++oc)
      for (std::int64_t pixel = 0; pixel < in.plane(); ++pixel) {
        const std::int64_t c0 = window_start(oc, in.c, out_channels), c1 = window_stop(oc, in.c, out_channels);
        const Acc share =
            static_cast<Acc>(grad_out[(n * out_channels + oc) * in.plane() + pixel]) / static_cast<Acc>(c1 - c0);
        for (std::int64_t c = c0; c < c1; ++c) g.add((n * in.c + c) * in.plane() + pixel, share);
      }
  return g;
}

/// channel_max_pool_backward: at every pixel, output channel oc adds its grad
/// to the channel its index names.
template <class Acc, class T>
gradient<Acc> channel_max_backward(const std::vector<T>& grad_out, const std::vector<std::int64_t>& indices,
                                   const shape& in_shape, std::int64_t out_channels) {
  const dims in = as_dims(in_shape);
  gradient<Acc> g(in_shape);
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t oc = 0; oc < out_channels; ++oc)
      for (std::int64_t pixel = 0; pixel < in.plane(); ++pixel) {
        const std::int64_t k = (n * out_channels + oc) * in.plane() + pixel;
        g.add((n * in.c + indices[k]) * in.plane() + pixel, static_cast<Acc>(grad_out[k]));
      }
  return g;
}

}  // namespace reference
