// SPDX-License-Identifier: MIT
// The standard workloads, their inputs and the reference loops every
// implementation is checked against before it is timed.

#include <dlfcn.h>
#include <adapool/element_types.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>

#include "common.hpp"

namespace adapool_bench {

namespace {

workload make(std::string name, op_kind op, memory_format format, std::array<std::int64_t, 4> shape,
              std::vector<std::array<std::int64_t, 2>> output_sizes, std::vector<std::string> implementations = {}) {
  return {std::move(name),           op, format, shape[0], shape[1], shape[2], shape[3], std::move(output_sizes),
          std::move(implementations)};
}

workload stored_as(element_type element, workload w) {
  w.element = element;
  return w;
}

}  // namespace

const std::vector<workload>& standard_workloads() {
  using f = memory_format;
  using o = op_kind;
  const std::vector<std::string> fused = {"adapool", "adapool_two_calls", "torch", "ceiling"};
  const std::vector<std::string> power = {"adapool", "adapool_scalar", "naive", "torch", "ceiling"};
  const std::vector<std::string> narrow = {"adapool", "adapool_scalar", "naive",  "torch",
                                           "onednn",  "xnnpack",        "ceiling"};
  const std::vector<std::string> backward = {"adapool", "naive", "torch", "ceiling"};
  using e = element_type;
  static const std::vector<workload> all = {
      make("W1_gap_r50", o::global_avg, f::nchw, {1, 2048, 7, 7}, {{1, 1}}),
      make("W2_gap_r50_b32", o::global_avg, f::nchw, {32, 2048, 7, 7}, {{1, 1}}),
      make("W3_gap_se", o::global_avg, f::nchw, {1, 256, 56, 56}, {{1, 1}}),
      make("W4_gap_big", o::global_avg, f::nchw, {1, 3, 1024, 1024}, {{1, 1}}),
      make("W5_gmp_r50_idx", o::global_max_indices, f::nchw, {1, 2048, 7, 7}, {{1, 1}}),
      make("W6_aap_13to7", o::adaptive_avg, f::nchw, {8, 512, 13, 13}, {{7, 7}}),
      make("W7_amp_13to7_idx", o::adaptive_max_indices, f::nchw, {8, 512, 13, 13}, {{7, 7}}),
      make("W8_psp_b1", o::adaptive_avg, f::nchw, {1, 2048, 60, 60}, {{1, 1}}),
      make("W8_psp_b2", o::adaptive_avg, f::nchw, {1, 2048, 60, 60}, {{2, 2}}),
      make("W8_psp_b3", o::adaptive_avg, f::nchw, {1, 2048, 60, 60}, {{3, 3}}),
      make("W8_psp_b6", o::adaptive_avg, f::nchw, {1, 2048, 60, 60}, {{6, 6}}),
      make("W8_psp_all", o::adaptive_avg, f::nchw, {1, 2048, 60, 60}, {{1, 1}, {2, 2}, {3, 3}, {6, 6}}),
      make("W9_chan_max", o::channel_max, f::nchw, {1, 64, 112, 112}, {{112, 112}}),
      make("W10_chan_mean", o::channel_avg, f::nchw, {1, 64, 112, 112}, {{112, 112}}),
      make("W11_gap_r50_nhwc", o::global_avg, f::nhwc, {1, 2048, 7, 7}, {{1, 1}}),
      make("W12_gap_se_nhwc", o::global_avg, f::nhwc, {1, 256, 56, 56}, {{1, 1}}),
      // Fused operations against the same two poolings called one after the
      // other, and against PyTorch's composition with torch.cat.
      make("F1_concat_r50", o::adaptive_concat, f::nchw, {1, 2048, 7, 7}, {{1, 1}}, fused),
      make("F2_concat_13to7", o::adaptive_concat, f::nchw, {8, 512, 13, 13}, {{7, 7}}, fused),
      make("F3_cbam", o::channel_max_avg, f::nchw, {1, 64, 112, 112}, {{112, 112}}, fused),
      // GeM (p = 3) on W1's and W6's shapes, against PyTorch's composition
      // adaptive_avg_pool2d(x.clamp_min(eps).pow(p)).pow(1 / p) and the loop a user writes.
      make("G1_gem_r50", o::adaptive_gem, f::nchw, {1, 2048, 7, 7}, {{1, 1}}, power),
      make("G2_gem_13to7", o::adaptive_gem, f::nchw, {8, 512, 13, 13}, {{7, 7}}, power),
      // LP (p = 2, the L2 norm of each window) on the same shapes, against
      // PyTorch's lp_pool formula avg_pool(x.pow(p)) * window size, then pow(1 / p).
      make("G3_lp2_r50", o::adaptive_lp, f::nchw, {1, 2048, 7, 7}, {{1, 1}}, power),
      make("G4_lp2_13to7", o::adaptive_lp, f::nchw, {8, 512, 13, 13}, {{7, 7}}, power),
      // Narrow element types on W1's and W9's shapes, holding W1's and W9's
      // values rounded to the type (int8: round(127 x)), against PyTorch on
      // Half and BFloat16 tensors, the loop a user writes and the ceiling.
      stored_as(e::f16, make("N1_gap_r50_f16", o::global_avg, f::nchw, {1, 2048, 7, 7}, {{1, 1}}, narrow)),
      stored_as(e::bf16, make("N2_gap_r50_bf16", o::global_avg, f::nchw, {1, 2048, 7, 7}, {{1, 1}}, narrow)),
      stored_as(e::i8, make("N3_gap_r50_i8", o::global_avg, f::nchw, {1, 2048, 7, 7}, {{1, 1}}, narrow)),
      stored_as(e::f16, make("N4_chan_max_f16", o::channel_max, f::nchw, {1, 64, 112, 112}, {{112, 112}}, narrow)),
      // Backward passes on W2's, W6's and W7's shapes (grad_in the forward
      // input's shape, grad_out the forward output's), against ATen's own
      // backward operators, the loop a user writes and a streaming write of grad_in.
      make("B1_gap_r50_b32_backward", o::adaptive_avg_backward, f::nchw, {32, 2048, 7, 7}, {{1, 1}}, backward),
      make("B2_aap_13to7_backward", o::adaptive_avg_backward, f::nchw, {8, 512, 13, 13}, {{7, 7}}, backward),
      make("B3_amp_13to7_backward", o::adaptive_max_backward, f::nchw, {8, 512, 13, 13}, {{7, 7}}, backward),
  };
  return all;
}

bool workload::windows_divide() const {
  for (const auto& size : output_sizes) {
    if (h % size[0] != 0 || w % size[1] != 0) return false;
  }
  return true;
}

std::int64_t workload::output_elements() const {
  std::int64_t count = 0;
  for (const auto& size : output_sizes) count += n * output_channels() * size[0] * size[1];
  return count;
}

namespace {

struct aligned_free {
  void operator()(unsigned char* p) const { std::free(p); }
};
using input_buffer = std::unique_ptr<unsigned char[], aligned_free>;

// Same shape and format means the same values, so W8's five cases share one
// 29 MB input and the ceiling reads exactly what the operations read. The
// element type is not part of it: N1 holds W1's values rounded to float16.
std::string input_key(const workload& w) {
  std::ostringstream key;
  key << w.n << 'x' << w.c << 'x' << w.h << 'x' << w.w << (w.format == memory_format::nhwc ? "nhwc" : "nchw");
  return key.str();
}

const char* element_name(element_type e) {
  switch (e) {
    case element_type::f32:
      return "float32";
    case element_type::f16:
      return "float16";
    case element_type::bf16:
      return "bfloat16";
    case element_type::i8:
      return "int8";
  }
  return "?";
}

// Activations after a ReLU: uniform in [0, 1) with 24 random bits, so a tie
// for a window's maximum is practically impossible and indices are unambiguous.
// A fixed seed per shape keeps every run's input identical.
void fill_uniform(float* data, std::int64_t count, std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::int64_t i = 0; i < count; ++i) {
    state += 0x9e3779b97f4a7c15ull;  // splitmix64
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    data[i] = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
  }
}

// The uniform values stored as the workload's element type. int8 is an
// activation quantised with scale 1/127: round(127 x), 0 ... 127.
void convert(const std::vector<float>& values, element_type element, unsigned char* out) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    switch (element) {
      case element_type::f32:
        std::memcpy(out + 4 * i, &values[i], 4);
        break;
      case element_type::f16: {
        const std::uint16_t bits = adapool::float16(values[i]).bits;
        std::memcpy(out + 2 * i, &bits, 2);
        break;
      }
      case element_type::bf16: {
        const std::uint16_t bits = adapool::bfloat16(values[i]).bits;
        std::memcpy(out + 2 * i, &bits, 2);
        break;
      }
      case element_type::i8:
        out[i] = static_cast<unsigned char>(static_cast<std::int8_t>(std::lround(values[i] * 127.0f)));
        break;
    }
  }
}

