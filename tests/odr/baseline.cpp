// SPDX-License-Identifier: MIT
// Built with no -m flags: adapool's SSE2 path, which every x86-64 CPU runs.
#include "pool_file.hpp"

void pool_baseline(const float* input, pooled& out) { pool_all(input, out); }
