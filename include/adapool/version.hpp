// SPDX-License-Identifier: MIT
#pragma once

// CMake reads these three lines to set the package version; keep the format.
#define ADAPOOL_VERSION_MAJOR 0
#define ADAPOOL_VERSION_MINOR 1
#define ADAPOOL_VERSION_PATCH 0

#define ADAPOOL_VERSION (ADAPOOL_VERSION_MAJOR * 10000 + ADAPOOL_VERSION_MINOR * 100 + ADAPOOL_VERSION_PATCH)
