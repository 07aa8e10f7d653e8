// SPDX-License-Identifier: MIT
// XNNPACK's operator API: global average pooling in NCW form for NCHW inputs
// (channels C, width H*W) and NWC form for NHWC ones. Channel pooling of an
// NCHW tensor is the same memory read as NWC with the roles swapped: width C,
// channels H*W, so channel mean is NWC global average pooling and channel max
// is a 1 x C max pooling window. Operators are created and set up once; only
// xnn_run_operator is timed.

#include <pthreadpool.h>
#include <xnnpack.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "common.hpp"

namespace adapool_bench {

namespace {

void initialise_xnnpack() {
  static const xnn_status status = xnn_initialize(nullptr);
  if (status != xnn_status_success) throw std::runtime_error("xnn_initialize failed");
}

void check(xnn_status status, const char* what) {
  if (status != xnn_status_success) {
    throw std::runtime_error(std::string(what) + " failed with status " + std::to_string(static_cast<int>(status)));
  }
}

class xnnpack_case final : public pool_case {
 public:
  xnnpack_case(const workload& w, int threads) {
    initialise_xnnpack();
    // No pool runs the operator on the calling thread.
    if (threads > 1) pool_ = pthreadpool_create(static_cast<std::size_t>(threads));
    if (w.element == element_type::f16) {
      half_values_.resize(static_cast<std::size_t>(w.output_elements()));
      create_half(w, static_cast<std::size_t>(w.n), static_cast<std::size_t>(w.c), static_cast<std::size_t>(w.h * w.w));
      return;
    }
    const float* in = input_for(w);
    const float lowest = -std::numeric_limits<float>::infinity();
    const float highest = std::numeric_limits<float>::infinity();
    const auto n = static_cast<std::size_t>(w.n);
    const auto c = static_cast<std::size_t>(w.c);
    const auto plane = static_cast<std::size_t>(w.h * w.w);
    values_.resize(static_cast<std::size_t>(w.output_elements()));
    if (w.op == op_kind::channel_avg) {
      label_ = "global_average_pooling_nwc, width C, channels H*W";
      check(xnn_create_global_average_pooling_nwc_f32(plane, plane, plane, lowest, highest, 0, &op_), "create");
      check(xnn_setup_global_average_pooling_nwc_f32(op_, n, c, in, values_.data(), pool_), "setup");
    } else if (w.op == op_kind::channel_max) {
      label_ = "max_pooling2d_nhwc, 1 x C window, channels H*W";
      check(xnn_create_max_pooling2d_nhwc_f32(0, 0, 0, 0, 1, static_cast<std::uint32_t>(c), 1, 1, 1, 1, plane, plane,
                                              plane, lowest, highest, 0, &op_),
            "create");
      check(xnn_setup_max_pooling2d_nhwc_f32(op_, n, 1, c, in, values_.data(), pool_), "setup");
    } else if (w.format == memory_format::nhwc) {
      label_ = "global_average_pooling_nwc";
      check(xnn_create_global_average_pooling_nwc_f32(c, c, c, lowest, highest, 0, &op_), "create");
      check(xnn_setup_global_average_pooling_nwc_f32(op_, n, plane, in, values_.data(), pool_), "setup");
    } else {
      label_ = "global_average_pooling_ncw";
      check(xnn_create_global_average_pooling_ncw_f32(c, lowest, highest, 0, &op_), "create");
      check(xnn_setup_global_average_pooling_ncw_f32(op_, n, plane, in, values_.data(), pool_), "setup");
    }
  }

  ~xnnpack_case() override {
    if (op_) xnn_delete_operator(op_);
    if (pool_) pthreadpool_destroy(pool_);
  }
  xnnpack_case(const xnnpack_case&) = delete;
  xnnpack_case& operator=(const xnnpack_case&) = delete;

  void run() override { xnn_run_operator(op_, pool_); }

