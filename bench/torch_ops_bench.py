# SPDX-License-Identifier: MIT
"""torch.ops.adapool against torch.nn.functional on the standard workloads
(W1 to W12 of the benchmark workload table), as a PyTorch user calls them:
from Python, one thread, under torch.inference_mode(). Each output is checked
once against PyTorch's before timing (maxima and indices exactly, averages
within float rounding); then the two take turns, sample by sample, and the
median time per call of each is printed with adapool's speed-up.

    ADAPOOL_TORCH_OPS=build/examples/pytorch_extension/libadapool_torch_ops.so \\
        /usr/bin/python3 bench/torch_ops_bench.py
"""

import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "pytorch_extension"))
import adapool_torch  # noqa: E402  (the library path comes from the environment)

ops = torch.ops.adapool


def input_tensor(n, c, h, w, channels_last=False):
    generator = torch.Generator().manual_seed(n * 1000003 + c * 1009 + h * 31 + w)
    x = torch.randn(n, c, h, w, generator=generator)
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def as_list(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def check(name, ours, theirs, exact):
    """Raises unless each of adapool's outputs matches PyTorch's."""
    for k, (a, b) in enumerate(zip(as_list(ours), as_list(theirs))):
        if a.shape != b.shape:
            raise AssertionError(f"{name}: output {k} has shape {tuple(a.shape)}, PyTorch's {tuple(b.shape)}")
        if exact:
            torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True, msg=f"{name}: output {k} differs")
        else:
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=f"{name}: output {k} differs")


def calls_per_sample(call, min_sample_seconds):
    """How many calls fill `min_sample_seconds` (after one warm-up call)."""
    call()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            call()
        if time.perf_counter() - start >= min_sample_seconds:
            return calls
        calls *= 2


def median_seconds(calls, samples, min_sample_seconds):
    """The median over `samples` of the mean time per call of each function in
    `calls`. The functions take turns, sample by sample, so that a change in
    the load of a shared machine falls on all of them alike."""
    counts = [calls_per_sample(call, min_sample_seconds) for call in calls]
    times = [[] for _ in calls]
    for _ in range(samples):
        for call, count, record in zip(calls, counts, times):
            start = time.perf_counter()
            for _ in range(count):
                call()
            record.append((time.perf_counter() - start) / count)
    return [statistics.median(record) for record in times]


def workloads():
    """(id, what, PyTorch's call, adapool's call, whether the outputs must be equal bit for bit)."""
    cases = []

    def gap(wid, name, x):
        cases.append((wid, name, lambda: F.adaptive_avg_pool2d(x, 1), lambda: ops.global_avg_pool(x), False))

    gap("W1", "gap_r50 1x2048x7x7", input_tensor(1, 2048, 7, 7))
    gap("W2", "gap_r50_b32 32x2048x7x7", input_tensor(32, 2048, 7, 7))
    gap("W3", "gap_se 1x256x56x56", input_tensor(1, 256, 56, 56))
    gap("W4", "gap_big 1x3x1024x1024", input_tensor(1, 3, 1024, 1024))

    x = input_tensor(1, 2048, 7, 7)
    cases.append(
        (
            "W5",
            "gmp_r50_idx 1x2048x7x7",
            lambda: F.adaptive_max_pool2d(x, 1, return_indices=True),
            lambda: ops.global_max_pool(x),
            True,
        )
    )

    x13 = input_tensor(8, 512, 13, 13)
    cases.append(
        (
            "W6",
            "aap_13to7 8x512x13x13",
            lambda: F.adaptive_avg_pool2d(x13, 7),
            lambda: ops.adaptive_avg_pool2d(x13, [7, 7]),
            False,
        )
    )
    cases.append(
        (
            "W7",
            "amp_13to7_idx 8x512x13x13",
            lambda: F.adaptive_max_pool2d(x13, 7, return_indices=True),
            lambda: ops.adaptive_max_pool2d(x13, [7, 7]),
            True,
        )
    )

    x60 = input_tensor(1, 2048, 60, 60)
    bins = [1, 2, 3, 6]
    for b in bins:
        cases.append(
            (
                "W8",
                f"psp {b}x{b} 1x2048x60x60",
                lambda b=b: F.adaptive_avg_pool2d(x60, b),
                lambda b=b: ops.adaptive_avg_pool2d(x60, [b, b]),
                False,
            )
        )
    cases.append(
        (
            "W8",
            "psp pyramid (1, 2, 3, 6)",
            lambda: [F.adaptive_avg_pool2d(x60, b) for b in bins],
            lambda: ops.adaptive_avg_pool2d_pyramid(x60, bins),
            False,
        )
    )

    x112 = input_tensor(1, 64, 112, 112)
    cases.append(
        (
            "W9",
            "chan_max 1x64x112x112 (amax)",
            lambda: x112.amax(1, keepdim=True),
            lambda: ops.channel_max_pool(x112)[0],
            True,
        )
    )
    cases.append(
        (
            "W9",
            "chan_max, indices (max(1))",
            lambda: x112.max(1, keepdim=True),
            lambda: ops.channel_max_pool(x112),
            True,
        )
    )
    cases.append(
        (
            "W10",
            "chan_mean 1x64x112x112",
            lambda: x112.mean(1, keepdim=True),
            lambda: ops.channel_avg_pool(x112),
            False,
        )
    )

    gap("W11", "gap_r50_nhwc 1x2048x7x7", input_tensor(1, 2048, 7, 7, channels_last=True))
    gap("W12", "gap_se_nhwc 1x256x56x56", input_tensor(1, 256, 56, 56, channels_last=True))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=15, help="timed samples per case (default 15)")
    parser.add_argument("--min-sample-ms", type=float, default=20.0, help="least time per sample (default 20 ms)")
    args = parser.parse_args()

    torch.set_num_threads(1)
    print(
        f"torch {torch.__version__}, adapool instruction set {adapool_torch.instruction_set()}, "
        f"{torch.get_num_threads()} thread, inference mode, median of {args.samples} samples"
    )
    print("load average (1, 5, 15 min) at start: %.2f, %.2f, %.2f" % os.getloadavg())
    print(f"{'id':4} {'workload':31} {'torch.nn.functional':>20} {'torch.ops.adapool':>18} {'speed-up':>9}")
    with torch.inference_mode():
        for wid, name, theirs, ours, exact in workloads():
            check(f"{wid} {name}", ours(), theirs(), exact)
            t_theirs, t_ours = median_seconds([theirs, ours], args.samples, args.min_sample_ms / 1e3)
            print(f"{wid:4} {name:31} {t_theirs * 1e6:17.1f} us {t_ours * 1e6:15.1f} us {t_theirs / t_ours:8.2f}x")
    print("load average (1, 5, 15 min) at end: %.2f, %.2f, %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
