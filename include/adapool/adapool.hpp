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
#include "tensor.hpp"
#include "tensor_view.hpp"
#include "version.hpp"
#include "windows.hpp"