// What the narrow ceiling computes: the bytes as little-endian 32-bit words,
// the last one zero-padded, added modulo 2^32.
std::uint32_t word_sum(const unsigned char* data, std::int64_t bytes) {
  std::uint32_t total = 0;
  for (std::int64_t i = 0; i < bytes; i += 4) {
    std::uint32_t word = 0;
    std::memcpy(&word, data + i, static_cast<std::size_t>(std::min<std::int64_t>(4, bytes - i)));
    total += word;
  }
  return total;
}

std::mutex cache_mutex;

// Offset of logical element (n, c, y, x) in the workload's memory format.
std::int64_t offset(const workload& w, std::int64_t n, std::int64_t c, std::int64_t y, std::int64_t x) {
  if (w.format == memory_format::nhwc) return ((n * w.h + y) * w.w + x) * w.c + c;
  return ((n * w.c + c) * w.h + y) * w.w + x;
}

struct reference {
  std::vector<double> values;
  std::vector<std::int64_t> indices;
  double total = 0;  // sum of every input element, for the ceiling
  // For the fused operations, which of the values are averages (the others
  // are maxima, compared exactly); empty when the workload says it.
  std::vector<bool> averaged;
};

// The input in logical order, N x C x H x W, whatever its memory format.
std::vector<float> logical_input(const workload& w, const float* in) {
  std::vector<float> x;
  x.reserve(static_cast<std::size_t>(w.input_elements()));
  for (std::int64_t n = 0; n < w.n; ++n)
    for (std::int64_t c = 0; c < w.c; ++c)
      for (std::int64_t y = 0; y < w.h; ++y)
        for (std::int64_t x0 = 0; x0 < w.w; ++x0) x.push_back(in[offset(w, n, c, y, x0)]);
  return x;
}

