// SPDX-License-Identifier: MIT
// Instantiates every public operation, for float and double (and the narrow
// types for the operations that take them), every layout and
// ranks 3, 4 and 5, through the default instruction set, every narrower x86
// one and the scalar path, so that the strictest warning set sees the
// library's templates compiled as a user's program would compile them. Compiled only (by .ci/strict_warnings.sh
// and clang-tidy in .ci/static_analysis.sh), never run: the views are empty.
//
// With STRICT_HEADERS_QUICK defined, only strided views and the default
// instruction set: the kernels are the same (they pick loops from the actual
// strides), so an optimised build that looks for flow-based warnings compiles
// them once instead of once per layout and path.

#include <adapool/adapool.hpp>
#include <adapool/eigen.hpp>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using adapool::tensor_view;

template <class T, std::size_t Rank, class Layout>
tensor_view<T, Rank, Layout> empty_view() {
  return {};
}

// Operations that take any rank: global and channel pooling, their gradients
// and allocating forms.
template <class Arch, class T, std::size_t Rank, class Layout>
void any_rank_ops() {
  const auto in = empty_view<const T, Rank, Layout>();
  const auto out = empty_view<T, Rank, Layout>();
  const auto out2 = empty_view<T, Rank, Layout>();
  const auto idx = empty_view<std::int64_t, Rank, Layout>();
  const auto cidx = empty_view<const std::int64_t, Rank, Layout>();

  adapool::global_avg_pool<Arch>(in, out);
  adapool::global_max_pool<Arch>(in, out);
  adapool::global_max_pool<Arch>(in, out, idx);
  static_cast<void>(adapool::global_avg_pool<Arch>(in));
  static_cast<void>(adapool::global_max_pool<Arch>(in));
  static_cast<void>(adapool::global_max_pool_with_indices<Arch>(in));

  adapool::channel_avg_pool<Arch>(in, out);
  adapool::channel_max_pool<Arch>(in, out);
  adapool::channel_max_pool<Arch>(in, out, idx);
  adapool::channel_max_avg_pool<Arch>(in, out, out2);
  static_cast<void>(adapool::channel_avg_pool<Arch>(in, 2));
  static_cast<void>(adapool::channel_max_pool<Arch>(in, 2));
  static_cast<void>(adapool::channel_max_pool_with_indices<Arch>(in, 2));
  static_cast<void>(adapool::channel_max_avg_pool<Arch>(in));

  adapool::global_avg_pool_backward<Arch>(in, out);
  adapool::global_max_pool_backward<Arch>(in, cidx, out);
  adapool::channel_avg_pool_backward<Arch>(in, out);
  adapool::channel_max_pool_backward<Arch>(in, cidx, out);
}

