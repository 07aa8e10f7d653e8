// SPDX-License-Identifier: MIT
#pragma once

// What every implementation file of the benchmark shares: the standard
// workloads, their input buffers and reference results, and the interface an
// implementation (adapool, a peer, the naive loop, the ceiling) provides.
// Peers live in their own translation units so their heavy headers are parsed
// once and in parallel; only this header connects them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

// The project's one statement of PyTorch's adaptive windows, the tests' and
// fuzzers' specification: written without adapool's code, so the reference
// loops here stay independent of the library they check.
#include "../tests/reference.hpp"

namespace adapool_bench {

/// The window [window_start, window_stop) of output `i` along an axis of `in`
/// positions pooled to `out` (tests/reference.hpp).
using ::reference::window_start;
using ::reference::window_stop;

enum class op_kind {
  global_avg,            // N x C x H x W -> N x C x 1 x 1, mean
  global_max_indices,    // the same, max and in-plane index
  adaptive_avg,          // N x C x H x W -> N x C x OH x OW for every output size, one after another
  adaptive_max_indices,  // max and in-plane index
  channel_max,           // N x C x H x W -> N x 1 x H x W
  channel_avg,
  // Fused operations: two poolings of one input, as a model concatenates them.
  adaptive_concat,  // N x C x H x W -> N x 2C x OH x OW: channels [0, C) max, [C, 2C) average (fastai's order)
  channel_max_avg,  // N x C x H x W -> N x 2 x H x W: channel 0 the max over C, channel 1 the mean (CBAM)
  // Power means over adaptive windows.
  adaptive_gem,  // N x C x H x W -> N x C x OH x OW: (mean of max(x, gem_eps)^gem_p)^(1 / gem_p)
  adaptive_lp,   // N x C x H x W -> N x C x OH x OW: (sum of x^lp_p)^(1 / lp_p)
  // Backward passes: grad_out N x C x OH x OW -> grad_in N x C x H x W (the
  // forward's input shape), every grad_in element written.
  adaptive_avg_backward,  // grad_in zero, plus grad_out / window size over each output's window
  adaptive_max_backward,  // grad_in zero, plus grad_out at the index the forward adaptive max saved
};

/// GeM's exponent and clamp in the G workloads: the usual defaults of image retrieval.
inline constexpr float gem_p = 3.0f;
inline constexpr float gem_eps = 1e-6f;
/// LP pooling's exponent in the G workloads: the L2 norm of each window.
inline constexpr float lp_p = 2.0f;

enum class memory_format { nchw, nhwc };

/// How the input (and the pooled output) is stored. The narrow types are the
/// N workloads': IEEE binary16, bfloat16 and int8.
enum class element_type { f32, f16, bf16, i8 };

/// One row of the standard workload table (README.md in this folder). A
/// backward workload describes the forward it differentiates: n, c, h, w are
/// the forward input's shape, which is grad_in's, and output_sizes the
/// forward output's, which is grad_out's; the pass writes grad_in, so
/// input_bytes() (grad_in's bytes) is what it processes.
struct workload {
  std::string name;  // case-name prefix, "W1_gap_r50"
  op_kind op;
  memory_format format;
  std::int64_t n, c, h, w;
  // Spatial output sizes. Several (W8's "all") means the operation is called
  // once per size on the same input, as a pyramid-pooling module does.
  std::vector<std::array<std::int64_t, 2>> output_sizes;
  // When not empty, only these implementations run this workload; the others
  // are left out silently (the fused workloads compare ways of writing one
  // operation, which the other peers have no single call for).
  std::vector<std::string> implementations = {};
  element_type element = element_type::f32;

