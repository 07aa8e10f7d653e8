// SPDX-License-Identifier: MIT
// libFuzzer target: the backward passes, adaptive_{avg,max}_pool{1,2,3}d_backward,
// global_{avg,max}_pool_backward and channel_{avg,max}_pool_backward, ranks 3
// to 5, float and double, every layout on either side (grad_out and indices,
// which are only read, also broadcast and overlapping), outputs smaller than,
// equal to and larger than the input (overlapping windows), indices from the
// forward pass, random in range, or all alike. backward.hpp promises the same
// bits for every instruction set, layout and thread count, in PyTorch's
// arithmetic and order: the default instruction set, the scalar path and the
// gradients of tests/reference.hpp, accumulated in the element type, must agree
// bit for bit (NaN only as NaN against the reference: which operand's payload
// an addition keeps is the compiler's choice). Invalid cases: every view
// mutation of the shared machinery with grad_in as the written view, and max
// indices outside the input plane (or the channels): adapool::error naming the
// operation, every buffer as it was.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using fuzz::extents;
using fuzz::memory;
using fuzz::placed;
using fuzz::placement;

enum class op_kind { avg, max, global_avg, global_max, channel_avg, channel_max };
constexpr int op_count = 6;

bool is_channel(op_kind op) { return op == op_kind::channel_avg || op == op_kind::channel_max; }
bool is_global(op_kind op) { return op == op_kind::global_avg || op == op_kind::global_max; }

template <std::size_t Rank>
fuzz::op_info info_for(op_kind op) {
  fuzz::op_info info;
  info.backward = true;
  info.is_max = op == op_kind::max || op == op_kind::global_max || op == op_kind::channel_max;
  info.indices = info.is_max;
  info.global = is_global(op);
  const char* kind = info.is_max ? "max" : "avg";
  info.local_name = std::string("adaptive_") + kind + "_pool" + std::to_string(Rank - 2) + "d_backward";
  if (is_channel(op)) {
    info.name = info.local_name = std::string("channel_") + kind + "_pool_backward";
    info.pooled_axes = 1u << 1;
    return info;
  }
  info.name = info.global ? std::string("global_") + kind + "_pool_backward" : info.local_name;
  for (std::size_t axis = 2; axis < Rank; ++axis) info.pooled_axes |= 1u << axis;
  return info;
}

// ---------------------------------------------------------------- the calls

// The backward pass `op` describes (channel pooling when axis 1 is pooled);
// `idx` is used only by the max passes.
template <class Arch, class GradOut, class Idx, class GradIn>
void call(const fuzz::op_info& op, const GradOut& grad_out, const Idx& idx, const GradIn& grad_in) {
  constexpr std::size_t rank = GradIn::rank;
  if (op.pooled_axes == 1u << 1) {
    if (op.is_max) {
      adapool::channel_max_pool_backward<Arch>(grad_out, idx, grad_in);
    } else {
      adapool::channel_avg_pool_backward<Arch>(grad_out, grad_in);
    }
  } else if (op.global) {
    if (op.is_max) {
      adapool::global_max_pool_backward<Arch>(grad_out, idx, grad_in);
    } else {
      adapool::global_avg_pool_backward<Arch>(grad_out, grad_in);
    }
  } else if constexpr (rank == 3) {
    if (op.is_max) {
      adapool::adaptive_max_pool1d_backward<Arch>(grad_out, idx, grad_in);
    } else {
      adapool::adaptive_avg_pool1d_backward<Arch>(grad_out, grad_in);
    }
  } else if constexpr (rank == 4) {
    if (op.is_max) {
      adapool::adaptive_max_pool2d_backward<Arch>(grad_out, idx, grad_in);
    } else {
      adapool::adaptive_avg_pool2d_backward<Arch>(grad_out, grad_in);
    }
  } else {
    if (op.is_max) {
      adapool::adaptive_max_pool3d_backward<Arch>(grad_out, idx, grad_in);
    } else {
      adapool::adaptive_avg_pool3d_backward<Arch>(grad_out, grad_in);
    }
  }
}

