// SPDX-License-Identifier: MIT
// The two yardsticks: the loop a user writes by hand, and the ceiling, a plain
// streaming sum over the same input bytes that bounds what any pooling can do
// (for a backward pass, a plain streaming write of grad_in's bytes).

#include <adapool/element_types.hpp>
#include <adapool/simd/compiler.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "common.hpp"

namespace adapool_bench {

namespace {

// The definition typed in directly: one output at a time, its window scanned
// in logical order with a float accumulator, whatever the memory format.
class naive_case final : public pool_case {
 public:
  explicit naive_case(const workload& w) : w_(w), in_(input_for(w)) {
    values_.resize(static_cast<std::size_t>(w.output_elements()));
    if (w.has_indices()) indices_.resize(values_.size());
  }

  void run() override {
    if (w_.is_channel()) {
      w_.op == op_kind::channel_max ? channel_max() : channel_avg();
    } else if (w_.format == memory_format::nhwc) {
      spatial(w_.h * w_.w * w_.c, w_.w * w_.c, w_.c, 1);
    } else {
      spatial(w_.c * w_.h * w_.w, w_.w, 1, w_.h * w_.w);
    }
  }

  pooled result() const override {
    // Outputs are written in logical order.
    return {values_, indices_};
  }

 private:
  void spatial(std::int64_t n_stride, std::int64_t y_stride, std::int64_t x_stride, std::int64_t c_stride) {
    float* out = values_.data();
    std::int64_t* index = indices_.data();
    for (const auto& size : w_.output_sizes) {
      for (std::int64_t n = 0; n < w_.n; ++n) {
        for (std::int64_t c = 0; c < w_.c; ++c) {
          const float* plane = in_ + n * n_stride + c * c_stride;
          for (std::int64_t oy = 0; oy < size[0]; ++oy) {
            const std::int64_t y0 = window_start(oy, w_.h, size[0]), y1 = window_stop(oy, w_.h, size[0]);
            for (std::int64_t ox = 0; ox < size[1]; ++ox) {
              const std::int64_t x0 = window_start(ox, w_.w, size[1]), x1 = window_stop(ox, w_.w, size[1]);
              if (w_.op == op_kind::adaptive_gem) {
                float sum = 0;
                for (std::int64_t y = y0; y < y1; ++y) {
                  for (std::int64_t x = x0; x < x1; ++x)
                    sum += std::pow(std::max(plane[y * y_stride + x * x_stride], gem_eps), gem_p);
                }
                *out++ = std::pow(sum / static_cast<float>((y1 - y0) * (x1 - x0)), 1.0f / gem_p);
              } else if (w_.op == op_kind::adaptive_lp) {
                float sum = 0;
                for (std::int64_t y = y0; y < y1; ++y) {
                  for (std::int64_t x = x0; x < x1; ++x) sum += std::pow(plane[y * y_stride + x * x_stride], lp_p);
                }
                *out++ = std::pow(sum, 1.0f / lp_p);
              } else if (w_.is_average()) {
                float sum = 0;
                for (std::int64_t y = y0; y < y1; ++y) {
                  for (std::int64_t x = x0; x < x1; ++x) sum += plane[y * y_stride + x * x_stride];
                }
                *out++ = sum / static_cast<float>((y1 - y0) * (x1 - x0));
              } else {
                float max = -std::numeric_limits<float>::infinity();
                std::int64_t argmax = y0 * w_.w + x0;
                for (std::int64_t y = y0; y < y1; ++y) {
                  for (std::int64_t x = x0; x < x1; ++x) {
                    const float v = plane[y * y_stride + x * x_stride];
                    if (v > max) {
                      max = v;
                      argmax = y * w_.w + x;
                    }
                  }
                }
                *out++ = max;
                *index++ = argmax;
              }
            }
          }
        }
      }
    }
  }

