// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_KERNELS_GLOBAL_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_KERNELS_GLOBAL_HPP)
#undef ADAPOOL_DETAIL_KERNELS_GLOBAL_HPP
#else
#define ADAPOOL_DETAIL_KERNELS_GLOBAL_HPP
#endif

// Strategies global_small_planes, global_planes and global_chunks (plan.hpp):
// whole contiguous planes, one output each.

#include <algorithm>
#include <cstdint>

#include "../parallel.hpp"
#include "../simd/target.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "reduce_columns.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

template <class Arch, class T>
double chunk_sum(const T* plane, std::int64_t size, std::int64_t chunk) {
  const std::int64_t begin = chunk * plane_chunk, n = std::min(plane_chunk, size - begin);
  return size > plane_chunk ? sum_row<chunks_arch<Arch>>(plane + begin, n, 1) : sum_row<Arch>(plane + begin, n, 1);
}

// The whole-plane sum of global pooling, for one plane.
template <class Arch, class T>
double plane_sum(const T* plane, std::int64_t size) {
  double sum = 0;
  if (size > small_plane<small_planes_arch<Arch>, T>) {
    for (std::int64_t chunk = 0; chunk * plane_chunk < size; ++chunk) sum += chunk_sum<Arch>(plane, size, chunk);
  } else {
    sum_small_planes<small_planes_arch<Arch>>(plane, size, size, 1, &sum);
  }
  return sum;
}

// Global averages of planes larger than plane_chunk, as plane_sum adds them:
// chunks of every plane are spread over threads, `batch` at a time, and each
// plane's chunk totals are then added in order.
template <class Arch, class T>
void global_avg_chunks(const view5d<const T>& in, const view5d<T>& out) {
  const std::int64_t size = in.plane_size(), chunks = (size + plane_chunk - 1) / plane_chunk;
  const double scale = 1.0 / static_cast<double>(size);
  constexpr std::int64_t batch = 64;
  double totals[batch];
  double sum = 0;
  for (std::int64_t first = 0; first < in.n * in.c * chunks; first += batch) {
    const std::int64_t count = std::min(batch, in.n * in.c * chunks - first);
    parallel_for(count, count * plane_chunk, [&](std::int64_t k) {
      const std::int64_t plane = (first + k) / chunks;
      totals[k] = chunk_sum<Arch>(in.at(plane / in.c, plane % in.c, 0, 0, 0), size, (first + k) % chunks);
    });
    for (std::int64_t k = 0; k < count; ++k) {
      const std::int64_t plane = (first + k) / chunks, chunk = (first + k) % chunks;
      sum = (chunk == 0 ? 0.0 : sum) + totals[k];
      if (chunk == chunks - 1) *out.at(plane / in.c, plane % in.c, 0, 0, 0) = static_cast<T>(sum * scale);
    }
  }
}

// Inputs this big come from L3 or memory; smaller ones are likely in L2, where
// prefetching only costs instructions.
template <class T>
bool worth_prefetching(const view5d<const T>& in) {
  return in.n * in.c * in.plane_size() * static_cast<std::int64_t>(sizeof(T)) > 2 * 1024 * 1024;
}

template <class Arch, class T>
void global_avg_small_planes(const view5d<const T>& in, const view5d<T>& out) {
  const std::int64_t size = in.plane_size();
  const double scale = 1.0 / static_cast<double>(size);
  const bool prefetch = worth_prefetching(in);
  for_each_plane_block(
      in, plane_block, in.n * in.c * in.plane_size(), [&](std::int64_t n, std::int64_t c0, std::int64_t count) {
        double sums[plane_block];
        sum_small_planes<small_planes_arch<Arch>>(in.at(n, c0, 0, 0, 0), size, in.stride_c, count, sums, prefetch);
        store_means<Arch>(sums, count, scale, out.at(n, c0, 0, 0, 0), out.stride_c);
      });
}

// One plane after another, each read as one stream: on a Zen 4 core that
// streams faster than planes read side by side, and with 256-bit vectors
// four planes' sixteen accumulators would take every register.
template <class Arch, class T>
void global_avg_planes(const view5d<const T>& in, const view5d<T>& out) {
  const std::int64_t size = in.plane_size();
  const double scale = 1.0 / static_cast<double>(size);
  for_each_plane_block(in, plane_block, in.n * in.c * in.plane_size(),
                       [&](std::int64_t n, std::int64_t c0, std::int64_t count) {
                         double sums[plane_block];
                         for (std::int64_t j = 0; j < count; ++j)
                           sums[j] = plane_sum<Arch>(in.at(n, c0 + j, 0, 0, 0), size);
                         store_means<Arch>(sums, count, scale, out.at(n, c0, 0, 0, 0), out.stride_c);
                       });
}

// Global max pooling of small planes (small_max_planes), and when `avg` is not
// null their global averages, exactly as global_avg_planes computes them
// (planes up to small_plane), from the same read.
template <class Arch, class T>
void global_max_small_planes(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices,
                             const view5d<T>* avg) {
  if constexpr (simd::ops<T, Arch>::lanes > 1) {
    const std::int64_t size = in.plane_size();
    for_each_plane_block(
        in, plane_block, in.n * in.c * in.plane_size(), [&](std::int64_t n, std::int64_t c0, std::int64_t count) {
          max_and_position<T> best[plane_block];
          double sums[plane_block];
          max_small_planes<small_planes_arch<Arch>>(in.at(n, c0, 0, 0, 0), size, in.stride_c, count, best,
                                                    avg ? sums : nullptr);
          // Pointers and strides in locals: the stores could alias the views,
          // which the compiler would then read again for every plane.
          T* max = out.at(n, c0, 0, 0, 0);
          const std::int64_t max_stride = out.stride_c;
          for (std::int64_t j = 0; j < count; ++j) max[j * max_stride] = best[j].value;
          if (indices) {
            std::int64_t* position = indices->at(n, c0, 0, 0, 0);
            const std::int64_t position_stride = indices->stride_c;
            for (std::int64_t j = 0; j < count; ++j) position[j * position_stride] = best[j].position;
          }
          if (avg)
            store_means<Arch>(sums, count, 1.0 / static_cast<double>(size), avg->at(n, c0, 0, 0, 0), avg->stride_c);
        });
  }
}

// Global max of planes too large for global_max_small_planes: one scan each.
template <class Arch, class T>
void global_max_planes(const view5d<const T>& in, const view5d<T>& out, const view5d<std::int64_t>* indices) {
  parallel_for(in.n * in.c, in.n * in.c * in.plane_size(), [&](std::int64_t task) {
    const std::int64_t n = task / in.c, c = task % in.c;
    const max_and_position<T> best = max_index_row<Arch>(in.at(n, c, 0, 0, 0), in.plane_size(), 1);
    *out.at(n, c, 0, 0, 0) = best.value;
    if (indices) *indices->at(n, c, 0, 0, 0) = best.position;
  });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
