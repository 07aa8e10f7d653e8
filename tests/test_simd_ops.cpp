// SPDX-License-Identifier: MIT
// Every SIMD operation of this suite's instruction set against the scalar one
// applied lane by lane (or a small per-lane reference where an operation
// reduces, transposes or permutes lanes), for float and double, on random data
// and on the values where instruction sets part ways: NaN (quiet, signalling,
// negative, with a payload) in every lane, -0.0 beside +0.0, infinities,
// subnormals, the extremes, ties. Kernel tests reach these operations only
// through the paths their shapes happen to take; a lane that goes wrong for one
// special value in one position shows here.
//
// What moves, selects or compares values must match bit for bit. Arithmetic
// may differ in a NaN's sign and payload only, and sums in the order of their
// additions: the data they are compared on exactly is chosen so that every
// order gives the same bits.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#if __has_include(<sys/mman.h>) && __has_include(<unistd.h>)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace simd_ops_tests {

namespace simd = adapool::simd;
// A build with runtime dispatch tests the operations its baseline copy uses
// here; the suites built for AVX2 and AVX-512 test theirs.
using arch = std::conditional_t<std::is_same_v<adapool::default_arch, adapool::simd::dynamic>, adapool::simd::sse2,
                                adapool::default_arch>;

template <class T>
using V = simd::ops<T, arch>;
template <class T>
using S = simd::ops<T, simd::scalar>;
template <class T>
constexpr int L = V<T>::lanes;
template <class T>
using lanes_of = std::array<T, std::size_t{L<T>}>;
template <class T>
using bits_of = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class T>
bits_of<T> bits(T x) {
  bits_of<T> b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

template <class T>
T from_bits(bits_of<T> b) {
  T x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

template <class T>
bool identical(T a, T b) {
  return bits(a) == bits(b);
}

// IEEE 754 leaves the sign and payload of an arithmetic NaN to the hardware
// (and the compiler may swap the operands of an addition).
template <class T>
bool same_result(T a, T b) {
  return identical(a, b) || (std::isnan(a) && std::isnan(b));
}

template <class T>
std::string show(T x) {
  std::ostringstream out;
  out << x << " [0x" << std::hex << bits(x) << "]";
  return out.str();
}

template <class T>
typename V<T>::vector vec(const lanes_of<T>& x) {
  return V<T>::load(x.data());
}

template <class T>
lanes_of<T> lanes(typename V<T>::vector v) {
  lanes_of<T> x;
  V<T>::store(x.data(), v);
  return x;
}

// Lane k of a mask: bit k of a bit mask (bool, AVX-512's), or lane k of a
// vector mask, which must be all ones or all zeros: select (and/andnot/or on
// SSE2) takes every bit of it. Told apart by size, since a vector type as a
// template argument loses its attributes.
template <class T>
std::array<bool, std::size_t{L<T>}> mask_lanes(typename V<T>::mask m) {
  std::array<bool, std::size_t{L<T>}> set{};
  if constexpr (sizeof m < sizeof(T) * L<T>) {
    for (int k = 0; k < L<T>; ++k) set[k] = ((static_cast<unsigned>(m) >> k) & 1u) != 0;
  } else {
    static_assert(sizeof m == sizeof(T) * L<T>, "one mask lane per vector lane");
    std::array<bits_of<T>, std::size_t{L<T>}> word;
    std::memcpy(word.data(), &m, sizeof m);
    for (int k = 0; k < L<T>; ++k) {
      EXPECT_TRUE(word[k] == 0 || word[k] == ~bits_of<T>{0}) << "lane " << k << " is a partial mask";
      set[k] = word[k] != 0;
    }
  }
  return set;
}

// The mask with lane k set when bit k of `pattern` is.
template <class T>
typename V<T>::mask mask_of(unsigned pattern) {
  lanes_of<T> x;
  for (int k = 0; k < L<T>; ++k) x[k] = T((pattern >> k) & 1u);
  return V<T>::greater(vec<T>(x), V<T>::zero());
}

template <class T>
unsigned pattern_of(typename V<T>::mask m) {
  const auto set = mask_lanes<T>(m);
  unsigned pattern = 0;
  for (int k = 0; k < L<T>; ++k) pattern |= (set[k] ? 1u : 0u) << k;
  return pattern;
}

template <class T>
std::vector<T> specials() {
  using limits = std::numeric_limits<T>;
  const bits_of<T> sign = bits_of<T>{1} << (8 * sizeof(T) - 1);
  const T quiet = limits::quiet_NaN();
  return {T(0),
          from_bits<T>(sign),  // -0.0
          T(1),
          T(-1),
          T(0.5),
          T(-2),
          T(3),
          limits::infinity(),
          -limits::infinity(),
          limits::denorm_min(),
          -limits::denorm_min(),
          limits::min(),
          -limits::min(),
          limits::max(),
          limits::lowest(),
          limits::epsilon(),
          quiet,
          from_bits<T>(bits(quiet) | sign),
          from_bits<T>(bits(quiet) | 5),
          limits::signaling_NaN()};
}

int uniform_int(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// A special value one time in four, a small integer (ties, exact sums) one in
// four, otherwise uniform in [-4, 4].
template <class T>
T random_value(std::mt19937& rng, bool with_nan = true) {
  static const std::vector<T> pool = specials<T>();
  for (;;) {
    T x;
    switch (uniform_int(rng, 0, 3)) {
      case 0:
        x = pool[std::size_t(uniform_int(rng, 0, int(pool.size()) - 1))];
        break;
      case 1:
        x = T(uniform_int(rng, -3, 3));
        break;
      default:
        x = std::uniform_real_distribution<T>(-4, 4)(rng);
    }
    if (with_nan || !std::isnan(x)) return x;
  }
}

template <class T>
lanes_of<T> random_lanes(std::mt19937& rng, bool with_nan = true) {
  lanes_of<T> x;
  for (T& e : x) e = random_value<T>(rng, with_nan);
  return x;
}

// check(a, b) on vectors that between them put every pair of special values,
// and many random pairs, in every lane.
template <class T, class Check>
void for_lane_pairs(bool with_nan, Check check) {
  std::vector<std::pair<T, T>> pairs;
  for (const T x : specials<T>()) {
    for (const T y : specials<T>()) {
      if (with_nan || (!std::isnan(x) && !std::isnan(y))) pairs.emplace_back(x, y);
    }
  }
  std::mt19937 rng(1);
  for (int i = 0; i < 1000; ++i) pairs.emplace_back(random_value<T>(rng, with_nan), random_value<T>(rng, with_nan));
  for (int shift = 0; shift < L<T>; ++shift) {
    for (std::size_t start = std::size_t(shift); start < pairs.size(); start += L<T>) {
      lanes_of<T> a, b;
      for (int k = 0; k < L<T>; ++k) std::tie(a[k], b[k]) = pairs[(start + std::size_t(k)) % pairs.size()];
      check(a, b);
    }
  }
}

// Terms whose sum is exact in every order, so that a sum the instruction set
// reassociates must still match the scalar one bit for bit: small integers or
// small multiples of the least subnormal (never both: 1 + tiny rounds), with
// -0.0, infinities and NaN one time in `special_one_in` (never when 0).
template <class T>
lanes_of<T> exact_terms(std::mt19937& rng, bool subnormal, int special_one_in) {
  const T quiet = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
  const T special[] = {-T(0), inf, -inf, quiet, from_bits<T>(bits(quiet) | 3)};
  lanes_of<T> x;
  for (T& e : x) {
    if (special_one_in > 0 && uniform_int(rng, 1, special_one_in) == 1) {
      e = special[uniform_int(rng, 0, 4)];
    } else {
      e = T(uniform_int(rng, -8, 8)) * (subnormal ? std::numeric_limits<T>::denorm_min() : T(1));
    }
  }
  return x;
}

// The sum of the lanes in lane order with the scalar op.
template <class T>
T scalar_sum(const lanes_of<T>& x) {
  T sum = x[0];
  for (int k = 1; k < L<T>; ++k) sum = S<T>::add(sum, x[k]);
  return sum;
}

// Whether `got` is a sum of `x` in some order: its rounding errors stay within
// lanes roundings of the magnitudes' sum.
template <class T>
bool close_to_sum(T got, const lanes_of<T>& x) {
  T magnitude = 0;
  for (const T e : x) magnitude += std::abs(e);
  return std::abs(got - scalar_sum<T>(x)) <= 2 * L<T> * std::numeric_limits<T>::epsilon() * magnitude;
}

// Room for `count` elements that end where an unreadable page begins, where
// the system lets a test protect pages: a read past them crashes, even one
// whose value is thrown away (a masked-off lane, say).
template <class T>
class at_page_end {
 public:
  explicit at_page_end(std::size_t count) : fallback_(count) {
    data_ = fallback_.data();
#if __has_include(<sys/mman.h>) && __has_include(<unistd.h>)
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* map = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return;
    map_ = static_cast<unsigned char*>(map);
    if (mprotect(map_ + page_, page_, PROT_NONE) == 0) data_ = reinterpret_cast<T*>(map_ + page_) - count;
#endif
  }
  ~at_page_end() {
#if __has_include(<sys/mman.h>) && __has_include(<unistd.h>)
    if (map_) munmap(map_, 2 * page_);
#endif
  }
  at_page_end(const at_page_end&) = delete;
  at_page_end& operator=(const at_page_end&) = delete;

  T* data() const { return data_; }

 private:
  std::vector<T> fallback_;
  T* data_ = nullptr;
  unsigned char* map_ = nullptr;
  std::size_t page_ = 0;
};

template <class T>
class SimdOps : public testing::Test {};

struct type_names {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, float> ? "float" : "double";
  }
};

using element_types = testing::Types<float, double>;
TYPED_TEST_SUITE(SimdOps, element_types, type_names);

TYPED_TEST(SimdOps, LoadStore) {
  using T = TypeParam;
  constexpr int n = L<T>;
  const T sentinel = from_bits<T>(bits(std::numeric_limits<T>::quiet_NaN()) | 0x2a);
  std::mt19937 rng(2);
  for (int round = 0; round < 20; ++round) {
    std::vector<T> source(3 * n);
    for (T& x : source) x = random_value<T>(rng);
    // Every misalignment; the elements around the vector must stay untouched.
    for (int offset = 0; offset <= n; ++offset) {
      std::vector<T> target(3 * n, sentinel);
      V<T>::store(target.data() + offset, V<T>::load(source.data() + offset));
      for (int i = 0; i < 3 * n; ++i) {
        const bool inside = i >= offset && i < offset + n;
        EXPECT_TRUE(identical(target[i], inside ? source[i] : sentinel)) << "offset " << offset << ", element " << i;
      }
    }
  }
}

TYPED_TEST(SimdOps, LoadPartial) {
  using T = TypeParam;
  constexpr int n = L<T>;
  const std::vector<T> pool = specials<T>();
  const T sentinel = from_bits<T>(bits(std::numeric_limits<T>::quiet_NaN()) | 0x2a);
  at_page_end<T> guarded(std::size_t{n});
  // Every count the contract allows: a whole vector is load's.
  for (int count = 0; count < n; ++count) {
    for (std::size_t first = 0; first < pool.size(); ++first) {
      // The elements end at the guard page, and in memory they are followed by
      // a sentinel that must not leak into the zero lanes.
      T* at_end = guarded.data() + (n - count);
      std::vector<T> followed(2 * std::size_t{n}, sentinel);
      for (int k = 0; k < count; ++k) at_end[k] = followed[k] = pool[(first + std::size_t(k)) % pool.size()];
      for (const T* p : {static_cast<const T*>(at_end), static_cast<const T*>(followed.data())}) {
        const lanes_of<T> got = lanes<T>(V<T>::load_partial(p, count));
        for (int k = 0; k < n; ++k) {
          EXPECT_TRUE(identical(got[k], k < count ? p[k] : T(0)))
              << count << " elements, lane " << k << ": " << show(got[k]);
        }
      }
    }
  }
}

TYPED_TEST(SimdOps, BroadcastZeroIota) {
  using T = TypeParam;
  for (const T x : specials<T>()) {
    for (const T got : lanes<T>(V<T>::broadcast(x))) EXPECT_TRUE(identical(got, x)) << show(got) << " for " << show(x);
  }
  for (const T got : lanes<T>(V<T>::zero())) EXPECT_TRUE(identical(got, T(0))) << show(got);
  const lanes_of<T> iota = lanes<T>(V<T>::iota());
  for (int k = 0; k < L<T>; ++k) EXPECT_TRUE(identical(iota[k], T(k))) << "lane " << k << ": " << show(iota[k]);
}

TYPED_TEST(SimdOps, StorePositions) {
  using T = TypeParam;
  // Positions are integers exact in T and below 2^31.
  constexpr std::int64_t largest = std::int64_t{1} << std::min(std::numeric_limits<T>::digits, 31);
  for (const std::int64_t first : {std::int64_t{0}, std::int64_t{13}, std::int64_t{1} << 20, largest - L<T>}) {
    // One slot past the lanes, to see that nothing else is written.
    std::vector<std::int64_t> stored(L<T> + 1, -1);
    V<T>::store_positions(stored.data(), V<T>::add(V<T>::iota(), V<T>::broadcast(static_cast<T>(first))));
    for (std::int64_t k = 0; k < L<T>; ++k) EXPECT_EQ(stored[k], first + k) << "lane " << k;
    EXPECT_EQ(stored[L<T>], -1);
  }
}

TYPED_TEST(SimdOps, AddMulDivSqrt) {
  using T = TypeParam;
  for_lane_pairs<T>(true, [](const lanes_of<T>& a, const lanes_of<T>& b) {
    const lanes_of<T> sum = lanes<T>(V<T>::add(vec<T>(a), vec<T>(b)));
    const lanes_of<T> product = lanes<T>(V<T>::mul(vec<T>(a), vec<T>(b)));
    const lanes_of<T> quotient = lanes<T>(V<T>::div(vec<T>(a), vec<T>(b)));
    const lanes_of<T> root = lanes<T>(V<T>::sqrt(vec<T>(a)));
    for (int k = 0; k < L<T>; ++k) {
      EXPECT_TRUE(same_result(sum[k], S<T>::add(a[k], b[k]))) << show(a[k]) << " + " << show(b[k]) << " lane " << k;
      EXPECT_TRUE(same_result(product[k], S<T>::mul(a[k], b[k]))) << show(a[k]) << " * " << show(b[k]) << " lane " << k;
      EXPECT_TRUE(same_result(quotient[k], S<T>::div(a[k], b[k])))
          << show(a[k]) << " / " << show(b[k]) << " lane " << k;
      EXPECT_TRUE(same_result(root[k], S<T>::sqrt(a[k]))) << "sqrt " << show(a[k]) << " lane " << k;
    }
  });
}

TYPED_TEST(SimdOps, Compares) {
  using T = TypeParam;
  for_lane_pairs<T>(true, [](const lanes_of<T>& a, const lanes_of<T>& b) {
    const auto take = mask_lanes<T>(V<T>::greater_or_nan(vec<T>(a), vec<T>(b)));
    const auto nan = mask_lanes<T>(V<T>::is_nan(vec<T>(a)));
    for (int k = 0; k < L<T>; ++k) {
      EXPECT_EQ(take[k], S<T>::greater_or_nan(a[k], b[k])) << show(a[k]) << " vs " << show(b[k]) << " lane " << k;
      EXPECT_EQ(nan[k], S<T>::is_nan(a[k])) << show(a[k]) << " lane " << k;
    }
    for (const T x : {a[0], b[0], b[L<T> - 1]}) {
      unsigned want = 0;
      for (int k = 0; k < L<T>; ++k) want |= S<T>::equal_bits(a[k], x) << k;
      EXPECT_EQ(V<T>::equal_bits(vec<T>(a), x), want) << "equal to " << show(x);
    }
  });
  // greater is the max rule on data known to hold no NaN.
  for_lane_pairs<T>(false, [](const lanes_of<T>& a, const lanes_of<T>& b) {
    const auto greater = mask_lanes<T>(V<T>::greater(vec<T>(a), vec<T>(b)));
    for (int k = 0; k < L<T>; ++k) {
      EXPECT_EQ(greater[k], S<T>::greater(a[k], b[k])) << show(a[k]) << " vs " << show(b[k]) << " lane " << k;
    }
  });
}

TYPED_TEST(SimdOps, SelectAndMasks) {
  using T = TypeParam;
  const std::vector<T> pool = specials<T>();
  std::mt19937 rng(3);
  const int patterns = 1 << L<T>;
  for (unsigned pattern = 0; pattern < unsigned(patterns); ++pattern) {
    const typename V<T>::mask m = mask_of<T>(pattern);
    ASSERT_EQ(pattern_of<T>(m), pattern);
    EXPECT_EQ(V<T>::any(m), pattern != 0) << "pattern " << pattern;
    const auto other = unsigned(uniform_int(rng, 0, patterns - 1));
    EXPECT_EQ(pattern_of<T>(V<T>::mask_or(m, mask_of<T>(other))), pattern | other) << pattern << " | " << other;
    lanes_of<T> a, b;
    for (int k = 0; k < L<T>; ++k) {
      a[k] = pool[(pattern + std::size_t(k)) % pool.size()];
      b[k] = pool[(pattern + std::size_t(k) + 7) % pool.size()];
    }
    const lanes_of<T> got = lanes<T>(V<T>::select(m, vec<T>(a), vec<T>(b)));
    for (int k = 0; k < L<T>; ++k) {
      EXPECT_TRUE(identical(got[k], S<T>::select(((pattern >> k) & 1u) != 0, a[k], b[k])))
          << "pattern " << pattern << ", lane " << k << ": " << show(got[k]);
    }
  }
  // any() on the masks the kernels test it on: a NaN in one lane.
  for (int k = 0; k < L<T>; ++k) {
    lanes_of<T> x;
    x.fill(T(1));
    x[k] = std::numeric_limits<T>::quiet_NaN();
    EXPECT_TRUE(V<T>::any(V<T>::is_nan(vec<T>(x)))) << "NaN in lane " << k;
    x[k] = std::numeric_limits<T>::infinity();
    EXPECT_FALSE(V<T>::any(V<T>::is_nan(vec<T>(x))));
  }
}

// max is for data known to hold no NaN. x86's max returns its second operand
// unless the first is greater, as the scalar op does, and the channel kernels
// rely on that for ties (max_keeps_current); NEON's orders -0.0 below +0.0, so
// there a zero max may have either sign.
TYPED_TEST(SimdOps, Max) {
  using T = TypeParam;
  for_lane_pairs<T>(false, [](const lanes_of<T>& a, const lanes_of<T>& b) {
    const lanes_of<T> got = lanes<T>(V<T>::max(vec<T>(a), vec<T>(b)));
    for (int k = 0; k < L<T>; ++k) {
      const T want = S<T>::max(a[k], b[k]);
      if constexpr (V<T>::max_keeps_current) {
        EXPECT_TRUE(identical(got[k], want)) << show(a[k]) << ", " << show(b[k]) << " lane " << k;
      } else {
        EXPECT_EQ(got[k], want) << show(a[k]) << ", " << show(b[k]) << " lane " << k;
        EXPECT_TRUE(identical(got[k], a[k]) || identical(got[k], b[k])) << show(got[k]);
      }
    }
  });
}

// max_keeps_current claims that max(v, current) returns current unless
// v > current, as the scalar op does, also with a NaN on either side; the
// channel kernels then need their compare-and-select pass only for rows that
// may hold NaN. Checked both ways against the scalar op on every pair with a
// NaN: true must hold for all of them, false must be needed for one.
TYPED_TEST(SimdOps, MaxKeepsCurrent) {
  using T = TypeParam;
  static_assert(S<T>::max_keeps_current, "the scalar op defines the claim");
  bool as_scalar = true;
  for_lane_pairs<T>(true, [&](const lanes_of<T>& a, const lanes_of<T>& b) {
    const lanes_of<T> got = lanes<T>(V<T>::max(vec<T>(a), vec<T>(b)));
    for (int k = 0; k < L<T>; ++k) {
      if (std::isnan(a[k]) || std::isnan(b[k])) as_scalar = as_scalar && identical(got[k], S<T>::max(a[k], b[k]));
    }
  });
  EXPECT_EQ(V<T>::max_keeps_current, as_scalar);
}

// On NaN-free data: the max, bit for bit one of the lanes (which zero when
// both signs tie is the instruction set's choice; the kernels find the
// position with equal_bits, where -0.0 == +0.0).
TYPED_TEST(SimdOps, ReduceMax) {
  using T = TypeParam;
  const T inf = std::numeric_limits<T>::infinity();
  std::vector<lanes_of<T>> cases;
  for (const T x : {-inf, -T(0), T(0), std::numeric_limits<T>::lowest()}) {
    lanes_of<T> same;
    same.fill(x);
    cases.push_back(same);
  }
  for (int k = 0; k < L<T>; ++k) {
    lanes_of<T> zeros, extreme;
    zeros.fill(-T(0));
    zeros[k] = T(0);
    extreme.fill(std::numeric_limits<T>::lowest());
    extreme[k] = std::numeric_limits<T>::max();
    cases.push_back(zeros);
    cases.push_back(extreme);
  }
  std::mt19937 rng(4);
  for (int i = 0; i < 2000; ++i) cases.push_back(random_lanes<T>(rng, false));
  for (const lanes_of<T>& x : cases) {
    T want = x[0];
    for (int k = 1; k < L<T>; ++k) want = S<T>::max(x[k], want);
    const T got = V<T>::reduce_max(vec<T>(x));
    EXPECT_EQ(got, want) << show(got) << ", first lane " << show(x[0]);
    bool is_a_lane = false;
    for (const T e : x) is_a_lane = is_a_lane || identical(got, e);
    EXPECT_TRUE(is_a_lane) << show(got);
  }
}

TYPED_TEST(SimdOps, ReduceAdd) {
  using T = TypeParam;
  std::mt19937 rng(5);
  for (const int special_one_in : {0, 2, 8, 32}) {
    for (const bool subnormal : {false, true}) {
      for (int i = 0; i < 500; ++i) {
        const lanes_of<T> x = exact_terms<T>(rng, subnormal, special_one_in);
        const T got = V<T>::reduce_add(vec<T>(x));
        EXPECT_TRUE(same_result(got, scalar_sum<T>(x))) << show(got) << " for " << show(scalar_sum<T>(x));
      }
    }
  }
  for (int i = 0; i < 1000; ++i) {
    lanes_of<T> x;
    for (T& e : x) e = std::uniform_real_distribution<T>(-1, 1)(rng);
    EXPECT_TRUE(close_to_sum(V<T>::reduce_add(vec<T>(x)), x));
  }
}

TYPED_TEST(SimdOps, SumEach) {
  using T = TypeParam;
  constexpr int n = L<T>;
  std::mt19937 rng(6);
  for (int i = 0; i < 1000; ++i) {
    const int special_one_in = std::array<int, 4>{0, 2, 8, 32}[std::size_t(i % 4)];
    const bool exact = i % 5 != 0;
    lanes_of<T> rows[std::size_t{n}];
    typename V<T>::vector v[std::size_t{n}];
    for (int r = 0; r < n; ++r) {
      if (exact) {
        rows[r] = exact_terms<T>(rng, i % 2 == 1, special_one_in);
      } else {
        for (T& e : rows[r]) e = std::uniform_real_distribution<T>(-1, 1)(rng);
      }
      v[r] = vec<T>(rows[r]);
    }
    const lanes_of<T> got = lanes<T>(V<T>::sum_each(v));
    for (int r = 0; r < n; ++r) {
      if (exact) {
        EXPECT_TRUE(same_result(got[r], scalar_sum<T>(rows[r])))
            << "lane " << r << ": " << show(got[r]) << " for " << show(scalar_sum<T>(rows[r]));
      } else {
        EXPECT_TRUE(close_to_sum(got[r], rows[r])) << "lane " << r;
      }
    }
  }
}

TYPED_TEST(SimdOps, Transpose) {
  using T = TypeParam;
  constexpr int n = L<T>;
  const std::vector<T> pool = specials<T>();
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    // Distinct elements, so that a misplaced one shows, with specials in random cells.
    lanes_of<T> rows[std::size_t{n}];
    for (int r = 0; r < n; ++r) {
      for (int c = 0; c < n; ++c) rows[r][c] = T(r * n + c + 1);
    }
    for (int s = 0; s < 4; ++s) {
      rows[uniform_int(rng, 0, n - 1)][std::size_t(uniform_int(rng, 0, n - 1))] =
          pool[std::size_t(uniform_int(rng, 0, int(pool.size()) - 1))];
    }
    typename V<T>::vector v[std::size_t{n}];
    for (int r = 0; r < n; ++r) v[r] = vec<T>(rows[r]);
    V<T>::transpose(v);
    for (int r = 0; r < n; ++r) {
      const lanes_of<T> got = lanes<T>(v[r]);
      for (int c = 0; c < n; ++c) {
        EXPECT_TRUE(identical(got[c], rows[c][r])) << "row " << r << ", column " << c << ": " << show(got[c]);
      }
    }
  }
}

TYPED_TEST(SimdOps, Pick) {
  using T = TypeParam;
  constexpr int n = L<T>;
  // Distinct elements, a signed zero and NaNs among them.
  std::array<T, 2 * std::size_t{n}> both;
  for (int k = 0; k < 2 * n; ++k) both[k] = T(k + 1);
  both[0] = -T(0);
  both[std::size_t{n}] = std::numeric_limits<T>::signaling_NaN();
  both[2 * std::size_t{n} - 1] = from_bits<T>(bits(-std::numeric_limits<T>::quiet_NaN()) | 9);
  lanes_of<T> lo, hi;
  for (int k = 0; k < n; ++k) {
    lo[k] = both[k];
    hi[k] = both[std::size_t(n + k)];
  }
  std::vector<std::array<std::int32_t, std::size_t{n}>> choices;
  for (int p = 0; p < 2 * n; ++p) {
    choices.emplace_back();
    choices.back().fill(p);
  }
  std::array<std::int32_t, std::size_t{n}> identity, reverse, from_hi;
  for (int k = 0; k < n; ++k) {
    identity[k] = k;
    reverse[k] = 2 * n - 1 - k;
    from_hi[k] = n + k;
  }
  choices.insert(choices.end(), {identity, reverse, from_hi});
  std::mt19937 rng(8);
  for (int i = 0; i < 500; ++i) {
    choices.emplace_back();
    for (std::int32_t& p : choices.back()) p = uniform_int(rng, 0, 2 * n - 1);
  }
  for (const auto& positions : choices) {
    const lanes_of<T> got = lanes<T>(V<T>::pick(vec<T>(lo), vec<T>(hi), V<T>::pick_index(positions.data())));
    for (int k = 0; k < n; ++k) {
      EXPECT_TRUE(identical(got[k], both[std::size_t(positions[k])]))
          << "lane " << k << " takes element " << positions[k] << ": " << show(got[k]);
    }
  }
}

// Every enabled instruction set's conversions of float16 and bfloat16 (F16C
// and AVX2's where the build enables them) against each type's own conversion
// to float, bit for bit (a signalling NaN comes out quiet from both): every
// encoding, and every length around the vector widths (whose tails are
// converted by the narrower sets), writing nothing past the last.
template <class Arch, class H>
void check_widen() {
  SCOPED_TRACE(Arch::name);
  std::vector<H> all(65536);
  for (std::uint32_t b = 0; b < 65536; ++b) all[b] = H::from_bits(static_cast<std::uint16_t>(b));
  std::vector<float> out(all.size());
  simd::ops<float, Arch>::widen(all.data(), std::int64_t(all.size()), out.data());
  for (std::uint32_t b = 0; b < 65536; ++b) {
    EXPECT_TRUE(identical(out[b], static_cast<float>(all[b])))
        << "encoding 0x" << std::hex << b << ": " << show(out[b]);
  }
  const float sentinel = from_bits<float>(0x7fc0002au);
  const H* near_infinity = all.data() + 0x7bf4;  // finite, infinity, NaNs
  for (int n = 0; n <= 25; ++n) {
    std::vector<float> tail(std::size_t(n) + 1, sentinel);
    simd::ops<float, Arch>::widen(near_infinity, n, tail.data());
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(identical(tail[i], static_cast<float>(near_infinity[i]))) << n << " elements, element " << i;
    }
    EXPECT_TRUE(identical(tail[std::size_t(n)], sentinel)) << n;
  }
}