// int8 means are rounded to nearest, ties to even. A mean of at most a few
// thousand int8 values is within a rounding of double of its exact value, far
// from the next tie, so rounding the double rounds the exact mean.
double rounded(double mean) { return std::nearbyint(mean); }

template <class T>
void append(std::vector<double>& to, const std::vector<T>& values) {
  for (const T v : values) to.push_back(static_cast<double>(v));
}

// Every workload's expected output from tests/reference.hpp, the tests' and
// fuzzers' specification, in the output's logical order.
reference compute_reference(const workload& w, const float* in) {
  reference ref;
  for (std::int64_t i = 0; i < w.input_elements(); ++i) ref.total += in[i];
  const std::vector<float> x = logical_input(w, in);
  const ::reference::shape in_shape{w.n, w.c, w.h, w.w};
  const auto image = [&](const std::vector<double>& values, std::int64_t n, std::int64_t per_image) {
    return std::vector<double>(values.begin() + n * per_image, values.begin() + (n + 1) * per_image);
  };
  if (w.is_fused()) {
    // Per image: the max of every window, then its mean (concat: per channel
    // and window; CBAM: per pixel over all channels).
    const bool cbam = w.op == op_kind::channel_max_avg;
    const auto& size = w.output_sizes[0];
    const ::reference::shape out_shape{w.n, w.c, size[0], size[1]};
    const auto max =
        cbam ? ::reference::channel_max(x, in_shape, 1) : ::reference::adaptive_max(x, in_shape, out_shape);
    const auto mean =
        cbam ? ::reference::channel_avg(x, in_shape, 1) : ::reference::adaptive_avg(x, in_shape, out_shape);
    std::vector<double> maxima;
    append(maxima, max.values);
    const std::int64_t per_image = static_cast<std::int64_t>(mean.size()) / w.n;
    for (std::int64_t n = 0; n < w.n; ++n) {
      append(ref.values, image(maxima, n, per_image));
      append(ref.values, image(mean, n, per_image));
      ref.averaged.insert(ref.averaged.end(), static_cast<std::size_t>(per_image), false);
      ref.averaged.insert(ref.averaged.end(), static_cast<std::size_t>(per_image), true);
    }
    return ref;
  }
  const auto add_means = [&](const std::vector<double>& means) {
    for (const double m : means) ref.values.push_back(w.element == element_type::i8 ? rounded(m) : m);
  };
  if (w.is_channel()) {
    if (w.op == op_kind::channel_avg) {
      add_means(::reference::channel_avg(x, in_shape, 1));
    } else {
      append(ref.values, ::reference::channel_max(x, in_shape, 1).values);
    }
    return ref;
  }
  for (const auto& size : w.output_sizes) {
    const ::reference::shape out_shape{w.n, w.c, size[0], size[1]};
    if (w.op == op_kind::adaptive_gem) {
      append(ref.values, ::reference::adaptive_power_mean(x, in_shape, out_shape, gem_p, gem_eps, true));
    } else if (w.op == op_kind::adaptive_lp) {
      append(ref.values, ::reference::adaptive_power_mean(x, in_shape, out_shape, lp_p, 0.0, false));
    } else if (w.is_average()) {
      add_means(::reference::adaptive_avg(x, in_shape, out_shape));
    } else {
      const auto max = ::reference::adaptive_max(x, in_shape, out_shape);
      append(ref.values, max.values);
      ref.indices.insert(ref.indices.end(), max.indices.begin(), max.indices.end());
    }
  }
  return ref;
}

