// SPDX-License-Identifier: MIT
// The Eigen twins of adapool/eigen.hpp against the same operations on plain
// views. The twins only turn Eigen arguments into views and allocated results
// into Eigen tensors, so each must give what the core operation gives on the
// same logical data: maxima, indices and gradients of max bit for bit;
// averages to rounding, since a RowMajor and a ColMajor tensor are read
// through different loops (contiguous against strided views). Every test runs
// for RowMajor and ColMajor storage, in the index orders users pick for each.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <adapool/eigen.hpp>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <unsupported/Eigen/CXX11/Tensor>
#include <vector>

#include "test_support.hpp"

namespace eigen_tests {

namespace ae = adapool::eigen;
using Eigen::Index;

template <class Order, int Storage>
struct storage_case {
  using order = Order;
  static constexpr int storage = Storage;
};

// RowMajor (n, c, h, w): contiguous NCHW. ColMajor (n, c, h, w): strided.
// ColMajor (w, h, c, n): NCHW again. RowMajor (n, h, w, c): channels-last.
using storage_cases =
    ::testing::Types<storage_case<ae::nchw, Eigen::RowMajor>, storage_case<ae::nchw, Eigen::ColMajor>,
                     storage_case<ae::whcn, Eigen::ColMajor>, storage_case<ae::nhwc, Eigen::RowMajor>>;

// Which Eigen index holds logical axis k (n, c, spatial...), written out
// independently of the library's own mapping.
template <class Order>
std::size_t eigen_axis(std::size_t k, std::size_t rank) {
  const std::size_t last = rank - 1;
  if constexpr (std::is_same_v<Order, ae::nchw>) return k;
  if constexpr (std::is_same_v<Order, ae::whcn>) return last - k;
  if constexpr (std::is_same_v<Order, ae::nhwc>) return k == 0 ? 0 : k == 1 ? last : k - 1;
  return k == 0 ? last : k == 1 ? 0 : last + 1 - k;  // cwhn
}

// Calls body(index) for every logical index of `shape`, in row-major order.
template <std::size_t Rank, class Body>
void for_each_index(const std::array<std::int64_t, Rank>& shape, const Body& body) {
  std::int64_t count = 1;
  for (std::int64_t s : shape) count *= s;
  for (std::int64_t flat = 0; flat < count; ++flat) {
    std::array<std::int64_t, Rank> index{};
    std::int64_t rest = flat;
    for (std::size_t axis = Rank; axis-- > 0;) {
      index[axis] = rest % shape[axis];
      rest /= shape[axis];
    }
    body(index);
  }
}

template <class T, std::size_t Rank, class Layout>
const T& at(const adapool::tensor<T, Rank, Layout>& t, const std::array<std::int64_t, Rank>& index) {
  return std::apply([&](auto... i) -> const T& { return t(i...); }, index);
}

template <class T, std::size_t Rank>
adapool::tensor<T, Rank> random_tensor(const std::array<std::int64_t, Rank>& shape, unsigned seed) {
  adapool::tensor<T, Rank> t(shape);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (std::int64_t i = 0; i < t.size(); ++i) t.data()[i] = static_cast<T>(uniform(gen));
  return t;
}

template <class Case>
class EigenTwins : public ::testing::Test {
 public:
  using order = typename Case::order;
  template <class T, std::size_t Rank>
  using eigen_tensor = Eigen::Tensor<T, static_cast<int>(Rank), Case::storage, Index>;

  template <std::size_t Rank>
  static std::array<Index, Rank> position(const std::array<std::int64_t, Rank>& logical) {
    std::array<Index, Rank> p{};
    for (std::size_t k = 0; k < Rank; ++k) p[eigen_axis<order>(k, Rank)] = static_cast<Index>(logical[k]);
    return p;
  }

  // An Eigen tensor holding x's logical elements in this case's index and storage order.
  template <class T, std::size_t Rank, class Layout>
  static eigen_tensor<T, Rank> store(const adapool::tensor<T, Rank, Layout>& x) {
    eigen_tensor<T, Rank> t(position(x.shape()));
    for_each_index(x.shape(), [&](const auto& i) { t(position(i)) = at(x, i); });
    return t;
  }
  template <class T, std::size_t Rank>
  static eigen_tensor<T, Rank> zeros(const std::array<std::int64_t, Rank>& shape) {
    return store(adapool::tensor<T, Rank>(shape));
  }

