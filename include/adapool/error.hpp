// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "simd/target.hpp"

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define ADAPOOL_HAS_EXCEPTIONS 1
#else
#define ADAPOOL_HAS_EXCEPTIONS 0
#endif

namespace adapool {

/// Thrown by every operation for a bad argument, before anything is written.
/// The message names the operation, the argument and the shapes, for example
/// `adaptive_max_pool2d: indices has shape [1, 8, 2, 2], expected [1, 8, 1, 1]`.
class error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Receives the message of a bad argument in builds without exceptions.
using error_handler = void (*)(const char* message);

namespace detail {

inline void default_error_handler(const char* message) {
  std::fprintf(stderr, "adapool: %s\n", message);
  std::abort();
}

inline std::atomic<error_handler>& error_handler_slot() {
  static std::atomic<error_handler> slot{&default_error_handler};
  return slot;
}

}  // namespace detail

/// Installs the handler used when exceptions are disabled (`-fno-exceptions`) and
/// returns the previous one. The default prints the message and aborts. A handler
/// that returns makes the failing operation return without writing anything.
/// With exceptions enabled the handler is never called: operations throw `error`.
inline error_handler set_error_handler(error_handler handler) {
  return detail::error_handler_slot().exchange(handler ? handler : &detail::default_error_handler);
}

namespace detail {
inline namespace ADAPOOL_TARGET_NAMESPACE {

// Operations report through this one function, so the exception and the
// no-exception builds share every message.
inline void report_error(const std::string& message) {
#if ADAPOOL_HAS_EXCEPTIONS
  throw error(message);
#else
  error_handler_slot().load()(message.c_str());
#endif
}

}  // namespace ADAPOOL_TARGET_NAMESPACE
}  // namespace detail
}  // namespace adapool
