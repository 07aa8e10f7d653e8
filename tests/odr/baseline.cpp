// SPDX-License-Identifier: MIT
// Built with no -m flags: runtime dispatch runs the widest of its SSE2, AVX2
// and AVX-512 copies that the CPU has (or the set main() caps it to).
#include "pool_file.hpp"

void pool_baseline(const float* input, pooled& out) { pool_all(input, out); }
