// SPDX-License-Identifier: MIT
// The program every consumer project builds, however it found adapool: pool a
// known input and check PyTorch's answer. adaptive_max_pool2d of arange(25)
// viewed 1 x 1 x 5 x 5, to 3 x 3, gives values and indices 6 8 9 16 18 19 21 23 24.

#include <adapool/adapool.hpp>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <vector>

int main() {
  std::vector<float> x(25);
  std::iota(x.begin(), x.end(), 0.0f);
  const auto in = adapool::make_view(x, 1, 1, 5, 5);

  const auto [values, indices] = adapool::adaptive_max_pool2d_with_indices(in, {3, 3});
  const auto mean = adapool::global_avg_pool(in);

  const std::vector<std::int64_t> expected = {6, 8, 9, 16, 18, 19, 21, 23, 24};
  bool ok = indices.values() == expected && mean.values() == std::vector<float>{12.0f};
  for (std::size_t i = 0; i < expected.size(); ++i) ok = ok && values.values()[i] == static_cast<float>(expected[i]);

  std::printf("adapool %d.%d.%d (%s): %s\n", ADAPOOL_VERSION_MAJOR, ADAPOOL_VERSION_MINOR, ADAPOOL_VERSION_PATCH,
              adapool::active_arch_name, ok ? "results as expected" : "WRONG RESULTS");
  return ok ? 0 : 1;
}