// The gradients, in double, from tests/reference.hpp: grad_in in logical
// order, N x C x H x W.
reference compute_backward_reference(const workload& w, const float* grad_out, const std::int64_t* indices) {
  const auto& size = w.output_sizes[0];
  const ::reference::shape in_shape{w.n, w.c, w.h, w.w}, out_shape{w.n, w.c, size[0], size[1]};
  const std::vector<float> g(grad_out, grad_out + w.n * w.c * size[0] * size[1]);
  reference ref;
  if (w.op == op_kind::adaptive_max_backward) {
    const std::vector<std::int64_t> idx(indices, indices + g.size());
    ref.values = ::reference::adaptive_max_backward<double>(g, idx, in_shape, out_shape).values;
  } else {
    ref.values = ::reference::adaptive_avg_backward<double>(g, in_shape, out_shape).values;
  }
  return ref;
}

const reference& reference_for(const workload& w) {
  static std::map<std::string, reference> cache;
  const void* in = input_data(w);
  // Made before cache_mutex is taken here: max_indices_for takes it too (through input_for).
  const float* grad_out = w.is_backward() ? grad_output_for(w) : nullptr;
  const std::int64_t* indices = w.op == op_kind::adaptive_max_backward ? max_indices_for(w) : nullptr;
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto found = cache.find(w.name);
  if (found == cache.end()) {
    if (w.is_backward()) {
      found = cache.emplace(w.name, compute_backward_reference(w, grad_out, indices)).first;
    } else if (!w.is_narrow()) {
      found = cache.emplace(w.name, compute_reference(w, static_cast<const float*>(in))).first;
    } else {
      // The same loops over the narrow values as floats; the ceiling's total is its word sum.
      const auto* bytes = static_cast<const unsigned char*>(in);
      std::vector<float> widened(static_cast<std::size_t>(w.input_elements()));
      for (std::size_t i = 0; i < widened.size(); ++i) {
        widened[i] = widen_element(bytes, w.element, static_cast<std::int64_t>(i));
      }
      reference ref = compute_reference(w, widened.data());
      ref.total = word_sum(bytes, w.input_bytes());
      found = cache.emplace(w.name, std::move(ref)).first;
    }
  }
  return found->second;
}

// Names the logical position of output element `i`, for error messages.
std::string position(const workload& w, std::int64_t i) {
  if (w.is_backward()) {
    std::ostringstream s;
    s << "grad_in at (n=" << i / (w.c * w.h * w.w) << ", c=" << i / (w.h * w.w) % w.c << ", y=" << i / w.w % w.h
      << ", x=" << i % w.w << ')';
    return s.str();
  }
  const std::int64_t channels = w.output_channels();
  for (const auto& size : w.output_sizes) {
    const std::int64_t count = w.n * channels * size[0] * size[1];
    if (i < count) {
      std::ostringstream s;
      s << "output " << size[0] << 'x' << size[1] << " at (n=" << i / (channels * size[0] * size[1])
        << ", c=" << i / (size[0] * size[1]) % channels << ", y=" << i / size[1] % size[0] << ", x=" << i % size[1]
        << ')';
      return s.str();
    }
    i -= count;
  }
  return "past the end";
}

}  // namespace