// The shared invalid-case machinery passes (input, output, indices) views: for
// a backward pass the input is grad_in (its memory is writable), the output
// grad_out.
const auto any_arch = [](auto arch, const fuzz::op_info& op, const auto& in, const auto& out, const auto& idx) {
  using in_view = std::decay_t<decltype(in)>;
  using T = std::remove_const_t<typename in_view::element_type>;
  const auto grad_in =
      fuzz::make_view<typename in_view::layout_type>(const_cast<T*>(in.data()), in.shape(), in.strides());
  call<decltype(arch)>(op, out, idx, grad_in);
};

// ---------------------------------------------------------------- reference

// grad_in in logical order from tests/reference.hpp, accumulated in T: PyTorch's
// arithmetic and order, so the bits the library must give.
template <class T, std::size_t Rank>
std::vector<T> reference_gradient(op_kind op, const std::vector<T>& go, const std::vector<std::int64_t>& idx,
                                  const extents<Rank>& in_shape, const extents<Rank>& out_shape) {
  const reference::shape in(in_shape.begin(), in_shape.end()), out(out_shape.begin(), out_shape.end());
  switch (op) {
    case op_kind::avg:
    case op_kind::global_avg:
      return reference::adaptive_avg_backward<T>(go, in, out).values;
    case op_kind::max:
    case op_kind::global_max:
      return reference::adaptive_max_backward<T>(go, idx, in, out).values;
    case op_kind::channel_avg:
      return reference::channel_avg_backward<T>(go, in, out[1]).values;
    case op_kind::channel_max:
      return reference::channel_max_backward<T>(go, idx, in, out[1]).values;
  }
  return {};
}

// ---------------------------------------------------------------- indices

// Indices for grad_out's shape: those the forward pass returns for a random
// input, random ones in [0, range), or one index for every cell.
template <class T, std::size_t Rank>
std::vector<std::int64_t> decode_indices(fuzz::reader& r, op_kind op, const extents<Rank>& in_shape,
                                         const extents<Rank>& out_shape) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(fuzz::count_of(out_shape)));
  std::int64_t range = in_shape[1];
  if (!is_channel(op)) {
    range = 1;
    for (std::size_t axis = 2; axis < Rank; ++axis) range *= in_shape[axis];
  }
  if (idx.empty() || range == 0) return idx;
  const std::uint8_t how = r.byte();
  if (how % 4 == 0) {
    std::fill(idx.begin(), idx.end(), how & 0x80 ? range - 1 : (how >> 2) % range);
    return idx;
  }
  if (how % 4 == 1) {
    std::uint64_t state = r.u32() | 1;
    for (auto& i : idx) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      i = static_cast<std::int64_t>((state >> 33) % static_cast<std::uint64_t>(range));
    }
    return idx;
  }
  // The forward pass on contiguous memory (windows overlap when out > in).
  const placement<Rank> in_place{fuzz::placement_kind::contiguous, in_shape,
                                 adapool::contiguous::strides_for(in_shape)};
  const placement<Rank> out_place{fuzz::placement_kind::contiguous, out_shape,
                                  adapool::contiguous::strides_for(out_shape)};
  placed<T, Rank> x(in_place), y(out_place);
  placed<std::int64_t, Rank> ix(out_place);
  x.assign(fuzz::decode_values<T>(r, fuzz::count_of(in_shape)));
  const adapool::tensor_view<const T, Rank> xv(x.data(), in_shape);
  const adapool::tensor_view<T, Rank> yv(y.data(), out_shape);
  const adapool::tensor_view<std::int64_t, Rank> iv(ix.data(), out_shape);
  if (is_channel(op)) {
    adapool::channel_max_pool(xv, yv, iv);
  } else if (is_global(op)) {
    adapool::global_max_pool(xv, yv, iv);
  } else if constexpr (Rank == 3) {
    adapool::adaptive_max_pool1d(xv, yv, iv);
  } else if constexpr (Rank == 4) {
    adapool::adaptive_max_pool2d(xv, yv, iv);
  } else {
    adapool::adaptive_max_pool3d(xv, yv, iv);
  }
  return ix.logical();
}

// ---------------------------------------------------------------- checks

template <class Layout, class T, std::size_t Rank>
auto view_of(placed<T, Rank>& p) {
  return fuzz::make_view<Layout>(p.data(), p.shape, p.strides);
}

