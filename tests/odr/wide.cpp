// SPDX-License-Identifier: MIT
// Built with -march=x86-64-v4: adapool's AVX-512 path.
#include "pool_file.hpp"

void pool_wide(const float* input, pooled& out) { pool_all(input, out); }
