// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_VALIDATE_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_VALIDATE_HPP)
#undef ADAPOOL_DETAIL_VALIDATE_HPP
#else
#define ADAPOOL_DETAIL_VALIDATE_HPP
#endif

// Argument checks shared by every operation. Each returns true when the
// arguments are good; otherwise it reports one message (naming the operation,
// the argument and the shapes) and returns false, so the caller writes nothing.
// Messages are built only on failure: the good path never allocates.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "../error.hpp"
#include "../simd/avx512.hpp"
#include "../simd/compiler.hpp"
#include "../simd/neon.hpp"
#include "../simd/target.hpp"
#include "../tensor_view.hpp"
#include "format.hpp"
#include "view5d.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

// Lowest and highest byte touched by a view, relative to its data pointer.
struct byte_span {
  std::int64_t low = 0;
  std::int64_t high = 0;  // one past the last byte
};

template <class T, std::size_t Rank, class Layout>
bool check_view(const char* op, const char* name, const tensor_view<T, Rank, Layout>& v, byte_span* span) {
  const auto fail = [&](const std::string& what) {
    report_error(std::string(op) + ": " + name + " has shape " + shape_string(v.shape()) + what);
    return false;
  };
  for (std::int64_t s : v.shape())
    if (s < 0) return fail(", a negative size");
  const std::int64_t count = checked_element_count(v.shape());
  if (count < 0) return fail(", whose element count overflows int64_t");
  if (count == 0) {
    *span = {};
    return true;
  }
  if (v.data() == nullptr) return fail(" and a null data pointer");
  std::int64_t low = 0, high = 0;
  for (std::size_t axis = 0; axis < Rank; ++axis) {
    std::int64_t reach = 0;
    if (simd::mul_overflow(v.stride(axis), v.extent(axis) - 1, &reach) ||
        simd::add_overflow(reach < 0 ? low : high, reach, reach < 0 ? &low : &high)) {
      return fail(" and strides " + shape_string(v.strides()) + ", whose offsets overflow int64_t");
    }
  }
  const auto element = static_cast<std::int64_t>(sizeof(T));
  if (simd::mul_overflow(low, element, &span->low) || simd::mul_overflow(high + 1, element, &span->high)) {
    return fail(" and strides " + shape_string(v.strides()) + ", whose byte offsets overflow int64_t");
  }
  return true;
}

// True when no two elements of the view share an address: sorted by stride,
// each axis steps over everything the smaller axes reach. (Sizes and offsets
// were checked by check_view, so nothing here overflows.)
template <class T, std::size_t Rank, class Layout>
bool elements_distinct(const tensor_view<T, Rank, Layout>& v) {
  if (v.empty()) return true;
  std::array<std::size_t, Rank> order{};
  for (std::size_t axis = 0; axis < Rank; ++axis) order[axis] = axis;
  const auto magnitude = [&](std::size_t axis) { return v.stride(axis) < 0 ? -v.stride(axis) : v.stride(axis); };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return magnitude(a) < magnitude(b); });
  std::int64_t reach = 0;
  for (std::size_t axis : order) {
    if (v.extent(axis) == 1) continue;
    if (magnitude(axis) <= reach) return false;
    reach += magnitude(axis) * (v.extent(axis) - 1);
  }
  return true;
}

// An output must not write one element twice.
template <class T, std::size_t Rank, class Layout>
bool check_no_self_overlap(const char* op, const char* name, const tensor_view<T, Rank, Layout>& v) {
  if (elements_distinct(v)) return true;
  report_error(std::string(op) + ": " + name + " has shape " + shape_string(v.shape()) + " and strides " +
               shape_string(v.strides()) + ", which write some elements more than once");
  return false;
}

// Can `offset` (in elements) be written as the sum over axes of delta * stride
// with |delta| < size? Axes come sorted by decreasing |stride| and, being
// distinct-element strides, each stride exceeds what the smaller axes reach, so
// only the quotient and its neighbours can work at each axis.
template <std::size_t Rank>
bool offset_reachable(const std::array<std::int64_t, Rank>& size, const std::array<std::int64_t, Rank>& stride,
                      std::size_t axis, std::size_t axes, std::int64_t offset) {
  if (axis >= axes || axis >= Rank) return offset == 0;
  const std::int64_t quotient = offset / stride[axis];
  for (std::int64_t delta = quotient - 1; delta <= quotient + 1; ++delta) {
    if ((delta < 0 ? -delta : delta) < size[axis] &&
        offset_reachable(size, stride, axis + 1, axes, offset - delta * stride[axis])) {
      return true;
    }
  }
  return false;
}

