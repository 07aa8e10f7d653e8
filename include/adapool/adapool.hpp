// SPDX-License-Identifier: MIT
#pragma once

// Everything but the optional Eigen interop (adapool/eigen.hpp).

// First, so that a build older than C++17 stops with that message on top.
#include "simd/compiler.hpp"

#include "adaptive_pool.hpp"
#include "backward.hpp"
#include "channel_pool.hpp"
#include "element_types.hpp"
#include "error.hpp"
#include "global_pool.hpp"
#include "layout.hpp"
#include "parallel.hpp"
#include "power_pool.hpp"
#include "simd/arch.hpp"
#include "strategy.hpp"
#include "tensor.hpp"
#include "tensor_view.hpp"
#include "version.hpp"
#include "windows.hpp"

/// \namespace adapool
/// Adaptive, global and channel (depth-wise) pooling of N x C x spatial
/// tensors, forward and backward, with PyTorch's windows, NaN rule and indices.
/// Operations take non-owning views (tensor_view, make_view) of the caller's
/// memory, or return owning tensors (the allocating overloads); a bad argument
/// throws adapool::error before anything is written. Each operation takes an
/// optional instruction set tag (adapool::simd) as its first template argument.
