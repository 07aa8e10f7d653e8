// SPDX-License-Identifier: MIT
// The view overloads of every operation never touch the heap on valid input
// (they may run inside an inference loop or an allocator-free thread). This
// file replaces the global operator new and delete for the whole test
// executable with malloc/free versions that count allocations; the array and
// nothrow forms forward to these by default.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace no_allocation_tests {
std::atomic<long> allocation_count{0};

void* counted_malloc(std::size_t size) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_aligned_malloc(std::size_t size, std::align_val_t align) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  const auto alignment = static_cast<std::size_t>(align);
  // aligned_alloc wants a size that is a multiple of the alignment.
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment + (size == 0 ? alignment : 0));
}
}  // namespace no_allocation_tests

// Not inlined: GCC would otherwise see `delete` become free() on a pointer
// from `new` at call sites and warn (-Wmismatched-new-delete), though the pair
// is consistent.
[[gnu::noinline]] void* operator new(std::size_t size) {
  if (void* p = no_allocation_tests::counted_malloc(size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new(std::size_t size, std::align_val_t align) {
  if (void* p = no_allocation_tests::counted_aligned_malloc(size, align)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace no_allocation_tests {

template <class F>
long allocations_during(F&& f) {
  const long before = allocation_count.load();
  f();
  return allocation_count.load() - before;
}

// Keeps the compiler from removing the allocations of the counter's own test.
void* volatile escape = nullptr;

TEST(NoAllocation, CounterSeesAllocations) {
  // The vector's buffer escapes, so its allocation cannot be elided (the
  // compiler may elide the `new` of the vector object itself).
  EXPECT_GE(allocations_during([] {
              std::vector<int>* v = new std::vector<int>(100);
              escape = v->data();
              delete v;
            }),
            1);
  EXPECT_EQ(allocations_during([] {}), 0);
}

// Buffers for every operation at one shape, in one layout.
template <class T, class Layout>
struct workspace {
  static constexpr std::int64_t n = 2, c = 300, h = 7, w = 6;  // more than 256 channels
  std::vector<T> x = std::vector<T>(n * c * h * w);
  std::vector<T> y = std::vector<T>(n * c * h * w, T(0));
  std::vector<std::int64_t> idx = std::vector<std::int64_t>(n * c * h * w, 0);

  workspace() {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(-1, 1);
    for (T& v : x) v = static_cast<T>(u(rng));
  }
  template <std::size_t Rank>
  adapool::tensor_view<const T, Rank, Layout> in(const std::array<std::int64_t, Rank>& shape) const {
    return {x.data(), shape};
  }
  template <std::size_t Rank>
  adapool::tensor_view<T, Rank, Layout> out(const std::array<std::int64_t, Rank>& shape) {
    return {y.data(), shape};
  }
  template <std::size_t Rank>
  adapool::tensor_view<std::int64_t, Rank, Layout> indices(const std::array<std::int64_t, Rank>& shape) {
    return {idx.data(), shape};
  }
};

// Every operation once; the 1d and 3d forms (the same kernels as 2d) only
// when AllRanks, to keep this file's compile time down.
template <class Arch, class T, class Layout, bool AllRanks>
void expect_no_allocations() {
  workspace<T, Layout> ws;
  constexpr std::int64_t n = 2, c = 300, h = 7, w = 6;
  const std::array<std::int64_t, 4> in2{n, c, h, w}, out2{n, c, 3, 4}, global2{n, c, 1, 1}, chan2{n, 3, h, w};
  std::vector<std::pair<const char*, std::function<void()>>> calls{
      {"adaptive_avg_pool2d", [&] { adapool::adaptive_avg_pool2d<Arch>(ws.in(in2), ws.out(out2)); }},
      {"adaptive_max_pool2d", [&] { adapool::adaptive_max_pool2d<Arch>(ws.in(in2), ws.out(out2)); }},
      {"adaptive_max_pool2d indices",
       [&] { adapool::adaptive_max_pool2d<Arch>(ws.in(in2), ws.out(out2), ws.indices(out2)); }},
      {"global_avg_pool", [&] { adapool::global_avg_pool<Arch>(ws.in(in2), ws.out(global2)); }},
      {"global_max_pool", [&] { adapool::global_max_pool<Arch>(ws.in(in2), ws.out(global2)); }},
      {"global_max_pool indices",
       [&] { adapool::global_max_pool<Arch>(ws.in(in2), ws.out(global2), ws.indices(global2)); }},
      {"channel_avg_pool", [&] { adapool::channel_avg_pool<Arch>(ws.in(in2), ws.out(chan2)); }},
      {"channel_max_pool", [&] { adapool::channel_max_pool<Arch>(ws.in(in2), ws.out(chan2)); }},
      {"channel_max_pool indices",
       [&] { adapool::channel_max_pool<Arch>(ws.in(in2), ws.out(chan2), ws.indices(chan2)); }},
  };
  // Outside the block below: the calls capture them by reference and run after it.
  [[maybe_unused]] const std::array<std::int64_t, 3> in1{n, c, h * w}, out1{n, c, 5};
  [[maybe_unused]] const std::array<std::int64_t, 5> in3{n, c, 1, h, w}, out3{n, c, 1, 2, 5};
  if constexpr (AllRanks) {
    calls.insert(calls.end(),
                 {
                     {"adaptive_avg_pool1d", [&] { adapool::adaptive_avg_pool1d<Arch>(ws.in(in1), ws.out(out1)); }},
                     {"adaptive_avg_pool3d", [&] { adapool::adaptive_avg_pool3d<Arch>(ws.in(in3), ws.out(out3)); }},
                     {"adaptive_max_pool1d", [&] { adapool::adaptive_max_pool1d<Arch>(ws.in(in1), ws.out(out1)); }},
                     {"adaptive_max_pool3d", [&] { adapool::adaptive_max_pool3d<Arch>(ws.in(in3), ws.out(out3)); }},
                     {"adaptive_max_pool1d indices",
                      [&] { adapool::adaptive_max_pool1d<Arch>(ws.in(in1), ws.out(out1), ws.indices(out1)); }},
                     {"adaptive_max_pool3d indices",
                      [&] { adapool::adaptive_max_pool3d<Arch>(ws.in(in3), ws.out(out3), ws.indices(out3)); }},
                     {"global_avg_pool 3d",
                      [&] {
                        adapool::global_avg_pool<Arch>(ws.in(in3), ws.out(std::array<std::int64_t, 5>{n, c, 1, 1, 1}));
                      }},
                     {"channel_max_pool 1d",
                      [&] {
                        adapool::channel_max_pool<Arch>(ws.in(in1), ws.out(std::array<std::int64_t, 3>{n, 1, h * w}));
                      }},
                 });
  }
  for (const auto& [name, call] : calls) EXPECT_EQ(allocations_during(call), 0) << name;
}

TEST(NoAllocation, ContiguousFloat) {
  expect_no_allocations<adapool::default_arch, float, adapool::contiguous, true>();
  expect_no_allocations<adapool::simd::scalar, float, adapool::contiguous, false>();
}
TEST(NoAllocation, ChannelsLastFloat) {
  expect_no_allocations<adapool::default_arch, float, adapool::channels_last, true>();
  expect_no_allocations<adapool::simd::scalar, float, adapool::channels_last, false>();
}
TEST(NoAllocation, ContiguousDouble) {
  expect_no_allocations<adapool::default_arch, double, adapool::contiguous, false>();
}
TEST(NoAllocation, ChannelsLastDouble) {
  expect_no_allocations<adapool::default_arch, double, adapool::channels_last, false>();
}

// Strided views with negative strides take the general paths.
TEST(NoAllocation, StridedFloat) {
  std::vector<float> x(2 * 5 * 9 * 11, 1.0f), y(2 * 5 * 9 * 11);
  std::vector<std::int64_t> idx(y.size());
  // Flipped along W: the data pointer is the last element of the first row.
  const auto in = adapool::make_strided_view(x.data() + 10, std::array<std::int64_t, 4>{2, 5, 9, 11},
                                             std::array<std::int64_t, 4>{495, 99, 11, -1});
  const auto out = adapool::make_view(y.data(), 2, 5, 4, 3);
  const auto index = adapool::make_view(idx.data(), 2, 5, 4, 3);
  EXPECT_EQ(allocations_during([&] { adapool::adaptive_avg_pool2d(in, out); }), 0);
  EXPECT_EQ(allocations_during([&] { adapool::adaptive_max_pool2d(in, out, index); }), 0);
  EXPECT_EQ(allocations_during([&] { adapool::channel_max_pool(in, adapool::make_view(y.data(), 2, 2, 9, 11)); }), 0);
  EXPECT_EQ(allocations_during([&] { adapool::global_avg_pool(in, adapool::make_view(y.data(), 2, 5, 1, 1)); }), 0);
}

}  // namespace no_allocation_tests