// The vector forms: load_widened of every encoding, lanes at a time, gives
// widen's bits; load_widened_partial gives them for the first n lanes and
// zeros after, reading nothing past p + n; store_narrowed rounds as the
// type's own conversion does (a NaN stays NaN: its bits are left to the
// instruction set), writing nothing past its lanes: every encoding widened,
// and around each the ties between it and its neighbour, a float either side
// of them, and the next float up and down (subnormals, overflow to infinity).
template <class Arch, class H>
void check_vector_conversions() {
  SCOPED_TRACE(Arch::name);
  using W = simd::ops<float, Arch>;
  constexpr int n = W::lanes;
  std::vector<H> all(65536);
  for (std::uint32_t b = 0; b < 65536; ++b) all[b] = H::from_bits(static_cast<std::uint16_t>(b));
  float lanes_out[std::size_t{n}];
  for (std::size_t first = 0; first + n <= all.size(); first += n) {
    W::store(lanes_out, W::load_widened(all.data() + first));
    for (int k = 0; k < n; ++k) {
      const H h = all[first + std::size_t(k)];
      ASSERT_TRUE(identical(lanes_out[k], static_cast<float>(h))) << "encoding 0x" << std::hex << h.bits;
    }
  }
  // Half a unit in the last place of H, in float bits (float16 normals; its
  // subnormals and bfloat16 are covered by the other offsets and the ties of bfloat16).
  const std::uint32_t half_ulp = std::is_same_v<H, adapool::bfloat16> ? 0x8000u : 0x1000u;
  std::vector<float> values;
  for (const H h : all) {
    const std::uint32_t b = bits(static_cast<float>(h));
    for (const std::uint32_t offset : {0u, 1u, half_ulp - 1, half_ulp, half_ulp + 1, 0u - 1u})
      values.push_back(from_bits<float>(b + offset));
  }
  while (values.size() % std::size_t{n} != 0) values.push_back(1.0f);
  for (std::size_t first = 0; first < values.size(); first += std::size_t{n}) {
    std::vector<H> back(std::size_t{n} + 1, H::from_bits(0x5a5a));
    W::store_narrowed(back.data(), W::load(values.data() + first));
    for (int k = 0; k < n; ++k) {
      const float v = values[first + std::size_t(k)];
      const H want(v), got = back[std::size_t(k)];
      if (std::isnan(v)) {
        ASSERT_TRUE(std::isnan(static_cast<float>(got))) << "float " << show(v);
      } else {
        ASSERT_EQ(got.bits, want.bits) << "float " << show(v);
      }
    }
    ASSERT_EQ(back[std::size_t{n}].bits, 0x5a5a) << "past the lanes";
  }
  at_page_end<H> guarded(std::size_t{n});
  const H* near_infinity = all.data() + 0x7bf4;  // finite, infinity, NaNs
  for (int count = 0; count < n; ++count) {
    H* at_end = guarded.data() + (n - count);
    std::copy_n(near_infinity, count, at_end);
    W::store(lanes_out, W::load_widened_partial(at_end, count));
    for (int k = 0; k < n; ++k) {
      const float want = k < count ? static_cast<float>(near_infinity[k]) : 0.0f;
      EXPECT_TRUE(identical(lanes_out[k], want)) << count << " elements, lane " << k << ": " << show(lanes_out[k]);
    }
  }
}

