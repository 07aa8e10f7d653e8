// SPDX-License-Identifier: MIT
// libFuzzer target: adaptive and global pooling (average, max, max with
// indices, the pyramid, the fused average-and-max and the allocating forms),
// ranks 3 to 5, float and
// double, every layout on either side. For a valid case the default
// instruction set, the scalar path and tests/reference.hpp must agree: max
// values and indices bit for bit, averages within the documented tolerance.
// For a case made invalid on purpose the call must throw adapool::error and
// leave every buffer as it was.

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using adapool::tensor_view;
using fuzz::extents;
using fuzz::memory;
using fuzz::placed;
using fuzz::placement;

enum class op_kind { avg, max, max_indices, global_avg, global_max, global_max_indices, pyramid, allocating, fused };
constexpr int op_count = 9;

template <std::size_t Rank>
fuzz::op_info info_for(op_kind op) {
  const std::string d = std::to_string(Rank - 2) + "d";
  fuzz::op_info info;
  info.is_max = op == op_kind::max || op == op_kind::max_indices || op == op_kind::global_max ||
                op == op_kind::global_max_indices;
  info.indices = op == op_kind::max_indices || op == op_kind::global_max_indices;
  info.global = op == op_kind::global_avg || op == op_kind::global_max || op == op_kind::global_max_indices;
  info.local_name = std::string(info.is_max ? "adaptive_max_pool" : "adaptive_avg_pool") + d;
  info.name = info.global ? (info.is_max ? "global_max_pool" : "global_avg_pool") : info.local_name;
  if (op == op_kind::pyramid) info.name = "adaptive_avg_pool2d_pyramid";
  for (std::size_t axis = 2; axis < Rank; ++axis) info.pooled_axes |= 1u << axis;
  return info;
}

// ---------------------------------------------------------------- the calls

// The operation `op` describes, through the given views; `idx` is used only by
// the ops that take indices.
template <class Arch, class In, class Out, class Idx>
void call(const fuzz::op_info& op, const In& in, const Out& out, const Idx& idx) {
  constexpr std::size_t rank = In::rank;
  if (op.global) {
    if (op.indices) {
      adapool::global_max_pool<Arch>(in, out, idx);
    } else if (op.is_max) {
      adapool::global_max_pool<Arch>(in, out);
    } else {
      adapool::global_avg_pool<Arch>(in, out);
    }
  } else if constexpr (rank == 3) {
    if (op.indices) {
      adapool::adaptive_max_pool1d<Arch>(in, out, idx);
    } else if (op.is_max) {
      adapool::adaptive_max_pool1d<Arch>(in, out);
    } else {
      adapool::adaptive_avg_pool1d<Arch>(in, out);
    }
  } else if constexpr (rank == 4) {
    if (op.indices) {
      adapool::adaptive_max_pool2d<Arch>(in, out, idx);
    } else if (op.is_max) {
      adapool::adaptive_max_pool2d<Arch>(in, out);
    } else {
      adapool::adaptive_avg_pool2d<Arch>(in, out);
    }
  } else {
    if (op.indices) {
      adapool::adaptive_max_pool3d<Arch>(in, out, idx);
    } else if (op.is_max) {
      adapool::adaptive_max_pool3d<Arch>(in, out);
    } else {
      adapool::adaptive_avg_pool3d<Arch>(in, out);
    }
  }
}

const auto any_arch = [](auto arch, const fuzz::op_info& op, const auto& in, const auto& out, const auto& idx) {
  call<decltype(arch)>(op, in, out, idx);
};

// ---------------------------------------------------------------- pyramid and allocating forms

template <class Layout, class T, std::size_t Rank>
auto view_of(placed<T, Rank>& p) {
  return fuzz::make_view<Layout>(p.data(), p.shape, p.strides);
}

