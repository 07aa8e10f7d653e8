// SPDX-License-Identifier: MIT
// Compile-time checks of the public API: if this file compiles, they hold.
// What must be rejected outright (a call that would compile to wrong code) is
// in tests/compile/fail/, one file per case, each expected not to compile.

#include <adapool/adapool.hpp>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using adapool::channels_last;
using adapool::contiguous;
using adapool::strided;
using adapool::tensor;
using adapool::tensor_view;

// ---------------------------------------------------------------- const-correctness

// Elements of an input view (const T) cannot be assigned; those of an output view can.
template <class View>
using element_ref = decltype(std::declval<const View&>()(0, 0, 0, 0));
static_assert(!std::is_assignable_v<element_ref<tensor_view<const float, 4>>, float>);
static_assert(!std::is_assignable_v<element_ref<tensor_view<const double, 4, channels_last>>, double>);
static_assert(!std::is_assignable_v<element_ref<tensor_view<const float, 4, strided>>, float>);
static_assert(std::is_assignable_v<element_ref<tensor_view<float, 4>>, float>);
static_assert(std::is_same_v<element_ref<tensor_view<const float, 4>>, const float&>);
// A const view object still writes through to its (non-const) elements, as a pointer does.
static_assert(std::is_same_v<element_ref<const tensor_view<float, 4>>, float&>);
static_assert(std::is_same_v<decltype(std::declval<const tensor_view<const float, 4>&>().data()), const float*>);

// make_view of a const vector gives a read-only view; of a const tensor, too.
static_assert(std::is_same_v<decltype(adapool::make_view(std::declval<const std::vector<float>&>(), 1, 2, 3, 4)),
                             tensor_view<const float, 4>>);
static_assert(std::is_same_v<decltype(std::declval<const tensor<float, 4>&>().view()), tensor_view<const float, 4>>);
static_assert(std::is_same_v<decltype(std::declval<tensor<float, 4>&>().view()), tensor_view<float, 4>>);

// ---------------------------------------------------------------- conversions

// float -> const float, and any layout -> strided; nothing else.
static_assert(std::is_convertible_v<tensor_view<float, 4>, tensor_view<const float, 4>>);
static_assert(std::is_convertible_v<tensor_view<float, 4, channels_last>, tensor_view<const float, 4, strided>>);
static_assert(std::is_convertible_v<tensor_view<const float, 5, contiguous>, tensor_view<const float, 5, strided>>);
static_assert(!std::is_convertible_v<tensor_view<const float, 4>, tensor_view<float, 4>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4>, tensor_view<double, 4>>);
static_assert(!std::is_convertible_v<tensor_view<const float, 4>, tensor_view<const double, 4>>);
static_assert(!std::is_convertible_v<tensor_view<double, 4>, tensor_view<const float, 4>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4, strided>, tensor_view<float, 4, contiguous>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4, contiguous>, tensor_view<float, 4, channels_last>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4, channels_last>, tensor_view<float, 4, contiguous>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4>, tensor_view<float, 3>>);
static_assert(!std::is_convertible_v<tensor_view<float, 4>, tensor_view<float, 5>>);
static_assert(!std::is_convertible_v<tensor_view<std::int32_t, 4>, tensor_view<std::int64_t, 4>>);
// A raw pointer is not a view: building one takes a shape.
static_assert(!std::is_convertible_v<float*, tensor_view<float, 4>>);
// Typed views take no strides; strided views need them.
static_assert(
    !std::is_constructible_v<tensor_view<float, 4>, float*, std::array<std::int64_t, 4>, std::array<std::int64_t, 4>>);
static_assert(!std::is_constructible_v<tensor_view<float, 4, strided>, float*, std::array<std::int64_t, 4>>);

// ---------------------------------------------------------------- value types