// Two views of one element type and the same strides and shape (say, two
// channel slices of one tensor) share an element only if the distance between
// their data pointers is reachable by the strides.
template <class VA, class VB>
bool interleaved_without_sharing(const VA& a, const VB& b) {
  using A = std::remove_cv_t<typename VA::element_type>;
  using B = std::remove_cv_t<typename VB::element_type>;
  if constexpr (!std::is_same_v<A, B>) {
    return false;
  } else {
    if (a.shape() != b.shape() || a.strides() != b.strides() || !elements_distinct(a)) return false;
    const auto bytes = reinterpret_cast<std::uintptr_t>(b.data()) - reinterpret_cast<std::uintptr_t>(a.data());
    if (bytes % sizeof(A) != 0) return false;
    const auto offset = static_cast<std::int64_t>(bytes) / static_cast<std::int64_t>(sizeof(A));
    constexpr std::size_t rank = VA::rank;
    std::array<std::size_t, rank> order{};
    for (std::size_t axis = 0; axis < rank; ++axis) order[axis] = axis;
    const auto magnitude = [&](std::size_t axis) { return a.stride(axis) < 0 ? -a.stride(axis) : a.stride(axis); };
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return magnitude(x) > magnitude(y); });
    std::array<std::int64_t, rank> size{}, stride{};
    std::size_t axes = 0;
    for (std::size_t axis : order) {
      if (a.extent(axis) == 1) continue;
      size[axes] = a.extent(axis);
      stride[axes++] = magnitude(axis);
    }
    return !offset_reachable(size, stride, 0, axes, offset);
  }
}

template <class A, class B>
bool spans_overlap(const A* a, byte_span sa, const B* b, byte_span sb) {
  if (sa.low == sa.high || sb.low == sb.high) return false;
  const auto a0 = reinterpret_cast<std::uintptr_t>(a);
  const auto b0 = reinterpret_cast<std::uintptr_t>(b);
  // Unsigned wrap-around cancels in these differences for any real addresses.
  const std::uintptr_t a_low = a0 + static_cast<std::uintptr_t>(sa.low);
  const std::uintptr_t a_high = a0 + static_cast<std::uintptr_t>(sa.high);
  const std::uintptr_t b_low = b0 + static_cast<std::uintptr_t>(sb.low);
  const std::uintptr_t b_high = b0 + static_cast<std::uintptr_t>(sb.high);
  return a_low < b_high && b_low < a_high;
}

template <class VA, class VB>
bool check_disjoint(const char* op, const char* name_a, const VA& a, byte_span sa, const char* name_b, const VB& b,
                    byte_span sb) {
  if (!spans_overlap(a.data(), sa, b.data(), sb) || interleaved_without_sharing(a, b)) return true;
  report_error(std::string(op) + ": " + name_b + " (shape " + shape_string(b.shape()) + ") overlaps " + name_a +
               " (shape " + shape_string(a.shape()) + ") in memory");
  return false;
}

// The checks every operation shares: each view well formed, outputs writing each
// element once, indices shaped as the output, and no two views overlapping.
template <class In, class Out, class Indices>
struct argument_check {
  const char* op;
  const In& in;
  const Out& out;
  const Indices* indices;
  // The output's name in messages: "output", or which one of a fused operation's.
  const char* out_name = "output";
  byte_span in_span{}, out_span{}, indices_span{};

  bool views_valid() {
    return check_view(op, "input", in, &in_span) && check_view(op, out_name, out, &out_span) &&
           check_no_self_overlap(op, out_name, out) &&
           (!indices ||
            (check_view(op, "indices", *indices, &indices_span) && check_no_self_overlap(op, "indices", *indices)));
  }

  // `expected` builds the expected shape's text, only when it is needed.
  template <class Expected>
  bool output_shape(bool matches, const Expected& expected) {
    if (matches) return true;
    report_error(std::string(op) + ": " + out_name + " has shape " + shape_string(out.shape()) + ", expected " +
                 expected() + " (input has shape " + shape_string(in.shape()) + ")");
    return false;
  }

