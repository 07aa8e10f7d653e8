// SPDX-License-Identifier: MIT
// Threading: on inputs large enough to be split, every operation gives the
// same bits with one thread and with several, and the thread-count controls
// behave as documented.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace threads_tests {

struct results {
  std::vector<float> avg, max, channel_max, channel_avg;
  std::vector<float> pyramid[2];
  std::vector<std::int64_t> max_index, channel_index;

  bool operator==(const results& o) const {
    const auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
      return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    };
    return same(avg, o.avg) && same(max, o.max) && same(channel_max, o.channel_max) &&
           same(channel_avg, o.channel_avg) && same(pyramid[0], o.pyramid[0]) && same(pyramid[1], o.pyramid[1]) &&
           max_index == o.max_index && channel_index == o.channel_index;
  }
};

struct workload {
  std::int64_t n, c, h, w, oh, ow;
  bool channels_last;
};

// Sizes above the library's per-thread grain (2^18 elements), so that a second
// thread is used when one is allowed.
const workload workloads[] = {
    {1, 256, 56, 56, 1, 1, false},    // global, one image: split over channel blocks
    {1, 256, 56, 56, 1, 1, true},     // global channels-last: split over channel runs
    {1, 2048, 16, 16, 1, 1, true},    // the same, each pixel's run of channels read whole
    {8, 512, 13, 13, 7, 7, false},    // overlapping windows, split over planes
    {2, 64, 112, 112, 3, 5, true},    // channels-last windows
    {1, 64, 112, 112, 1, 1, false},   // channel pooling over long pixel runs
    {1, 3, 1024, 1024, 1, 1, false},  // huge planes: global average split by chunks of planes
};

results run(const workload& s, const std::vector<float>& x, int threads) {
  const adapool::scoped_num_threads scope(threads);
  results r;
  const auto pooled = static_cast<std::size_t>(s.n * s.c * s.oh * s.ow);
  const auto per_pixel = static_cast<std::size_t>(s.n * 3 * s.h * s.w);
  r.avg.resize(pooled);
  r.max.resize(pooled);
  r.max_index.resize(pooled);
  r.channel_max.resize(per_pixel);
  r.channel_avg.resize(per_pixel);
  r.channel_index.resize(per_pixel);
  r.pyramid[0].resize(static_cast<std::size_t>(s.n * s.c * 2 * 2));
  r.pyramid[1].resize(static_cast<std::size_t>(s.n * s.c * 3 * 3));
  const auto call = [&](auto in) {
    adapool::adaptive_avg_pool2d(in, adapool::make_view(r.avg.data(), s.n, s.c, s.oh, s.ow));
    adapool::adaptive_max_pool2d(in, adapool::make_view(r.max.data(), s.n, s.c, s.oh, s.ow),
                                 adapool::make_view(r.max_index.data(), s.n, s.c, s.oh, s.ow));
    adapool::channel_max_pool(in, adapool::make_view(r.channel_max.data(), s.n, 3, s.h, s.w),
                              adapool::make_view(r.channel_index.data(), s.n, 3, s.h, s.w));
    adapool::channel_avg_pool(in, adapool::make_view(r.channel_avg.data(), s.n, 3, s.h, s.w));
    adapool::adaptive_avg_pool2d_pyramid(
        in, std::array<adapool::tensor_view<float, 4>, 2>{adapool::make_view(r.pyramid[0].data(), s.n, s.c, 2, 2),
                                                          adapool::make_view(r.pyramid[1].data(), s.n, s.c, 3, 3)});
  };
  if (s.channels_last) {
    call(adapool::make_view<adapool::channels_last>(x.data(), s.n, s.c, s.h, s.w));
  } else {
    call(adapool::make_view(x.data(), s.n, s.c, s.h, s.w));
  }
  return r;
}

TEST(Threads, SameBitsForOneAndTwoThreads) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> value(-100.0f, 100.0f);
  for (const workload& s : workloads) {
    std::vector<float> x(static_cast<std::size_t>(s.n * s.c * s.h * s.w));
    for (float& v : x) v = value(rng);
    x[x.size() / 3] = std::numeric_limits<float>::quiet_NaN();
    const results one = run(s, x, 1);
    EXPECT_TRUE(one == run(s, x, 2)) << "workload " << s.n << "x" << s.c << "x" << s.h << "x" << s.w;
    EXPECT_TRUE(one == run(s, x, 3)) << "workload " << s.n << "x" << s.c << "x" << s.h << "x" << s.w;
  }
}

TEST(Threads, ScopedCountOverridesGlobalAndRestores) {
  const int before = adapool::get_num_threads();
  adapool::set_num_threads(1);
  EXPECT_EQ(adapool::get_num_threads(), 1);
  {
    const adapool::scoped_num_threads scope(3);
#if defined(_OPENMP)
    EXPECT_EQ(adapool::get_num_threads(), 3);
#else
    EXPECT_EQ(adapool::get_num_threads(), 1);  // without OpenMP there is one thread
#endif
  }
  EXPECT_EQ(adapool::get_num_threads(), 1);
  adapool::set_num_threads(0);
  EXPECT_EQ(adapool::get_num_threads(), before);
}

}  // namespace threads_tests