// Calls check(Arch{}) for every instruction set this build enables.
template <class Check>
void for_each_enabled_arch(const Check& check) {
  const auto if_enabled = [&](auto arch) {
    if constexpr (decltype(arch)::enabled) check(arch);
  };
  if_enabled(simd::scalar{});
  if_enabled(simd::sse2{});
  if_enabled(simd::avx2{});
  if_enabled(simd::avx512f{});
  if_enabled(simd::neon{});
}

template <class H>
void check_widen_every_arch() {
  for_each_enabled_arch([](auto arch) {
    check_widen<decltype(arch), H>();
    check_vector_conversions<decltype(arch), H>();
  });
}

TEST(SimdOpsWiden, Float16) { check_widen_every_arch<adapool::float16>(); }
TEST(SimdOpsWiden, BFloat16) { check_widen_every_arch<adapool::bfloat16>(); }

// widen_to_double against each lane's own conversion, which is exact: the
// parts in lane order, specials included (a NaN stays NaN).
template <class Arch>
void check_widen_to_double() {
  using F = simd::ops<float, Arch>;
  using D = simd::ops<double, Arch>;
  constexpr int parts = F::lanes / D::lanes;
  std::mt19937 rng(12);
  for (int round = 0; round < 500; ++round) {
    std::array<float, std::size_t{F::lanes}> x;
    for (float& e : x) e = random_value<float>(rng);
    typename D::vector out[std::size_t{parts}];
    F::widen_to_double(F::load(x.data()), out);
    std::array<double, std::size_t{F::lanes}> got;
    for (int p = 0; p < parts; ++p) D::store(got.data() + p * D::lanes, out[p]);
    for (std::size_t k = 0; k < x.size(); ++k) {
      EXPECT_TRUE(same_result(got[k], static_cast<double>(x[k])))
          << Arch::name << ", lane " << k << ": " << show(got[k]) << " for " << show(x[k]);
    }
  }
}

