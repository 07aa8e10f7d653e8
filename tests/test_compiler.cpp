// SPDX-License-Identifier: MIT
// simd/compiler.hpp: the functions standing in for compiler builtins agree
// with their plain C++ forms (what a compiler without the GNU builtins runs)
// and with 128-bit arithmetic, at every bit position and every overflow edge.
// The suite built with ADAPOOL_NO_COMPILER_BUILTINS runs these through the
// plain forms, and the kernel tests beside them through the plain forms too.

#include <gtest/gtest.h>

#include <adapool/simd/arch.hpp>
#include <adapool/simd/compiler.hpp>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace compiler_tests {

namespace simd = adapool::simd;
__extension__ typedef __int128 wide;

constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();

static_assert(simd::portable::count_trailing_zeros(std::uint64_t{1} << 63) == 63);
static_assert(simd::portable::count_trailing_zeros(std::uint64_t{12}) == 2);

TEST(Compiler, BuiltinsInUse) {
#if defined(ADAPOOL_NO_COMPILER_BUILTINS)
  EXPECT_EQ(ADAPOOL_GNU_BUILTINS, 0);
  EXPECT_FALSE(simd::prefetch_available);
#else
  EXPECT_EQ(ADAPOOL_GNU_BUILTINS, 1) << "GCC and Clang builds use the builtins";
#endif
}

TEST(Compiler, CountTrailingZeros) {
  for (int bit = 0; bit < 64; ++bit) {
    const std::uint64_t one = std::uint64_t{1} << bit;
    // The lowest set bit decides, whatever lies above it.
    for (const std::uint64_t above : {std::uint64_t{0}, ~std::uint64_t{0}, std::uint64_t{0x5a5a5a5a5a5a5a5a}}) {
      const std::uint64_t x = one | (above & ~(one - 1));
      EXPECT_EQ(simd::count_trailing_zeros(x), bit) << x;
      EXPECT_EQ(simd::portable::count_trailing_zeros(x), bit) << x;
      if (bit < 32) {
        EXPECT_EQ(simd::count_trailing_zeros(static_cast<std::uint32_t>(x)), bit) << x;
      }
    }
  }
}

using checked_op = bool (*)(std::int64_t, std::int64_t, std::int64_t*);

// Overflow is decided against the exact 128-bit result; without overflow the
// result must be the exact one.
void check_against_exact(checked_op op, const char* symbol, std::int64_t a, std::int64_t b, wide exact) {
  const bool overflows = exact > max || exact < min;
  std::int64_t r = 0;
  ASSERT_EQ(op(a, b, &r), overflows) << a << symbol << b;
  if (!overflows) {
    ASSERT_EQ(r, exact) << a << symbol << b;
  }
}

void check_arithmetic(std::int64_t a, std::int64_t b) {
  check_against_exact(simd::add_overflow, " + ", a, b, wide{a} + b);
  check_against_exact(simd::portable::add_overflow, " + ", a, b, wide{a} + b);
  check_against_exact(simd::mul_overflow, " * ", a, b, wide{a} * b);
  check_against_exact(simd::portable::mul_overflow, " * ", a, b, wide{a} * b);
}

TEST(Compiler, OverflowEdges) {
  const std::int64_t root = 3037000499;  // floor(sqrt(2^63 - 1))
  std::vector<std::int64_t> values{
      0,   1,       -1,  2,       -2,      3,           -3,      root,        root + 1, -root,       -root - 1,
      max, max - 1, min, min + 1, max / 2, max / 2 + 1, min / 2, min / 2 - 1, max / 3,  max / 3 + 1, min / 3 - 1};
  for (std::int64_t a : values)
    for (std::int64_t b : values) check_arithmetic(a, b);
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 100000; ++trial) {
    // Magnitudes spread over every bit length, so products land on both sides of the limit.
    const auto draw = [&] {
      const int bits = static_cast<int>(rng() % 64);
      const auto magnitude = static_cast<std::int64_t>(rng() >> (64 - bits - 1) >> 1);
      return rng() % 2 ? magnitude : -magnitude - static_cast<std::int64_t>(rng() % 2);
    };
    check_arithmetic(draw(), draw());
  }
}

// What cpu_supports answers is what the CPU has: SSE2 on every x86-64, and
// only the default ISA is known to run here (the suite got this far on it).
TEST(Compiler, CpuFeatures) {
#if defined(__x86_64__) || defined(_M_X64)
  EXPECT_TRUE(simd::cpu_has(simd::cpu_feature::sse2));
#endif
  EXPECT_TRUE(simd::cpu_supports<adapool::default_arch>());
  EXPECT_TRUE(simd::cpu_supports<simd::scalar>());
}

// The run-time choice (simd::dynamic): capped by name, never above the CPU's
// level, and back to the widest set without a cap. The dynamic suite runs once
// per ADAPOOL_ARCH_LIMIT; each run must be on the set it names.
TEST(Compiler, RuntimeDispatchChoice) {
  if (!simd::dynamic::enabled) GTEST_SKIP() << "no run-time dispatch in this build";
  const int cpu = simd::detail::cpu_level();
  const char* widest = cpu == 4 ? "avx512f" : cpu == 3 ? "avx2" : "sse2";
  const char* env = std::getenv("ADAPOOL_ARCH_LIMIT");
  const std::string at_start = simd::dynamic_arch();
  if (env != nullptr && simd::detail::level_named(env) != 0 && simd::detail::level_named(env) <= cpu) {
    EXPECT_EQ(at_start, env) << "ADAPOOL_ARCH_LIMIT caps the choice";
  }
  EXPECT_EQ(at_start, adapool::active_arch());

  EXPECT_FALSE(simd::limit_dynamic_arch("avx512"));
  EXPECT_EQ(simd::dynamic_arch(), at_start) << "an unknown name changes nothing";
  ASSERT_TRUE(simd::limit_dynamic_arch("sse2"));
  EXPECT_STREQ(simd::dynamic_arch(), "sse2");
  ASSERT_TRUE(simd::limit_dynamic_arch("avx2"));
  EXPECT_STREQ(simd::dynamic_arch(), cpu >= 3 ? "avx2" : "sse2");
  ASSERT_TRUE(simd::limit_dynamic_arch(nullptr));
  EXPECT_STREQ(simd::dynamic_arch(), widest);

  ASSERT_TRUE(simd::limit_dynamic_arch(at_start.c_str()));  // as the rest of the suite expects
}

TEST(Compiler, PrefetchIsOnlyAHint) {
  // Any address, even one past the data, and nothing changes.
  std::vector<float> data(64, 1.5f);
  for (std::size_t i = 0; i <= data.size(); i += 16) simd::prefetch(data.data() + i);
  for (float v : data) EXPECT_EQ(v, 1.5f);
}

}  // namespace compiler_tests
