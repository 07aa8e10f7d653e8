// SPDX-License-Identifier: MIT
// What a bad argument does. Every operation checks all its arguments before it
// writes anything. With exceptions it throws adapool::error (a
// std::invalid_argument); built with -fno-exceptions it passes the same message
// to the handler installed with adapool::set_error_handler and, if the handler
// returns, returns without writing. This file is built both ways.

#include <adapool/adapool.hpp>
#include <cstdio>
#include <string>

namespace {

std::string last_message;

}  // namespace

int main() {
#if !ADAPOOL_HAS_EXCEPTIONS
  // [readme:error-handler]
  // Without exceptions: the default handler prints the message and aborts;
  // a handler that returns makes the operation return without writing.
  adapool::set_error_handler([](const char* message) { last_message = message; });
  // [readme-end]
#endif

  adapool::tensor<float, 4> x({1, 8, 4, 4}, 1.0f);
  adapool::tensor<float, 4> wrong({1, 8, 2, 2}, 7.0f);  // global pooling needs 1 x 8 x 1 x 1

#if ADAPOOL_HAS_EXCEPTIONS
  // [readme:errors]
  try {
    adapool::global_max_pool(x.view(), wrong.view());
  } catch (const adapool::error& e) {  // derived from std::invalid_argument
    std::printf("%s\n", e.what());
    // global_max_pool: output has shape [1, 8, 2, 2], expected [1, 8, 1, 1] (input has shape [1, 8, 4, 4])
  }
  // [readme-end]
  last_message = "";
  try {
    adapool::global_max_pool(x.view(), wrong.view());
  } catch (const adapool::error& e) {
    last_message = e.what();
  }
#else
  adapool::global_max_pool(x.view(), wrong.view());
  std::printf("%s\n", last_message.c_str());
#endif

  const std::string expected =
      "global_max_pool: output has shape [1, 8, 2, 2], expected [1, 8, 1, 1] (input has shape [1, 8, 4, 4])";
  bool ok = last_message == expected;
  for (float v : wrong.values()) ok = ok && v == 7.0f;  // nothing was written
  if (!ok) {
    std::printf("FAILED: expected the message\n  %s\nand an untouched output\n", expected.c_str());
    return 1;
  }
  std::printf("%s: the message is as documented and the output is untouched\n",
              ADAPOOL_HAS_EXCEPTIONS ? "exceptions" : "error handler");
  return 0;
}
