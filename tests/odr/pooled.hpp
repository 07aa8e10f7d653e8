// SPDX-License-Identifier: MIT
// What one file's run produces, for main.cpp to compare.
#pragma once

#include <cstdint>
#include <string>

// Outputs of one run over a 2 x 16 x 13 x 13 input (`input`, 5408 floats).
struct pooled {
  float avg[2 * 16 * 7 * 7];
  float max[2 * 16 * 7 * 7];
  std::int64_t max_index[2 * 16 * 7 * 7];
  float global_avg[2 * 16];
  float channel_max[2 * 13 * 13];
  std::int64_t channel_index[2 * 13 * 13];
  const char* arch;
  std::string error_message;  // from a deliberately wrong call
};
