// SPDX-License-Identifier: MIT
// libFuzzer target: depth-wise (channel) pooling, N x C x S -> N x C' x S,
// average, max and max with indices, ranks 3 to 5, float and double, every
// layout on either side, plus the fused max-and-average and the allocating forms. Valid cases: the default
// instruction set, the scalar path and tests/reference.hpp agree (max values
// and channel indices bit for bit, averages within the documented tolerance).
// Invalid cases: adapool::error, and every buffer as it was.

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using fuzz::extents;
using fuzz::memory;
using fuzz::placed;
using fuzz::placement;

enum class op_kind { avg, max, max_indices, allocating, fused };
constexpr int op_count = 5;

fuzz::op_info info_for(op_kind op) {
  fuzz::op_info info;
  info.is_max = op == op_kind::max || op == op_kind::max_indices;
  info.indices = op == op_kind::max_indices;
  info.name = info.is_max ? "channel_max_pool" : "channel_avg_pool";
  info.local_name = info.name;
  info.pooled_axes = 1u << 1;
  return info;
}

template <class Arch, class In, class Out, class Idx>
void call(const fuzz::op_info& op, const In& in, const Out& out, const Idx& idx) {
  if (op.indices) {
    adapool::channel_max_pool<Arch>(in, out, idx);
  } else if (op.is_max) {
    adapool::channel_max_pool<Arch>(in, out);
  } else {
    adapool::channel_avg_pool<Arch>(in, out);
  }
}

const auto any_arch = [](auto arch, const fuzz::op_info& op, const auto& in, const auto& out, const auto& idx) {
  call<decltype(arch)>(op, in, out, idx);
};

// Max over each channel window, scanning channels in order (replace when
// greater or NaN), the winning channel, and the mean.

template <class Layout, class T, std::size_t Rank>
auto view_of(placed<T, Rank>& p) {
  return fuzz::make_view<Layout>(p.data(), p.shape, p.strides);
}

// The allocating forms return what the view forms write; a negative channel
// count is an error.
template <class T, std::size_t Rank, class LIn>
void check_allocating(fuzz::reader& r, const placement<Rank>& in_place, std::int64_t out_channels, bool negative) {
  placed<T, Rank> in(in_place);
  in.assign(fuzz::decode_values<T>(r, fuzz::count_of(in_place.shape)));
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  const std::string what = "input " + fuzz::shape_text(in.shape) + " out_channels " + std::to_string(out_channels);
  if (negative) {
    const std::int64_t c = -1 - out_channels % 3;
    const std::vector<memory*> buffers{&in.mem};
    fuzz::expect_rejected("channel_avg_pool", what, buffers, [&] { adapool::channel_avg_pool(in_view, c); });
    fuzz::expect_rejected("channel_max_pool", what, buffers, [&] { adapool::channel_max_pool(in_view, c); });
    fuzz::expect_rejected("channel_max_pool_with_indices", what, buffers,
                          [&] { adapool::channel_max_pool_with_indices(in_view, c); });
    return;
  }
  extents<Rank> out_shape = in.shape;
  out_shape[1] = out_channels;
  const placement<Rank> dense{fuzz::placement_kind::contiguous, out_shape, adapool::contiguous::strides_for(out_shape)};
  placed<T, Rank> maxima(dense), means(dense);
  placed<std::int64_t, Rank> indices(dense);
  call<adapool::default_arch>(info_for(op_kind::max_indices), in_view, view_of<adapool::contiguous>(maxima),
                              view_of<adapool::contiguous>(indices));
  call<adapool::default_arch>(info_for(op_kind::avg), in_view, view_of<adapool::contiguous>(means),
                              view_of<adapool::contiguous>(indices));
  const auto compare = [&](const auto& got_tensor, const auto& want_placed, const char* form) {
    const auto got = got_tensor.view();
    const auto values = fuzz::read_logical(got.data(), got.shape(), got.strides());
    const auto want = want_placed.logical();
    if (got.shape() != want_placed.shape) fuzz::fail(std::string(form) + " " + what + ": wrong shape");
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!fuzz::same_result(values[i], want[i]))
        fuzz::fail(std::string(form) + " " + what + ": element " + std::to_string(i) + " differs from the view form");
  };
  const auto [v, ix] = adapool::channel_max_pool_with_indices(in_view, out_channels);
  compare(v, maxima, "channel_max_pool_with_indices");
  compare(ix, indices, "channel_max_pool_with_indices (indices)");
  compare(adapool::channel_max_pool(in_view, out_channels), maxima, "channel_max_pool");
  compare(adapool::channel_avg_pool(in_view, out_channels), means, "channel_avg_pool");
}

