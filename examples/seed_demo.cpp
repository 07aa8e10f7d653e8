// SPDX-License-Identifier: MIT
// The walkthrough: one 1 x 8 x 4 x 4 feature map, pooled three ways, printed the
// way PyTorch prints tensors. The same numbers in Python:
//
//   import torch, torch.nn.functional as F
//   i = torch.arange(128.)
//   x = ((i * i + 3 * i) % 101).reshape(1, 8, 4, 4)
//   F.adaptive_avg_pool2d(x, 1).view(1, 8)    # global average pooling
//   F.adaptive_max_pool2d(x, 1).view(1, 8)    # global max pooling
//   x.amax(1, keepdim=True).view(1, 16)       # global depth-wise (channel) max
//
// Every result is also checked against plain loops; the exit code says whether
// they agree.

#include <adapool/adapool.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace {

// Prints `values` as a rows x cols tensor in the style of PyTorch's repr:
// integral floats as "7.", others with 4 decimals, columns right-aligned and
// lines wrapped at 80 characters.
void print_tensor(const char* label, const std::vector<float>& values, int rows, int cols) {
  const bool integral =
      std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v) && v == std::floor(v); });
  std::vector<std::string> text;
  std::size_t width = 0;
  for (float v : values) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, integral ? "%.0f." : "%.4f", static_cast<double>(v));
    text.emplace_back(buffer);
    width = std::max(width, text.back().size());
  }
  const int per_line = std::max(1, static_cast<int>((80 - 8) / (width + 2)));
  std::printf("%s\ntensor([", label);
  for (int r = 0; r < rows; ++r) {
    std::printf(r == 0 ? "[" : ",\n        [");
    for (int c = 0; c < cols; ++c) {
      if (c != 0) std::printf(c % per_line == 0 ? ",\n         " : ", ");
      const std::string& t = text[static_cast<std::size_t>(r * cols + c)];
      std::printf("%*s", static_cast<int>(width), t.c_str());
    }
    std::printf("]");
  }
  std::printf("])\n");
}

std::string size_string(const std::array<std::int64_t, 4>& shape) {
  return "torch.Size([" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + ", " + std::to_string(shape[2]) +
         ", " + std::to_string(shape[3]) + "])";
}

// One result: what it is, its PyTorch spelling, its shape, then its values as rows x cols.
void show(const char* call, const char* torch_call, const adapool::tensor<float, 4>& result, int rows, int cols) {
  std::printf("\n%-22s # %s\n", call, torch_call);
  const std::string size = size_string(result.shape());
  const std::string label = size + ", viewed as " + std::to_string(rows) + " x " + std::to_string(cols) + ":";
  print_tensor(label.c_str(), result.values(), rows, cols);
}

int failures = 0;

void expect_equal(const char* what, const std::vector<float>& got, const std::vector<float>& expected) {
  if (got == expected) return;
  std::printf("MISMATCH in %s\n", what);
  ++failures;
}

}  // namespace

int main() {
  std::printf("adapool %d.%d.%d, instruction set: %s\n\n", ADAPOOL_VERSION_MAJOR, ADAPOOL_VERSION_MINOR,
              ADAPOOL_VERSION_PATCH, adapool::active_arch());

  // [readme:seed]
  // An owning 1 x 8 x 4 x 4 tensor, NCHW; x(n, c, h, w) indexes it like x[n, c, h, w].
  adapool::tensor<float, 4> x({1, 8, 4, 4});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>((i * i + 3 * i) % 101);

  // Global average and global max: one value per channel, 1 x 8 x 1 x 1.
  const auto avg = adapool::global_avg_pool(x.view());
  const auto max = adapool::global_max_pool(x.view());
  // Global depth-wise max: one value per pixel, the max over the 8 channels, 1 x 1 x 4 x 4.
  const auto depth_max = adapool::channel_max_pool(x.view());
  // [readme-end]

  std::printf("x = ((i * i + 3 * i) %% 101).reshape(1, 8, 4, 4)  # %s\n", size_string(x.shape()).c_str());
  show("global_avg_pool(x)", "F.adaptive_avg_pool2d(x, 1)", avg, 1, 8);
  show("global_max_pool(x)", "F.adaptive_max_pool2d(x, 1)", max, 1, 8);
  show("channel_max_pool(x)", "x.amax(1, keepdim=True)", depth_max, 1, 16);

  // The same three reductions as plain loops. These inputs are small integers,
  // so every sum is exact in float and the results must match bit for bit.
  const float lowest = -std::numeric_limits<float>::infinity();
  std::vector<float> expected_avg(8), expected_max(8, lowest), expected_depth_max(16, lowest);
  for (int c = 0; c < 8; ++c) {
    float sum = 0;
    for (int p = 0; p < 16; ++p) {
      const float v = x(0, c, p / 4, p % 4);
      sum += v;
      expected_max[c] = std::max(expected_max[c], v);
      expected_depth_max[p] = std::max(expected_depth_max[p], v);
    }
    expected_avg[c] = sum / 16;
  }
  expect_equal("global_avg_pool", avg.values(), expected_avg);
  expect_equal("global_max_pool", max.values(), expected_max);
  expect_equal("channel_max_pool", depth_max.values(), expected_depth_max);
  const bool shapes_ok = avg.shape() == std::array<std::int64_t, 4>{1, 8, 1, 1} &&
                         max.shape() == std::array<std::int64_t, 4>{1, 8, 1, 1} &&
                         depth_max.shape() == std::array<std::int64_t, 4>{1, 1, 4, 4};
  if (!shapes_ok) {
    std::printf("MISMATCH in the output shapes\n");
    ++failures;
  }
  if (failures != 0) return 1;
  std::printf("\nall results match plain loops\n");
  return 0;
}
