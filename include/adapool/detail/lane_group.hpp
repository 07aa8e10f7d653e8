// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_LANE_GROUP_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_LANE_GROUP_HPP)
#undef ADAPOOL_DETAIL_LANE_GROUP_HPP
#else
#define ADAPOOL_DETAIL_LANE_GROUP_HPP
#endif

// Groups of small contiguous planes, plane k of a group in vector lane k: the
// group itself, its planes transposed to [position][lane], positions and
// outputs held per lane, and the loop over groups. The lane_planes kernels
// (kernels_lane_planes.hpp) are written with them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include "../parallel.hpp"
#include "../simd/compiler.hpp"
#include "../simd/target.hpp"
#include "plan.hpp"
#include "reduce.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Planes first .. first + count - 1 (count <= lanes) of the flattened (n, c)
// index; plane `first` is (n, c).
struct lane_group {
  std::int64_t first, count, n, c;

  // The group's planes in `v` (input or output, same N and C), without a division per plane.
  template <class U, std::size_t L>
  void planes(const view5d<U>& v, U* (&plane)[L]) const {
    std::int64_t in = n, ic = c;
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < count; ++k) {
      plane[k] = v.at(in, ic, 0, 0, 0);
      if (++ic == v.c) {
        ic = 0;
        ++in;
      }
    }
  }
};

// Whether any of p[0 .. n) is NaN, for n below 2^31. Counted, which the
// compiler vectorises, where adds of a sum would each wait for the last.
template <class T>
bool any_nan(const T* p, std::int64_t n) {
  int nan = 0;
  for (std::int64_t i = 0; i < n; ++i) nan += simd::ops<T, simd::scalar>::is_nan(p[i]);
  return nan > 0;
}

// A group's planes transposed to [position][lane]; lanes past the group's
// count hold zeros, so that each lane's results do not depend on which planes
// share its group.
template <class Arch, class T>
class lane_planes {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  lane_planes(const view5d<const T>& in, const lane_group& group) {
    const T* planes[std::size_t{L}] = {};
    group.planes(in, planes);
    const std::int64_t size = in.plane_size();
    if constexpr (L == 1) {
      // One plane, read where it is.
      cells_ = planes[0];
      maybe_nan_ = any_nan(planes[0], size);
    } else {
      // A sum is NaN when an element is (or for inf - inf, which only costs
      // the max rule's NaN test).
      typename V::vector sum = V::zero();
      for (std::int64_t block = 0; block < size; block += L) {
        // The last block overlaps the one before it rather than reading past the plane.
        const std::int64_t begin = size >= L ? std::min(block, size - L) : 0;
        typename V::vector rows[std::size_t{L}];
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < L; ++k) {
          rows[k] = k >= group.count ? V::zero()
                    : size >= L      ? V::load(planes[k] + begin)
                                     : V::load_partial(planes[k], static_cast<int>(size));
        }
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < L; ++k) sum = V::add(sum, rows[k]);
        V::transpose(rows);
        ADAPOOL_UNROLL(16)
        for (std::int64_t j = 0; j < L; ++j) V::store(copy_ + (begin + j) * L, rows[j]);
      }
      cells_ = copy_;
      maybe_nan_ = V::any(V::is_nan(sum));
    }
  }
  lane_planes(const lane_planes&) = delete;
  lane_planes& operator=(const lane_planes&) = delete;

  /// Lane k: element `position` (in-plane, row-major) of the group's plane k.
  typename V::vector at(std::int64_t position) const { return V::load(cells_ + position * L); }

  /// False when no element of the group is NaN.
  bool maybe_nan() const { return maybe_nan_; }

 private:
  const T* cells_;
  bool maybe_nan_;
  alignas(simd::cache_line) T copy_[L == 1 ? 1 : std::size_t{lane_plane_limit * L}];
};

// Every in-plane position of planes up to lane_plane_limit, held as T in every
// lane: a window's winner is then a select from memory, not a conversion.
template <class Arch, class T>
class lane_positions {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  explicit lane_positions(std::int64_t size) {
    for (std::int64_t p = 0; p < size; ++p) V::store(cells_ + p * L, V::broadcast(static_cast<T>(p)));
  }
  typename V::vector at(std::int64_t position) const { return V::load(cells_ + position * L); }

 private:
  alignas(simd::cache_line) T cells_[std::size_t{lane_plane_limit * L}];
};

// 1 / size in T for every window size of a plane that fits lane_planes, so
// that an average is one multiplication.
template <class T>
struct inverse_table {
  T of[lane_plane_limit + 1] = {};
  constexpr inverse_table() {
    for (std::int64_t size = 1; size <= lane_plane_limit; ++size)
      of[size] = static_cast<T>(1.0 / static_cast<double>(size));
  }
};
template <class T>
inline constexpr inverse_table<T> inverses{};

