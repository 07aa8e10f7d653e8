// SPDX-License-Identifier: MIT
// Eigen tensors as adapool views, in each index order and storage order.
//
// An Eigen tensor's indices have no names, so adapool::eigen::view<Order> takes
// an index order: nchw (the default) means t(n, c, h, w), nhwc means
// t(n, h, w, c), and whcn / cwhn are those two reversed, which is how a
// ColMajor (first index fastest) tensor holds NCHW / NHWC memory. Every
// combination views the same logical N x C x H x W map, so pooling gives the
// same maxima and indices whichever way the data is stored; the view's layout
// type says whether the memory is contiguous, channels-last or strided.

#include <adapool/adapool.hpp>
#include <adapool/eigen.hpp>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <unsupported/Eigen/CXX11/Tensor>
#include <utility>
#include <vector>

namespace {

namespace ae = adapool::eigen;
using Eigen::Index;

// Where logical element (n, c, h, w) sits in an Eigen tensor of each order.
std::array<Index, 4> eigen_position(ae::nchw, Index n, Index c, Index h, Index w) { return {n, c, h, w}; }
std::array<Index, 4> eigen_position(ae::nhwc, Index n, Index c, Index h, Index w) { return {n, h, w, c}; }
std::array<Index, 4> eigen_position(ae::whcn, Index n, Index c, Index h, Index w) { return {w, h, c, n}; }
std::array<Index, 4> eigen_position(ae::cwhn, Index n, Index c, Index h, Index w) { return {c, w, h, n}; }

int failures = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  std::printf("FAILED: %s\n", what);
  ++failures;
}

const char* layout_name(adapool::contiguous) { return "contiguous"; }
const char* layout_name(adapool::channels_last) { return "channels_last"; }
const char* layout_name(adapool::strided) { return "strided"; }

// Stores `x` in an Eigen tensor of the given order and storage, views it, and
// pools the view; the result must be the same as pooling `x` itself.
template <class Order, int Storage, class ExpectedLayout>
void pool_stored_as(const char* name, const adapool::tensor<float, 4>& x) {
  const Index N = x.extent(0), C = x.extent(1), H = x.extent(2), W = x.extent(3);
  Eigen::Tensor<float, 4, Storage> t(eigen_position(Order{}, N, C, H, W));
  for (Index n = 0; n < N; ++n)
    for (Index c = 0; c < C; ++c)
      for (Index h = 0; h < H; ++h)
        for (Index w = 0; w < W; ++w) t(eigen_position(Order{}, n, c, h, w)) = x(n, c, h, w);

  const auto v = ae::view<Order>(std::as_const(t));  // a const view: tensor_view<const float, 4, ...>
  using layout = typename decltype(v)::layout_type;
  static_assert(std::is_same_v<layout, ExpectedLayout>, "unexpected layout");
  static_assert(std::is_same_v<typename decltype(v)::element_type, const float>, "a const tensor gives a const view");
  std::printf("%-26s -> %-13s shape [%lld, %lld, %lld, %lld], strides [%lld, %lld, %lld, %lld]\n", name,
              layout_name(layout{}), static_cast<long long>(v.extent(0)), static_cast<long long>(v.extent(1)),
              static_cast<long long>(v.extent(2)), static_cast<long long>(v.extent(3)),
              static_cast<long long>(v.stride(0)), static_cast<long long>(v.stride(1)),
              static_cast<long long>(v.stride(2)), static_cast<long long>(v.stride(3)));

  // Allocating overloads keep the input's memory format, so compare element by
  // element in logical order, not memory order.
  const auto expected = adapool::adaptive_max_pool2d_with_indices(x.view(), {2, 3});
  const auto expected_mean = adapool::adaptive_avg_pool2d(x.view(), {2, 3});
  const auto got = adapool::adaptive_max_pool2d_with_indices(v, {2, 3});
  const auto mean = adapool::adaptive_avg_pool2d(v, {2, 3});
  int wrong = 0;
  for (Index n = 0; n < N; ++n)
    for (Index c = 0; c < C; ++c)
      for (Index i = 0; i < 2; ++i)
        for (Index j = 0; j < 3; ++j) {
          wrong += got.values(n, c, i, j) != expected.values(n, c, i, j);
          wrong += got.indices(n, c, i, j) != expected.indices(n, c, i, j);
          wrong += !(std::fabs(mean(n, c, i, j) - expected_mean(n, c, i, j)) < 1e-6f);
        }
  check(wrong == 0, name);
}

}  // namespace