// Layouts are empty policies; views are small values, cheap to pass and copy.
static_assert(std::is_empty_v<contiguous> && std::is_empty_v<channels_last> && std::is_empty_v<strided>);
static_assert(std::is_trivially_copyable_v<contiguous> && std::is_trivially_copyable_v<channels_last> &&
              std::is_trivially_copyable_v<strided>);
static_assert(std::is_trivially_copyable_v<tensor_view<float, 3>>);
static_assert(std::is_trivially_copyable_v<tensor_view<const double, 4, channels_last>>);
static_assert(std::is_trivially_copyable_v<tensor_view<std::int64_t, 5, strided>>);
static_assert(std::is_nothrow_copy_constructible_v<tensor_view<float, 4>>);
static_assert(std::is_trivially_destructible_v<tensor_view<float, 4, strided>>);
static_assert(std::is_default_constructible_v<tensor_view<float, 4>>);
static_assert(std::is_same_v<adapool::nchw, contiguous> && std::is_same_v<adapool::nhwc, channels_last>);
static_assert(std::is_same_v<adapool::ncl, contiguous> && std::is_same_v<adapool::ndhwc, channels_last>);

static_assert(tensor_view<float, 3>::rank == 3 && tensor_view<float, 3>::spatial_rank == 1);
static_assert(tensor_view<float, 5>::rank == 5 && tensor_view<float, 5>::spatial_rank == 3);
static_assert(std::is_same_v<tensor_view<const float, 4>::value_type, float>);
static_assert(std::is_same_v<tensor_view<const float, 4>::element_type, const float>);
static_assert(std::is_same_v<tensor_view<float, 4>::extents_type, std::array<std::int64_t, 4>>);

// Views are usable in constant expressions; sizes are always given as N, C, spatial.
constexpr tensor_view<const float, 4> nchw_view = adapool::make_view(static_cast<const float*>(nullptr), 2, 3, 4, 5);
static_assert(nchw_view.extent(1) == 3 && nchw_view.stride(0) == 60 && nchw_view.stride(1) == 20 &&
              nchw_view.stride(2) == 5 && nchw_view.stride(3) == 1);
constexpr auto nhwc_view = adapool::make_view<channels_last>(static_cast<const float*>(nullptr), 2, 3, 4, 5);
static_assert(nhwc_view.extent(1) == 3 && nhwc_view.stride(0) == 60 && nhwc_view.stride(1) == 1 &&
              nhwc_view.stride(2) == 15 && nhwc_view.stride(3) == 3);
static_assert(nchw_view.size() == 120 && !nchw_view.empty());
static_assert(adapool::make_view(static_cast<float*>(nullptr), 2, 0, 4).empty());
static_assert(noexcept(nchw_view.data()) && noexcept(nchw_view.shape()) && noexcept(nchw_view.size()));

// make_view's documented example, shown in its reference page from this file
// (Doxygen's \snippet), so the documentation cannot drift from the API again.
// [make_view example]
constexpr const float* ptr = nullptr;
constexpr auto feature_map = adapool::make_view(ptr, 1, 8, 4, 4);                    // N=1, C=8, 4 x 4
constexpr auto resnet_head = adapool::make_view<channels_last>(ptr, 1, 2048, 7, 7);  // N=1, C=2048, 7 x 7
// [make_view example]
static_assert(feature_map.extent(1) == 8 && feature_map.stride(1) == 16 && feature_map.stride(3) == 1);
static_assert(resnet_head.extent(1) == 2048 && resnet_head.extent(2) == 7 && resnet_head.extent(3) == 7);
// Channels-last: channels are adjacent in memory, a pixel is 2048 elements on.
static_assert(resnet_head.stride(1) == 1 && resnet_head.stride(3) == 2048 && resnet_head.stride(2) == 7 * 2048);

// ---------------------------------------------------------------- results

// Allocating forms return owning tensors in the input's memory format (strided -> contiguous).
static_assert(std::is_same_v<decltype(adapool::adaptive_avg_pool2d(std::declval<tensor_view<const float, 4>>(),
                                                                   std::array<std::int64_t, 2>{1, 1})),
                             tensor<float, 4>>);