// Each level of the pyramid equals its own adaptive_avg_pool2d call, bit for bit.
template <class T, class LIn, class LOut>
void check_pyramid(fuzz::reader& r, const placement<4>& in_place, const std::array<placement<4>, 3>& levels_place) {
  placed<T, 4> in(in_place);
  in.assign(fuzz::decode_values<T>(r, fuzz::count_of(in_place.shape)));
  const std::vector<T> x = in.logical();
  const double scale = fuzz::largest_finite_magnitude(x);
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  std::array<placed<T, 4>, 3> levels{placed<T, 4>(levels_place[0]), placed<T, 4>(levels_place[1]),
                                     placed<T, 4>(levels_place[2])};
  const std::array<tensor_view<T, 4, LOut>, 3> views{view_of<LOut>(levels[0]), view_of<LOut>(levels[1]),
                                                     view_of<LOut>(levels[2])};
  const std::string what = "input " + fuzz::shape_text(in.shape);
  fuzz::expect_accepted("adaptive_avg_pool2d_pyramid", what,
                        [&] { adapool::adaptive_avg_pool2d_pyramid(in_view, views); });
  for (auto& level : levels) {
    placed<T, 4> single(
        placement<4>{fuzz::placement_kind::contiguous, level.shape, adapool::contiguous::strides_for(level.shape)});
    adapool::adaptive_avg_pool2d(in_view, view_of<adapool::contiguous>(single));
    const std::vector<T> got = level.logical(), want = single.logical();
    const auto ref = fuzz::spatial_reference(x, in.shape, level.shape);
    for (std::size_t i = 0; i < got.size(); ++i) {
      const std::string where = "adaptive_avg_pool2d_pyramid " + what + " level " + fuzz::shape_text(level.shape) +
                                " element " + std::to_string(i) + ": " + fuzz::describe(got[i]);
      if (!fuzz::same_result(got[i], want[i]))
        fuzz::fail(where + ", adaptive_avg_pool2d gives " + fuzz::describe(want[i]));
      if (!fuzz::average_close(got[i], ref.mean[i], scale))
        fuzz::fail(where + ", reference " + fuzz::describe(ref.mean[i]));
    }
  }
}