template <class T, std::size_t Rank, class LIn, class LOut>
void check_valid(fuzz::reader& r, op_kind op, const fuzz::case_layout<Rank>& layout) {
  const fuzz::op_info info = info_for<Rank>(op);
  const std::string context =
      info.name + " grad_in " + fuzz::shape_text(layout.in.shape) + " grad_out " + fuzz::shape_text(layout.out.shape);
  placed<T, Rank> grad_out(layout.out);
  placed<std::int64_t, Rank> indices(layout.idx);
  grad_out.assign(fuzz::decode_values<T>(r, fuzz::count_of(layout.out.shape)));
  if (info.is_max) indices.assign(decode_indices<T>(r, op, layout.in.shape, layout.out.shape));
  // What memory holds, with overlapping placements.
  const std::vector<T> go = grad_out.logical();
  const std::vector<std::int64_t> idx = info.is_max ? indices.logical() : std::vector<std::int64_t>{};
  const memory go_before = grad_out.mem, idx_before = indices.mem;
  placed<T, Rank> in_default(layout.in), in_scalar(layout.in);
  const memory in_before = in_default.mem;  // a pattern that is not 0: grad_in is overwritten
  const auto go_view = fuzz::make_view<LOut>(static_cast<const T*>(grad_out.data()), grad_out.shape, grad_out.strides);
  const auto idx_view =
      fuzz::make_view<LOut>(static_cast<const std::int64_t*>(indices.data()), indices.shape, indices.strides);
  fuzz::expect_accepted(info.name.c_str(), context, [&] {
    call<adapool::default_arch>(info, go_view, idx_view, view_of<LIn>(in_default));
    call<adapool::simd::scalar>(info, go_view, idx_view, view_of<LIn>(in_scalar));
  });
  if (grad_out.mem.bytes != go_before.bytes) fuzz::fail(context + ": wrote to grad_out");
  if (indices.mem.bytes != idx_before.bytes) fuzz::fail(context + ": wrote to indices");
  for (auto* p : {&in_default, &in_scalar})
    if (!fuzz::margin_untouched<T>(in_before, p->mem, p->origin_byte, p->shape, p->strides))
      fuzz::fail(context + ": wrote outside its grad_in view");
  const std::vector<T> want = reference_gradient(op, go, idx, layout.in.shape, layout.out.shape);
  const std::vector<T> got_default = in_default.logical(), got_scalar = in_scalar.logical();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!fuzz::same_result(got_default[i], want[i]) || !fuzz::same_result(got_default[i], got_scalar[i]))
      fuzz::fail(context + ": grad_in element " + std::to_string(i) + ": default " + fuzz::describe(got_default[i]) +
                 ", scalar " + fuzz::describe(got_scalar[i]) + ", reference " + fuzz::describe(want[i]));
  }
}

// Offset of the i-th element (logical row-major order) of a view.
template <std::size_t Rank>
std::int64_t offset_of(const extents<Rank>& shape, const extents<Rank>& strides, std::int64_t i) {
  std::int64_t offset = 0;
  for (std::size_t axis = Rank; axis-- > 0;) {
    offset += (i % shape[axis]) * strides[axis];
    i /= shape[axis];
  }
  return offset;
}

