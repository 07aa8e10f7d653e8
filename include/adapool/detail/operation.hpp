// SPDX-License-Identifier: MIT
#pragma once

namespace adapool::detail {

// What a call computes, as far as the plans tell operations apart: the fused
// forms and the pyramid are planned as operations of their own. Outside the
// per-target namespace, so that every copy of the kernels takes the same type.
enum class operation { average, max, average_and_max, pyramid, channel_average, channel_max, channel_max_and_average };

}  // namespace adapool::detail