  void channel_max() {
    const std::int64_t plane = w_.h * w_.w;
    float* out = values_.data();
    for (std::int64_t n = 0; n < w_.n; ++n) {
      const float* image = in_ + n * w_.c * plane;
      for (std::int64_t p = 0; p < plane; ++p) {
        float max = -std::numeric_limits<float>::infinity();
        for (std::int64_t c = 0; c < w_.c; ++c) {
          const float v = image[c * plane + p];
          if (v > max) max = v;
        }
        *out++ = max;
      }
    }
  }

  void channel_avg() {
    const std::int64_t plane = w_.h * w_.w;
    float* out = values_.data();
    for (std::int64_t n = 0; n < w_.n; ++n) {
      const float* image = in_ + n * w_.c * plane;
      for (std::int64_t p = 0; p < plane; ++p) {
        float sum = 0;
        for (std::int64_t c = 0; c < w_.c; ++c) sum += image[c * plane + p];
        *out++ = sum / static_cast<float>(w_.c);
      }
    }
  }

  const workload& w_;
  const float* in_;
  std::vector<float> values_;
  std::vector<std::int64_t> indices_;
};

// The same loop for float16, bfloat16 and int8 data, as a user writes it:
// each element converted to float (int32_t for int8) and summed or compared,
// the result converted back to the element type. An int8 mean is rounded to
// nearest, ties to even, as adapool rounds it (the quotient of a sum below
// 2^31 by its count in double never lands on .5 unless the exact mean does).
template <class T>
class naive_narrow_case final : public pool_case {
 public:
  using wide = std::conditional_t<std::is_integral_v<T>, std::int32_t, float>;

  explicit naive_narrow_case(const workload& w) : w_(w), in_(static_cast<const T*>(input_data(w))) {
    if (w.has_indices() || w.is_fused() || w.is_power()) {
      throw std::invalid_argument("the narrow naive loop does averages and maxima without indices only");
    }
    values_.resize(static_cast<std::size_t>(w.output_elements()));
  }

  void run() override {
    if (w_.is_channel()) {
      channel();
    } else if (w_.format == memory_format::nhwc) {
      spatial(w_.h * w_.w * w_.c, w_.w * w_.c, w_.c, 1);
    } else {
      spatial(w_.c * w_.h * w_.w, w_.w, 1, w_.h * w_.w);
    }
  }

  pooled result() const override {
    pooled out;
    for (const T v : values_) out.values.push_back(static_cast<float>(v));
    return out;
  }

 private:
  static wide widen(T v) { return static_cast<wide>(v); }
  static T average(wide sum, std::int64_t count) {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(std::nearbyint(static_cast<double>(sum) / static_cast<double>(count)));
    } else {
      return T(sum / static_cast<float>(count));
    }
  }
  static constexpr wide lowest() {
    return std::is_integral_v<T> ? std::numeric_limits<wide>::lowest() : -std::numeric_limits<wide>::infinity();
  }

  void spatial(std::int64_t n_stride, std::int64_t y_stride, std::int64_t x_stride, std::int64_t c_stride) {
    T* out = values_.data();
    for (const auto& size : w_.output_sizes) {
      for (std::int64_t n = 0; n < w_.n; ++n) {
        for (std::int64_t c = 0; c < w_.c; ++c) {
          const T* plane = in_ + n * n_stride + c * c_stride;
          for (std::int64_t oy = 0; oy < size[0]; ++oy) {
            const std::int64_t y0 = window_start(oy, w_.h, size[0]), y1 = window_stop(oy, w_.h, size[0]);
            for (std::int64_t ox = 0; ox < size[1]; ++ox) {
              const std::int64_t x0 = window_start(ox, w_.w, size[1]), x1 = window_stop(ox, w_.w, size[1]);
              if (w_.is_average()) {
                wide sum = 0;
                for (std::int64_t y = y0; y < y1; ++y) {
                  for (std::int64_t x = x0; x < x1; ++x) sum += widen(plane[y * y_stride + x * x_stride]);
                }
                *out++ = average(sum, (y1 - y0) * (x1 - x0));
              } else {
                wide max = lowest();
                for (std::int64_t y = y0; y < y1; ++y) {
                  for (std::int64_t x = x0; x < x1; ++x) max = std::max(max, widen(plane[y * y_stride + x * x_stride]));
                }
                *out++ = T(max);
              }
            }
          }
        }
      }
    }
  }