// The allocating forms return what the view forms write, in the input's memory format.
template <class T, std::size_t Rank, class LIn>
void check_allocating(fuzz::reader& r, const placement<Rank>& in_place, const extents<Rank>& out_shape) {
  placed<T, Rank> in(in_place);
  in.assign(fuzz::decode_values<T>(r, fuzz::count_of(in_place.shape)));
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  std::array<std::int64_t, Rank - 2> size{};
  for (std::size_t axis = 2; axis < Rank; ++axis) size[axis - 2] = out_shape[axis];
  const std::string what = "input " + fuzz::shape_text(in.shape) + " output " + fuzz::shape_text(out_shape);
  const auto compare = [&](const auto& got_tensor, const auto& want_placed, const char* form) {
    const auto got = got_tensor.view();
    const auto values = fuzz::read_logical(got.data(), got.shape(), got.strides());
    const auto want = want_placed.logical();
    if (got.shape() != want_placed.shape) fuzz::fail(std::string(form) + " " + what + ": wrong shape");
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!fuzz::same_result(values[i], want[i]))
        fuzz::fail(std::string(form) + " " + what + ": element " + std::to_string(i) + " differs from the view form");
  };
  // The view forms, into plain contiguous outputs.
  const auto dense = [](const extents<Rank>& shape) {
    return placement<Rank>{fuzz::placement_kind::contiguous, shape, adapool::contiguous::strides_for(shape)};
  };
  placed<T, Rank> maxima(dense(out_shape)), means(dense(out_shape));
  placed<std::int64_t, Rank> indices(dense(out_shape));
  fuzz::op_info op = info_for<Rank>(op_kind::max_indices);
  call<adapool::default_arch>(op, in_view, view_of<adapool::contiguous>(maxima), view_of<adapool::contiguous>(indices));
  op = info_for<Rank>(op_kind::avg);
  call<adapool::default_arch>(op, in_view, view_of<adapool::contiguous>(means), view_of<adapool::contiguous>(indices));
  if constexpr (Rank == 3) {
    const auto [v, ix] = adapool::adaptive_max_pool1d_with_indices(in_view, size);
    compare(v, maxima, "adaptive_max_pool1d_with_indices");
    compare(ix, indices, "adaptive_max_pool1d_with_indices (indices)");
    compare(adapool::adaptive_max_pool1d(in_view, size), maxima, "adaptive_max_pool1d");
    compare(adapool::adaptive_avg_pool1d(in_view, size), means, "adaptive_avg_pool1d");
  } else if constexpr (Rank == 4) {
    const auto [v, ix] = adapool::adaptive_max_pool2d_with_indices(in_view, size);
    compare(v, maxima, "adaptive_max_pool2d_with_indices");
    compare(ix, indices, "adaptive_max_pool2d_with_indices (indices)");
    compare(adapool::adaptive_max_pool2d(in_view, size), maxima, "adaptive_max_pool2d");
    compare(adapool::adaptive_avg_pool2d(in_view, size), means, "adaptive_avg_pool2d");
  } else {
    const auto [v, ix] = adapool::adaptive_max_pool3d_with_indices(in_view, size);
    compare(v, maxima, "adaptive_max_pool3d_with_indices");
    compare(ix, indices, "adaptive_max_pool3d_with_indices (indices)");
    compare(adapool::adaptive_max_pool3d(in_view, size), maxima, "adaptive_max_pool3d");
    compare(adapool::adaptive_avg_pool3d(in_view, size), means, "adaptive_avg_pool3d");
  }
  // The global forms; an empty input plane is an error unless there is no plane at all.
  extents<Rank> one = in.shape;
  for (std::size_t axis = 2; axis < Rank; ++axis) one[axis] = 1;
  if (fuzz::count_of(in.shape) == 0 && fuzz::count_of(one) != 0) {
    const std::vector<memory*> buffers{&in.mem};
    fuzz::expect_rejected("global_max_pool_with_indices", what, buffers,
                          [&] { adapool::global_max_pool_with_indices(in_view); });
    fuzz::expect_rejected("global_avg_pool", what, buffers, [&] { adapool::global_avg_pool(in_view); });
    return;
  }
  placed<T, Rank> global_max(dense(one)), global_avg(dense(one));
  placed<std::int64_t, Rank> global_index(dense(one));
  op = info_for<Rank>(op_kind::global_max_indices);
  call<adapool::default_arch>(op, in_view, view_of<adapool::contiguous>(global_max),
                              view_of<adapool::contiguous>(global_index));
  op = info_for<Rank>(op_kind::global_avg);
  call<adapool::default_arch>(op, in_view, view_of<adapool::contiguous>(global_avg),
                              view_of<adapool::contiguous>(global_index));
  const auto [gv, gi] = adapool::global_max_pool_with_indices(in_view);
  compare(gv, global_max, "global_max_pool_with_indices");
  compare(gi, global_index, "global_max_pool_with_indices (indices)");
  compare(adapool::global_max_pool(in_view), global_max, "global_max_pool");
  compare(adapool::global_avg_pool(in_view), global_avg, "global_avg_pool");
}