// Results of consecutive outputs of a group (lane k: plane k), in row-major
// output order, written `lanes` outputs at a time: transposed, each plane's
// outputs are one vector. U is T, or int64_t for positions held as T.
template <class Arch, class T, class U>
class lane_outputs {
  using V = simd::ops<T, Arch>;
  static constexpr std::int64_t L = V::lanes;

 public:
  lane_outputs(const view5d<U>& out, const lane_group& group)
      : out_(out), count_(group.count), contiguous_(out.planes_contiguous()) {
    group.planes(out, planes_);
  }

  void push(typename V::vector v) {
    pending_[used_++] = v;
    if (used_ == L) flush();
  }

  void finish() {
    if (used_ > 0) flush();
  }

 private:
  void flush() {
    const bool by_plane = used_ == L;
    if (by_plane) V::transpose(pending_);
    if constexpr (std::is_same_v<T, U>) {
      if (by_plane && contiguous_) {
        ADAPOOL_UNROLL(16)
        for (std::int64_t k = 0; k < count_; ++k) V::store(planes_[k] + next_, pending_[k]);
        next_ += used_;
        used_ = 0;
        return;
      }
    }
    // Vector j holds output next_ + j of every plane, or (by_plane) plane j's outputs.
    alignas(simd::cache_line) T lanes_of[std::size_t{L * L}];
    for (std::int64_t j = 0; j < used_; ++j) V::store(lanes_of + j * L, pending_[j]);
    ADAPOOL_UNROLL(16)
    for (std::int64_t k = 0; k < count_; ++k) {
      for (std::int64_t j = 0; j < used_; ++j) {
        const T value = by_plane ? lanes_of[k * L + j] : lanes_of[j * L + k];
        *address(k, next_ + j) = static_cast<U>(value);
      }
    }
    next_ += used_;
    used_ = 0;
  }

  U* address(std::int64_t k, std::int64_t output) const {
    if (contiguous_) return planes_[k] + output;
    const std::int64_t ow = output % out_.w, oh = output / out_.w % out_.h, od = output / (out_.w * out_.h);
    return planes_[k] + od * out_.stride_d + oh * out_.stride_h + ow * out_.stride_w;
  }

  // The vectors first: their alignment would otherwise pad the members before them.
  // Zeroed, though only pushed vectors are read: g++ cannot prove that for one lane.
  typename V::vector pending_[std::size_t{L}] = {};
  view5d<U> out_;
  U* planes_[std::size_t{L}] = {};
  std::int64_t count_;
  std::int64_t used_ = 0, next_ = 0;
  bool contiguous_;
};

// A group's planes are short runs far apart, too short for the hardware to
// see them as streams: the group after the current one is requested ahead.
template <class T>
void prefetch_group(const view5d<const T>& in, const lane_group& group) {
  if constexpr (simd::prefetch_available) {
    const T* planes[64] = {};
    group.planes(in, planes);
    const std::int64_t bytes = in.plane_size() * static_cast<std::int64_t>(sizeof(T));
    for (std::int64_t k = 0; k < group.count; ++k) simd::prefetch_bytes(planes[k], bytes);
  } else {
    (void)in;
    (void)group;
  }
}

// Runs body(cells, group) on every group of `lanes` planes, several groups per
// task so that (n, c) advances without a division per group.
template <class Arch, class T, class Body>
void for_each_lane_group(const view5d<const T>& in, std::int64_t work, const Body& body) {
  constexpr std::int64_t L = simd::ops<T, Arch>::lanes;
  constexpr std::int64_t planes_per_task = 64;
  const std::int64_t planes = in.n * in.c;
  const auto advance = [&](lane_group g) {
    g.first += L;
    g.count = std::min(L, planes - g.first);
    for (g.c += L; g.c >= in.c; g.c -= in.c) ++g.n;
    return g;
  };
  parallel_for((planes + planes_per_task - 1) / planes_per_task, work, [&](std::int64_t task) {
    const std::int64_t first = task * planes_per_task, end = std::min(planes, first + planes_per_task);
    lane_group group{first, std::min(L, planes - first), first / in.c, first % in.c};
    while (true) {
      const lane_group next = advance(group);
      if (L > 1 && next.first < planes) prefetch_group(in, next);
      const lane_planes<Arch, T> cells(in, group);
      body(cells, group);
      if (next.first >= end) break;
      group = next;
    }
  });
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