  void channel() {
    // Logical order n, c, y, x whatever the memory format.
    const std::int64_t c_stride = w_.format == memory_format::nhwc ? 1 : w_.h * w_.w;
    const std::int64_t p_stride = w_.format == memory_format::nhwc ? w_.c : 1;
    const std::int64_t plane = w_.h * w_.w;
    T* out = values_.data();
    for (std::int64_t n = 0; n < w_.n; ++n) {
      const T* image = in_ + n * w_.c * plane;
      for (std::int64_t p = 0; p < plane; ++p) {
        if (w_.op == op_kind::channel_avg) {
          wide sum = 0;
          for (std::int64_t c = 0; c < w_.c; ++c) sum += widen(image[c * c_stride + p * p_stride]);
          *out++ = average(sum, w_.c);
        } else {
          wide max = lowest();
          for (std::int64_t c = 0; c < w_.c; ++c) max = std::max(max, widen(image[c * c_stride + p * p_stride]));
          *out++ = T(max);
        }
      }
    }
  }

  const workload& w_;
  const T* in_;
  std::vector<T> values_;
};

// A backward pass as a user writes it: grad_in zeroed, then each output cell
// of grad_out in turn, its share (grad_out / window size, in float) added to
// every element of its window, or its grad_out added at its saved index.
class naive_backward_case final : public pool_case {
 public:
  explicit naive_backward_case(const workload& w)
      : w_(w),
        grad_out_(grad_output_for(w)),
        indices_(w.op == op_kind::adaptive_max_backward ? max_indices_for(w) : nullptr),
        grad_in_(static_cast<std::size_t>(w.input_elements())) {
    if (w.format != memory_format::nchw || w.output_sizes.size() != 1) {
      throw std::invalid_argument("backward passes are benchmarked on one NCHW output size");
    }
  }

  void run() override {
    std::fill(grad_in_.begin(), grad_in_.end(), 0.0f);
    w_.op == op_kind::adaptive_max_backward ? max_backward() : avg_backward();
  }

  pooled result() const override { return {grad_in_, {}}; }

 private:
  void avg_backward() {
    const auto& size = w_.output_sizes[0];
    const float* grad = grad_out_;
    for (std::int64_t n = 0; n < w_.n; ++n) {
      for (std::int64_t c = 0; c < w_.c; ++c) {
        float* plane = grad_in_.data() + (n * w_.c + c) * w_.h * w_.w;
        for (std::int64_t oy = 0; oy < size[0]; ++oy) {
          const std::int64_t y0 = window_start(oy, w_.h, size[0]), y1 = window_stop(oy, w_.h, size[0]);
          for (std::int64_t ox = 0; ox < size[1]; ++ox) {
            const std::int64_t x0 = window_start(ox, w_.w, size[1]), x1 = window_stop(ox, w_.w, size[1]);
            const float share = *grad++ / static_cast<float>((y1 - y0) * (x1 - x0));
            for (std::int64_t y = y0; y < y1; ++y) {
              for (std::int64_t x = x0; x < x1; ++x) plane[y * w_.w + x] += share;
            }
          }
        }
      }
    }
  }

  void max_backward() {
    const std::int64_t cells = w_.output_sizes[0][0] * w_.output_sizes[0][1];
    for (std::int64_t p = 0; p < w_.n * w_.c; ++p) {
      float* plane = grad_in_.data() + p * w_.h * w_.w;
      for (std::int64_t k = p * cells; k < (p + 1) * cells; ++k) plane[indices_[k]] += grad_out_[k];
    }
  }