TEST(SimdOpsWiden, ToDouble) {
  for_each_enabled_arch([](auto arch) { check_widen_to_double<decltype(arch)>(); });
}

// index_ops::all_below against its definition, for every instruction set this
// build enables: every length across the vector bodies and their tails, one
// bad index at each position, bounds from 1 to the largest int64.
template <class Arch>
void check_all_below() {
  constexpr std::int64_t most = std::numeric_limits<std::int64_t>::max();
  const std::int64_t bounds[] = {1, 169, std::int64_t{1} << 31, std::int64_t{1} << 62, most};
  for (const std::int64_t bound : bounds) {
    const std::int64_t bad[] = {-1, bound, std::numeric_limits<std::int64_t>::min(), most,
                                bound == most ? -2 : bound + 1};
    for (std::int64_t n = 0; n <= 40; ++n) {
      std::vector<std::int64_t> indices(std::size_t(n) + 1);
      for (std::int64_t i = 0; i < n; ++i) indices[std::size_t(i)] = (i * 7919) % bound;
      indices[std::size_t(n)] = -1;  // past the end: must not be read
      if (n > 0) indices[std::size_t(n - 1)] = bound - 1;
      EXPECT_TRUE(simd::index_ops<Arch>::all_below(indices.data(), n, bound)) << n << " indices below " << bound;
      for (std::int64_t at = 0; at < n; ++at) {
        for (const std::int64_t b : bad) {
          std::vector<std::int64_t> one_bad = indices;
          one_bad[std::size_t(at)] = b;
          EXPECT_FALSE(simd::index_ops<Arch>::all_below(one_bad.data(), n, bound))
              << b << " at " << at << " of " << n << ", bound " << bound;
        }
      }
    }
  }
}

