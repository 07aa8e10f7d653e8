// SPDX-License-Identifier: MIT
// Built with -fno-exceptions: bad arguments reach the handler installed with
// adapool::set_error_handler, with the same message an exception would carry;
// when the handler returns, the operation returns without writing anything.
// No test framework (GoogleTest needs exceptions); exits non-zero on failure.

#include <adapool/adapool.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#if ADAPOOL_HAS_EXCEPTIONS
#error "this file is meant to be compiled with -fno-exceptions"
#endif

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const char* what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAILED: %s\n", what);
  }
}

std::string last_message;
int handler_calls = 0;

void record(const char* message) {
  last_message = message;
  ++handler_calls;
}

// Resets the record, runs f, and returns the message it reported ("" if none).
template <class F>
std::string reported_by(F f) {
  last_message.clear();
  handler_calls = 0;
  f();
  return handler_calls == 1 ? last_message : (handler_calls == 0 ? "" : "<reported more than once>");
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

constexpr float sentinel = -7777.25f;

bool all_sentinel(const std::vector<float>& v) {
  for (float x : v)
    if (x != sentinel) return false;
  return true;
}

}  // namespace

int main() {
  const adapool::error_handler previous = adapool::set_error_handler(&record);
  check(previous != nullptr, "set_error_handler returns the default handler");

  std::vector<float> x(128);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 13);
  const auto in = adapool::make_view(x, 1, 8, 4, 4);

  {  // The documented example message, word for word.
    std::vector<float> out(8, sentinel);
    std::vector<std::int64_t> idx(32, -1);
    const std::string message = reported_by([&] {
      adapool::adaptive_max_pool2d(in, adapool::make_view(out, 1, 8, 1, 1), adapool::make_view(idx, 1, 8, 2, 2));
    });
    check(message == "adaptive_max_pool2d: indices has shape [1, 8, 2, 2], expected [1, 8, 1, 1]",
          "indices shape message");
    check(all_sentinel(out), "no value written after an indices error");
    check(idx == std::vector<std::int64_t>(32, -1), "no index written after an indices error");
  }
  {  // A window helper called out of its preconditions reports, then returns 0.
    std::int64_t begin = -1, end = -1;
    const std::string message = reported_by([&] { begin = adapool::window_begin(0, 5, 0); });
    check(contains(message, "window_begin") && contains(message, "out = 0"), "window_begin message");
    check(reported_by([&] { end = adapool::window_end(-1, 5, 3); }) != "", "window_end reports i = -1");
    check(begin == 0 && end == 0, "the window helpers return 0 after a returning handler");
  }
  {  // Global pooling into a non-1x1 output.
    std::vector<float> out(16, sentinel);
    const std::string message = reported_by([&] { adapool::global_avg_pool(in, adapool::make_view(out, 1, 8, 2, 1)); });
    check(contains(message, "global_avg_pool") && contains(message, "output") && contains(message, "[1, 8, 2, 1]") &&
              contains(message, "[1, 8, 4, 4]"),
          "global output shape message");
    check(all_sentinel(out), "no value written after an output shape error");
  }
  {  // Output overlapping the input.
    std::vector<float> buffer(128 + 16, 1.0f);
    const std::vector<float> before = buffer;
    const auto overlapping_in = adapool::tensor_view<const float, 4>(buffer.data(), {1, 8, 4, 4});
    const std::string message = reported_by(
        [&] { adapool::channel_max_pool(overlapping_in, adapool::make_view(buffer.data() + 100, 1, 1, 4, 4)); });
    check(contains(message, "channel_max_pool") && contains(message, "overlaps"), "overlap message");
    check(buffer == before, "nothing written over an overlapping input");
  }
  {  // Null data with elements.
    std::vector<float> out(8, sentinel);
    const std::string message = reported_by([&] {
      adapool::global_max_pool(adapool::tensor_view<const float, 4>(nullptr, {1, 8, 4, 4}),
                               adapool::make_view(out, 1, 8, 1, 1));
    });
    check(contains(message, "global_max_pool") && contains(message, "input") && contains(message, "null"),
          "null data message");
    check(all_sentinel(out), "no value written after a null input");
  }
  {  // A vector of the wrong size: the view comes back unusable, and using it reports again.
    std::vector<float> small(10, 1.0f), out(8, sentinel);
    const std::string message = reported_by([&] {
      const auto bad = adapool::make_view(small, 1, 8, 4, 4);
      check(bad.data() == nullptr, "a failed make_view has no data");
      adapool::global_avg_pool(bad, adapool::make_view(out, 1, 8, 1, 1));
    });
    check(message == "<reported more than once>" && handler_calls == 2, "make_view and the operation both report");
    check(all_sentinel(out), "nothing written through a failed make_view");
  }
  {  // Allocating forms with negative sizes return empty tensors.
    adapool::tensor<float, 4> pooled;
    const std::string message = reported_by([&] { pooled = adapool::adaptive_avg_pool2d(in, {-1, 3}); });
    check(contains(message, "adaptive_avg_pool2d") && contains(message, "output_size") && contains(message, "[-1, 3]"),
          "negative output_size message");
    check(pooled.size() == 0, "an empty tensor after a negative output_size");
    const std::string channels = reported_by([&] { pooled = adapool::channel_max_pool(in, -4); });
    check(contains(channels, "channel_max_pool") && contains(channels, "out_channels") && contains(channels, "-4"),
          "negative out_channels message");
    check(pooled.size() == 0, "an empty tensor after a negative out_channels");
  }
  {  // Valid calls do not report, and compute.
    std::vector<float> out(8, sentinel);
    const std::string message = reported_by([&] { adapool::global_max_pool(in, adapool::make_view(out, 1, 8, 1, 1)); });
    check(message.empty() && handler_calls == 0, "a valid call does not report");
    check(out[0] == 12.0f, "a valid call computes");
  }

  check(adapool::set_error_handler(nullptr) == &record, "set_error_handler returns the handler it replaces");

  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