// The adaptive operations of one rank.
template <class Arch, class T, std::size_t Rank, class Layout>
void adaptive_ops() {
  const auto in = empty_view<const T, Rank, Layout>();
  const auto out = empty_view<T, Rank, Layout>();
  const auto idx = empty_view<std::int64_t, Rank, Layout>();
  const auto cidx = empty_view<const std::int64_t, Rank, Layout>();
  if constexpr (Rank == 3) {
    const std::array<std::int64_t, 1> size{2};
    adapool::adaptive_avg_pool1d<Arch>(in, out);
    adapool::adaptive_max_pool1d<Arch>(in, out);
    adapool::adaptive_max_pool1d<Arch>(in, out, idx);
    static_cast<void>(adapool::adaptive_avg_pool1d<Arch>(in, size));
    static_cast<void>(adapool::adaptive_max_pool1d<Arch>(in, size));
    static_cast<void>(adapool::adaptive_max_pool1d_with_indices<Arch>(in, size));
    adapool::adaptive_avg_pool1d_backward<Arch>(in, out);
    adapool::adaptive_max_pool1d_backward<Arch>(in, cidx, out);
    adapool::adaptive_gem_pool1d<Arch>(in, out);
    adapool::adaptive_lp_pool1d<Arch>(in, out, 2.0);
    static_cast<void>(adapool::adaptive_gem_pool1d<Arch>(in, size, 3.0, 1e-6));
    static_cast<void>(adapool::adaptive_lp_pool1d<Arch>(in, size, 4.5));
  } else if constexpr (Rank == 4) {
    const std::array<std::int64_t, 2> size{2, 3};
    adapool::adaptive_avg_pool2d<Arch>(in, out);
    adapool::adaptive_max_pool2d<Arch>(in, out);
    adapool::adaptive_max_pool2d<Arch>(in, out, idx);
    static_cast<void>(adapool::adaptive_avg_pool2d<Arch>(in, size));
    static_cast<void>(adapool::adaptive_max_pool2d<Arch>(in, size));
    static_cast<void>(adapool::adaptive_max_pool2d_with_indices<Arch>(in, size));
    const auto out2 = empty_view<T, Rank, Layout>();
    adapool::adaptive_avg_max_pool2d<Arch>(in, out, out2);
    adapool::adaptive_avg_max_pool2d<Arch>(in, out, out2, idx);
    static_cast<void>(adapool::adaptive_concat_pool2d<Arch>(in, size));
    const std::array<tensor_view<T, 4, Layout>, 3> levels{out, out2, out};
    adapool::adaptive_avg_pool2d_pyramid<Arch>(in, levels);
    static_cast<void>(adapool::adaptive_avg_pool2d_pyramid<Arch>(in, {1, 2, 3, 6}));
    adapool::adaptive_avg_pool2d_backward<Arch>(in, out);
    adapool::adaptive_max_pool2d_backward<Arch>(in, cidx, out);
    adapool::adaptive_gem_pool2d<Arch>(in, out);
    adapool::adaptive_lp_pool2d<Arch>(in, out, 2.0);
    static_cast<void>(adapool::adaptive_gem_pool2d<Arch>(in, size, 3.0, 1e-6));
    static_cast<void>(adapool::adaptive_lp_pool2d<Arch>(in, size, 4.5));
  } else {
    const std::array<std::int64_t, 3> size{2, 3, 4};
    adapool::adaptive_avg_pool3d<Arch>(in, out);
    adapool::adaptive_max_pool3d<Arch>(in, out);
    adapool::adaptive_max_pool3d<Arch>(in, out, idx);
    static_cast<void>(adapool::adaptive_avg_pool3d<Arch>(in, size));
    static_cast<void>(adapool::adaptive_max_pool3d<Arch>(in, size));
    static_cast<void>(adapool::adaptive_max_pool3d_with_indices<Arch>(in, size));
    adapool::adaptive_avg_pool3d_backward<Arch>(in, out);
    adapool::adaptive_max_pool3d_backward<Arch>(in, cidx, out);
    adapool::adaptive_gem_pool3d<Arch>(in, out);
    adapool::adaptive_lp_pool3d<Arch>(in, out, 2.0);
    static_cast<void>(adapool::adaptive_gem_pool3d<Arch>(in, size, 3.0, 1e-6));
    static_cast<void>(adapool::adaptive_lp_pool3d<Arch>(in, size, 4.5));
  }
  any_rank_ops<Arch, T, Rank, Layout>();
}

// The operations the narrow element types have: average and max pooling,
// adaptive, global and channel.
template <class Arch, class T, std::size_t Rank, class Layout>
void narrow_ops() {
  const auto in = empty_view<const T, Rank, Layout>();
  const auto out = empty_view<T, Rank, Layout>();
  const auto idx = empty_view<std::int64_t, Rank, Layout>();
  if constexpr (Rank == 3) {
    adapool::adaptive_avg_pool1d<Arch>(in, out);
    adapool::adaptive_max_pool1d<Arch>(in, out, idx);
  } else if constexpr (Rank == 4) {
    adapool::adaptive_avg_pool2d<Arch>(in, out);
    adapool::adaptive_max_pool2d<Arch>(in, out, idx);
    static_cast<void>(adapool::adaptive_max_pool2d_with_indices<Arch>(in, {2, 3}));
  } else {
    adapool::adaptive_avg_pool3d<Arch>(in, out);
    adapool::adaptive_max_pool3d<Arch>(in, out, idx);
  }
  adapool::global_avg_pool<Arch>(in, out);
  adapool::global_max_pool<Arch>(in, out, idx);
  adapool::channel_avg_pool<Arch>(in, out);
  adapool::channel_max_pool<Arch>(in, out, idx);
}

template <class Arch, class T>
void narrow_every_rank() {
  narrow_ops<Arch, T, 3, adapool::strided>();
  narrow_ops<Arch, T, 4, adapool::channels_last>();
  narrow_ops<Arch, T, 5, adapool::contiguous>();
}

template <class Arch>
void narrow_types() {
  narrow_every_rank<Arch, adapool::float16>();
  narrow_every_rank<Arch, adapool::bfloat16>();
  narrow_every_rank<Arch, std::int8_t>();
  narrow_every_rank<Arch, std::uint8_t>();
}

template <class Arch, class T, std::size_t Rank>
void every_layout() {
#if !defined(STRICT_HEADERS_QUICK)
  adaptive_ops<Arch, T, Rank, adapool::contiguous>();
  adaptive_ops<Arch, T, Rank, adapool::channels_last>();
#endif
  adaptive_ops<Arch, T, Rank, adapool::strided>();
}

