// SPDX-License-Identifier: MIT
// The two yardsticks: the loop a user writes by hand, and the ceiling, a plain
// streaming sum over the same input bytes that bounds what any pooling can do.

#include <algorithm>
#include <cmath>
#include <limits>

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
            const std::int64_t y0 = window_begin(oy, w_.h, size[0]), y1 = window_end(oy, w_.h, size[0]);
            for (std::int64_t ox = 0; ox < size[1]; ++ox) {
              const std::int64_t x0 = window_begin(ox, w_.w, size[1]), x1 = window_end(ox, w_.w, size[1]);
              if (w_.op == op_kind::adaptive_gem) {
                float sum = 0;
                for (std::int64_t y = y0; y < y1; ++y) {
                  for (std::int64_t x = x0; x < x1; ++x)
                    sum += std::pow(std::max(plane[y * y_stride + x * x_stride], gem_eps), gem_p);
                }
                *out++ = std::pow(sum / static_cast<float>((y1 - y0) * (x1 - x0)), 1.0f / gem_p);
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
    for (int k = 0; k < 8; ++k) acc[k] = _mm512_add_ps(acc[k], _mm512_load_ps(data + i + 16 * k));
  }
  for (int k = 1; k < 8; ++k) acc[0] = _mm512_add_ps(acc[0], acc[k]);
  total = _mm512_reduce_add_ps(acc[0]);
#elif defined(__AVX2__)
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (; i + 64 <= count; i += 64) {
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
    for (int k = 0; k < 64; ++k) acc[k] += data[i + k];
  }
  for (float a : acc) total += a;
#endif
  for (; i < count; ++i) total += data[i];
  return total;
}

class ceiling_case final : public pool_case {
 public:
  explicit ceiling_case(const workload& w) : w_(w), in_(input_for(w)) {}

  void run() override { total_ = streaming_sum(in_, w_.input_elements()); }

  // Not a pooling result: main.cpp checks the total with check_total.
  pooled result() const override { return {{total_}, {}}; }

  std::string label() const override {
#if defined(__AVX512F__)
    return "avx512f, 8 accumulators";
#elif defined(__AVX2__)
    return "avx2, 8 accumulators";
#else
    return "compiler-vectorised, 64 accumulators";
#endif
  }

 private:
  const workload& w_;
  const float* in_;
  float total_ = 0;
};

}  // namespace

std::vector<implementation> baseline_implementations() {
  auto always = [](const workload&) { return std::string(); };
  return {
      {"naive", role::baseline, false, always,
       [](const workload& w, int) -> std::unique_ptr<pool_case> { return std::make_unique<naive_case>(w); }},
      {"ceiling", role::ceiling, false, always,
       [](const workload& w, int) -> std::unique_ptr<pool_case> { return std::make_unique<ceiling_case>(w); }},
  };
}

}  // namespace adapool_bench