// Decoded from the bits here rather than by adapool's conversions, so that the
// reference stays independent.
float widen_element(const unsigned char* data, element_type element, std::int64_t i) {
  std::uint16_t bits = 0;
  if (element == element_type::f16 || element == element_type::bf16) std::memcpy(&bits, data + 2 * i, 2);
  switch (element) {
    case element_type::f32: {
      float v;
      std::memcpy(&v, data + 4 * i, 4);
      return v;
    }
    case element_type::f16: {
      const int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
      double magnitude;
      if (exponent == 0x1f) {
        magnitude = mantissa ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
      } else if (exponent == 0) {
        magnitude = std::ldexp(mantissa, -24);  // zero or subnormal
      } else {
        magnitude = std::ldexp(1024 + mantissa, exponent - 25);
      }
      return static_cast<float>((bits & 0x8000) ? -magnitude : magnitude);
    }
    case element_type::bf16: {
      const std::uint32_t x = static_cast<std::uint32_t>(bits) << 16;
      float v;
      std::memcpy(&v, &x, 4);
      return v;
    }
    case element_type::i8:
      return static_cast<float>(static_cast<std::int8_t>(data[i]));
  }
  return 0;
}

const void* input_data(const workload& w) {
  static std::map<std::string, input_buffer> cache;
  std::lock_guard<std::mutex> lock(cache_mutex);
  const std::string key = input_key(w);
  const std::string typed_key = key + '/' + element_name(w.element);
  auto found = cache.find(typed_key);
  if (found == cache.end()) {
    const std::size_t bytes = (static_cast<std::size_t>(w.input_bytes()) + 63) / 64 * 64;
    input_buffer buffer(static_cast<unsigned char*>(std::aligned_alloc(64, bytes)));
    if (!buffer) throw std::bad_alloc();
    std::uint64_t seed = 0xcbf29ce484222325ull;  // FNV-1a of the key: stable across runs and compilers
    for (const char ch : key) seed = (seed ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
    std::vector<float> values(static_cast<std::size_t>(w.input_elements()));
    fill_uniform(values.data(), w.input_elements(), seed);
    convert(values, w.element, buffer.get());
    found = cache.emplace(typed_key, std::move(buffer)).first;
  }
  return found->second.get();
}

const float* input_for(const workload& w) {
  if (w.is_narrow()) throw std::logic_error(w.name + " has " + element_name(w.element) + " input, not float");
  return static_cast<const float*>(input_data(w));
}

const float* grad_output_for(const workload& w) {
  static std::map<std::string, input_buffer> cache;
  static std::mutex mutex;
  if (!w.is_backward()) throw std::logic_error(w.name + " is not a backward pass: it has no grad_out");
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache.find(w.name);
  if (found == cache.end()) {
    const std::int64_t count = w.output_elements();
    const std::size_t bytes = (static_cast<std::size_t>(count) * sizeof(float) + 63) / 64 * 64;
    input_buffer buffer(static_cast<unsigned char*>(std::aligned_alloc(64, bytes)));
    if (!buffer) throw std::bad_alloc();
    // The inputs' generator with another seed: FNV-1a of "grad_out", the shape and the output size.
    std::ostringstream key;
    key << "grad_out " << input_key(w) << " to " << w.output_sizes[0][0] << 'x' << w.output_sizes[0][1];
    std::uint64_t seed = 0xcbf29ce484222325ull;
    for (const char ch : key.str()) seed = (seed ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
    fill_uniform(reinterpret_cast<float*>(buffer.get()), count, seed);
    found = cache.emplace(w.name, std::move(buffer)).first;
  }
  return reinterpret_cast<const float*>(found->second.get());
}

const std::int64_t* max_indices_for(const workload& w) {
  static std::map<std::string, std::vector<std::int64_t>> cache;
  static std::mutex mutex;
  if (w.op != op_kind::adaptive_max_backward) throw std::logic_error(w.name + " is not a max backward pass");
  const float* in = input_for(w);
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache.find(w.name);
  if (found == cache.end()) {
    // The forward this backward differentiates, through the reference loops.
    workload forward = w;
    forward.op = op_kind::adaptive_max_indices;
    found = cache.emplace(w.name, compute_reference(forward, in).indices).first;
  }
  return found->second.data();
}

void append_logical(pooled& into, memory_format format, const float* values, const std::int64_t* indices,
                    std::int64_t n, std::int64_t c, std::int64_t oh, std::int64_t ow) {
  for (std::int64_t in = 0; in < n; ++in) {
    for (std::int64_t ic = 0; ic < c; ++ic) {
      for (std::int64_t y = 0; y < oh; ++y) {
        for (std::int64_t x = 0; x < ow; ++x) {
          const std::int64_t at =
              format == memory_format::nhwc ? ((in * oh + y) * ow + x) * c + ic : ((in * c + ic) * oh + y) * ow + x;
          into.values.push_back(values[at]);
          if (indices) into.indices.push_back(indices[at]);
        }
      }
    }
  }
}

std::string check_against_reference(const workload& w, const pooled& got, double* max_relative_error) {
  const reference& ref = reference_for(w);
  *max_relative_error = 0;
  std::ostringstream why;
  why.precision(9);  // enough digits to tell two floats apart
  if (got.values.size() != ref.values.size()) {
    why << "output has " << got.values.size() << " values, expected " << ref.values.size();
    return why.str();
  }
  if (w.has_indices() && got.indices.size() != ref.indices.size()) {
    why << "output has " << got.indices.size() << " indices, expected " << ref.indices.size();
    return why.str();
  }
  // A float average's own summation error; a float16 or bfloat16 average is
  // rounded to the type as well, which moves it by up to half a unit in its
  // last place (1 ulp is a relative 2^-10 or 2^-7 at most): one ulp is allowed.
  // An int8 average is the exact mean rounded to nearest even: no tolerance.
  double tolerance = 1e-4;
  if (w.element == element_type::f16) tolerance += std::ldexp(1.0, -10);
  if (w.element == element_type::bf16) tolerance += std::ldexp(1.0, -7);
  const bool exact_averages = w.element == element_type::i8;
  for (std::size_t i = 0; i < ref.values.size(); ++i) {
    const double expected = ref.values[i];
    const double actual = got.values[i];
    if ((ref.averaged.empty() ? w.has_average() : ref.averaged[i]) && !exact_averages) {
      const double error = std::abs(actual - expected) / std::max(std::abs(expected), 1e-30);
      *max_relative_error = std::max(*max_relative_error, error);
      if (!(error <= tolerance)) {
        why << position(w, static_cast<std::int64_t>(i)) << " is " << actual << ", reference " << expected
            << " (relative error " << error << " > " << tolerance << ")";
        return why.str();
      }
    } else if (static_cast<float>(expected) != got.values[i]) {
      why << position(w, static_cast<std::int64_t>(i)) << " is " << actual << ", reference " << expected;
      return why.str();
    }
    if (w.has_indices() && got.indices[i] != ref.indices[i]) {
      why << position(w, static_cast<std::int64_t>(i)) << " has index " << got.indices[i] << ", reference "
          << ref.indices[i];
      return why.str();
    }
  }
  return {};
}

std::string check_total(const workload& w, double total) {
  const double expected = reference_for(w).total;
  if (w.is_narrow() ? total == expected : std::abs(total - expected) <= 1e-5 * std::abs(expected)) return {};
  std::ostringstream why;
  why.precision(10);
  why << (w.is_narrow() ? "word sum of the input is " : "sum of the input is ") << total << ", reference " << expected
      << ": not every element was read once";
  return why.str();
}

std::string check_fill(const workload& w, const std::vector<float>& written) {
  std::ostringstream why;
  if (written.size() != static_cast<std::size_t>(w.input_elements())) {
    why << "wrote " << written.size() << " elements, grad_in has " << w.input_elements();
    return why.str();
  }
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (written[i] != backward_ceiling_value) {
      why << position(w, static_cast<std::int64_t>(i)) << " is " << written[i] << ", the fill writes "
          << backward_ceiling_value << ": not every element was written";
      return why.str();
    }
  }
  return {};
}

bool set_openmp_threads(int threads) {
  // Looked up at run time: the OpenMP runtime is whatever oneDNN and PyTorch
  // were linked against, and this executable must not bring a second one.
  using setter = void (*)(int);
  static const setter set = reinterpret_cast<setter>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (!set) return false;
  set(threads);
  return true;
}

}  // namespace adapool_bench