template <class Arch, class T>
void every_rank() {
  every_layout<Arch, T, 3>();
  every_layout<Arch, T, 4>();
  every_layout<Arch, T, 5>();
}

// Views, tensors and the other free functions.
template <class T>
void views_and_tensors() {
  std::vector<T> values(2 * 3 * 4 * 5);
  const std::vector<T>& read_only = values;
  const auto v = adapool::make_view(values, 2, 3, 4, 5);
  const auto r = adapool::make_view<adapool::channels_last>(read_only, 2, 3, 4, 5);
  const tensor_view<const T, 4, adapool::strided> s = v;
  const auto flipped = adapool::make_strided_view(values.data(), std::array<std::int64_t, 4>{2, 3, 4, 5},
                                                  std::array<std::int64_t, 4>{60, 20, 5, -1});
  adapool::tensor<T, 4, adapool::channels_last> t({2, 3, 4, 5}, T(1));
  t(1, 2, 3, 4) = v(1, 2, 3, 4) + r(0, 0, 0, 0) + s(1, 1, 1, 1) + flipped(0, 0, 0, 0);
  static_cast<void>(t.values().size() + static_cast<std::size_t>(t.size() + v.size()));
}

template <class T>
void eigen_interop() {
  Eigen::Tensor<T, 4, Eigen::RowMajor> row_major(2, 3, 4, 5);
  Eigen::Tensor<T, 4> col_major(2, 3, 4, 5);
  const auto nchw = adapool::eigen::view(row_major);
  const auto nhwc = adapool::eigen::view<adapool::eigen::nhwc>(row_major);
  const auto whcn = adapool::eigen::view<adapool::eigen::whcn>(col_major);
  const auto cwhn = adapool::eigen::view<adapool::eigen::cwhn>(std::as_const(col_major));
  auto map = adapool::eigen::map(nchw);
  auto map_nhwc = adapool::eigen::map(nhwc);
  static_cast<void>(map.size() + map_nhwc.size() + whcn.size() + cwhn.size());
  Eigen::TensorMap<Eigen::Tensor<T, 3, Eigen::RowMajor>> mapped(row_major.data(), 2, 3, 20);
  static_cast<void>(adapool::eigen::view(mapped).size());
}