// channel_max_avg_pool writes exactly what channel_max_pool and
// channel_avg_pool write, bit for bit, through any output placements; its
// allocating form is [max, avg] along C for one channel window.
template <class T, std::size_t Rank, class LIn, class LOut>
void check_fused(fuzz::reader& r, const fuzz::case_layout<Rank>& layout, const placement<Rank>& avg_place) {
  placed<T, Rank> in(layout.in);
  in.assign(fuzz::decode_values<T>(r, fuzz::count_of(layout.in.shape)));
  const auto in_view = fuzz::make_view<LIn>(static_cast<const T*>(in.data()), in.shape, in.strides);
  const std::string what = "input " + fuzz::shape_text(in.shape) + " output " + fuzz::shape_text(layout.out.shape);
  placed<T, Rank> max(layout.out), avg(avg_place), max_only(layout.out), avg_only(avg_place);
  fuzz::expect_accepted("channel_max_avg_pool", what, [&] {
    adapool::channel_max_avg_pool(in_view, view_of<LOut>(max), view_of<LOut>(avg));
    adapool::channel_max_pool(in_view, view_of<LOut>(max_only));
    adapool::channel_avg_pool(in_view, view_of<LOut>(avg_only));
  });
  const auto same = [&](const placed<T, Rank>& got, const placed<T, Rank>& want, const char* part, bool computed) {
    const auto a = got.logical();
    const auto b = want.logical();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (computed ? !fuzz::same_result(a[i], b[i]) : !fuzz::same_bits(a[i], b[i]))
        fuzz::fail("channel_max_avg_pool " + what + ": " + part + " element " + std::to_string(i) + " is " +
                   fuzz::describe(a[i]) + ", the single operation gives " + fuzz::describe(b[i]));
  };
  same(max, max_only, "max", false);
  same(avg, avg_only, "average", true);
}

template <class T, std::size_t Rank, class LIn, class LOut>
void run(fuzz::reader& r) {
  const auto op = static_cast<op_kind>(r.byte() % op_count);
  const bool invalid = r.byte() % 4 == 0;
  static constexpr std::int64_t batches[8] = {1, 1, 1, 2, 2, 3, 0, 1};
  extents<Rank> in_shape{};
  in_shape[0] = batches[r.byte() % 8];
  // Channels: the edge cases are small counts, and counts past the kernels'
  // 256-column blocks.
  const std::uint8_t c = r.byte();
  in_shape[1] = c < 96 ? c % 10 : c < 200 ? 10 + c % 40 : 240 + (c % 56) * 2;
  for (std::size_t axis = 2; axis < Rank; ++axis) in_shape[axis] = fuzz::decode_size(r);
  fuzz::bound(in_shape, ~1u);  // any size but the batch
  extents<Rank> out_shape = in_shape;
  out_shape[1] = fuzz::decode_out_size(r, in_shape[1]);
  fuzz::bound(out_shape, 1u << 1);
  if (in_shape[1] == 0) out_shape[1] = 0;  // no channels: valid only with no output channels
  fuzz::case_layout<Rank> layout{fuzz::place_as<LIn>(r, in_shape, true), fuzz::place_as<LOut>(r, out_shape, false),
                                 fuzz::place_as<LOut>(r, out_shape, false)};
  if (op == op_kind::allocating) return check_allocating<T, Rank, LIn>(r, layout.in, out_shape[1], invalid);
  if (op == op_kind::fused && !invalid)
    return check_fused<T, Rank, LIn, LOut>(r, layout, fuzz::place_as<LOut>(r, out_shape, false));
  const fuzz::op_info info = info_for(op == op_kind::fused ? op_kind::max : op);
  if (invalid) return fuzz::check_invalid<T, Rank, LIn, LOut>(r, info, layout, any_arch);
  fuzz::check_valid<T, Rank, LIn, LOut>(r, info, layout, any_arch, [&](const std::vector<T>& x) {
    return fuzz::channel_reference(x, in_shape, out_shape[1]);
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