  // `got` (an Eigen tensor or map in this case's order) holds `want`'s logical elements.
  template <class Got, class T, std::size_t Rank, class Layout>
  static void expect_same(const Got& got, const adapool::tensor<T, Rank, Layout>& want, const std::string& what) {
    SCOPED_TRACE(what);
    ASSERT_EQ(static_cast<std::size_t>(Got::NumIndices), Rank);
    for (std::size_t k = 0; k < Rank; ++k) ASSERT_EQ(got.dimension(eigen_axis<order>(k, Rank)), want.extent(k));
    int wrong = 0;
    for_each_index(want.shape(), [&](const auto& i) {
      const auto g = got(position(i));
      const T w = at(want, i);
      const bool same = std::is_integral_v<T> ? g == w : std::fabs(double(g) - double(w)) <= 1e-6 * (1 + std::fabs(w));
      if (!same && wrong++ < 5) ADD_FAILURE() << "at " << ::testing::PrintToString(i) << ": " << g << " != " << w;
    });
    EXPECT_EQ(wrong, 0);
  }
  // Maxima: bit for bit.
  template <class Got, std::size_t Rank, class Layout>
  static void expect_identical(const Got& got, const adapool::tensor<float, Rank, Layout>& want,
                               const std::string& what) {
    SCOPED_TRACE(what);
    int wrong = 0;
    for_each_index(want.shape(), [&](const auto& i) { wrong += got(position(i)) != at(want, i); });
    EXPECT_EQ(wrong, 0);
  }