static_assert(
    std::is_same_v<decltype(adapool::adaptive_max_pool2d(std::declval<tensor_view<const double, 4, channels_last>>(),
                                                         std::array<std::int64_t, 2>{1, 1})),
                   tensor<double, 4, channels_last>>);
static_assert(std::is_same_v<decltype(adapool::global_avg_pool(std::declval<tensor_view<float, 5, strided>>())),
                             tensor<float, 5, contiguous>>);
using with_indices = decltype(adapool::adaptive_max_pool1d_with_indices(std::declval<tensor_view<const float, 3>>(),
                                                                        std::array<std::int64_t, 1>{2}));
static_assert(std::is_same_v<decltype(std::declval<with_indices>().values), tensor<float, 3>>);
static_assert(std::is_same_v<decltype(std::declval<with_indices>().indices), tensor<std::int64_t, 3>>);
static_assert(std::is_same_v<decltype(adapool::channel_max_pool_with_indices(
                                          std::declval<tensor_view<const float, 4, channels_last>>(), 2)
                                          .indices),
                             tensor<std::int64_t, 4, channels_last>>);
static_assert(std::is_void_v<decltype(adapool::adaptive_avg_pool2d(std::declval<tensor_view<const float, 4>>(),
                                                                   std::declval<tensor_view<float, 4>>()))>);

// ---------------------------------------------------------------- instruction sets and errors

// The default instruction set is one the compiler flags enable; scalar always is.
static_assert(adapool::default_arch::enabled && adapool::simd::scalar::enabled);
// Wider ISAs extend narrower ones (missing operations fall back along the chain).
static_assert(std::is_base_of_v<adapool::simd::sse2, adapool::simd::avx2> &&
              std::is_base_of_v<adapool::simd::avx2, adapool::simd::avx512f> &&
              std::is_base_of_v<adapool::simd::scalar, adapool::simd::neon>);
static_assert(std::is_empty_v<adapool::default_arch>);
// Errors are std::invalid_argument, so generic handlers catch them.
static_assert(std::is_base_of_v<std::invalid_argument, adapool::error>);

// ---------------------------------------------------------------- windows

// PyTorch's windows, at compile time: in = 5, out = 3 has a middle window of 3.
static_assert(adapool::window_begin(1, 5, 3) == 1 && adapool::window_end(1, 5, 3) == 4);
// out > in: windows overlap and repeat (in = 2, out = 3: [0, 1), [0, 2), [1, 2)).
static_assert(adapool::window_begin(0, 2, 3) == 0 && adapool::window_end(0, 2, 3) == 1);
static_assert(adapool::window_begin(1, 2, 3) == 0 && adapool::window_end(1, 2, 3) == 2);
static_assert(adapool::window_begin(2, 2, 3) == 1 && adapool::window_end(2, 2, 3) == 2);
// Exact up to in * out == INT64_MAX, where the textbook ceiling
// ((i + 1) * in + out - 1) / out would overflow: 7 * (INT64_MAX / 7) == INT64_MAX.
constexpr std::int64_t max_out = INT64_MAX / 7;
static_assert(adapool::window_begin(max_out - 1, 7, max_out) == 6 && adapool::window_end(max_out - 1, 7, max_out) == 7);
static_assert(adapool::window_begin(0, 7, max_out) == 0 && adapool::window_end(0, 7, max_out) == 1);
// Past 2^24, where a float formula goes wrong: in = 2^24 + 1 over out = 2^24 - 1.
static_assert(adapool::window_end(0, (1 << 24) + 1, (1 << 24) - 1) == 2);
static_assert(adapool::window_begin((1 << 24) - 2, (1 << 24) + 1, (1 << 24) - 1) == (1 << 24) - 1);

}  // namespace
