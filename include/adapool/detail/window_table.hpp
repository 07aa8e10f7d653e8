// SPDX-License-Identifier: MIT
// Compiled once per target (detail/runtime_dispatch.hpp): guarded per target, not #pragma once.
#include "../simd/target.hpp"
#if defined(ADAPOOL_DETAIL_WINDOW_TABLE_HPP) == defined(ADAPOOL_TARGET_TOGGLE)
#if defined(ADAPOOL_DETAIL_WINDOW_TABLE_HPP)
#undef ADAPOOL_DETAIL_WINDOW_TABLE_HPP
#else
#define ADAPOOL_DETAIL_WINDOW_TABLE_HPP
#endif

// Adaptive windows as the kernels use them: one window's bounds, the run of
// windows holding one input position, and tables of either along an axis,
// computed once per call (each costs integer divisions).

#include <algorithm>
#include <cstdint>

#include "../simd/target.hpp"
#include "../windows.hpp"

namespace adapool::detail {
ADAPOOL_TARGET_INLINE
namespace ADAPOOL_TARGET_NAMESPACE {

struct window {
  std::int64_t begin, end;
  std::int64_t size() const { return end - begin; }
};

inline window window_at(std::int64_t i, std::int64_t in, std::int64_t out) {
  return {unchecked_window_begin(i, in, out), unchecked_window_end(i, in, out)};
}

// The output windows holding input position x along an axis of `in`
// positions pooled to `out`: a run, as windows are monotonic.
//   begin(i) <= x  <=>  i <= ((x + 1) * out - 1) / in
//   end(i) > x     <=>  i >= x * out / in
// (The products were checked not to overflow.)
struct window_run {
  std::int64_t first, count;
};

inline window_run windows_holding(std::int64_t x, std::int64_t in, std::int64_t out) {
  const std::int64_t first = x * out / in;
  return {first, ((x + 1) * out - 1) / in - first + 1};
}

// compute(i, in, out) along one axis, for i below `out` (PerOutput) or `in`:
// the first `size` values computed once per call (each costs integer
// divisions), the rest when asked.
template <class Value, Value (*compute)(std::int64_t, std::int64_t, std::int64_t), bool PerOutput>
class axis_table {
  static constexpr std::int64_t size = 256;

 public:
  axis_table() = default;
  axis_table(std::int64_t in, std::int64_t out) : in_(in), out_(out) {
    for (std::int64_t i = 0; i < std::min(PerOutput ? out : in, size); ++i) table_[i] = compute(i, in, out);
  }
  Value operator[](std::int64_t i) const { return i < size ? table_[i] : compute(i, in_, out_); }

 private:
  std::int64_t in_ = 1, out_ = 1;
  Value table_[size] = {};
};

// An axis's windows, by output index.
using window_table = axis_table<window, window_at, true>;
// The run of windows holding each input position of an axis.
using holding_table = axis_table<window_run, windows_holding, false>;

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail

#endif