  // The storage order an allocating twin returns is the input's.
  template <class Result>
  static void expect_storage(const Result&) {
    static_assert(static_cast<int>(Result::Layout) == Case::storage, "results keep the input's storage order");
  }
};

// Test names say the storage case: EigenTwins/RowMajor_nchw.Adaptive2d.
struct storage_case_names {
  template <class Case>
  static std::string GetName(int) {
    using order = typename Case::order;
    const std::string storage = Case::storage == Eigen::RowMajor ? "RowMajor_" : "ColMajor_";
    if constexpr (std::is_same_v<order, ae::nchw>) return storage + "nchw";
    if constexpr (std::is_same_v<order, ae::nhwc>) return storage + "nhwc";
    if constexpr (std::is_same_v<order, ae::whcn>) return storage + "whcn";
    return storage + "cwhn";
  }
};

TYPED_TEST_SUITE(EigenTwins, storage_cases, storage_case_names);

// Adaptive average and max (with indices), non-allocating and allocating, for
// one rank: `avg`, `max`, `max_idx` are the twin and the core op of that rank.
template <class Fixture, std::size_t Rank, class Ops>
void check_adaptive(const std::array<std::int64_t, Rank>& in_shape, const std::array<std::int64_t, Rank - 2>& size,
                    const Ops& ops) {
  using order = typename Fixture::order;
  const auto x = random_tensor<float, Rank>(in_shape, 1);
  const auto ex = Fixture::store(x);
  auto out_shape = in_shape;
  for (std::size_t k = 0; k < Rank - 2; ++k) out_shape[k + 2] = size[k];

  adapool::tensor<float, Rank> avg(out_shape), max(out_shape);
  adapool::tensor<std::int64_t, Rank> idx(out_shape);
  ops.core_avg(x.view(), avg.view());
  ops.core_max(x.view(), max.view(), idx.view());

  auto e_avg = Fixture::template zeros<float>(out_shape);
  auto e_max = Fixture::template zeros<float>(out_shape);
  auto e_idx = Fixture::template zeros<std::int64_t>(out_shape);
  ops.template avg<order>(ex, e_avg);
  ops.template max<order>(ex, e_max, e_idx);
  Fixture::expect_same(e_avg, avg, "avg");
  Fixture::expect_identical(e_max, max, "max");
  Fixture::expect_same(e_idx, idx, "indices");
  e_max.setZero();
  ops.template max<order>(ex, e_max);
  Fixture::expect_identical(e_max, max, "max without indices");

  // Allocating twins, from a const tensor.
  const auto& cex = ex;
  const auto a_avg = ops.template avg<order>(cex, size);
  const auto a_max = ops.template max<order>(cex, size);
  const auto [values, indices] = ops.template max_with_indices<order>(cex, size);
  Fixture::expect_storage(a_avg);
  Fixture::expect_same(a_avg, avg, "allocating avg");
  Fixture::expect_identical(a_max, max, "allocating max");
  Fixture::expect_identical(values, max, "allocating max with indices");
  Fixture::expect_same(indices, idx, "allocating indices");
}

// Generic lambdas cannot take explicit template arguments in C++17, so each
// rank's ops are a small struct.
struct ops1d {
  template <class O, class... A>
  static auto avg(A&&... a) {
    return ae::adaptive_avg_pool1d<O>(std::forward<A>(a)...);
  }
  template <class O, class... A>
  static auto max(A&&... a) {
    return ae::adaptive_max_pool1d<O>(std::forward<A>(a)...);
  }
  template <class O, class... A>
  static auto max_with_indices(A&&... a) {
    return ae::adaptive_max_pool1d_with_indices<O>(std::forward<A>(a)...);
  }
  template <class... A>
  static void core_avg(const A&... a) {
    adapool::adaptive_avg_pool1d(a...);
  }
  template <class... A>
  static void core_max(const A&... a) {
    adapool::adaptive_max_pool1d(a...);
  }
};
struct ops2d {
  template <class O, class... A>
  static auto avg(A&&... a) {
    return ae::adaptive_avg_pool2d<O>(std::forward<A>(a)...);
  }
  template <class O, class... A>
  static auto max(A&&... a) {
    return ae::adaptive_max_pool2d<O>(std::forward<A>(a)...);
  }
  template <class O, class... A>
  static auto max_with_indices(A&&... a) {
    return ae::adaptive_max_pool2d_with_indices<O>(std::forward<A>(a)...);
  }
  template <class... A>
  static void core_avg(const A&... a) {
    adapool::adaptive_avg_pool2d(a...);
  }
  template <class... A>
  static void core_max(const A&... a) {
    adapool::adaptive_max_pool2d(a...);
  }
};
struct ops3d {
  template <class O, class... A>
  static auto avg(A&&... a) {
    return ae::adaptive_avg_pool3d<O>(std::forward<A>(a)...);
  }
  template <class O, class... A>
  static auto max(A&&... a) {
    return ae::adaptive_max_pool3d<O>(std::forward<A>(a)...);
  }
  template <class O, class... A>
  static auto max_with_indices(A&&... a) {
    return ae::adaptive_max_pool3d_with_indices<O>(std::forward<A>(a)...);
  }
  template <class... A>
  static void core_avg(const A&... a) {
    adapool::adaptive_avg_pool3d(a...);
  }
  template <class... A>
  static void core_max(const A&... a) {
    adapool::adaptive_max_pool3d(a...);
  }
};

TYPED_TEST(EigenTwins, Adaptive1d) { check_adaptive<TestFixture, 3>({2, 5, 11}, {4}, ops1d{}); }
TYPED_TEST(EigenTwins, Adaptive2d) { check_adaptive<TestFixture, 4>({2, 5, 7, 9}, {3, 4}, ops2d{}); }
TYPED_TEST(EigenTwins, Adaptive3d) { check_adaptive<TestFixture, 5>({2, 3, 5, 6, 7}, {2, 3, 4}, ops3d{}); }

TYPED_TEST(EigenTwins, BracedOutputSizes) {
  using order = typename TestFixture::order;
  const auto x = random_tensor<float, 4>({1, 3, 6, 6}, 2);
  const auto ex = TestFixture::store(x);
  TestFixture::expect_same(ae::adaptive_avg_pool2d<order>(ex, {2, 3}), adapool::adaptive_avg_pool2d(x.view(), {2, 3}),
                           "avg {2, 3}");
  const auto [values, indices] = ae::adaptive_max_pool3d_with_indices<order>(
      TestFixture::store(random_tensor<float, 5>({1, 2, 3, 4, 5}, 3)), {1, 2, 2});
  EXPECT_EQ(values.size(), 1 * 2 * 1 * 2 * 2);
  EXPECT_EQ(indices.size(), values.size());
}

TYPED_TEST(EigenTwins, GlobalPooling) {
  using order = typename TestFixture::order;
  const auto x = random_tensor<float, 4>({3, 5, 4, 6}, 4);
  const auto ex = TestFixture::store(x);
  const auto avg = adapool::global_avg_pool(x.view());
  const auto [max, idx] = adapool::global_max_pool_with_indices(x.view());

  auto e_avg = TestFixture::template zeros<float>(avg.shape());
  auto e_max = TestFixture::template zeros<float>(avg.shape());
  auto e_idx = TestFixture::template zeros<std::int64_t>(avg.shape());
  ae::global_avg_pool<order>(ex, e_avg);
  ae::global_max_pool<order>(ex, e_max, e_idx);
  TestFixture::expect_same(e_avg, avg, "avg");
  TestFixture::expect_identical(e_max, max, "max");
  TestFixture::expect_same(e_idx, idx, "indices");
  e_max.setZero();
  ae::global_max_pool<order>(ex, e_max);
  TestFixture::expect_identical(e_max, max, "max without indices");

  TestFixture::expect_same(ae::global_avg_pool<order>(ex), avg, "allocating avg");
  TestFixture::expect_identical(ae::global_max_pool<order>(ex), max, "allocating max");
  const auto both = ae::global_max_pool_with_indices<order>(ex);
  TestFixture::expect_storage(both.values);
  TestFixture::expect_identical(both.values, max, "allocating max with indices");
  TestFixture::expect_same(both.indices, idx, "allocating indices");

  // Ranks 3 and 5 go through the same twin.
  const auto x3 = random_tensor<float, 3>({2, 3, 7}, 5);
  TestFixture::expect_same(ae::global_avg_pool<order>(TestFixture::store(x3)), adapool::global_avg_pool(x3.view()),
                           "rank 3");
  const auto x5 = random_tensor<float, 5>({2, 3, 2, 3, 4}, 6);
  TestFixture::expect_identical(ae::global_max_pool<order>(TestFixture::store(x5)), adapool::global_max_pool(x5.view()),
                                "rank 5");
}

TYPED_TEST(EigenTwins, ChannelPooling) {
  using order = typename TestFixture::order;
  const auto x = random_tensor<float, 4>({2, 7, 3, 5}, 7);
  const auto ex = TestFixture::store(x);
  const auto avg = adapool::channel_avg_pool(x.view(), 3);
  const auto [max, idx] = adapool::channel_max_pool_with_indices(x.view(), 3);

  auto e_avg = TestFixture::template zeros<float>(avg.shape());
  auto e_max = TestFixture::template zeros<float>(avg.shape());
  auto e_idx = TestFixture::template zeros<std::int64_t>(avg.shape());
  ae::channel_avg_pool<order>(ex, e_avg);
  ae::channel_max_pool<order>(ex, e_max, e_idx);
  TestFixture::expect_same(e_avg, avg, "avg");
  TestFixture::expect_identical(e_max, max, "max");
  TestFixture::expect_same(e_idx, idx, "indices");
  e_max.setZero();
  ae::channel_max_pool<order>(ex, e_max);
  TestFixture::expect_identical(e_max, max, "max without indices");

  TestFixture::expect_same(ae::channel_avg_pool<order>(ex, 3), avg, "allocating avg");
  TestFixture::expect_identical(ae::channel_max_pool<order>(ex, 3), max, "allocating max");
  const auto both = ae::channel_max_pool_with_indices<order>(ex, 3);
  TestFixture::expect_identical(both.values, max, "allocating max with indices");
  TestFixture::expect_same(both.indices, idx, "allocating indices");
}

TYPED_TEST(EigenTwins, FusedOperations) {
  using order = typename TestFixture::order;
  const auto x = random_tensor<float, 4>({2, 6, 9, 8}, 8);
  const auto ex = TestFixture::store(x);

  // Adaptive avg + max in one pass, with and without indices.
  const auto avg = adapool::adaptive_avg_pool2d(x.view(), {4, 3});
  const auto [max, idx] = adapool::adaptive_max_pool2d_with_indices(x.view(), {4, 3});
  auto e_avg = TestFixture::template zeros<float>(avg.shape());
  auto e_max = TestFixture::template zeros<float>(avg.shape());
  auto e_idx = TestFixture::template zeros<std::int64_t>(avg.shape());
  ae::adaptive_avg_max_pool2d<order>(ex, e_avg, e_max, e_idx);
  TestFixture::expect_same(e_avg, avg, "avg_max: avg");
  TestFixture::expect_identical(e_max, max, "avg_max: max");
  TestFixture::expect_same(e_idx, idx, "avg_max: indices");
  e_avg.setZero();
  e_max.setZero();
  ae::adaptive_avg_max_pool2d<order>(ex, e_avg, e_max);
  TestFixture::expect_same(e_avg, avg, "avg_max without indices: avg");
  TestFixture::expect_identical(e_max, max, "avg_max without indices: max");

  const auto concat = ae::adaptive_concat_pool2d<order>(ex, {4, 3});
  TestFixture::expect_storage(concat);
  TestFixture::expect_same(concat, adapool::adaptive_concat_pool2d(x.view(), {4, 3}), "concat");

  // Channel max + mean in one pass.
  const auto cmax = adapool::channel_max_pool(x.view());
  const auto cavg = adapool::channel_avg_pool(x.view());
  auto e_cmax = TestFixture::template zeros<float>(cmax.shape());
  auto e_cavg = TestFixture::template zeros<float>(cavg.shape());
  ae::channel_max_avg_pool<order>(ex, e_cmax, e_cavg);
  TestFixture::expect_identical(e_cmax, cmax, "channel_max_avg: max");
  TestFixture::expect_same(e_cavg, cavg, "channel_max_avg: avg");
  TestFixture::expect_same(ae::channel_max_avg_pool<order>(ex), adapool::channel_max_avg_pool(x.view()),
                           "allocating channel_max_avg");
}

TYPED_TEST(EigenTwins, Pyramid) {
  using order = typename TestFixture::order;
  const auto x = random_tensor<float, 4>({2, 3, 12, 10}, 9);
  const auto ex = TestFixture::store(x);
  const auto want = adapool::adaptive_avg_pool2d_pyramid(x.view(), {1, 2, 3, 6});

  // Outputs as a std::array of Eigen tensors.
  std::array<typename TestFixture::template eigen_tensor<float, 4>, 4> outs{
      TestFixture::template zeros<float>(want[0].shape()), TestFixture::template zeros<float>(want[1].shape()),
      TestFixture::template zeros<float>(want[2].shape()), TestFixture::template zeros<float>(want[3].shape())};
  ae::adaptive_avg_pool2d_pyramid<order>(ex, outs);
  const auto allocated = ae::adaptive_avg_pool2d_pyramid<order>(ex, {1, 2, 3, 6});
  for (std::size_t level = 0; level < 4; ++level) {
    TestFixture::expect_same(outs[level], want[level], "level " + std::to_string(level));
    TestFixture::expect_same(allocated[level], want[level], "allocating, level " + std::to_string(level));
  }
}

// GeM and LP pooling, with their power arguments after the output.
TYPED_TEST(EigenTwins, PowerMeanPooling) {
  using order = typename TestFixture::order;
  // Positive inputs, so that LP with a non-integer p is defined everywhere.
  auto x = random_tensor<float, 4>({2, 5, 7, 9}, 16);
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = std::fabs(x.data()[i]) + 0.01f;
  const auto ex = TestFixture::store(x);
  const std::array<std::int64_t, 4> out_shape{2, 5, 3, 4};
  auto got = TestFixture::template zeros<float>(out_shape);

  ae::adaptive_gem_pool2d<order>(ex, got);
  TestFixture::expect_same(got, adapool::adaptive_gem_pool2d(x.view(), {3, 4}), "gem, p = 3");
  ae::adaptive_gem_pool2d<order>(ex, got, 2.5, 1e-3);
  TestFixture::expect_same(got, adapool::adaptive_gem_pool2d(x.view(), {3, 4}, 2.5, 1e-3), "gem, p = 2.5");
  ae::adaptive_lp_pool2d<order>(ex, got, 1.5);
  TestFixture::expect_same(got, adapool::adaptive_lp_pool2d(x.view(), {3, 4}, 1.5), "lp, p = 1.5");
  TestFixture::expect_same(ae::adaptive_gem_pool2d<order>(ex, {3, 4}, 4.0),
                           adapool::adaptive_gem_pool2d(x.view(), {3, 4}, 4.0), "allocating gem");
  TestFixture::expect_same(ae::adaptive_lp_pool2d<order>(ex, {3, 4}, 2.0),
                           adapool::adaptive_lp_pool2d(x.view(), {3, 4}, 2.0), "allocating lp");

  auto x3 = random_tensor<float, 3>({2, 3, 10}, 17);
  auto x5 = random_tensor<float, 5>({1, 2, 4, 5, 6}, 18);
  for (std::int64_t i = 0; i < x3.size(); ++i) x3.data()[i] = std::fabs(x3.data()[i]);
  for (std::int64_t i = 0; i < x5.size(); ++i) x5.data()[i] = std::fabs(x5.data()[i]);
  const auto ex3 = TestFixture::store(x3);
  const auto ex5 = TestFixture::store(x5);
  TestFixture::expect_same(ae::adaptive_gem_pool1d<order>(ex3, {4}), adapool::adaptive_gem_pool1d(x3.view(), {4}),
                           "gem 1d");
  TestFixture::expect_same(ae::adaptive_lp_pool1d<order>(ex3, {4}, 3.0),
                           adapool::adaptive_lp_pool1d(x3.view(), {4}, 3.0), "lp 1d");
  auto got5 = TestFixture::template zeros<float>(std::array<std::int64_t, 5>{1, 2, 2, 3, 3});
  ae::adaptive_gem_pool3d<order>(ex5, got5, 3.0);
  TestFixture::expect_same(got5, adapool::adaptive_gem_pool3d(x5.view(), {2, 3, 3}, 3.0), "gem 3d");
  ae::adaptive_lp_pool3d<order>(ex5, got5, 2.0);
  TestFixture::expect_same(got5, adapool::adaptive_lp_pool3d(x5.view(), {2, 3, 3}, 2.0), "lp 3d");
  EXPECT_THROW(ae::adaptive_gem_pool2d<order>(ex, got, -1.0), adapool::error);
}

// Each backward twin against the core backward on views, from the same
// grad_out (and, for max, the forward's indices).
TYPED_TEST(EigenTwins, BackwardPasses) {
  using order = typename TestFixture::order;
  const auto check = [](const auto& x, const auto& eigen_backward, const auto& core_backward, auto out_shape,
                        auto with_indices, const auto& core_forward_indices, const char* what) {
    const auto grad_out = random_tensor<float, std::tuple_size_v<decltype(out_shape)>>(out_shape, 10);
    adapool::tensor<float, std::tuple_size_v<decltype(out_shape)>> values(out_shape);
    adapool::tensor<std::int64_t, std::tuple_size_v<decltype(out_shape)>> indices(out_shape);
    if constexpr (decltype(with_indices)::value) core_forward_indices(x.view(), values.view(), indices.view());
    adapool::tensor<float, std::tuple_size_v<decltype(out_shape)>> want(x.shape());
    auto got = TestFixture::template zeros<float>(x.shape());
    const auto e_grad_out = TestFixture::store(grad_out);
    const auto e_indices = TestFixture::store(indices);
    if constexpr (decltype(with_indices)::value) {
      core_backward(grad_out.view(), indices.view(), want.view());
      eigen_backward(e_grad_out, e_indices, got);
    } else {
      core_backward(grad_out.view(), want.view());
      eigen_backward(e_grad_out, got);
    }
    TestFixture::expect_same(got, want, what);
  };
  const auto none = [](const auto&...) {};

  const auto x3 = random_tensor<float, 3>({2, 4, 11}, 11);
  const auto x4 = random_tensor<float, 4>({2, 4, 7, 9}, 12);
  const auto x5 = random_tensor<float, 5>({2, 3, 5, 4, 6}, 13);
  const std::array<std::int64_t, 3> s3{2, 4, 3};
  const std::array<std::int64_t, 4> s4{2, 4, 3, 4};
  const std::array<std::int64_t, 5> s5{2, 3, 2, 3, 4};

  check(
      x3, [](auto&&... a) { ae::adaptive_avg_pool1d_backward<order>(a...); },
      [](const auto&... a) { adapool::adaptive_avg_pool1d_backward(a...); }, s3, std::false_type{}, none, "avg 1d");
  check(
      x4, [](auto&&... a) { ae::adaptive_avg_pool2d_backward<order>(a...); },
      [](const auto&... a) { adapool::adaptive_avg_pool2d_backward(a...); }, s4, std::false_type{}, none, "avg 2d");
  check(
      x5, [](auto&&... a) { ae::adaptive_avg_pool3d_backward<order>(a...); },
      [](const auto&... a) { adapool::adaptive_avg_pool3d_backward(a...); }, s5, std::false_type{}, none, "avg 3d");
  check(
      x3, [](auto&&... a) { ae::adaptive_max_pool1d_backward<order>(a...); },
      [](const auto&... a) { adapool::adaptive_max_pool1d_backward(a...); }, s3, std::true_type{},
      [](const auto&... a) { adapool::adaptive_max_pool1d(a...); }, "max 1d");
  check(
      x4, [](auto&&... a) { ae::adaptive_max_pool2d_backward<order>(a...); },
      [](const auto&... a) { adapool::adaptive_max_pool2d_backward(a...); }, s4, std::true_type{},
      [](const auto&... a) { adapool::adaptive_max_pool2d(a...); }, "max 2d");
  check(
      x5, [](auto&&... a) { ae::adaptive_max_pool3d_backward<order>(a...); },
      [](const auto&... a) { adapool::adaptive_max_pool3d_backward(a...); }, s5, std::true_type{},
      [](const auto&... a) { adapool::adaptive_max_pool3d(a...); }, "max 3d");
  const std::array<std::int64_t, 4> global{2, 4, 1, 1};
  check(
      x4, [](auto&&... a) { ae::global_avg_pool_backward<order>(a...); },
      [](const auto&... a) { adapool::global_avg_pool_backward(a...); }, global, std::false_type{}, none, "global avg");
  check(
      x4, [](auto&&... a) { ae::global_max_pool_backward<order>(a...); },
      [](const auto&... a) { adapool::global_max_pool_backward(a...); }, global, std::true_type{},
      [](const auto&... a) { adapool::global_max_pool(a...); }, "global max");
  const std::array<std::int64_t, 4> channels{2, 3, 7, 9};
  check(
      x4, [](auto&&... a) { ae::channel_avg_pool_backward<order>(a...); },
      [](const auto&... a) { adapool::channel_avg_pool_backward(a...); }, channels, std::false_type{}, none,
      "channel avg");
  check(
      x4, [](auto&&... a) { ae::channel_max_pool_backward<order>(a...); },
      [](const auto&... a) { adapool::channel_max_pool_backward(a...); }, channels, std::true_type{},
      [](const auto&... a) { adapool::channel_max_pool(a...); }, "channel max");
}

// TensorMaps over plain buffers work as tensors do, a map of a const tensor type
// as a read-only input.
TYPED_TEST(EigenTwins, TensorMaps) {
  using order = typename TestFixture::order;
  using plain = typename TestFixture::template eigen_tensor<float, 4>;
  const auto x = random_tensor<float, 4>({2, 3, 8, 8}, 14);
  const auto ex = TestFixture::store(x);
  const Eigen::TensorMap<const plain> in(ex.data(), ex.dimensions());
  auto out_storage = TestFixture::template zeros<float>(std::array<std::int64_t, 4>{2, 3, 3, 3});
  std::vector<float> buffer(out_storage.size());
  Eigen::TensorMap<plain> out(buffer.data(), out_storage.dimensions());
  ae::adaptive_avg_pool2d<order>(in, out);
  TestFixture::expect_same(out, adapool::adaptive_avg_pool2d(x.view(), {3, 3}), "map to map");
  TestFixture::expect_same(ae::adaptive_avg_pool2d<order>(in, {3, 3}), adapool::adaptive_avg_pool2d(x.view(), {3, 3}),
                           "allocating from a map");
}

// Eigen::half and Eigen::bfloat16 tensors: the operations of adapool::float16
// and adapool::bfloat16 on the same bits, results bit for bit (the same
// kernels on the same values), and allocating twins return Eigen's type.
template <class Fixture, class EigenHalf, class AdapoolHalf>
void check_sixteen_bit_floats() {
  using order = typename Fixture::order;
  const auto xf = random_tensor<float, 4>({2, 5, 7, 9}, 15);
  adapool::tensor<AdapoolHalf, 4> x(xf.shape());
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = AdapoolHalf(xf.data()[i]);
  typename Fixture::template eigen_tensor<EigenHalf, 4> ex(Fixture::position(x.shape()));
  for_each_index(x.shape(), [&](const auto& i) { ex(Fixture::position(i)) = EigenHalf(static_cast<float>(at(x, i))); });

  const auto bits_equal = [&](const auto& got, const auto& want, const char* what) {
    SCOPED_TRACE(what);
    static_assert(std::is_same_v<typename std::decay_t<decltype(got)>::Scalar, EigenHalf>, "Eigen's type back");
    int wrong = 0;
    for_each_index(want.shape(), [&](const auto& i) {
      wrong += Eigen::numext::bit_cast<std::uint16_t>(got(Fixture::position(i))) != at(want, i).bits;
    });
    EXPECT_EQ(wrong, 0);
  };
  bits_equal(ae::adaptive_avg_pool2d<order>(ex, {3, 4}), adapool::adaptive_avg_pool2d(x.view(), {3, 4}), "avg");
  const auto [max, idx] = adapool::adaptive_max_pool2d_with_indices(x.view(), {3, 4});
  const auto both = ae::adaptive_max_pool2d_with_indices<order>(ex, {3, 4});
  bits_equal(both.values, max, "max");
  Fixture::expect_same(both.indices, idx, "indices");
  bits_equal(ae::global_avg_pool<order>(ex), adapool::global_avg_pool(x.view()), "global avg");

  auto out = Fixture::template zeros<float>(std::array<std::int64_t, 4>{2, 1, 7, 9});
  typename Fixture::template eigen_tensor<EigenHalf, 4> e_out(out.dimensions());
  ae::channel_max_pool<order>(ex, e_out);
  bits_equal(e_out, adapool::channel_max_pool(x.view()), "channel max into an Eigen tensor");
}

TYPED_TEST(EigenTwins, SixteenBitFloats) {
  check_sixteen_bit_floats<TestFixture, Eigen::half, adapool::float16>();
  check_sixteen_bit_floats<TestFixture, Eigen::bfloat16, adapool::bfloat16>();
}

// Errors come from the core operation, with its message and its logical shapes.
TYPED_TEST(EigenTwins, ErrorsAreTheCoreOperations) {
  using order = typename TestFixture::order;
  const auto x = random_tensor<float, 4>({1, 8, 4, 4}, 15);
  adapool::tensor<float, 4> wrong({1, 8, 2, 2});
  adapool::tensor<std::int64_t, 4> wrong_indices({1, 8, 2, 2});
  const auto ex = TestFixture::store(x);
  auto e_out = TestFixture::template zeros<float>(std::array<std::int64_t, 4>{1, 8, 1, 1});
  auto e_wrong_indices = TestFixture::store(wrong_indices);
  adapool::tensor<float, 4> out({1, 8, 1, 1});
  const std::string want =
      adapool_test::error_message([&] { adapool::adaptive_max_pool2d(x.view(), out.view(), wrong_indices.view()); });
  const std::string got =
      adapool_test::error_message([&] { ae::adaptive_max_pool2d<order>(ex, e_out, e_wrong_indices); });
  EXPECT_EQ(want, "adaptive_max_pool2d: indices has shape [1, 8, 2, 2], expected [1, 8, 1, 1]");
  EXPECT_EQ(got, want);
  EXPECT_THROW(ae::channel_max_pool<order>(ex, -1), adapool::error);
}

}  // namespace eigen_tests
