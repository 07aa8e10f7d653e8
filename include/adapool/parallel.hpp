// SPDX-License-Identifier: MIT
#pragma once

// Threading. Operations split independent outer work (planes, images, channel
// blocks, pixel runs) over OpenMP threads when the translation unit is built
// with OpenMP, and run on the calling thread otherwise. Work is split at points
// that do not depend on the thread count (a huge plane's sum in fixed chunks,
// their totals added in order), so results are bit-identical for any count.
// Threads are the user's choice: the adapool::adapool CMake target and
// adapool.pc never add OpenMP; adapool::openmp and adapool-openmp.pc do.

#include <algorithm>
#include <atomic>
#include <cstdint>

#if defined(_OPENMP)
#include <omp.h>

#include "simd/target.hpp"
#endif

namespace adapool {

namespace detail {
inline std::atomic<int>& global_thread_count() {
  static std::atomic<int> count{0};
  return count;
}
inline int& scoped_thread_count() {
  static thread_local int count = 0;
  return count;
}
}  // namespace detail

/// Sets how many threads operations may use; 0 (the default) means OpenMP's
/// own default (OMP_NUM_THREADS, else one per core). Without OpenMP, always one.
inline void set_num_threads(int threads) { detail::global_thread_count().store(std::max(0, threads)); }

/// The number of threads an operation called now on this thread may use.
inline int get_num_threads() {
#if defined(_OPENMP)
  int threads = detail::scoped_thread_count();
  if (threads == 0) threads = detail::global_thread_count().load();
  if (threads == 0) threads = omp_get_max_threads();
  return std::max(1, threads);
#else
  return 1;
#endif
}

/// Overrides the thread count for the operations this thread calls while the
/// object lives: `{ adapool::scoped_num_threads one(1); adapool::global_avg_pool(x, y); }`.
class scoped_num_threads {
 public:
  /// From now until destruction, operations this thread calls use up to
  /// `threads` threads (0: the program-wide setting, see set_num_threads).
  explicit scoped_num_threads(int threads) : previous_(detail::scoped_thread_count()) {
    detail::scoped_thread_count() = std::max(0, threads);
  }
  /// Restores the count this thread had before.
  ~scoped_num_threads() { detail::scoped_thread_count() = previous_; }
  scoped_num_threads(const scoped_num_threads&) = delete;
  scoped_num_threads& operator=(const scoped_num_threads&) = delete;

 private:
  int previous_;
};

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// Below this many input elements per thread, starting threads costs more than
// it saves (a ResNet-50 head, 100K elements, stays on one thread).
inline constexpr std::int64_t parallel_grain = std::int64_t{1} << 18;

/// How many threads `work` input elements are worth (1 without OpenMP).
inline std::int64_t useful_threads(std::int64_t work) {
#if defined(_OPENMP)
  return std::max<std::int64_t>(1, std::min<std::int64_t>(get_num_threads(), work / parallel_grain));
#else
  (void)work;
  return 1;
#endif
}

/// Runs body(task) for task in [0, tasks), on up to get_num_threads() threads
/// when `work` (input elements read in all) is large enough.
template <class Body>
void parallel_for(std::int64_t tasks, std::int64_t work, const Body& body) {
#if defined(_OPENMP)
  const std::int64_t threads = std::min(tasks, useful_threads(work));
  if (threads > 1) {
#pragma omp parallel for num_threads(static_cast <int>(threads)) schedule(static)
    for (std::int64_t task = 0; task < tasks; ++task) body(task);
    return;
  }
#else
  (void)work;
#endif
  for (std::int64_t task = 0; task < tasks; ++task) body(task);
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail
}  // namespace adapool