// adaptive_avg_max_pool2d writes exactly what adaptive_avg_pool2d and
// adaptive_max_pool2d write, bit for bit, with or without indices, through
// any output placements; adaptive_concat_pool2d is [max, avg] along C.
template <class T, class LIn, class LOut>
void check_fused(fuzz::reader& r, const fuzz::case_layout<4>& layout, const placement<4>& max_place) {
  placed<T, 4> in(layout.in);
  in.assign(fuzz::decode_values<T>(r, fuzz::count_of(layout.in.shape)));
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  const std::string what = "input " + fuzz::shape_text(in.shape) + " output " + fuzz::shape_text(layout.out.shape);
  placed<T, 4> avg(layout.out), max(max_place), avg_only(layout.out), max_only(max_place);
  placed<std::int64_t, 4> idx(layout.idx), idx_only(layout.idx);
  const bool with_indices = r.flag();
  fuzz::expect_accepted("adaptive_avg_max_pool2d", what, [&] {
    if (with_indices) {
      adapool::adaptive_avg_max_pool2d(in_view, view_of<LOut>(avg), view_of<LOut>(max), view_of<LOut>(idx));
    } else {
      adapool::adaptive_avg_max_pool2d(in_view, view_of<LOut>(avg), view_of<LOut>(max));
    }
    adapool::adaptive_avg_pool2d(in_view, view_of<LOut>(avg_only));
    adapool::adaptive_max_pool2d(in_view, view_of<LOut>(max_only), view_of<LOut>(idx_only));
  });
  const auto same = [&](const auto& got, const auto& want, const char* part, bool computed) {
    const auto a = got.logical();
    const auto b = want.logical();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (computed ? !fuzz::same_result(a[i], b[i]) : !fuzz::same_bits(a[i], b[i]))
        fuzz::fail("adaptive_avg_max_pool2d " + what + ": " + part + " element " + std::to_string(i) + " is " +
                   fuzz::describe(a[i]) + ", the single operation gives " + fuzz::describe(b[i]));
  };
  same(avg, avg_only, "average", true);
  same(max, max_only, "max", false);
  if (with_indices) same(idx, idx_only, "index", false);
  if (fuzz::count_of(layout.out.shape) == 0 && fuzz::count_of(in.shape) == 0) return;
  const std::array<std::int64_t, 2> size{layout.out.shape[2], layout.out.shape[3]};
  const auto concatenated = adapool::adaptive_concat_pool2d(in_view, size);
  const auto concat = concatenated.view();
  const std::int64_t channels = in.shape[1];
  const auto got = fuzz::read_logical(concat.data(), concat.shape(), concat.strides());
  const auto want_max = max_only.logical(), want_avg = avg_only.logical();
  const std::int64_t plane = size[0] * size[1];
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto k = static_cast<std::int64_t>(i);
    const std::int64_t n = k / (2 * channels * plane), c = k / plane % (2 * channels), p = k % plane;
    const T want = c < channels ? want_max[static_cast<std::size_t>((n * channels + c) * plane + p)]
                                : want_avg[static_cast<std::size_t>((n * channels + c - channels) * plane + p)];
    if (c < channels ? !fuzz::same_bits(got[i], want) : !fuzz::same_result(got[i], want))
      fuzz::fail("adaptive_concat_pool2d " + what + ": element " + std::to_string(i) + " is " + fuzz::describe(got[i]) +
                 ", the single operations give " + fuzz::describe(want));
  }
}

// A negative output size asked of an allocating form is an error.
template <class T, std::size_t Rank, class LIn>
void check_negative_request(fuzz::reader& r, const placement<Rank>& in_place, const extents<Rank>& out_shape) {
  placed<T, Rank> in(in_place);
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  std::array<std::int64_t, Rank - 2> size{};
  for (std::size_t axis = 2; axis < Rank; ++axis) size[axis - 2] = out_shape[axis];
  const std::uint8_t b = r.byte();
  size[b % (Rank - 2)] = -1 - b / 8 % 3;
  const std::vector<memory*> buffers{&in.mem};
  const std::string what = "output size negative";
  const std::string avg = info_for<Rank>(op_kind::avg).name, max = info_for<Rank>(op_kind::max).name;
  const std::string with_indices = max + "_with_indices";
  if constexpr (Rank == 3) {
    fuzz::expect_rejected(avg.c_str(), what, buffers, [&] { adapool::adaptive_avg_pool1d(in_view, size); });
    fuzz::expect_rejected(max.c_str(), what, buffers, [&] { adapool::adaptive_max_pool1d(in_view, size); });
    fuzz::expect_rejected(with_indices.c_str(), what, buffers,
                          [&] { adapool::adaptive_max_pool1d_with_indices(in_view, size); });
  } else if constexpr (Rank == 4) {
    fuzz::expect_rejected(avg.c_str(), what, buffers, [&] { adapool::adaptive_avg_pool2d(in_view, size); });
    fuzz::expect_rejected(max.c_str(), what, buffers, [&] { adapool::adaptive_max_pool2d(in_view, size); });
    fuzz::expect_rejected(with_indices.c_str(), what, buffers,
                          [&] { adapool::adaptive_max_pool2d_with_indices(in_view, size); });
  } else {
    fuzz::expect_rejected(avg.c_str(), what, buffers, [&] { adapool::adaptive_avg_pool3d(in_view, size); });
    fuzz::expect_rejected(max.c_str(), what, buffers, [&] { adapool::adaptive_max_pool3d(in_view, size); });
    fuzz::expect_rejected(with_indices.c_str(), what, buffers,
                          [&] { adapool::adaptive_max_pool3d_with_indices(in_view, size); });
  }
}

