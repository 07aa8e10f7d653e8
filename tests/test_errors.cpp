// SPDX-License-Identifier: MIT
// Every bad argument of every operation: adapool::error is thrown, its message
// names the operation, the argument and the shapes, and nothing was written
// (outputs are filled with a sentinel first). Empty batches, C == 0 and zero
// output sizes are valid and write nothing.

#include <gtest/gtest.h>

#include <adapool/adapool.hpp>
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "test_support.hpp"

namespace errors_tests {

static_assert(std::is_base_of_v<std::invalid_argument, adapool::error>);

using in_view = adapool::tensor_view<const float, 4, adapool::strided>;
using out_view = adapool::tensor_view<float, 4, adapool::strided>;
using index_view = adapool::tensor_view<std::int64_t, 4, adapool::strided>;
using shape4 = std::array<std::int64_t, 4>;
using adapool_test::error_message;
using adapool_test::mentions;
using adapool_test::shape_text;

constexpr float sentinel = -7777.25f;
constexpr std::int64_t index_sentinel = -99;
constexpr std::int64_t big = std::int64_t{1} << 20;

shape4 contiguous_strides(const shape4& s) { return {s[1] * s[2] * s[3], s[2] * s[3], s[3], 1}; }

// Buffers for one call, each big enough for its shape, outputs pre-filled.
struct buffers {
  std::vector<float> input, output;
  std::vector<std::int64_t> indices;
  shape4 in_shape, out_shape, index_shape;

  buffers(const shape4& in, const shape4& out, const shape4& idx) : in_shape(in), out_shape(out), index_shape(idx) {
    input.assign(static_cast<std::size_t>(count(in)) + 1, 1.0f);
    output.assign(static_cast<std::size_t>(count(out)) + 1, sentinel);
    indices.assign(static_cast<std::size_t>(count(idx)) + 1, index_sentinel);
  }
  buffers(const shape4& in, const shape4& out) : buffers(in, out, out) {}

  static std::int64_t count(const shape4& s) {
    std::int64_t n = 1;
    for (std::int64_t v : s) n *= v > 0 ? v : 0;
    return n;
  }
  in_view in() const { return {input.data(), in_shape, contiguous_strides(in_shape)}; }
  out_view out() { return {output.data(), out_shape, contiguous_strides(out_shape)}; }
  index_view idx() { return {indices.data(), index_shape, contiguous_strides(index_shape)}; }

