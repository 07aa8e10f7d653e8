// SPDX-License-Identifier: MIT
#pragma once

#include "scalar.hpp"