  const workload& w_;
  const float* grad_out_;
  const std::int64_t* indices_;
  std::vector<float> grad_in_;
};

std::unique_ptr<pool_case> prepare_naive(const workload& w) {
  if (w.is_backward()) return std::make_unique<naive_backward_case>(w);
  switch (w.element) {
    case element_type::f32:
      return std::make_unique<naive_case>(w);
    case element_type::f16:
      return std::make_unique<naive_narrow_case<adapool::float16>>(w);
    case element_type::bf16:
      return std::make_unique<naive_narrow_case<adapool::bfloat16>>(w);
    case element_type::i8:
      return std::make_unique<naive_narrow_case<std::int8_t>>(w);
  }
  return nullptr;
}

// Sums every element once with independent accumulators, so the loop is bound
// by load bandwidth, not by the latency of a dependent add chain: eight vector
// accumulators cover the 3-4 cycle add latency at two loads per cycle.
float streaming_sum(const float* data, std::int64_t count) {
  std::int64_t i = 0;
  float total = 0;
#if defined(__AVX512F__)
  __m512 acc[8];
  for (auto& a : acc) a = _mm512_setzero_ps();
  for (; i + 128 <= count; i += 128) {
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 8; ++k) acc[k] = _mm512_add_ps(acc[k], _mm512_load_ps(data + i + 16 * k));
  }
  for (int k = 1; k < 8; ++k) acc[0] = _mm512_add_ps(acc[0], acc[k]);
  // Lanes through memory, not _mm512_reduce_add_ps: GCC 12's expansion of it
  // trips -Wuninitialized (an undefined upper half), an error under -Werror.
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  for (float lane : lanes) total += lane;
#elif defined(__AVX2__)
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (; i + 64 <= count; i += 64) {
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 8; ++k) acc[k] = _mm256_add_ps(acc[k], _mm256_load_ps(data + i + 8 * k));
  }
  for (int k = 1; k < 8; ++k) acc[0] = _mm256_add_ps(acc[0], acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc[0]);
  for (float lane : lanes) total += lane;
#else
  // 64 scalar accumulators: the compiler turns them into vector registers.
  float acc[64] = {};
  for (; i + 64 <= count; i += 64) {
    ADAPOOL_UNROLL(64)
    for (int k = 0; k < 64; ++k) acc[k] += data[i + k];
  }
  for (float a : acc) total += a;
#endif
  for (; i < count; ++i) total += data[i];
  return total;
}

// For narrow inputs, the same pass over the same bytes with integer adds:
// the bytes as 32-bit words summed modulo 2^32 (the last word zero-padded), as
// fast as the float sum (README.md) and checkable exactly.
std::uint32_t streaming_word_sum(const unsigned char* data, std::int64_t bytes) {
  std::int64_t i = 0;
  std::uint32_t total = 0;
#if defined(__AVX512F__)
  __m512i acc[8];
  for (auto& a : acc) a = _mm512_setzero_si512();
  for (; i + 512 <= bytes; i += 512) {
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 8; ++k) acc[k] = _mm512_add_epi32(acc[k], _mm512_load_si512(data + i + 64 * k));
  }
  for (int k = 1; k < 8; ++k) acc[0] = _mm512_add_epi32(acc[0], acc[k]);
  alignas(64) std::uint32_t lanes[16];
  _mm512_store_si512(lanes, acc[0]);
  for (std::uint32_t lane : lanes) total += lane;
#elif defined(__AVX2__)
  __m256i acc[8];
  for (auto& a : acc) a = _mm256_setzero_si256();
  for (; i + 256 <= bytes; i += 256) {
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 8; ++k) {
      acc[k] = _mm256_add_epi32(acc[k], _mm256_load_si256(reinterpret_cast<const __m256i*>(data + i + 32 * k)));
    }
  }
  for (int k = 1; k < 8; ++k) acc[0] = _mm256_add_epi32(acc[0], acc[k]);
  alignas(32) std::uint32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc[0]);
  for (std::uint32_t lane : lanes) total += lane;
#else
  std::uint32_t acc[64] = {};
  for (; i + 256 <= bytes; i += 256) {
    ADAPOOL_UNROLL(64)
    for (int k = 0; k < 64; ++k) {
      std::uint32_t word;
      std::memcpy(&word, data + i + 4 * k, 4);
      acc[k] += word;
    }
  }
  for (std::uint32_t a : acc) total += a;