TEST(SimdIndexOps, AllBelow) {
  for_each_enabled_arch([](auto arch) { check_all_below<decltype(arch)>(); });
}

// byte_ops::sum against the plain 64-bit sum, for every instruction set this
// build enables: every length across the vector bodies and tails, rows ending
// at a guard page, the extreme bytes, and a row long enough that a 32-bit
// accumulator would not hold its sum.
template <class Arch, class Byte>
void check_byte_sum() {
  const auto definition = [](const Byte* p, std::int64_t n) {
    std::int64_t total = 0;
    for (std::int64_t i = 0; i < n; ++i) total += p[i];
    return total;
  };
  constexpr int longest = 300;
  at_page_end<Byte> guarded(std::size_t{longest});
  for (int n = 0; n <= longest; ++n) {
    Byte* row = guarded.data() + (longest - n);
    for (int i = 0; i < n; ++i) {
      const int cycle = (i * 37 + n) % 5;
      row[i] = cycle == 0   ? std::numeric_limits<Byte>::min()
               : cycle == 1 ? std::numeric_limits<Byte>::max()
                            : static_cast<Byte>((i * 7919 + n) & 0x7f);
    }
    EXPECT_EQ(simd::byte_ops<Arch>::sum(row, n), definition(row, n)) << n << " bytes";
  }
  for (const Byte extreme : {std::numeric_limits<Byte>::min(), std::numeric_limits<Byte>::max()}) {
    const std::vector<Byte> row((std::size_t{1} << 25) + 17, extreme);
    const auto n = static_cast<std::int64_t>(row.size());
    EXPECT_EQ(simd::byte_ops<Arch>::sum(row.data(), n), n * extreme) << n << " bytes of " << int{extreme};
  }
  // sum_small_planes: every plane size, plane counts across the tree of eight
  // and its tail, planes that follow each other or have gaps, the last plane
  // ending at a guard page.
  for (std::int64_t size = 1; size <= 64; ++size) {
    for (const std::int64_t gap : {0, 5}) {
      const std::int64_t stride = size + gap, count = 19;
      const std::int64_t bytes = (count - 1) * stride + size;
      at_page_end<Byte> guarded(static_cast<std::size_t>(bytes));
      Byte* p = guarded.data();
      for (std::int64_t i = 0; i < bytes; ++i) {
        const std::int64_t cycle = (i * 13 + size) % 7;
        p[i] = cycle == 0   ? std::numeric_limits<Byte>::min()
               : cycle == 1 ? std::numeric_limits<Byte>::max()
                            : static_cast<Byte>((i * 7919 + size) & 0x7f);
      }
      for (const std::int64_t n : {std::int64_t{1}, std::int64_t{2}, std::int64_t{7}, std::int64_t{8}, count}) {
        std::vector<double> sums(static_cast<std::size_t>(n) + 1, -1.0);
        simd::byte_ops<Arch>::sum_small_planes(p + (count - n) * stride, stride, size, n, sums.data());
        for (std::int64_t k = 0; k < n; ++k) {
          EXPECT_EQ(sums[std::size_t(k)], static_cast<double>(definition(p + (count - n + k) * stride, size)))
              << "plane " << k << " of " << n << ", " << size << " bytes, stride " << stride;
        }
        EXPECT_EQ(sums[std::size_t(n)], -1.0) << "written past " << n << " sums";
      }
    }
  }
}

TEST(SimdByteOps, Sum) {
  for_each_enabled_arch([](auto arch) {
    check_byte_sum<decltype(arch), std::int8_t>();
    check_byte_sum<decltype(arch), std::uint8_t>();
  });
}

}  // namespace simd_ops_tests
