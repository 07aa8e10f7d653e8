// SPDX-License-Identifier: MIT
// oneDNN: the pooling primitive for spatial pooling (global pooling is a
// kernel the size of the whole plane) and the reduction primitive for channel
// pooling. Primitives are created once per case, as an inference engine does;
// only execute() is timed. Threads come from the OpenMP runtime oneDNN uses.

#include <dnnl.hpp>

#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "common.hpp"

namespace adapool_bench {

namespace {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::memory::format_tag tag_of(const workload& w) {
  return w.format == memory_format::nhwc ? dnnl::memory::format_tag::nhwc : dnnl::memory::format_tag::nchw;
}

// Input and output are stored as the workload's element type; oneDNN
// accumulates narrow types in float and rounds the result once.
dnnl::memory::data_type data_type_of(const workload& w) {
  switch (w.element) {
    case element_type::f32:
      return dnnl::memory::data_type::f32;
    case element_type::f16:
      return dnnl::memory::data_type::f16;
    case element_type::bf16:
      return dnnl::memory::data_type::bf16;
    case element_type::i8:
      return dnnl::memory::data_type::s8;
  }
  throw std::logic_error("unknown element type");
}

class onednn_case final : public pool_case {
 public:
  onednn_case(const workload& w, int threads) : w_(w), threads_(threads), stream_(cpu_engine()) {
    activate();
    using dims = dnnl::memory::dims;
    const auto type = data_type_of(w);
    const dnnl::memory::desc src_md(dims{w.n, w.c, w.h, w.w}, type, tag_of(w));
    src_ = dnnl::memory(src_md, cpu_engine(), const_cast<void*>(input_data(w)));
    for (const auto& size : w.output_sizes) {
      const std::int64_t channels = w.pooled_channels();
      const dnnl::memory::desc dst_md(dims{w.n, channels, size[0], size[1]}, type, tag_of(w));
      dnnl::primitive primitive;
      if (w.is_channel()) {
        const auto algorithm =
            w.op == op_kind::channel_max ? dnnl::algorithm::reduction_max : dnnl::algorithm::reduction_mean;
        const dnnl::reduction::primitive_desc pd(dnnl::reduction::desc(algorithm, src_md, dst_md, 0.f, 0.f),
                                                 cpu_engine());
        implementation_ = pd.impl_info_str();
        primitive = dnnl::reduction(pd);
      } else {
        // Output sizes divide the input here (see onednn_implementations), so
        // each window is a kernel of in/out with the same stride.
        const dims kernel{w.h / size[0], w.w / size[1]};
        const dnnl::pooling_forward::primitive_desc pd(
            dnnl::pooling_forward::desc(dnnl::prop_kind::forward_inference,
                                        dnnl::algorithm::pooling_avg_exclude_padding, src_md, dst_md, kernel, kernel,
                                        dims{0, 0}, dims{0, 0}),
            cpu_engine());
        implementation_ = pd.impl_info_str();
        primitive = dnnl::pooling_forward(pd);
      }
      dnnl::memory dst(dst_md, cpu_engine());
      primitives_.push_back(primitive);
      arguments_.push_back({{DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, dst}});
      outputs_.push_back(dst);
    }
  }

  void activate() override {
    if (!set_openmp_threads(threads_) && threads_ != 1) {
      throw std::runtime_error("no OpenMP runtime loaded to give oneDNN " + std::to_string(threads_) + " threads");
    }
  }

  void run() override {
    for (std::size_t k = 0; k < primitives_.size(); ++k) primitives_[k].execute(stream_, arguments_[k]);
    stream_.wait();
  }

  pooled result() const override {
    pooled out;
    for (std::size_t k = 0; k < outputs_.size(); ++k) {
      const auto& size = w_.output_sizes[k];
      const std::int64_t count = w_.n * w_.pooled_channels() * size[0] * size[1];
      const auto* bytes = static_cast<const unsigned char*>(outputs_[k].get_data_handle());
      std::vector<float> values(static_cast<std::size_t>(count));
      for (std::int64_t i = 0; i < count; ++i)
        values[static_cast<std::size_t>(i)] = widen_element(bytes, w_.element, i);
      append_logical(out, w_.format, values.data(), nullptr, w_.n, w_.pooled_channels(), size[0], size[1]);
    }
    return out;
  }

  std::string label() const override { return implementation_; }

 private:
  const workload& w_;
  int threads_;
  dnnl::stream stream_;
  dnnl::memory src_;
  std::vector<dnnl::primitive> primitives_;
  std::vector<std::unordered_map<int, dnnl::memory>> arguments_;
  std::vector<dnnl::memory> outputs_;
  std::string implementation_;
};

// Whether oneDNN has a narrow-type implementation for this CPU (its float16
// pooling and reduction need AVX512-FP16), with oneDNN's message when not.
std::string onednn_cannot_create(const workload& w) {
  try {
    onednn_case probe(w, 1);
  } catch (const dnnl::error& e) {
    return std::string("no implementation of this element type for this CPU: ") + e.what();
  }
  return {};
}

std::string onednn_unsupported(const workload& w) {
  if (w.has_indices()) {
    return "no indices: max pooling's training workspace is an opaque, implementation-defined buffer for "
           "oneDNN's own backward pass, not PyTorch's in-plane offsets";
  }
  if (!w.is_channel() && !w.windows_divide()) {
    return "adaptive windows that do not divide the input (13 -> 7: overlapping windows of 2 and 3) are not a "
           "fixed kernel and stride";
  }
  if (w.is_narrow()) return onednn_cannot_create(w);
  return {};
}

}  // namespace

std::vector<implementation> onednn_implementations() {
  return {{"onednn", role::peer, /*threads=*/true, onednn_unsupported,
           [](const workload& w, int threads) -> std::unique_ptr<pool_case> {
             return std::make_unique<onednn_case>(w, threads);
           }}};
}

std::vector<std::pair<std::string, std::string>> onednn_context() {
  const dnnl_version_t* version = dnnl::version();
  return {{"onednn_version", std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
                                 std::to_string(version->patch)}};
}

}  // namespace adapool_bench