#endif
  for (; i < bytes; i += 4) {
    std::uint32_t word = 0;
    std::memcpy(&word, data + i, static_cast<std::size_t>(std::min<std::int64_t>(4, bytes - i)));
    total += word;
  }
  return total;
}

// The backward ceiling: every byte of a grad_in-sized buffer written once with
// the widest aligned vector stores the build allows, eight per iteration.
// Ordinary stores, as every backward pass makes (not streaming ones, which
// bypass the caches the next layer would read grad_in from).
void streaming_fill(float* data, std::int64_t count, float value) {
  std::int64_t i = 0;
#if defined(__AVX512F__)
  const __m512 v = _mm512_set1_ps(value);
  for (; i + 128 <= count; i += 128) {
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 8; ++k) _mm512_store_ps(data + i + 16 * k, v);
  }
#elif defined(__AVX2__)
  const __m256 v = _mm256_set1_ps(value);
  for (; i + 64 <= count; i += 64) {
    ADAPOOL_UNROLL(8)
    for (int k = 0; k < 8; ++k) _mm256_store_ps(data + i + 8 * k, v);
  }
#else
  // 64 floats per iteration: the compiler turns them into vector stores.
  for (; i + 64 <= count; i += 64) {
    ADAPOOL_UNROLL(64)
    for (int k = 0; k < 64; ++k) data[i + k] = value;
  }
#endif
  for (; i < count; ++i) data[i] = value;
}

class ceiling_case final : public pool_case {
 public:
  explicit ceiling_case(const workload& w) : w_(w), in_(input_data(w)) {
    if (w.is_backward()) {
      // 64-byte aligned for the aligned stores; NaN until written, so an
      // element the fill missed fails check_fill.
      const std::size_t bytes = (static_cast<std::size_t>(w.input_bytes()) + 63) / 64 * 64;
      written_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
      if (!written_) throw std::bad_alloc();
      std::fill_n(written_.get(), w.input_elements(), std::numeric_limits<float>::quiet_NaN());
    }
  }

  void run() override {
    if (w_.is_backward()) {
      streaming_fill(written_.get(), w_.input_elements(), backward_ceiling_value);
    } else if (w_.is_narrow()) {
      total_ = streaming_word_sum(static_cast<const unsigned char*>(in_), w_.input_bytes());
    } else {
      total_ = streaming_sum(static_cast<const float*>(in_), w_.input_elements());
    }
  }

  // Not a pooling result: main.cpp checks the total with check_total, or the
  // backward fill (in values) with check_fill.
  pooled result() const override {
    pooled out;
    out.total = total_;
    if (w_.is_backward()) out.values.assign(written_.get(), written_.get() + w_.input_elements());
    return out;
  }

  std::string label() const override {
    if (w_.is_backward()) {
#if defined(__AVX512F__)
      return "avx512f stores, a fill of grad_in";
#elif defined(__AVX2__)
      return "avx2 stores, a fill of grad_in";
#else
      return "compiler-vectorised stores, a fill of grad_in";
#endif
    }
    const char* adds = w_.is_narrow() ? ", 32-bit integer adds" : "";
#if defined(__AVX512F__)
    return std::string("avx512f, 8 accumulators") + adds;
#elif defined(__AVX2__)
    return std::string("avx2, 8 accumulators") + adds;
#else
    return std::string("compiler-vectorised, 64 accumulators") + adds;
#endif
  }

 private:
  struct aligned_free {
    void operator()(float* p) const { std::free(p); }
  };

  const workload& w_;
  const void* in_;
  double total_ = 0;                                // a float's sum, or the exact word sum
  std::unique_ptr<float[], aligned_free> written_;  // a backward workload's grad_in-sized buffer
};

}  // namespace

std::vector<implementation> baseline_implementations() {
  auto always = [](const workload&) { return std::string(); };
  return {
      {"naive", role::baseline, false, always,
       [](const workload& w, int) -> std::unique_ptr<pool_case> { return prepare_naive(w); }},
      {"ceiling", role::ceiling, false, always,
       [](const workload& w, int) -> std::unique_ptr<pool_case> { return std::make_unique<ceiling_case>(w); }},
  };
}

}  // namespace adapool_bench
