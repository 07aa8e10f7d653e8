// SPDX-License-Identifier: MIT
#pragma once

// Adaptive windows as the kernels use them: one window's bounds, and a table
// of an axis's windows computed once per call (each costs integer divisions).

#include <algorithm>
#include <cstdint>

#include "../simd/target.hpp"
#include "../windows.hpp"

namespace adapool::detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

struct window {
  std::int64_t begin, end;
  std::int64_t size() const { return end - begin; }
};

inline window window_at(std::int64_t i, std::int64_t in, std::int64_t out) {
  return {unchecked_window_begin(i, in, out), unchecked_window_end(i, in, out)};
}

// Windows along one axis; holds the first `size`, computes the rest.
class window_table {
  static constexpr std::int64_t size = 256;

 public:
  window_table() = default;
  window_table(std::int64_t in, std::int64_t out) : in_(in), out_(out) {
    for (std::int64_t i = 0; i < std::min(out, size); ++i) table_[i] = window_at(i, in, out);
  }
  window operator[](std::int64_t i) const { return i < size ? table_[i] : window_at(i, in_, out_); }

 private:
  std::int64_t in_ = 1, out_ = 1;
  window table_[size] = {};
};

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace adapool::detail