  bool indices_shape() {
    if (!indices || indices->shape() == out.shape()) return true;
    report_error(std::string(op) + ": indices has shape " + shape_string(indices->shape()) + ", expected " +
                 shape_string(out.shape()));
    return false;
  }

  // An input size of 0 with a non-empty output, or sizes whose product
  // overflows int64_t (the window arithmetic of windows.hpp forms it).
  bool input_size(std::int64_t in_size, std::int64_t out_size, const char* what) {
    std::int64_t product = 0;
    if (in_size != 0 && !simd::mul_overflow(in_size, out_size, &product)) return true;
    report_error(std::string(op) + ": input has shape " + shape_string(in.shape()) +
                 (in_size == 0 ? std::string(" with ") + what + ", but"
                               : " whose size " + std::to_string(in_size) + " and output size " +
                                     std::to_string(out_size) + " overflow the window arithmetic,") +
                 " " + out_name + " has shape " + shape_string(out.shape()));
    return false;
  }

  bool disjoint() {
    return check_disjoint(op, "input", in, in_span, out_name, out, out_span) &&
           (!indices || (check_disjoint(op, "input", in, in_span, "indices", *indices, indices_span) &&
                         check_disjoint(op, out_name, out, out_span, "indices", *indices, indices_span)));
  }
};

/// Checks an adaptive pooling over the spatial axes: same N and C in and out.
/// `global` additionally requires every output spatial size to be 1.
// The indices argument of the operations that take none.
template <std::size_t Rank>
inline constexpr const tensor_view<std::int64_t, Rank>* no_indices = nullptr;

template <class In, class Out, class Indices = tensor_view<std::int64_t, In::rank>>
bool check_adaptive(const char* op, const In& in, const Out& out, const Indices* indices = nullptr, bool global = false,
                    const char* out_name = "output") {
  argument_check<In, Out, Indices> check{op, in, out, indices, out_name};
  if (!check.views_valid()) return false;
  bool matches = out.extent(0) == in.extent(0) && out.extent(1) == in.extent(1);
  for (std::size_t axis = 2; axis < In::rank; ++axis) matches = matches && (!global || out.extent(axis) == 1);
  const auto expected = [&] {
    std::string text = "[" + std::to_string(in.extent(0)) + ", " + std::to_string(in.extent(1));
    for (std::size_t axis = 2; axis < In::rank; ++axis) text += global ? ", 1" : ", *";
    return text + "]";
  };
  if (!check.output_shape(matches, expected) || !check.indices_shape()) return false;
  if (out.empty()) return true;  // nothing will be read or written
  for (std::size_t axis = 2; axis < In::rank; ++axis) {
    if (!check.input_size(in.extent(axis), out.extent(axis), "an empty spatial size")) return false;
  }
  return check.disjoint();
}

/// Checks a channel (depth-wise) pooling: N x C x S -> N x C' x S.
template <class In, class Out, class Indices = tensor_view<std::int64_t, In::rank>>
bool check_channel(const char* op, const In& in, const Out& out, const Indices* indices = nullptr,
                   const char* out_name = "output") {
  argument_check<In, Out, Indices> check{op, in, out, indices, out_name};
  if (!check.views_valid()) return false;
  bool matches = out.extent(0) == in.extent(0);
  for (std::size_t axis = 2; axis < In::rank; ++axis) matches = matches && out.extent(axis) == in.extent(axis);
  const auto expected = [&] {
    std::string text = "[" + std::to_string(in.extent(0)) + ", *";
    for (std::size_t axis = 2; axis < In::rank; ++axis) text += ", " + std::to_string(in.extent(axis));
    return text + "]";
  };
  if (!check.output_shape(matches, expected) || !check.indices_shape()) return false;
  if (out.empty()) return true;
  return check.input_size(in.extent(1), out.extent(1), "no channels") && check.disjoint();
}

// Whether this copy of the kernels may use Arch: the flags enable it, or
// runtime dispatch compiles this copy for it.
template <class Arch>
inline constexpr bool compiled_for = Arch::enabled || (std::is_same_v<Arch, simd::avx2> && ADAPOOL_TARGET_AVX2) ||
                                     (std::is_same_v<Arch, simd::avx512f> && ADAPOOL_TARGET_AVX512);

