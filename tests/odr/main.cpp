// SPDX-License-Identifier: MIT
// Runs the baseline file capped to SSE2 and then dispatched to the widest copy
// this CPU runs, and the AVX-512 file when this CPU has AVX-512, and compares
// them: maxima and indices identical, averages within rounding, and errors
// from all caught as the one adapool::error type.
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

void compare(const pooled& got, const pooled& want) {
  expect(std::memcmp(got.max, want.max, sizeof got.max) == 0, "maxima identical");
  expect(std::memcmp(got.max_index, want.max_index, sizeof got.max_index) == 0, "indices identical");
  expect(std::memcmp(got.channel_max, want.channel_max, sizeof got.channel_max) == 0, "channel maxima");
  expect(std::memcmp(got.channel_index, want.channel_index, sizeof got.channel_index) == 0,
         "channel indices identical");
  expect(close(got.avg, want.avg, 2 * 16 * 7 * 7), "averages agree");
  expect(close(got.global_avg, want.global_avg, 2 * 16), "global averages agree");
  expect(got.error_message == want.error_message, "the same error from both files");
}

}  // namespace

int main() {
  static float input[2 * 16 * 13 * 13];
  for (int i = 0; i < 2 * 16 * 13 * 13; ++i) input[i] = static_cast<float>((i * 7919) % 1009) / 17.0f - 20.0f;
  input[100] = input[101];  // a tie: the first keeps the index

  // The baseline file capped to SSE2, which every x86-64 CPU runs.
  adapool::simd::limit_dynamic_arch("sse2");
  const auto narrow = std::make_unique<pooled>();
  pool_baseline(input, *narrow);
  std::printf("baseline file capped to sse2: %s\n", narrow->arch);
  expect(std::strcmp(narrow->arch, "sse2") == 0, "the capped baseline file runs the sse2 copy");
  expect(narrow->error_message.find("adaptive_avg_pool2d") == 0, "the baseline file's error is an adapool::error");

  // Uncapped: the widest copy this CPU runs.
  adapool::simd::limit_dynamic_arch(nullptr);
  const auto dispatched = std::make_unique<pooled>();
  pool_baseline(input, *dispatched);
  std::printf("baseline file, dispatched: %s\n", dispatched->arch);
  expect(std::strcmp(dispatched->arch, adapool::simd::dynamic_arch()) == 0, "the dispatched copy is the widest");
  compare(*dispatched, *narrow);

  if (!adapool::simd::cpu_supports<adapool::simd::avx512f>()) {
    std::printf("this CPU has no AVX-512: the AVX-512 file is linked in but not run\n");
  } else {
    const auto wide = std::make_unique<pooled>();
    pool_wide(input, *wide);
    std::printf("AVX-512 file: %s\n", wide->arch);
    expect(std::strcmp(wide->arch, "avx512f") == 0, "the AVX-512 file runs the avx512f path");
    compare(*wide, *narrow);
  }
  std::printf(failures ? "%d checks failed\n" : "all copies agree\n", failures);
  return failures ? 1 : 0;
}
