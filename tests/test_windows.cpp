// SPDX-License-Identifier: MIT
// adapool::window_begin / window_end against the definition
// floor(i * in / out) and ceil((i + 1) * in / out) computed in 128-bit
// integers, from tiny sizes to sizes where in * out needs all 63 bits; and the
// reference's own (small-size) formula against the same definition.

#include <gtest/gtest.h>

#include <adapool/error.hpp>
#include <adapool/windows.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>

#include "reference.hpp"

namespace windows_tests {

__extension__ typedef __int128 wide;

std::int64_t exact_begin(std::int64_t i, std::int64_t in, std::int64_t out) {
  return static_cast<std::int64_t>(wide{i} * in / out);
}
std::int64_t exact_end(std::int64_t i, std::int64_t in, std::int64_t out) {
  return static_cast<std::int64_t>((wide{i + 1} * in + out - 1) / out);
}

static_assert(adapool::window_begin(1, 5, 3) == 1 && adapool::window_end(1, 5, 3) == 4,
              "usable in constant expressions");

TEST(Windows, SmallSizesExhaustive) {
  for (std::int64_t in = 1; in <= 64; ++in)
    for (std::int64_t out = 1; out <= 64; ++out)
      for (std::int64_t i = 0; i < out; ++i) {
        ASSERT_EQ(adapool::window_begin(i, in, out), exact_begin(i, in, out)) << i << " " << in << " " << out;
        ASSERT_EQ(adapool::window_end(i, in, out), exact_end(i, in, out)) << i << " " << in << " " << out;
        ASSERT_EQ(reference::window_start(i, in, out), exact_begin(i, in, out));
        ASSERT_EQ(reference::window_stop(i, in, out), exact_end(i, in, out));
      }
}

// The consequences SEMANTICS.md lists, for every small size pair.
TEST(Windows, Properties) {
  for (std::int64_t in = 1; in <= 40; ++in)
    for (std::int64_t out = 1; out <= 40; ++out) {
      EXPECT_EQ(adapool::window_begin(0, in, out), 0);
      EXPECT_EQ(adapool::window_end(out - 1, in, out), in);
      const std::int64_t longest = (in + out - 1) / out + 1;
      for (std::int64_t i = 0; i < out; ++i) {
        const std::int64_t begin = adapool::window_begin(i, in, out), end = adapool::window_end(i, in, out);
        EXPECT_LT(begin, end) << "windows are never empty";
        EXPECT_LE(end - begin, longest);
        if (i + 1 < out) {
          EXPECT_LE(adapool::window_begin(i + 1, in, out), end) << "no input is skipped";
          EXPECT_LE(begin, adapool::window_begin(i + 1, in, out));
        }
      }
    }
}

TEST(Windows, Examples) {
  // out > in: windows overlap and repeat.
  EXPECT_EQ(adapool::window_begin(0, 2, 3), 0);
  EXPECT_EQ(adapool::window_end(0, 2, 3), 1);
  EXPECT_EQ(adapool::window_begin(1, 2, 3), 0);
  EXPECT_EQ(adapool::window_end(1, 2, 3), 2);
  EXPECT_EQ(adapool::window_begin(2, 2, 3), 1);
  EXPECT_EQ(adapool::window_end(2, 2, 3), 2);
  // in = 5, out = 3: [0, 2), [1, 4), [3, 5); the middle one is ceil(5 / 3) + 1 long.
  EXPECT_EQ(adapool::window_begin(1, 5, 3), 1);
  EXPECT_EQ(adapool::window_end(1, 5, 3), 4);
  EXPECT_EQ(adapool::window_begin(2, 5, 3), 3);
  // out == in is the identity, out == 1 the whole axis.
  for (std::int64_t i = 0; i < 9; ++i) {
    EXPECT_EQ(adapool::window_begin(i, 9, 9), i);
    EXPECT_EQ(adapool::window_end(i, 9, 9), i + 1);
  }
  EXPECT_EQ(adapool::window_begin(0, 1000, 1), 0);
  EXPECT_EQ(adapool::window_end(0, 1000, 1), 1000);
}

// Past 2^24 a float formula rounds i * in / out to the wrong integer; the
// integer one is exact as long as in * out fits in int64_t.
TEST(Windows, LargeSizes) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 20000; ++trial) {
    // Sizes up to 2^31 each, so that in * out < 2^62.
    const std::int64_t in = std::uniform_int_distribution<std::int64_t>(1, std::int64_t{1} << 31)(rng);
    const std::int64_t out = std::uniform_int_distribution<std::int64_t>(1, std::int64_t{1} << 31)(rng);
    for (std::int64_t i :
         {std::int64_t{0}, out - 1, out / 2, std::uniform_int_distribution<std::int64_t>(0, out - 1)(rng)}) {
      ASSERT_EQ(adapool::window_begin(i, in, out), exact_begin(i, in, out)) << i << " " << in << " " << out;
      ASSERT_EQ(adapool::window_end(i, in, out), exact_end(i, in, out)) << i << " " << in << " " << out;
    }
  }
  // Lopsided sizes whose product is close to 2^63.
  const std::int64_t in = (std::int64_t{1} << 40) + 7, out = (std::int64_t{1} << 22) - 3;
  for (std::int64_t i : {std::int64_t{0}, std::int64_t{1}, out / 3, out - 2, out - 1}) {
    EXPECT_EQ(adapool::window_begin(i, in, out), exact_begin(i, in, out));
    EXPECT_EQ(adapool::window_end(i, in, out), exact_end(i, in, out));
    EXPECT_EQ(adapool::window_begin(i, out, in), exact_begin(i, out, in));
    EXPECT_EQ(adapool::window_end(i, out, in), exact_end(i, out, in));
  }
  // A case a float formula gets wrong: 2^24 + 1 inputs pooled to one output.
  const std::int64_t n = (std::int64_t{1} << 24) + 1;
  EXPECT_EQ(adapool::window_end(0, n, 1), n);
  EXPECT_NE(static_cast<std::int64_t>(std::ceil(static_cast<float>(n) / 1.0f)), n);
}

