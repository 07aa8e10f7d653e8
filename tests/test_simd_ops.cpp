// SPDX-License-Identifier: MIT
// The SIMD operations this suite's instruction set provides, where a kernel
// test alone would not reach them: store_positions is called by kernels that
// run only on instruction sets with a fast lane permutation.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace simd_ops_tests {

template <class T>
void check_store_positions() {
  using V = adapool::simd::ops<T, adapool::default_arch>;
  // Positions are exact in T and below 2^31.
  constexpr std::int64_t largest = std::int64_t{1} << std::min(std::numeric_limits<T>::digits, 31);
  for (const std::int64_t first : {std::int64_t{0}, std::int64_t{13}, std::int64_t{1} << 20, largest - V::lanes}) {
    // One slot past the lanes, to see that nothing else is written.
    std::vector<std::int64_t> stored(V::lanes + 1, -1);
    V::store_positions(stored.data(), V::add(V::iota(), V::broadcast(static_cast<T>(first))));
    for (std::int64_t j = 0; j < V::lanes; ++j) EXPECT_EQ(stored[j], first + j) << "lane " << j;
    EXPECT_EQ(stored[V::lanes], -1);
  }
}

TEST(SimdOps, StorePositionsFloat) { check_store_positions<float>(); }
TEST(SimdOps, StorePositionsDouble) { check_store_positions<double>(); }

}  // namespace simd_ops_tests