// The basic average and max operations also take the narrow types
// (element_types.hpp); the others take float and double.
template <class Arch, class TIn, class TOut, bool NarrowTypes = false>
constexpr void check_types() {
  static_assert(compiled_for<Arch>, "adapool: this instruction set is not enabled by the compiler flags");
  static_assert(std::is_same_v<std::remove_const_t<TIn>, TOut>,
                "adapool: input and output views must have the same element type");
  static_assert(!std::is_const_v<TOut>, "adapool: the output view must be writable");
  if constexpr (NarrowTypes) {
    static_assert(std::is_same_v<TOut, float> || std::is_same_v<TOut, double> || is_narrow_type<TOut>,
                  "adapool: element type must be float or double, or float16, bfloat16, int8_t or uint8_t");
  } else {
    static_assert(std::is_same_v<TOut, float> || std::is_same_v<TOut, double>,
                  "adapool: element type must be float or double for this operation");
  }
}

// ------------------------------------------------------------- backward passes

template <class Arch, class TOut, class TIn, class TIdx = const std::int64_t>
constexpr void check_backward_types() {
  static_assert(compiled_for<Arch>, "adapool: this instruction set is not enabled by the compiler flags");
  static_assert(std::is_same_v<std::remove_const_t<TOut>, TIn>,
                "adapool: grad_out and grad_in views must have the same element type");
  static_assert(!std::is_const_v<TIn>, "adapool: the grad_in view must be writable");
  static_assert(std::is_same_v<TIn, float> || std::is_same_v<TIn, double>,
                "adapool: element type must be float or double");
  static_assert(std::is_same_v<std::remove_const_t<TIdx>, std::int64_t>, "adapool: indices are int64_t");
}

enum class backward_kind { adaptive, global, channel };

// The checks of a backward pass, in the order the forward makes them: each view
// well formed, grad_in writing each element once, grad_out shaped as the
// forward's output for a grad_in shaped as its input, indices shaped as
// grad_out, grad_in overlapping neither, and every index inside the input.
template <class GradOut, class GradIn, class Indices>
bool check_backward(const char* op, const GradOut& grad_out, const GradIn& grad_in, const Indices* indices,
                    backward_kind kind) {
  constexpr std::size_t rank = GradIn::rank;
  byte_span out_span{}, in_span{}, indices_span{};
  if (!check_view(op, "grad_out", grad_out, &out_span) || !check_view(op, "grad_in", grad_in, &in_span) ||
      !check_no_self_overlap(op, "grad_in", grad_in) ||
      (indices && !check_view(op, "indices", *indices, &indices_span))) {
    return false;
  }

  const bool channel = kind == backward_kind::channel;
  bool matches = grad_out.extent(0) == grad_in.extent(0);
  for (std::size_t axis = 1; axis < rank; ++axis) {
    const bool pooled = channel ? axis == 1 : axis >= 2;
    if (!pooled) matches = matches && grad_out.extent(axis) == grad_in.extent(axis);
    if (kind == backward_kind::global && axis >= 2) matches = matches && grad_out.extent(axis) == 1;
  }
  if (!matches) {
    std::string expected = "[" + std::to_string(grad_in.extent(0));
    for (std::size_t axis = 1; axis < rank; ++axis) {
      const bool pooled = channel ? axis == 1 : axis >= 2;
      expected += !pooled ? ", " + std::to_string(grad_in.extent(axis))
                          : (kind == backward_kind::global ? std::string(", 1") : std::string(", *"));
    }
    report_error(std::string(op) + ": grad_out has shape " + shape_string(grad_out.shape()) + ", expected " + expected +
                 "] (grad_in has shape " + shape_string(grad_in.shape()) + ")");
    return false;
  }
  if (indices && indices->shape() != grad_out.shape()) {
    report_error(std::string(op) + ": indices has shape " + shape_string(indices->shape()) + ", expected " +
                 shape_string(grad_out.shape()));
    return false;
  }

  if (!grad_out.empty()) {
    for (std::size_t axis = channel ? 1 : 2; axis < (channel ? 2 : rank); ++axis) {
      std::int64_t product = 0;
      if (grad_in.extent(axis) != 0 && !simd::mul_overflow(grad_in.extent(axis), grad_out.extent(axis), &product))
        continue;
      report_error(std::string(op) + ": grad_in has shape " + shape_string(grad_in.shape()) +
                   (grad_in.extent(axis) == 0
                        ? std::string(channel ? " with no channels" : " with an empty spatial size") + ", but"
                        : " whose size " + std::to_string(grad_in.extent(axis)) + " and grad_out size " +
                              std::to_string(grad_out.extent(axis)) + " overflow the window arithmetic,") +
                   " grad_out has shape " + shape_string(grad_out.shape()));
      return false;
    }
  }
  return check_disjoint(op, "grad_out", grad_out, out_span, "grad_in", grad_in, in_span) &&
         (!indices || check_disjoint(op, "indices", *indices, indices_span, "grad_in", grad_in, in_span));
}