// The public forms check their preconditions (0 <= i < out, in >= 0, out >= 1,
// in * out within int64_t) and report a bad call as an adapool::error naming
// the function and the arguments, instead of dividing by zero or returning a
// window of some other axis.
std::string message_of(std::int64_t (*f)(std::int64_t, std::int64_t, std::int64_t), std::int64_t i, std::int64_t in,
                       std::int64_t out) {
  try {
    const std::int64_t value = f(i, in, out);
    return "<no error: returned " + std::to_string(value) + ">";
  } catch (const adapool::error& e) {
    return e.what();
  }
}

TEST(Windows, BadArgumentsAreErrors) {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  // out = 0 divided by zero (SIGFPE); i < 0 or i >= out gave windows that are no output's.
  EXPECT_EQ(message_of(adapool::window_begin, 0, 5, 0),
            "window_begin: i = 0, in = 5, out = 0 break the preconditions 0 <= i < out, in >= 0, out >= 1 and in * "
            "out <= INT64_MAX");
  EXPECT_EQ(message_of(adapool::window_end, -1, 5, 3),
            "window_end: i = -1, in = 5, out = 3 break the preconditions 0 <= i < out, in >= 0, out >= 1 and in * out "
            "<= INT64_MAX");
  const struct {
    std::int64_t i, in, out;
  } bad[] = {{0, 5, 0}, {0, 5, -2}, {-1, 5, 3}, {3, 5, 3}, {max, 5, 3}, {0, -1, 3}, {0, max / 3 + 1, 3}, {1, max, 2}};
  for (const auto& [i, in, out] : bad) {
    const std::string args =
        "i = " + std::to_string(i) + ", in = " + std::to_string(in) + ", out = " + std::to_string(out) + " break";
    EXPECT_EQ(message_of(adapool::window_begin, i, in, out).rfind("window_begin: " + args, 0), 0u)
        << message_of(adapool::window_begin, i, in, out);
    EXPECT_EQ(message_of(adapool::window_end, i, in, out).rfind("window_end: " + args, 0), 0u)
        << message_of(adapool::window_end, i, in, out);
  }
}

TEST(Windows, PreconditionEdgesAreAccepted) {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  // in * out exactly at the limit, and the whole int64_t range pooled to one output.
  for (const auto& [in, out] :
       {std::pair{max / 3, std::int64_t{3}}, std::pair{max, std::int64_t{1}}, std::pair{std::int64_t{1}, max}}) {
    for (std::int64_t i : {std::int64_t{0}, out - 1}) {
      EXPECT_EQ(adapool::window_begin(i, in, out), exact_begin(i, in, out)) << i << " " << in << " " << out;
      EXPECT_EQ(adapool::window_end(i, in, out), exact_end(i, in, out)) << i << " " << in << " " << out;
    }
  }
  // An empty axis: every window is empty, [0, 0).
  for (std::int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(adapool::window_begin(i, 0, 4), 0);
    EXPECT_EQ(adapool::window_end(i, 0, 4), 0);
  }
}

}  // namespace windows_tests