// ---------------------------------------------------------------- decoding

template <class T, std::size_t Rank, class LIn, class LOut>
void run(fuzz::reader& r) {
  auto op = static_cast<op_kind>(r.byte() % op_count);
  const bool invalid = r.byte() % 4 == 0;
  if ((op == op_kind::pyramid || op == op_kind::fused) && (Rank != 4 || invalid)) op = op_kind::avg;
  const fuzz::op_info info = info_for<Rank>(op);
  static constexpr std::int64_t batches[8] = {1, 1, 1, 2, 2, 3, 0, 1};
  extents<Rank> in_shape{};
  in_shape[0] = batches[r.byte() % 8];
  const std::uint8_t c = r.byte();
  in_shape[1] = c < 128 ? 1 + c % 4 : c < 224 ? c % 24 : 250 + c % 16;
  for (std::size_t axis = 2; axis < Rank; ++axis) in_shape[axis] = fuzz::decode_size(r);
  fuzz::bound(in_shape, ~1u);  // any size but the batch
  extents<Rank> out_shape = in_shape;
  for (std::size_t axis = 2; axis < Rank; ++axis)
    out_shape[axis] = info.global ? 1 : fuzz::decode_out_size(r, in_shape[axis]);
  fuzz::bound(out_shape, info.pooled_axes);
  // An empty input plane is valid only with an empty output.
  for (std::size_t axis = 2; axis < Rank; ++axis) {
    if (in_shape[axis] != 0) continue;
    if (info.global) {
      in_shape[0] = out_shape[0] = 0;
    } else {
      out_shape[axis] = 0;
    }
  }
  fuzz::case_layout<Rank> layout{fuzz::place_as<LIn>(r, in_shape, true), fuzz::place_as<LOut>(r, out_shape, false),
                                 fuzz::place_as<LOut>(r, out_shape, false)};
  if (op == op_kind::allocating) {
    if (invalid) return check_negative_request<T, Rank, LIn>(r, layout.in, out_shape);
    return check_allocating<T, Rank, LIn>(r, layout.in, out_shape);
  }
  if (invalid) return fuzz::check_invalid<T, Rank, LIn, LOut>(r, info, layout, any_arch);
  if constexpr (Rank == 4) {
    if (op == op_kind::pyramid) {
      std::array<placement<Rank>, 3> levels;
      for (auto& level : levels) {
        extents<Rank> shape = in_shape;
        for (std::size_t axis = 2; axis < Rank; ++axis)
          shape[axis] = in_shape[axis] == 0 ? 0 : fuzz::decode_out_size(r, in_shape[axis]);  // as above
        fuzz::bound(shape, info.pooled_axes);
        level = fuzz::place_as<LOut>(r, shape, false);
      }
      return check_pyramid<T, LIn, LOut>(r, layout.in, levels);
    }
    if (op == op_kind::fused) {
      return check_fused<T, LIn, LOut>(r, layout, fuzz::place_as<LOut>(r, out_shape, false));
    }
  }
  fuzz::check_valid<T, Rank, LIn, LOut>(r, info, layout, any_arch, [&](const std::vector<T>& x) {
    return fuzz::spatial_reference(x, in_shape, out_shape);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_input(data, size, [](fuzz::reader& r, auto types) {
    using case_types = decltype(types);
    run<typename case_types::element, case_types::rank, typename case_types::in_layout,
        typename case_types::out_layout>(r);
  });
}
