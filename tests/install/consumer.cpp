// SPDX-License-Identifier: MIT
// The program every consumer project builds, however it found adapool: pool a
// known input and check PyTorch's answer. adaptive_max_pool2d of arange(25)
// viewed 1 x 1 x 5 x 5, to 3 x 3, gives values and indices 6 8 9 16 18 19 21 23 24.
// Built with CONSUMER_THREADS=1 when the consumer asked for adapool's OpenMP
// target (or adapool-openmp.pc), with 0 when it did not: threads are opt-in, so
// OpenMP must be on exactly when asked for.

#include <adapool/adapool.hpp>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <vector>

#if !defined(CONSUMER_THREADS)
#error "build with -DCONSUMER_THREADS=0 or 1"
#elif CONSUMER_THREADS && !defined(_OPENMP)
#error "the consumer asked for adapool's threads, but this file is compiled without OpenMP"
#elif !CONSUMER_THREADS && defined(_OPENMP)
#error "the consumer did not ask for threads, but linking adapool switched OpenMP on"
#endif

int main() {
  std::vector<float> x(25);
  std::iota(x.begin(), x.end(), 0.0f);
  const auto in = adapool::make_view(x, 1, 1, 5, 5);

  const auto [values, indices] = adapool::adaptive_max_pool2d_with_indices(in, {3, 3});
  const auto mean = adapool::global_avg_pool(in);

  const std::vector<std::int64_t> expected = {6, 8, 9, 16, 18, 19, 21, 23, 24};
  bool ok = indices.values() == expected && mean.values() == std::vector<float>{12.0f};
  for (std::size_t i = 0; i < expected.size(); ++i) ok = ok && values.values()[i] == static_cast<float>(expected[i]);

  // Without OpenMP adapool runs everything on the calling thread and reports
  // one thread whatever is asked; threaded, it takes the count it is given.
  adapool::set_num_threads(3);
  const int threads = adapool::get_num_threads();
  const bool threads_ok = threads == (CONSUMER_THREADS ? 3 : 1);

  // Large enough (256 planes of 56 x 56, past the per-thread grain) to be
  // split over threads when they are on; each plane's mean is its value.
  std::vector<float> planes(256 * 56 * 56);
  for (std::size_t i = 0; i < planes.size(); ++i) planes[i] = static_cast<float>(i / (56 * 56));
  const auto means = adapool::global_avg_pool(adapool::make_view(planes, 1, 256, 56, 56));
  for (std::size_t c = 0; c < 256; ++c) ok = ok && means.values()[c] == static_cast<float>(c);

  std::printf("adapool %d.%d.%d (%s, %d thread%s): %s\n", ADAPOOL_VERSION_MAJOR, ADAPOOL_VERSION_MINOR,
              ADAPOOL_VERSION_PATCH, adapool::active_arch(), threads, threads == 1 ? "" : "s",
              !ok           ? "WRONG RESULTS"
              : !threads_ok ? "WRONG THREAD COUNT"
                            : "results as expected");
  return ok && threads_ok ? 0 : 1;
}