  testing::AssertionResult untouched() const {
    for (float v : output)
      if (v != sentinel) return testing::AssertionFailure() << "the output was written";
    for (std::int64_t v : indices)
      if (v != index_sentinel) return testing::AssertionFailure() << "the indices were written";
    return testing::AssertionSuccess();
  }
};

enum class family { adaptive, global, channel };

// Each operation through its view overload; `call` ignores the indices view
// unless the form takes one.
struct operation {
  const char* name;
  family kind;
  bool with_indices;
  std::function<void(const in_view&, const out_view&, const index_view&)> call;
};

// The three forms of one family: the average, the max, the max with indices.
template <class Avg, class Max>
void add_forms(std::vector<operation>& ops, family kind, const char* avg_name, const char* max_name, Avg avg, Max max) {
  using index = const index_view&;
  ops.push_back({avg_name, kind, false, [avg](const in_view& i, const out_view& o, index) { avg(i, o); }});
  ops.push_back({max_name, kind, false, [max](const in_view& i, const out_view& o, index) { max(i, o); }});
  ops.push_back({max_name, kind, true, [max](const in_view& i, const out_view& o, index x) { max(i, o, x); }});
}

const std::vector<operation>& operations() {
  static const std::vector<operation> ops = [] {
    const auto adaptive_avg = [](auto... a) { adapool::adaptive_avg_pool2d(a...); };
    const auto adaptive_max = [](auto... a) { adapool::adaptive_max_pool2d(a...); };
    const auto global_avg = [](auto... a) { adapool::global_avg_pool(a...); };
    const auto global_max = [](auto... a) { adapool::global_max_pool(a...); };
    const auto channel_avg = [](auto... a) { adapool::channel_avg_pool(a...); };
    const auto channel_max = [](auto... a) { adapool::channel_max_pool(a...); };
    std::vector<operation> all;
    add_forms(all, family::adaptive, "adaptive_avg_pool2d", "adaptive_max_pool2d", adaptive_avg, adaptive_max);
    add_forms(all, family::global, "global_avg_pool", "global_max_pool", global_avg, global_max);
    add_forms(all, family::channel, "channel_avg_pool", "channel_max_pool", channel_avg, channel_max);
    return all;
  }();
  return ops;
}

// A valid output shape for `in` in each family.
shape4 good_output(family kind, const shape4& in) {
  switch (kind) {
    case family::adaptive:
      return {in[0], in[1], 2, 3};
    case family::global:
      return {in[0], in[1], 1, 1};
    case family::channel:
      return {in[0], 2, in[2], in[3]};
  }
  return {};
}

std::string trace(const operation& op) { return std::string(op.name) + (op.with_indices ? " with indices" : ""); }

// Runs op on b and checks that it throws, with a message naming the op and
// all of `parts`, and writes nothing.
void expect_rejected(const operation& op, buffers& b, std::initializer_list<std::string> parts) {
  const std::string message = error_message([&] { op.call(b.in(), b.out(), b.idx()); });
  EXPECT_TRUE(mentions(message, {op.name})) << trace(op);
  EXPECT_TRUE(mentions(message, parts)) << trace(op);
  EXPECT_TRUE(b.untouched()) << trace(op);
}

void expect_accepted(const operation& op, buffers& b) {
  EXPECT_NO_THROW(op.call(b.in(), b.out(), b.idx())) << trace(op);
}

const shape4 in_shape{2, 3, 4, 4};

// Outputs whose size on `axis` is `size`, not the input's, for every operation
// whose output takes that axis from the input.
void expect_mismatch_rejected(std::size_t axis, std::int64_t size) {
  for (const operation& op : operations()) {
    if (axis == 1 && op.kind == family::channel) continue;  // channel pooling chooses its output channels
    shape4 out = good_output(op.kind, in_shape);
    out[axis] = size;
    buffers b(in_shape, out);
    expect_rejected(op, b, {"output", shape_text(out), shape_text(in_shape)});
  }
}

TEST(Errors, MismatchedBatch) { expect_mismatch_rejected(0, 1); }
TEST(Errors, MismatchedChannels) { expect_mismatch_rejected(1, 4); }

TEST(Errors, WrongSpatialOutput) {
  for (const operation& op : operations()) {
    if (op.kind == family::adaptive) continue;  // any output size is an adaptive pooling
    for (const shape4& out : {shape4{2, 3, 2, 1}, shape4{2, 3, 1, 4}, shape4{2, 2, 4, 5}, shape4{2, 2, 3, 4}}) {
      if (op.kind == family::global && out[1] != 3) continue;
      if (op.kind == family::channel && out[1] != 2) continue;
      buffers b(in_shape, out);
      expect_rejected(op, b, {"output", shape_text(out), shape_text(in_shape)});
    }
  }
}

TEST(Errors, IndicesShape) {
  for (const operation& op : operations()) {
    if (!op.with_indices) continue;
    const shape4 out = good_output(op.kind, in_shape);
    for (std::size_t axis = 0; axis < 4; ++axis) {
      shape4 idx = out;
      idx[axis] += 1;
      buffers b(in_shape, out, idx);
      expect_rejected(op, b, {"indices", shape_text(idx), shape_text(out)});
    }
  }
}

// The example message of the documentation, exactly.
TEST(Errors, DocumentedMessage) {
  buffers b({1, 8, 4, 4}, {1, 8, 1, 1}, {1, 8, 2, 2});
  EXPECT_EQ(error_message([&] { adapool::adaptive_max_pool2d(b.in(), b.out(), b.idx()); }),
            "adaptive_max_pool2d: indices has shape [1, 8, 2, 2], expected [1, 8, 1, 1]");
  EXPECT_TRUE(b.untouched());
}

TEST(Errors, EmptyInputWithNonEmptyOutput) {
  for (const operation& op : operations()) {
    const shape4 in = op.kind == family::channel ? shape4{2, 0, 4, 4} : shape4{2, 3, 0, 4};
    const shape4 out = good_output(op.kind, in);
    buffers b(in, out);
    expect_rejected(op, b, {"input", shape_text(in), shape_text(out)});
  }
}

TEST(Errors, EmptyIsValid) {
  for (const operation& op : operations()) {
    // No batch; no channels; no output positions, with an empty input plane too.
    std::vector<std::array<shape4, 2>> cases;
    switch (op.kind) {
      case family::adaptive:
        cases = {{{{0, 3, 4, 4}, {0, 3, 2, 3}}},
                 {{{2, 0, 4, 4}, {2, 0, 2, 3}}},
                 {{{2, 3, 0, 0}, {2, 3, 0, 0}}},
                 {{{2, 3, 4, 4}, {2, 3, 0, 2}}},
                 {{{2, 3, 0, 4}, {2, 3, 2, 0}}}};
        break;
      case family::global:
        cases = {{{{0, 3, 4, 4}, {0, 3, 1, 1}}}, {{{2, 0, 4, 4}, {2, 0, 1, 1}}}, {{{0, 3, 0, 0}, {0, 3, 1, 1}}}};
        break;
      case family::channel:
        cases = {{{{0, 3, 4, 4}, {0, 2, 4, 4}}},
                 {{{2, 0, 4, 4}, {2, 0, 4, 4}}},
                 {{{2, 3, 0, 0}, {2, 2, 0, 0}}},
                 {{{2, 3, 4, 4}, {2, 0, 4, 4}}}};
        break;
    }
    for (const auto& c : cases) {
      buffers b(c[0], c[1]);
      expect_accepted(op, b);
      EXPECT_TRUE(b.untouched()) << trace(op) << ": input " << shape_text(c[0]) << ", output " << shape_text(c[1]);
    }
  }
}

TEST(Errors, NegativeSizes) {
  for (const operation& op : operations()) {
    {
      const shape4 in{2, -3, 4, 4};
      buffers b(in, good_output(op.kind, in_shape));
      expect_rejected(op, b, {"input", shape_text(in), "negative"});
    }
    {
      shape4 out = good_output(op.kind, in_shape);
      out[3] = -1;
      buffers b(in_shape, out);
      expect_rejected(op, b, {"output", shape_text(out), "negative"});
    }
    if (op.with_indices) {
      const shape4 out = good_output(op.kind, in_shape);
      shape4 idx = out;
      idx[0] = -2;
      buffers b(in_shape, out, idx);
      expect_rejected(op, b, {"indices", shape_text(idx), "negative"});
    }
  }
}

TEST(Errors, NullData) {
  for (const operation& op : operations()) {
    buffers b(in_shape, good_output(op.kind, in_shape));
    const std::string to_input =
        error_message([&] { op.call(in_view(nullptr, b.in_shape, contiguous_strides(b.in_shape)), b.out(), b.idx()); });
    EXPECT_TRUE(mentions(to_input, {op.name, "input", shape_text(b.in_shape), "null"})) << trace(op);
    const std::string to_output = error_message(
        [&] { op.call(b.in(), out_view(nullptr, b.out_shape, contiguous_strides(b.out_shape)), b.idx()); });
    EXPECT_TRUE(mentions(to_output, {op.name, "output", shape_text(b.out_shape), "null"})) << trace(op);
    if (op.with_indices) {
      const std::string to_indices = error_message(
          [&] { op.call(b.in(), b.out(), index_view(nullptr, b.index_shape, contiguous_strides(b.index_shape))); });
      EXPECT_TRUE(mentions(to_indices, {op.name, "indices", shape_text(b.index_shape), "null"})) << trace(op);
    }
    EXPECT_TRUE(b.untouched()) << trace(op);
    // Null is fine for a view with no elements.
    const shape4 none{0, 3, 4, 4};
    EXPECT_NO_THROW(
        op.call(in_view(nullptr, none, contiguous_strides(none)),
                out_view(nullptr, good_output(op.kind, none), contiguous_strides(good_output(op.kind, none))),
                index_view(nullptr, good_output(op.kind, none), contiguous_strides(good_output(op.kind, none)))))
        << trace(op);
  }
}

// Sizes whose element count, offsets or window arithmetic overflow int64_t.
// The views point at small buffers: the operation must refuse before reading.
TEST(Errors, Overflow) {
  for (const operation& op : operations()) {
    buffers b(in_shape, good_output(op.kind, in_shape));
    const shape4 huge{big, big, big, big};
    const std::string count = error_message([&] {
      op.call(in_view(b.input.data(), huge, {0, 0, 0, 1}), b.out(), b.idx());
    });
    EXPECT_TRUE(mentions(count, {op.name, "input", shape_text(huge), "overflow"})) << trace(op);

    const std::int64_t far = std::numeric_limits<std::int64_t>::max() / 2 + 1;
    const std::string offsets = error_message([&] {
      op.call(in_view(b.input.data(), in_shape, {far, 1, far, 1}), b.out(), b.idx());
    });
    EXPECT_TRUE(mentions(offsets, {op.name, "input", shape_text(in_shape), "overflow"})) << trace(op);

    const std::string output = error_message([&] {
      op.call(b.in(), out_view(b.output.data(), huge, {0, 0, 0, 1}), b.idx());
    });
    EXPECT_TRUE(mentions(output, {op.name, "output", shape_text(huge), "overflow"})) << trace(op);
    EXPECT_TRUE(b.untouched()) << trace(op);
  }
  // in * out does not fit in int64_t: the window arithmetic would overflow.
  const shape4 in{1, 1, 1, std::int64_t{1} << 40};
  const shape4 out{1, 1, 1, std::int64_t{1} << 30};
  buffers b({1, 1, 1, 1}, {1, 1, 1, 1});
  const std::string message = error_message([&] {
    adapool::adaptive_avg_pool2d(in_view(b.input.data(), in, contiguous_strides(in)),
                                 out_view(b.output.data(), out, contiguous_strides(out)));
  });
  EXPECT_TRUE(mentions(message, {"adaptive_avg_pool2d", shape_text(in), shape_text(out), "overflow"}));
  EXPECT_TRUE(b.untouched());
}

// True when two positions of `shape` land on the same offset.
bool reaches_an_offset_twice(const shape4& shape, const shape4& strides) {
  std::vector<std::int64_t> offsets;
  for (std::int64_t n = 0; n < shape[0]; ++n)
    for (std::int64_t c = 0; c < shape[1]; ++c)
      for (std::int64_t h = 0; h < shape[2]; ++h)
        for (std::int64_t w = 0; w < shape[3]; ++w)
          offsets.push_back(n * strides[0] + c * strides[1] + h * strides[2] + w * strides[3]);
  std::sort(offsets.begin(), offsets.end());
  return std::adjacent_find(offsets.begin(), offsets.end()) != offsets.end();
}

// Outputs whose strides reach one element twice (a zero stride, or strides
// that interleave) would make the result depend on write order.
TEST(Errors, OutputWritesAnElementTwice) {
  for (const operation& op : operations()) {
    const shape4 out = good_output(op.kind, in_shape);
    const std::int64_t plane = out[2] * out[3];
    buffers b(in_shape, out);
    int rejected = 0;
    for (const shape4& strides :
         {shape4{out[1] * plane, plane, out[3], 0}, shape4{0, plane, out[3], 1}, shape4{out[1] * plane, 1, 1, 1},
          shape4{out[1] * plane, 1, out[3], 1}, shape4{1, 1, out[3], 1}}) {
      if (!reaches_an_offset_twice(out, strides)) continue;
      ++rejected;
      const std::string message =
          error_message([&] { op.call(b.in(), out_view(b.output.data(), out, strides), b.idx()); });
      EXPECT_TRUE(mentions(message, {op.name, "output", shape_text(out), "more than once"}))
          << trace(op) << ", strides " << shape_text(strides);
      if (!op.with_indices) continue;
      const std::string for_indices =
          error_message([&] { op.call(b.in(), b.out(), index_view(b.indices.data(), out, strides)); });
      EXPECT_TRUE(mentions(for_indices, {op.name, "indices", shape_text(out), "more than once"}))
          << trace(op) << ", strides " << shape_text(strides);
    }
    EXPECT_GE(rejected, 2) << trace(op);
    EXPECT_TRUE(b.untouched()) << trace(op);
  }
}

// An input may be read through any strides, repeated elements included.
TEST(Errors, InputMayRepeatElements) {
  for (const operation& op : operations()) {
    buffers b(in_shape, good_output(op.kind, in_shape));
    EXPECT_NO_THROW(op.call(in_view(b.input.data(), in_shape, {0, 0, 4, 1}), b.out(), b.idx())) << trace(op);
  }
}

// Outputs and indices must not share memory with the input or each other.
TEST(Errors, OverlappingMemory) {
  for (const operation& op : operations()) {
    const shape4 out = good_output(op.kind, in_shape);
    const std::int64_t in_count = buffers::count(in_shape), out_count = buffers::count(out);
    // One float buffer holds the input and, at various offsets, the output.
    std::vector<float> memory(static_cast<std::size_t>(in_count + out_count + 8), 1.0f);
    const in_view in(memory.data() + 4, in_shape, contiguous_strides(in_shape));
    for (std::int64_t at : {std::int64_t{4}, std::int64_t{0}, std::int64_t{4} + in_count - 1, std::int64_t{10}}) {
      std::vector<float> before = memory;
      std::vector<std::int64_t> indices(static_cast<std::size_t>(out_count), index_sentinel);
      const std::string message = error_message([&] {
        op.call(in, out_view(memory.data() + at, out, contiguous_strides(out)),
                index_view(indices.data(), out, contiguous_strides(out)));
      });
      EXPECT_TRUE(mentions(message, {op.name, "output", "input", shape_text(out), shape_text(in_shape)}))
          << trace(op) << ", output at offset " << at;
      EXPECT_EQ(memory, before) << trace(op);
    }
    // Right after the input is fine.
    std::vector<std::int64_t> indices(static_cast<std::size_t>(out_count));
    EXPECT_NO_THROW(op.call(in, out_view(memory.data() + 4 + in_count, out, contiguous_strides(out)),
                            index_view(indices.data(), out, contiguous_strides(out))))
        << trace(op);

    if (!op.with_indices) continue;
    // Indices over the input's bytes, and over the output's.
    alignas(8) static unsigned char raw[4096];
    const auto as_floats = [&](std::size_t byte) { return reinterpret_cast<float*>(raw + byte); };
    const auto as_indices = [&](std::size_t byte) { return reinterpret_cast<std::int64_t*>(raw + byte); };
    const std::size_t in_bytes = static_cast<std::size_t>(in_count) * sizeof(float);
    const std::size_t out_bytes = static_cast<std::size_t>(out_count) * sizeof(float);
    const in_view in_raw(as_floats(0), in_shape, contiguous_strides(in_shape));
    const out_view out_raw(as_floats(in_bytes), out, contiguous_strides(out));
    const std::string over_input = error_message(
        [&] { op.call(in_raw, out_raw, index_view(as_indices(in_bytes - 8), out, contiguous_strides(out))); });
    EXPECT_TRUE(mentions(over_input, {op.name, "indices", "input", shape_text(out), shape_text(in_shape)}))
        << trace(op);
    const std::string over_output = error_message([&] {
      op.call(in_raw, out_raw, index_view(as_indices(in_bytes + out_bytes - 8), out, contiguous_strides(out)));
    });
    EXPECT_TRUE(mentions(over_output, {op.name, "indices", "output", shape_text(out)})) << trace(op);
  }
}

// The fused operations have two outputs: every message says which one is at
// fault, by its parameter name (avg or max), never just "output".
TEST(Errors, FusedOutputsNamed) {
  std::vector<float> x(2 * 3 * 4 * 4, 1.0f);
  const auto in = adapool::make_view(x.data(), 2, 3, 4, 4);
  std::vector<float> memory(200, sentinel);
  std::vector<std::int64_t> indices(12, index_sentinel);
  const auto at = [&](std::int64_t offset, std::int64_t c, std::int64_t h, std::int64_t w) {
    return adapool::tensor_view<float, 4>(memory.data() + offset, {2, c, h, w});
  };
  const auto untouched = [&] {
    return std::all_of(memory.begin(), memory.end(), [](float v) { return v == sentinel; }) &&
           std::all_of(indices.begin(), indices.end(), [](std::int64_t v) { return v == index_sentinel; });
  };

  // avg [2, 3, 1, 2] at 0..11, max at 6..17: they share elements 6..11.
  EXPECT_EQ(error_message([&] { adapool::adaptive_avg_max_pool2d(in, at(0, 3, 1, 2), at(6, 3, 1, 2)); }),
            "adaptive_avg_max_pool2d: max (shape [2, 3, 1, 2]) overlaps avg (shape [2, 3, 1, 2]) in memory");
  EXPECT_TRUE(untouched());
  // channel_max_avg_pool(in, max, avg): max [2, 1, 4, 4] at 0..31, avg at 16..47.
  EXPECT_EQ(error_message([&] { adapool::channel_max_avg_pool(in, at(0, 1, 4, 4), at(16, 1, 4, 4)); }),
            "channel_max_avg_pool: avg (shape [2, 1, 4, 4]) overlaps max (shape [2, 1, 4, 4]) in memory");
  EXPECT_TRUE(untouched());

  // Shapes: each output by name, against the input and against each other.
  EXPECT_EQ(error_message([&] { adapool::adaptive_avg_max_pool2d(in, at(0, 3, 1, 2), at(100, 2, 1, 2)); }),
            "adaptive_avg_max_pool2d: max has shape [2, 2, 1, 2], expected [2, 3, *, *] (input has shape "
            "[2, 3, 4, 4])");
  EXPECT_EQ(error_message([&] { adapool::adaptive_avg_max_pool2d(in, at(0, 3, 1, 2), at(100, 3, 2, 1)); }),
            "adaptive_avg_max_pool2d: avg has shape [2, 3, 1, 2] and max has shape [2, 3, 2, 1], expected the same");
  EXPECT_EQ(error_message([&] { adapool::channel_max_avg_pool(in, at(0, 1, 4, 4), at(100, 1, 4, 3)); }),
            "channel_max_avg_pool: avg has shape [2, 1, 4, 3], expected [2, *, 4, 4] (input has shape [2, 3, 4, 4])");
  EXPECT_TRUE(untouched());

  // The max's indices over the max itself.
  const adapool::tensor_view<std::int64_t, 4> over_max(reinterpret_cast<std::int64_t*>(memory.data() + 100),
                                                       {2, 3, 1, 1});
  const std::string indices_message =
      error_message([&] { adapool::adaptive_avg_max_pool2d(in, at(0, 3, 1, 1), at(100, 3, 1, 1), over_max); });
  EXPECT_EQ(indices_message,
            "adaptive_avg_max_pool2d: indices (shape [2, 3, 1, 1]) overlaps max (shape [2, 3, 1, 1]) in memory");
  EXPECT_TRUE(untouched());
}

// A pyramid checks every level before writing any: a bad last level leaves
// the good first ones untouched.
TEST(Errors, Pyramid) {
  std::vector<float> x(2 * 3 * 6 * 6, 1.0f);
  const auto in = adapool::make_view(x, 2, 3, 6, 6);
  std::vector<float> memory(2 * 3 * (1 + 4 + 9 + 36) + 8, sentinel);
  const auto level = [&](std::int64_t offset, std::int64_t n, std::int64_t bins) {
    return adapool::tensor_view<float, 4>(memory.data() + offset, {n, 3, bins, bins});
  };
  const auto untouched = [&] {
    for (float v : memory)
      if (v != sentinel) return false;
    return true;
  };
  const std::string batch = error_message([&] {
    adapool::adaptive_avg_pool2d_pyramid(in, std::array{level(0, 2, 1), level(6, 2, 2), level(30, 1, 3)});
  });
  EXPECT_TRUE(mentions(batch, {"adaptive_avg_pool2d_pyramid", "output", "[1, 3, 3, 3]", "[2, 3, 6, 6]"}));
  EXPECT_TRUE(untouched());
  const std::string overlap = error_message([&] {
    adapool::adaptive_avg_pool2d_pyramid(in, std::array{level(0, 2, 1), level(6, 2, 2), level(20, 2, 3)});
  });
  EXPECT_TRUE(mentions(overlap, {"adaptive_avg_pool2d_pyramid", "output", "overlaps", "[2, 3, 3, 3]"}));
  EXPECT_TRUE(untouched());
  const std::string negative = error_message([&] { adapool::adaptive_avg_pool2d_pyramid(in, {1, 2, -3}); });
  EXPECT_TRUE(mentions(negative, {"adaptive_avg_pool2d_pyramid", "output_size", "-3"}));
}

// 1d and 3d operations name themselves.
TEST(Errors, OperationNamesPerRank) {
  std::vector<float> x(64, 1.0f), y(64, sentinel);
  std::vector<std::int64_t> idx(64, index_sentinel);
  const auto in1 = adapool::make_view(x.data(), 2, 2, 16);
  const auto out1 = adapool::make_view(y.data(), 1, 2, 4);
  const auto idx1 = adapool::make_view(idx.data(), 1, 2, 4);
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool1d(in1, out1); }),
                       {"adaptive_avg_pool1d", "output", "[1, 2, 4]", "[2, 2, 16]"}));
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_max_pool1d(in1, out1, idx1); }),
                       {"adaptive_max_pool1d", "output", "[1, 2, 4]"}));
  const auto in3 = adapool::make_view(x.data(), 2, 2, 2, 2, 4);
  const auto out3 = adapool::make_view(y.data(), 2, 3, 1, 1, 1);
  const auto idx3 = adapool::make_view(idx.data(), 2, 3, 1, 1, 1);
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool3d(in3, out3); }),
                       {"adaptive_avg_pool3d", "output", "[2, 3, 1, 1, 1]", "[2, 2, 2, 2, 4]"}));
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_max_pool3d(in3, out3, idx3); }),
                       {"adaptive_max_pool3d", "output", "[2, 3, 1, 1, 1]"}));
  EXPECT_TRUE(mentions(error_message([&] { adapool::global_max_pool(in3, out3, idx3); }),
                       {"global_max_pool", "output", "[2, 3, 1, 1, 1]"}));
  // The scalar path validates the same way.
  EXPECT_TRUE(mentions(error_message([&] { adapool::adaptive_avg_pool1d<adapool::simd::scalar>(in1, out1); }),
                       {"adaptive_avg_pool1d", "output", "[1, 2, 4]"}));
  for (float v : y) EXPECT_EQ(v, sentinel);
  for (std::int64_t v : idx) EXPECT_EQ(v, index_sentinel);
}

TEST(Errors, ViewsAndTensors) {
  std::vector<float> x(10);
  EXPECT_TRUE(mentions(error_message([&] { adapool::make_view(x, 1, 2, 3, 2); }), {"make_view", "10", "[1, 2, 3, 2]"}));
  const std::vector<float>& cx = x;
  EXPECT_TRUE(mentions(error_message([&] { adapool::make_view<adapool::channels_last>(cx, 1, 3, 3); }),
                       {"make_view", "10", "[1, 3, 3]"}));
  EXPECT_TRUE(mentions(error_message([&] { adapool::make_view(x, 1, -2, 5); }), {"make_view", "[1, -2, 5]"}));
  EXPECT_NO_THROW(adapool::make_view(x, 1, 2, 5));
  EXPECT_TRUE(mentions(error_message([&] { adapool::tensor<float, 4>({1, -2, 3, 3}); }), {"tensor", "[1, -2, 3, 3]"}));
  EXPECT_TRUE(mentions(error_message([&] {
                         adapool::tensor<float, 4>({big, big, big, big});
                       }),
                       {"tensor", shape_text(shape4{big, big, big, big})}));
}

}  // namespace errors_tests