// Every Eigen twin of an operation, in one storage order, with empty tensors.
template <class T, int Storage>
void eigen_twins() {
  namespace ae = adapool::eigen;
  using order = std::conditional_t<Storage == Eigen::RowMajor, ae::nchw, ae::whcn>;
  Eigen::Tensor<T, 3, Storage> in3, out3, other3;
  Eigen::Tensor<T, 4, Storage> in4, out4, other4;
  Eigen::Tensor<T, 5, Storage> in5, out5, other5;
  Eigen::Tensor<std::int64_t, 3, Storage> idx3;
  Eigen::Tensor<std::int64_t, 4, Storage> idx4;
  Eigen::Tensor<std::int64_t, 5, Storage> idx5;
  const auto& cin3 = in3;
  const auto& cin4 = in4;
  const auto& cin5 = in5;

  ae::adaptive_avg_pool1d<order>(cin3, out3);
  ae::adaptive_max_pool1d<order>(cin3, out3);
  ae::adaptive_max_pool1d<order>(cin3, out3, idx3);
  static_cast<void>(ae::adaptive_avg_pool1d<order>(cin3, {2}));
  static_cast<void>(ae::adaptive_max_pool1d<order>(cin3, {2}));
  static_cast<void>(ae::adaptive_max_pool1d_with_indices<order>(cin3, {2}));
  ae::adaptive_avg_pool2d<order>(cin4, out4);
  ae::adaptive_max_pool2d<order>(cin4, out4);
  ae::adaptive_max_pool2d<order>(cin4, out4, idx4);
  static_cast<void>(ae::adaptive_avg_pool2d<order>(cin4, {2, 3}));
  static_cast<void>(ae::adaptive_max_pool2d<order>(cin4, {2, 3}));
  static_cast<void>(ae::adaptive_max_pool2d_with_indices<order>(cin4, {2, 3}));
  ae::adaptive_avg_pool3d<order>(cin5, out5);
  ae::adaptive_max_pool3d<order>(cin5, out5);
  ae::adaptive_max_pool3d<order>(cin5, out5, idx5);
  static_cast<void>(ae::adaptive_avg_pool3d<order>(cin5, {2, 3, 4}));
  static_cast<void>(ae::adaptive_max_pool3d<order>(cin5, {2, 3, 4}));
  static_cast<void>(ae::adaptive_max_pool3d_with_indices<order>(cin5, {2, 3, 4}));

  ae::adaptive_avg_max_pool2d<order>(cin4, out4, other4);
  ae::adaptive_avg_max_pool2d<order>(cin4, out4, other4, idx4);
  static_cast<void>(ae::adaptive_concat_pool2d<order>(cin4, {2, 3}));
  std::array<Eigen::Tensor<T, 4, Storage>, 2> levels;
  ae::adaptive_avg_pool2d_pyramid<order>(cin4, levels);
  static_cast<void>(ae::adaptive_avg_pool2d_pyramid<order>(cin4, {1, 2, 3, 6}));

  ae::global_avg_pool<order>(cin4, out4);
  ae::global_max_pool<order>(cin4, out4);
  ae::global_max_pool<order>(cin4, out4, idx4);
  static_cast<void>(ae::global_avg_pool<order>(cin3));
  static_cast<void>(ae::global_max_pool<order>(cin5));
  static_cast<void>(ae::global_max_pool_with_indices<order>(cin4));
  ae::channel_avg_pool<order>(cin4, out4);
  ae::channel_max_pool<order>(cin4, out4);
  ae::channel_max_pool<order>(cin4, out4, idx4);
  ae::channel_max_avg_pool<order>(cin4, out4, other4);
  static_cast<void>(ae::channel_avg_pool<order>(cin4, 2));
  static_cast<void>(ae::channel_max_pool<order>(cin4, 2));
  static_cast<void>(ae::channel_max_pool_with_indices<order>(cin4, 2));
  static_cast<void>(ae::channel_max_avg_pool<order>(cin4));

  ae::adaptive_gem_pool1d<order>(cin3, out3);
  ae::adaptive_lp_pool2d<order>(cin4, out4, 2.0);
  ae::adaptive_gem_pool3d<order>(cin5, out5, 3.0, 1e-6);
  static_cast<void>(ae::adaptive_lp_pool1d<order>(cin3, {2}, 1.5));
  static_cast<void>(ae::adaptive_gem_pool2d<order>(cin4, {2, 3}));
  static_cast<void>(ae::adaptive_lp_pool3d<order>(cin5, {2, 3, 4}, 4.0));

  const auto& cidx3 = idx3;
  const auto& cidx4 = idx4;
  const auto& cidx5 = idx5;
  ae::adaptive_avg_pool1d_backward<order>(cin3, other3);
  ae::adaptive_avg_pool2d_backward<order>(cin4, other4);
  ae::adaptive_avg_pool3d_backward<order>(cin5, other5);
  ae::adaptive_max_pool1d_backward<order>(cin3, cidx3, other3);
  ae::adaptive_max_pool2d_backward<order>(cin4, cidx4, other4);
  ae::adaptive_max_pool3d_backward<order>(cin5, cidx5, other5);
  ae::global_avg_pool_backward<order>(cin4, other4);
  ae::global_max_pool_backward<order>(cin4, cidx4, other4);
  ae::channel_avg_pool_backward<order>(cin4, other4);
  ae::channel_max_pool_backward<order>(cin4, cidx4, other4);
}

}  // namespace

// External linkage: compiled whether or not anything calls it.
void adapool_strict_headers_instantiate_all();
void adapool_strict_headers_instantiate_all() {
  every_rank<adapool::default_arch, float>();
  every_rank<adapool::default_arch, double>();
  narrow_types<adapool::default_arch>();
#if !defined(STRICT_HEADERS_QUICK)
  narrow_types<adapool::simd::scalar>();
  every_rank<adapool::simd::scalar, float>();
  every_rank<adapool::simd::scalar, double>();
  // With AVX-512 flags one compile sees every x86 path.
#if defined(__AVX512F__)
  every_rank<adapool::simd::avx2, float>();
  every_rank<adapool::simd::avx2, double>();
#endif
#if defined(__AVX2__)
  every_rank<adapool::simd::sse2, float>();
  every_rank<adapool::simd::sse2, double>();
#endif
#endif
  views_and_tensors<float>();
  views_and_tensors<double>();
  eigen_interop<float>();
  eigen_interop<double>();
  eigen_twins<float, Eigen::RowMajor>();
  eigen_twins<double, Eigen::ColMajor>();
  static_cast<void>(adapool::window_begin(3, 10, 4) + adapool::window_end(3, 10, 4));
  adapool::set_num_threads(2);
  const adapool::scoped_num_threads one(1);
  static_cast<void>(adapool::get_num_threads());
  static_cast<void>(adapool::set_error_handler(nullptr));
  static_cast<void>(adapool::active_arch());
}