// A valid max case but for one index outside [0, range): rejected before
// anything is written, whichever cell holds it.
template <class T, std::size_t Rank, class LIn, class LOut>
void check_bad_index(fuzz::reader& r, op_kind op, const fuzz::case_layout<Rank>& layout) {
  const fuzz::op_info info = info_for<Rank>(op);
  placed<T, Rank> grad_out(layout.out), grad_in(layout.in);
  placed<std::int64_t, Rank> indices(layout.idx);
  grad_out.assign(fuzz::decode_values<T>(r, fuzz::count_of(layout.out.shape)));
  indices.assign(decode_indices<T>(r, op, layout.in.shape, layout.out.shape));
  std::int64_t range = layout.in.shape[1];
  if (!is_channel(op)) {
    range = 1;
    for (std::size_t axis = 2; axis < Rank; ++axis) range *= layout.in.shape[axis];
  }
  const std::uint8_t b = r.byte();
  const std::int64_t bad[] = {-1,
                              range,
                              range + 1 + b / 8,
                              -range,
                              std::numeric_limits<std::int64_t>::min(),
                              std::numeric_limits<std::int64_t>::max(),
                              range * 2 + 1};
  const std::int64_t cell = r.u16() % fuzz::count_of(layout.out.shape);
  const std::int64_t value = bad[b % (sizeof bad / sizeof bad[0])];
  std::memcpy(indices.data() + offset_of(indices.shape, indices.strides, cell), &value, sizeof value);
  const auto go_view = fuzz::make_view<LOut>(static_cast<const T*>(grad_out.data()), grad_out.shape, grad_out.strides);
  const auto idx_view =
      fuzz::make_view<LOut>(static_cast<const std::int64_t*>(indices.data()), indices.shape, indices.strides);
  const std::vector<memory*> buffers{&grad_out.mem, &grad_in.mem, &indices.mem};
  const std::string what = "index " + std::to_string(value) + " at cell " + std::to_string(cell) + ", grad_in " +
                           fuzz::shape_text(layout.in.shape) + " grad_out " + fuzz::shape_text(layout.out.shape);
  fuzz::expect_rejected(info.name.c_str(), what, buffers,
                        [&] { call<adapool::default_arch>(info, go_view, idx_view, view_of<LIn>(grad_in)); });
  fuzz::expect_rejected(info.name.c_str(), what, buffers,
                        [&] { call<adapool::simd::scalar>(info, go_view, idx_view, view_of<LIn>(grad_in)); });
}

// ---------------------------------------------------------------- decoding

template <class T, std::size_t Rank, class LIn, class LOut>
void run(fuzz::reader& r) {
  const auto op = static_cast<op_kind>(r.byte() % op_count);
  const std::uint8_t invalid = r.byte();
  const fuzz::op_info info = info_for<Rank>(op);
  static constexpr std::int64_t batches[8] = {1, 1, 1, 2, 2, 3, 0, 1};
  // grad_in has the forward's input shape, grad_out its output shape.
  extents<Rank> in_shape{};
  in_shape[0] = batches[r.byte() % 8];
  const std::uint8_t c = r.byte();
  in_shape[1] = is_channel(op) ? (c < 96    ? c % 10
                                  : c < 200 ? 10 + c % 40
                                            : 240 + (c % 56) * 2)
                               : (c < 128   ? 1 + c % 4
                                  : c < 224 ? c % 24
                                            : 250 + c % 16);
  for (std::size_t axis = 2; axis < Rank; ++axis) in_shape[axis] = fuzz::decode_size(r);
  fuzz::bound(in_shape, ~1u);
  extents<Rank> out_shape = in_shape;
  for (std::size_t axis = 1; axis < Rank; ++axis) {
    if (!(info.pooled_axes >> axis & 1)) continue;
    out_shape[axis] = info.global ? 1 : fuzz::decode_out_size(r, in_shape[axis]);
    // An empty grad_in plane (or no channels) is valid only with an empty grad_out.
    if (in_shape[axis] == 0) {
      if (info.global) {
        in_shape[0] = out_shape[0] = 0;
      } else {
        out_shape[axis] = 0;
      }
    }
  }
  fuzz::bound(out_shape, info.pooled_axes);
  // grad_out and indices are read only: any placement of an input.
  fuzz::case_layout<Rank> layout{fuzz::place_as<LIn>(r, in_shape, false), fuzz::place_as<LOut>(r, out_shape, true),
                                 fuzz::place_as<LOut>(r, out_shape, true)};
  if (invalid % 4 == 0) {
    if (info.is_max && invalid & 0x80 && fuzz::count_of(out_shape) > 0)
      return check_bad_index<T, Rank, LIn, LOut>(r, op, layout);
    return fuzz::check_invalid<T, Rank, LIn, LOut>(r, info, layout, any_arch);
  }
  check_valid<T, Rank, LIn, LOut>(r, op, layout);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_input(data, size, [](fuzz::reader& r, auto types) {
    using case_types = decltype(types);
    run<typename case_types::element, case_types::rank, typename case_types::in_layout,
        typename case_types::out_layout>(r);
  });
}
