// SPDX-License-Identifier: MIT
// Runs the baseline file always and the AVX-512 file when this CPU has
// AVX-512, and compares them: maxima and indices identical, averages within
// rounding, and errors from both caught as the one adapool::error type.
#include <adapool/simd/arch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "pooled.hpp"

void pool_wide(const float* input, pooled& out);
void pool_baseline(const float* input, pooled& out);

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

bool close(const float* a, const float* b, int n) {
  for (int i = 0; i < n; ++i)
    if (std::fabs(a[i] - b[i]) > 1e-6f * (1.0f + std::fabs(b[i]))) return false;
  return true;
}

}  // namespace

int main() {
  static float input[2 * 16 * 13 * 13];
  for (int i = 0; i < 2 * 16 * 13 * 13; ++i) input[i] = static_cast<float>((i * 7919) % 1009) / 17.0f - 20.0f;
  input[100] = input[101];  // a tie: the first keeps the index

  const auto narrow = std::make_unique<pooled>();
  pool_baseline(input, *narrow);
  std::printf("baseline file: %s\n", narrow->arch);
  expect(std::strcmp(narrow->arch, "avx512f") != 0, "the baseline file is not built for AVX-512");
  expect(narrow->error_message.find("adaptive_avg_pool2d") == 0, "the baseline file's error is an adapool::error");

  if (!adapool::simd::cpu_supports<adapool::simd::avx512f>()) {
    std::printf("this CPU has no AVX-512: the AVX-512 file is linked in but not run\n");
  } else {
    const auto wide = std::make_unique<pooled>();
    pool_wide(input, *wide);
    std::printf("AVX-512 file: %s\n", wide->arch);
    expect(std::strcmp(wide->arch, "avx512f") == 0, "the AVX-512 file runs the avx512f path");
    expect(std::memcmp(wide->max, narrow->max, sizeof wide->max) == 0, "maxima identical");
    expect(std::memcmp(wide->max_index, narrow->max_index, sizeof wide->max_index) == 0, "indices identical");
    expect(std::memcmp(wide->channel_max, narrow->channel_max, sizeof wide->channel_max) == 0, "channel maxima");
    expect(std::memcmp(wide->channel_index, narrow->channel_index, sizeof wide->channel_index) == 0,
           "channel indices identical");
    expect(close(wide->avg, narrow->avg, 2 * 16 * 7 * 7), "averages agree");
    expect(close(wide->global_avg, narrow->global_avg, 2 * 16), "global averages agree");
    expect(wide->error_message == narrow->error_message, "the same error from both files");
  }
  std::printf(failures ? "%d checks failed\n" : "both files agree\n", failures);
  return failures ? 1 : 0;
}