int main() {
  adapool::tensor<float, 4> x({2, 5, 6, 7});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = std::cos(0.37f * static_cast<float>(i));

  pool_stored_as<ae::nchw, Eigen::RowMajor, adapool::contiguous>("(n, c, h, w) RowMajor", x);
  pool_stored_as<ae::nhwc, Eigen::RowMajor, adapool::channels_last>("(n, h, w, c) RowMajor", x);
  pool_stored_as<ae::whcn, Eigen::ColMajor, adapool::contiguous>("(w, h, c, n) ColMajor", x);
  pool_stored_as<ae::cwhn, Eigen::ColMajor, adapool::channels_last>("(c, w, h, n) ColMajor", x);
  pool_stored_as<ae::nchw, Eigen::ColMajor, adapool::strided>("(n, c, h, w) ColMajor", x);
  pool_stored_as<ae::nhwc, Eigen::ColMajor, adapool::strided>("(n, h, w, c) ColMajor", x);
  pool_stored_as<ae::whcn, Eigen::RowMajor, adapool::strided>("(w, h, c, n) RowMajor", x);
  pool_stored_as<ae::cwhn, Eigen::RowMajor, adapool::strided>("(c, w, h, n) RowMajor", x);

  // Rank 5 through a TensorMap, ColMajor (w, h, d, c, n): NCDHW memory, written
  // in place by adaptive_avg_pool3d, then read back through Eigen.
  std::vector<double> volume(2 * 3 * 4 * 5 * 6, 1.5), pooled(2 * 3 * 2 * 2 * 2, 0.0);
  Eigen::TensorMap<Eigen::Tensor<double, 5>> volume_map(volume.data(), 6, 5, 4, 3, 2);
  Eigen::TensorMap<Eigen::Tensor<double, 5>> pooled_map(pooled.data(), 2, 2, 2, 3, 2);
  volume_map(5, 4, 3, 2, 1) = 1000.0;  // w = 5, h = 4, d = 3, c = 2, n = 1
  const auto volume_view = ae::view<ae::whcn>(volume_map);
  static_assert(std::is_same_v<decltype(volume_view), const adapool::tensor_view<double, 5>>);
  adapool::adaptive_avg_pool3d(volume_view, ae::view<ae::whcn>(pooled_map));
  // The element sits in the last window of every axis: d in [2, 4), h in [2, 5), w in [3, 6).
  const double last_window = (1.5 * 17 + 1000.0) / 18;
  check(pooled_map(1, 1, 1, 2, 1) == last_window, "3d pooling of a ColMajor TensorMap");
  check(pooled_map(0, 0, 0, 0, 0) == 1.5, "3d pooling, first window");

  // Rank 3, and the other direction: an adapool result as an Eigen TensorMap,
  // here the channels-last result of pooling a (n, l, c) RowMajor tensor.
  Eigen::Tensor<float, 3, Eigen::RowMajor> sequence(1, 10, 4);  // (n, l, c)
  sequence.setConstant(2.0f);
  sequence(0, 7, 3) = 9.0f;
  const auto peaks = adapool::adaptive_max_pool1d(ae::view<ae::nhwc>(sequence), {2});  // N x C x 2, channels-last
  const Eigen::TensorMap<const Eigen::Tensor<float, 3, Eigen::RowMajor>> peaks_map =
      ae::map(peaks.view());  // (n, l, c)
  check(peaks_map.dimension(1) == 2 && peaks_map.dimension(2) == 4, "map of a channels-last view: (n, l, c)");
  check(peaks_map(0, 1, 3) == 9.0f && peaks_map(0, 0, 3) == 2.0f, "map of a channels-last view: values");
  const auto peaks_colmajor = ae::map<ae::cwhn>(peaks.view());  // the same memory, ColMajor (c, l, n)
  check(peaks_colmajor(3, 1, 0) == 9.0f, "ColMajor map of a channels-last view");

  if (failures != 0) return 1;
  std::printf("every storage gives the same pooled values and indices\n");
  return 0;
}