  std::int64_t input_elements() const { return n * c * h * w; }
  std::int64_t element_bytes() const { return element == element_type::f32 ? 4 : element == element_type::i8 ? 1 : 2; }
  std::int64_t input_bytes() const { return input_elements() * element_bytes(); }
  /// float16, bfloat16 or int8: the input is not float.
  bool is_narrow() const { return element != element_type::f32; }
  bool has_indices() const { return op == op_kind::global_max_indices || op == op_kind::adaptive_max_indices; }
  bool is_average() const {
    return op == op_kind::global_avg || op == op_kind::adaptive_avg || op == op_kind::channel_avg;
  }
  bool is_channel() const { return op == op_kind::channel_max || op == op_kind::channel_avg; }
  bool is_fused() const { return op == op_kind::adaptive_concat || op == op_kind::channel_max_avg; }
  /// A gradient: the result compared is grad_in, n x c x h x w.
  bool is_backward() const { return op == op_kind::adaptive_avg_backward || op == op_kind::adaptive_max_backward; }
  /// Some output values are averages (checked to a tolerance, max_rel_err
  /// reported). A gradient's elements are sums of shares of grad_out, where
  /// windows overlap, so they are checked the same way.
  bool has_average() const { return is_average() || is_fused() || is_power() || is_backward(); }
  /// GeM or LP: a power mean, checked to a tolerance like an average.
  bool is_power() const { return op == op_kind::adaptive_gem || op == op_kind::adaptive_lp; }
  /// Channels of each pooled output: 1 for every channel pooling, fused or not.
  std::int64_t pooled_channels() const { return is_channel() || op == op_kind::channel_max_avg ? 1 : c; }
  /// Channels of the pooled output: 1 for channel pooling, 2 for channel max + mean, 2C for concat.
  std::int64_t output_channels() const {
    return is_channel() ? 1 : op == op_kind::channel_max_avg ? 2 : op == op_kind::adaptive_concat ? 2 * c : c;
  }
  /// Every output size divides the input size: fixed-kernel pooling can express it.
  bool windows_divide() const;
  /// Elements of the pooled output(s), summed over output sizes; of grad_out
  /// for a backward workload.
  std::int64_t output_elements() const;
};

/// W1 ... W12, with W8 split into each pyramid scale and all four together,
/// then the fused operations F1 ... F3, the power means G1 ... G4, the narrow
/// element types N1 ... N4 and the backward passes B1 ... B3.
const std::vector<workload>& standard_workloads();

/// The input of a workload: the same bytes for every implementation, 64-byte
/// aligned, in the workload's memory format and element type. Created on first use.
const void* input_data(const workload& w);

/// Element i of `data`, stored as `element`, as a float (every float16,
/// bfloat16 and int8 value is one).
float widen_element(const unsigned char* data, element_type element, std::int64_t i);

/// input_data() of a float workload; throws std::logic_error for a narrow one.
const float* input_for(const workload& w);

/// A backward workload's grad_out, N x C x OH x OW contiguous, 64-byte aligned:
/// uniform values like the inputs', from another seed. Created on first use.
const float* grad_output_for(const workload& w);

/// An adaptive max backward workload's indices, N x C x OH x OW contiguous: the
/// in-plane offsets the forward adaptive max pool of input_for(w) returns,
/// computed by the reference loops (not by adapool). Created on first use.
const std::int64_t* max_indices_for(const workload& w);

/// A pooled result in logical order: for each output size, N x C' x OH x OW
/// (C' = workload::output_channels()). Indices only for the max-with-indices ops.
/// Narrow outputs are converted to float, which holds each of their values exactly.
/// For a backward workload, values is grad_in, N x C x H x W.
struct pooled {
  std::vector<float> values;
  std::vector<std::int64_t> indices;
  // The ceiling's only output, checked by check_total: its sum of the input.
  double total = 0;
};

/// Copies `values` (and `indices`, may be null) laid out as `format` with
/// logical sizes n x c x oh x ow into `into`, in logical order.
void append_logical(pooled& into, memory_format format, const float* values, const std::int64_t* indices,
                    std::int64_t n, std::int64_t c, std::int64_t oh, std::int64_t ow);

/// Compares an implementation's output with the double-precision reference
/// loops: max values and indices must be identical, float averages within a
/// relative 1e-4, float16 and bfloat16 averages within one unit in the last
/// place of the type (relative 2^-10 and 2^-7) plus that 1e-4, int8 averages
/// identical to the exact mean rounded to nearest, ties to even. Returns an
/// empty string when they agree, otherwise what differs. `max_relative_error`
/// receives the worst relative error of an average.
std::string check_against_reference(const workload& w, const pooled& got, double* max_relative_error);

/// The ceiling's self-check. Float input: its sum of every input element
/// against a double sum. Narrow input: the input's bytes read as 32-bit
/// words (the last one zero-padded) and added modulo 2^32, exactly.
std::string check_total(const workload& w, double total);

/// The backward ceiling's self-check: every one of grad_in's elements in
/// `written` (logical order) holds backward_ceiling_value.
std::string check_fill(const workload& w, const std::vector<float>& written);

/// What the backward ceiling writes to every element: not zero, and not the
/// same byte four times, so no compiler turns the fill into a memset.
inline constexpr float backward_ceiling_value = 0.375f;

/// The narrow ceiling's sum: the input's bytes as little-endian 32-bit words
/// (the last one zero-padded), added modulo 2^32.
std::uint32_t input_word_sum(const unsigned char* bytes, std::int64_t count);

/// One implementation prepared for one workload: buffers allocated, primitives
/// or operators created, threads chosen. Only `run` is timed.
class pool_case {
 public:
  virtual ~pool_case() = default;
  /// Re-applies process-wide settings (OpenMP thread count) before timing,
  /// since another case may have changed them in between.
  virtual void activate() {}
  virtual void run() = 0;
  /// The last run's output, in logical order.
  virtual pooled result() const = 0;
  /// Shown beside the case (for example the peer's kernel name).
  virtual std::string label() const { return {}; }
};

enum class role {
  library,   // adapool itself
  baseline,  // the naive loop
  ceiling,   // the streaming-read limit (a streaming write for a backward pass)
  peer,      // another library
};

struct implementation {
  std::string name;  // "adapool", "torch", ...
  role kind;
  // Honours a thread count other than 1, so it appears in the 2-thread table.
  bool threads;
  // Empty when the implementation can run the workload, else the reason it
  // cannot, which the report shows.
  std::function<std::string(const workload&)> unsupported;
  std::function<std::unique_ptr<pool_case>(const workload&, int threads)> prepare;
  // When set and false, the implementation is a formulation of another
  // operation altogether (say, channel max through max_pool1d) and is left out
  // silently rather than reported as unable.
  std::function<bool(const workload&)> applies = {};
};

// Each implementation file contributes its list; a peer that was not found at
// configure time contributes nothing (see main.cpp).
std::vector<implementation> adapool_implementations();
std::vector<implementation> baseline_implementations();
std::vector<implementation> torch_implementations();
std::vector<implementation> onednn_implementations();
std::vector<implementation> xnnpack_implementations();
std::vector<implementation> eigen_implementations();

/// Library versions and the like, for the report header: {key, value}.
std::vector<std::pair<std::string, std::string>> torch_context();
std::vector<std::pair<std::string, std::string>> onednn_context();
std::vector<std::pair<std::string, std::string>> xnnpack_context();
std::vector<std::pair<std::string, std::string>> eigen_context();
std::vector<std::pair<std::string, std::string>> adapool_context();

/// Sets the OpenMP thread count of the runtime the peers share (oneDNN and
/// PyTorch both use the system libgomp). Returns false if no runtime is loaded.
bool set_openmp_threads(int threads);

}  // namespace adapool_bench