// Whether a run of indices holds one outside [0, limit). Unit-stride runs,
// the usual case, take the ISA's vector form; the bad index itself is looked
// for only on failure.
template <class Arch>
bool holds_outside(const std::int64_t* run, std::int64_t stride, std::int64_t count, std::int64_t limit) {
  if (stride == 1) return !simd::index_ops<Arch>::all_below(run, count, limit);
  const auto bound = static_cast<std::uint64_t>(limit);
  for (std::int64_t i = 0; i < count; ++i)
    if (static_cast<std::uint64_t>(run[i * stride]) >= bound) return true;
  return false;
}

// Contiguous indices are checked in pieces of this many, a task each.
inline constexpr std::int64_t index_check_piece = std::int64_t{1} << 14;

// Every index in [0, limit) (the input plane's size, or its channel count),
// checked before anything is written. The first bad one is reported with its
// position in the indices tensor. `work` is the pass's own (parallel_for), so
// the check runs on the threads the pass will use rather than holding them
// idle.
template <class Arch, std::size_t Rank>
bool check_index_range(const char* op, const view5d<const std::int64_t>& indices, std::int64_t limit, const char* range,
                       std::int64_t work) {
  const bool one_run = indices.planes_contiguous();
  const std::int64_t size = indices.plane_size();
  if (one_run && (indices.c == 1 || indices.stride_c == size) &&
      (indices.n == 1 || indices.stride_n == indices.c * size)) {
    const std::int64_t total = indices.n * indices.c * size;
    std::atomic<bool> outside{false};
    parallel_for((total + index_check_piece - 1) / index_check_piece, work, [&](std::int64_t piece) {
      const std::int64_t begin = piece * index_check_piece;
      if (holds_outside<Arch>(indices.data + begin, 1, std::min(index_check_piece, total - begin), limit))
        outside.store(true, std::memory_order_relaxed);
    });
    if (!outside.load(std::memory_order_relaxed)) return true;
  }
  const auto plane_holds_outside = [&](std::int64_t n, std::int64_t c) {
    if (one_run) return holds_outside<Arch>(indices.at(n, c, 0, 0, 0), 1, indices.plane_size(), limit);
    for (std::int64_t d = 0; d < indices.d; ++d)
      for (std::int64_t h = 0; h < indices.h; ++h)
        if (holds_outside<Arch>(indices.at(n, c, d, h, 0), indices.stride_w, indices.w, limit)) return true;
    return false;
  };
  for (std::int64_t n = 0; n < indices.n; ++n) {
    for (std::int64_t c = 0; c < indices.c; ++c) {
      if (!plane_holds_outside(n, c)) continue;
      for (std::int64_t d = 0; d < indices.d; ++d) {
        for (std::int64_t h = 0; h < indices.h; ++h) {
          for (std::int64_t w = 0; w < indices.w; ++w) {
            const std::int64_t index = *indices.at(n, c, d, h, w);
            if (static_cast<std::uint64_t>(index) < static_cast<std::uint64_t>(limit)) continue;
            const std::int64_t spatial[3] = {d, h, w};
            std::array<std::int64_t, Rank> position{n, c};
            for (std::size_t axis = 2; axis < Rank; ++axis) position[axis] = spatial[axis + 3 - Rank];
            report_error(std::string(op) + ": indices" + shape_string(position) + " is " + std::to_string(index) +
                         ", outside " + range + " [0, " + std::to_string(limit) + ")");
            return false;
          }
        }
      }
    }
  }
  return true;
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