  pooled result() const override {
    // Every output here is N x C x 1 x 1 or N x 1 x H x W: memory order is logical order.
    if (half_values_.empty()) return {values_, {}};
    std::vector<float> widened(half_values_.size());
    const auto* bytes = reinterpret_cast<const unsigned char*>(half_values_.data());
    for (std::size_t i = 0; i < widened.size(); ++i) {
      widened[i] = widen_element(bytes, element_type::f16, static_cast<std::int64_t>(i));
    }
    return {widened, {}};
  }

  std::string label() const override { return label_; }

 private:
  // The float16 operators, which take and give binary16 bits. XNNPACK's f16
  // global average pooling is NWC only: an NCHW plane is one row of width
  // H*W and a single channel.
  void create_half(const workload& w, std::size_t n, std::size_t c, std::size_t plane) {
    const float lowest = -std::numeric_limits<float>::infinity();
    const float highest = std::numeric_limits<float>::infinity();
    const void* in = input_data(w);
    if (w.op == op_kind::channel_max) {
      label_ = "max_pooling2d_nhwc_f16, 1 x C window, channels H*W";
      check(xnn_create_max_pooling2d_nhwc_f16(0, 0, 0, 0, 1, static_cast<std::uint32_t>(c), 1, 1, 1, 1, plane, plane,
                                              plane, lowest, highest, 0, &op_),
            "create");
      check(xnn_setup_max_pooling2d_nhwc_f16(op_, n, 1, c, in, half_values_.data(), pool_), "setup");
    } else {
      label_ = "global_average_pooling_nwc_f16, width H*W, one channel";
      check(xnn_create_global_average_pooling_nwc_f16(1, 1, 1, lowest, highest, 0, &op_), "create");
      check(xnn_setup_global_average_pooling_nwc_f16(op_, n * c, plane, in, half_values_.data(), pool_), "setup");
    }
  }

  pthreadpool_t pool_ = nullptr;
  xnn_operator_t op_ = nullptr;
  std::vector<float> values_;
  std::vector<std::uint16_t> half_values_;
  std::string label_;
};

// XNNPACK's float16 average, run once and checked like any output: a peer
// whose result fails the check is listed with the check's message, not timed.
std::string half_average_check(const workload& w) {
  xnnpack_case probe(w, 1);
  probe.run();
  double worst = 0;
  const std::string differs = check_against_reference(w, probe.result(), &worst);
  return differs.empty() ? std::string() : "its float16 average fails the output check: " + differs;
}

std::string xnnpack_unsupported(const workload& w) {
  if (w.element == element_type::f16 && w.has_average()) return half_average_check(w);
  if (w.element == element_type::bf16) return "no bfloat16 operators";
  if (w.element == element_type::i8) {
    return "int8 global average pooling is quantized (qs8/qu8: scales and zero points, requantized), not the "
           "exact mean rounded to nearest";
  }
  if (w.has_indices()) {
    return "no indices for NCHW input: argmax pooling is NHWC-only and its indices are offsets within the window";
  }
  if (w.op == op_kind::adaptive_avg) {
    for (const auto& size : w.output_sizes) {
      if (size[0] != 1 || size[1] != 1) {
        return "no adaptive or fixed-window average pooling for NCHW input (average_pooling2d is NHWC-only)";
      }
    }
  }
  return {};
}

}  // namespace

std::vector<implementation> xnnpack_implementations() {
  return {{"xnnpack", role::peer, /*threads=*/true, xnnpack_unsupported,
           [](const workload& w, int threads) -> std::unique_ptr<pool_case> {
             return std::make_unique<xnnpack_case>(w, threads);
           }}};
}

std::vector<std::pair<std::string, std::string>> xnnpack_context() {
  // XNNPACK has no version number; Debian ships a dated snapshot.
  return {{"xnnpack_version", "system snapshot (no version macro)"}};
}

}  // namespace adapool_bench
