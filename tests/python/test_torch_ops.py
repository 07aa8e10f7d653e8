# SPDX-License-Identifier: MIT
"""torch.ops.adapool against torch.nn.functional, forward and backward.

Maxima and indices must be PyTorch's exactly (NaN and tie rules included),
averages within float rounding; gradients must be those of autograd through
torch.nn.functional bit for bit (the pyramid's, a sum of several, within
rounding), and pass gradcheck in double. Every
case runs on contiguous, channels-last and sliced (non-contiguous) input.
The library comes from $ADAPOOL_TORCH_OPS (ctest sets it); without it the
module is skipped.
"""

import os
import sys

import pytest
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "pytorch_extension"))
try:
    import adapool_torch as ap
except ImportError as missing:
    if "adapool_torch_ops is not built" not in str(missing):
        raise
    pytest.skip(str(missing), allow_module_level=True)

ops = torch.ops.adapool
LAYOUTS = ("contiguous", "channels_last", "sliced")


def arrange(x, layout):
    """The values of x in the given memory layout, as a leaf tensor."""
    if layout == "contiguous":
        out = x.contiguous()
    elif layout == "channels_last":
        # channels fastest, whatever the rank (torch.channels_last for 4-d)
        out = x.movedim(1, -1).contiguous().movedim(-1, 1)
    else:
        # inside a bigger tensor: every other element of the last axis, from channel 1 on
        shape = list(x.shape)
        shape[1] += 1
        shape[-1] *= 2
        big = torch.full(shape, 1e3, dtype=x.dtype)
        index = [slice(None), slice(1, None)] + [slice(None)] * (x.dim() - 3) + [slice(None, None, 2)]
        big[tuple(index)] = x
        out = big[tuple(index)]
        assert not out.is_contiguous()
    assert torch.equal(out, x) or torch.isnan(x).any()
    return out.detach().requires_grad_(x.dtype.is_floating_point)


def tie_heavy(shape, dtype=torch.float32, seed=0):
    """Small integers: most windows hold several equal maxima."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(-4, 5, shape, generator=generator).to(dtype)


def smooth(shape, dtype=torch.float32, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)


def distinct(shape, seed=0):
    """Well separated values in double, so that gradcheck's steps never reorder a window."""
    generator = torch.Generator().manual_seed(seed)
    count = 1
    for s in shape:
        count *= s
    return (torch.randperm(count, generator=generator).to(torch.float64) / 8).reshape(shape)


def assert_exact(actual, expected):
    torch.testing.assert_close(actual, expected, rtol=0, atol=0, equal_nan=True)


def assert_mean_close(actual, expected):
    tolerance = {torch.float32: (2e-6, 1e-6), torch.float64: (1e-13, 1e-13)}[expected.dtype]
    torch.testing.assert_close(actual, expected, rtol=tolerance[0], atol=tolerance[1], equal_nan=True)


def gradients(outputs, x, seed=1):
    """d(sum(outputs * g)) / dx for fixed random g, one per output."""
    generator = torch.Generator().manual_seed(seed)
    grads = [torch.randn(o.shape, generator=generator, dtype=torch.float64).to(o.dtype) for o in outputs]
    (result,) = torch.autograd.grad(outputs, x, grads, retain_graph=True)
    return result


SIZES_1D = [(13, 7), (5, 3), (2, 3), (10, 1), (6, 6)]
SIZES_2D = [
    ((13, 13), (7, 7)),
    ((5, 5), (3, 3)),
    ((2, 2), (3, 3)),
    ((7, 9), (1, 4)),
    ((8, 8), (8, 8)),
    ((6, 5), (1, 1)),
]
SIZES_3D = [((5, 4, 3), (3, 2, 3)), ((2, 5, 7), (3, 3, 1)), ((4, 4, 4), (1, 1, 1))]
CASES = (
    [(1, (2, 5, i), (o,)) for i, o in SIZES_1D]
    + [(2, (2, 5) + i, o) for i, o in SIZES_2D]
    + [(3, (2, 3) + i, o) for i, o in SIZES_3D]
)
CASE_IDS = [f"{d}d-{'x'.join(map(str, s[2:]))}-to-{'x'.join(map(str, o))}" for d, s, o in CASES]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dims, shape, out", CASES, ids=CASE_IDS)
def test_adaptive_avg_forward_and_backward(dims, shape, out, layout):
    reference = getattr(F, f"adaptive_avg_pool{dims}d")
    op = getattr(ops, f"adaptive_avg_pool{dims}d")
    for dtype in (torch.float32, torch.float64):
        x = arrange(smooth(shape, dtype), layout)
        ours, theirs = op(x, out), reference(x, out)
        assert ours.shape == theirs.shape and ours.dtype == dtype
        assert_mean_close(ours, theirs)
        assert_exact(gradients([ours], x), gradients([theirs], x))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dims, shape, out", CASES, ids=CASE_IDS)
def test_adaptive_max_forward_and_backward(dims, shape, out, layout):
    reference = getattr(F, f"adaptive_max_pool{dims}d")
    op = getattr(ops, f"adaptive_max_pool{dims}d")
    for dtype in (torch.float32, torch.float64):
        x = arrange(tie_heavy(shape, dtype), layout)
        values, indices = op(x, out)
        ref_values, ref_indices = reference(x, out, return_indices=True)
        assert indices.dtype == torch.int64 and not indices.requires_grad
        assert_exact(values, ref_values)
        assert_exact(indices, ref_indices)
        assert_exact(gradients([values], x), gradients([ref_values], x))


def test_channels_last_stays_channels_last():
    x = smooth((2, 16, 9, 9)).contiguous(memory_format=torch.channels_last)
    for result in (ops.adaptive_avg_pool2d(x, [4, 4]), *ops.adaptive_max_pool2d(x, [4, 4])):
        assert result.is_contiguous(memory_format=torch.channels_last)
        assert not result.is_contiguous()


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_nan_and_infinity_follow_pytorch(dims):
    # 2 x 3 x 6..., pooled to 4...: windows of 2 or 3 elements that overlap.
    shape = (2, 3) + (6,) * dims
    out = [4] * dims
    x = tie_heavy(shape)
    flat = x.view(2, 3, -1)
    flat[0, 0, 0] = float("nan")
    flat[0, 0, 1] = float("nan")  # two NaNs in a window: the index is the last's
    flat[0, 1, :] = float("-inf")  # windows of -inf only: the first element's index
    flat[1, 2, 3] = float("inf")
    flat[1, 2, 5] = float("nan")  # NaN after +inf in one window
    for layout in LAYOUTS:
        xl = arrange(x, layout)
        values, indices = getattr(ops, f"adaptive_max_pool{dims}d")(xl, out)
        ref_values, ref_indices = getattr(F, f"adaptive_max_pool{dims}d")(xl, out, return_indices=True)
        assert torch.isnan(values).any() and torch.isneginf(values).any()
        assert_exact(values, ref_values)
        assert_exact(indices, ref_indices)
        avg = getattr(ops, f"adaptive_avg_pool{dims}d")(xl, out)
        assert_mean_close(avg, getattr(F, f"adaptive_avg_pool{dims}d")(xl, out))
        assert_exact(gradients([values], xl), gradients([ref_values], xl))


def test_gradcheck_in_double():
    cases = [
        (lambda x: ops.adaptive_avg_pool1d(x, [3]), (2, 3, 5)),
        (lambda x: ops.adaptive_avg_pool2d(x, [3, 3]), (2, 3, 5, 5)),
        (lambda x: ops.adaptive_avg_pool2d(x, [3, 2]), (1, 2, 2, 3)),
        (lambda x: ops.adaptive_avg_pool3d(x, [2, 3, 1]), (1, 2, 3, 4, 2)),
        (lambda x: ops.adaptive_max_pool1d(x, [3])[0], (2, 3, 5)),
        (lambda x: ops.adaptive_max_pool2d(x, [7, 7])[0], (1, 2, 13, 13)),
        (lambda x: ops.adaptive_max_pool2d(x, [3, 3])[0], (1, 2, 2, 2)),
        (lambda x: ops.adaptive_max_pool3d(x, [2, 2, 3])[0], (1, 2, 3, 3, 5)),
        (lambda x: ops.global_avg_pool(x), (2, 3, 4, 5)),
        (lambda x: ops.global_max_pool(x)[0], (2, 3, 4, 5)),
        (lambda x: ops.channel_avg_pool(x, 3), (2, 5, 3, 2)),
        (lambda x: ops.channel_max_pool(x, 3)[0], (2, 5, 3, 2)),
        (lambda x: ops.adaptive_avg_max_pool2d(x, [3, 3])[:2], (1, 2, 5, 5)),
        (lambda x: ops.adaptive_concat_pool2d(x, [2, 3]), (1, 2, 5, 5)),
        (lambda x: ops.channel_max_avg_pool(x), (2, 4, 3, 3)),
        (lambda x: ops.adaptive_avg_pool2d_pyramid(x, [1, 2, 3]), (1, 2, 5, 5)),
    ]
    for index, (function, shape) in enumerate(cases):
        for layout in ("contiguous", "channels_last"):
            x = arrange(distinct(shape, seed=index), layout)
            assert torch.autograd.gradcheck(function, (x,), eps=1e-6, atol=1e-8), (index, layout)


def test_gradgradcheck_in_double():
    cases = [
        (lambda x: ops.adaptive_avg_pool1d(x, [3]), (1, 2, 5)),
        (lambda x: ops.adaptive_avg_pool2d(x, [3, 3]), (1, 2, 5, 5)),
        (lambda x: ops.adaptive_avg_pool3d(x, [2, 3, 1]), (1, 2, 3, 4, 2)),
        (lambda x: ops.adaptive_max_pool1d(x, [3])[0], (1, 2, 5)),
        (lambda x: ops.adaptive_max_pool2d(x, [3, 3])[0], (1, 2, 5, 5)),
        (lambda x: ops.adaptive_max_pool3d(x, [2, 2, 3])[0], (1, 2, 3, 3, 5)),
        (lambda x: ops.global_avg_pool(x), (1, 3, 4, 5)),
        (lambda x: ops.global_max_pool(x)[0], (1, 3, 4, 5)),
        (lambda x: ops.channel_avg_pool(x, 3), (1, 5, 3, 2)),
        (lambda x: ops.channel_max_pool(x, 3)[0], (1, 5, 3, 2)),
        (lambda x: ops.adaptive_concat_pool2d(x, [2, 3]), (1, 2, 5, 5)),
        (lambda x: ops.adaptive_avg_pool2d_pyramid(x, [1, 2, 3]), (1, 2, 5, 5)),
    ]
    for index, (function, shape) in enumerate(cases):
        x = arrange(distinct(shape, seed=index), "channels_last")
        assert torch.autograd.gradgradcheck(function, (x,), eps=1e-6, atol=1e-8), index


@pytest.mark.parametrize("pool", ["avg", "max"])
def test_gradient_penalty_matches_pytorch(pool):
    # A WGAN-GP style penalty differentiates a gradient: it needs the backward's own backward.
    def penalty(pooling, x):
        y = pooling(torch.tanh(x))
        (g,) = torch.autograd.grad((y * y).sum(), x, create_graph=True)
        (result,) = torch.autograd.grad((g * g).sum(), x)
        return result

    x = arrange(tie_heavy((2, 3, 13, 13)) / 3 + smooth((2, 3, 13, 13)) / 100, "channels_last")
    if pool == "avg":
        ours, theirs = (lambda t: ops.adaptive_avg_pool2d(t, [7, 7])), (lambda t: F.adaptive_avg_pool2d(t, 7))
    else:
        ours, theirs = (lambda t: ops.adaptive_max_pool2d(t, [7, 7])[0]), (lambda t: F.adaptive_max_pool2d(t, 7))
    torch.testing.assert_close(penalty(ours, x), penalty(theirs, x), rtol=1e-5, atol=1e-6)


def test_gradient_of_a_sum_reads_an_expanded_grad_output():
    # y.sum().backward() hands the backward a grad_output of stride 0.
    x = arrange(tie_heavy((2, 3, 13, 13)), "contiguous")

    def grad_of_sum(pooled):
        x.grad = None
        pooled.sum().backward()
        return x.grad

    ours = grad_of_sum(ops.adaptive_avg_pool2d(x, [7, 7]))
    assert_mean_close(ours, grad_of_sum(F.adaptive_avg_pool2d(x, 7)))
    ours = grad_of_sum(ops.adaptive_max_pool2d(x, [7, 7])[0])
    assert_exact(ours, grad_of_sum(F.adaptive_max_pool2d(x, 7)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("rank", [3, 4, 5])
def test_global_pooling(rank, layout):
    shape = (2, 6) + (5, 4, 3)[: rank - 2]
    dims = rank - 2
    ones = [1] * dims
    x = arrange(tie_heavy(shape), layout)
    avg = ops.global_avg_pool(x)
    ref_avg = getattr(F, f"adaptive_avg_pool{dims}d")(x, ones)
    assert_mean_close(avg, ref_avg)
    assert_exact(gradients([avg], x), gradients([ref_avg], x))
    values, indices = ops.global_max_pool(x)
    ref_values, ref_indices = getattr(F, f"adaptive_max_pool{dims}d")(x, ones, return_indices=True)
    assert_exact(values, ref_values)
    assert_exact(indices, ref_indices)
    assert_exact(gradients([values], x), gradients([ref_values], x))


def channel_reference(x, out_channels, pool):
    """The README's recipe: the channel axis as a 1-d signal per pixel."""
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    rows = x.movedim(1, -1).reshape(-1, 1, c)
    pooled = pool(rows, out_channels)
    if isinstance(pooled, tuple):
        return tuple(p.reshape(n, *spatial, out_channels).movedim(-1, 1) for p in pooled)
    return pooled.reshape(n, *spatial, out_channels).movedim(-1, 1)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("channels, out_channels", [(5, 1), (13, 7), (5, 3), (2, 3), (8, 8)])
def test_channel_pooling(channels, out_channels, layout):
    x = arrange(tie_heavy((2, channels, 3, 4)), layout)
    avg = ops.channel_avg_pool(x, out_channels)
    ref_avg = channel_reference(x, out_channels, F.adaptive_avg_pool1d)
    assert_mean_close(avg, ref_avg)
    assert_exact(gradients([avg], x), gradients([ref_avg], x))
    values, indices = ops.channel_max_pool(x, out_channels)
    ref_values, ref_indices = channel_reference(
        x, out_channels, lambda t, s: F.adaptive_max_pool1d(t, s, return_indices=True)
    )
    assert_exact(values, ref_values)
    assert_exact(indices, ref_indices)
    assert_exact(gradients([values], x), gradients([ref_values], x))
    if out_channels == 1:
        assert_exact(values, x.amax(1, keepdim=True))
        assert_mean_close(avg, x.mean(1, keepdim=True))


def test_channel_pooling_nan_and_default_width():
    x = tie_heavy((1, 6, 2, 3))
    x[0, 1, 0, 0] = float("nan")
    x[0, 4, 0, 0] = float("nan")
    for layout in LAYOUTS:
        values, indices = ops.channel_max_pool(arrange(x, layout))
        assert values.shape == (1, 1, 2, 3)
        assert torch.isnan(values[0, 0, 0, 0]) and indices[0, 0, 0, 0] == 4
        assert_exact(values, x.amax(1, keepdim=True))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("size, out", [((13, 13), (7, 7)), ((5, 5), (3, 3)), ((2, 2), (3, 3)), ((7, 7), (1, 1))])
def test_fused_adaptive_avg_max_and_concat(size, out, layout):
    x = arrange(tie_heavy((2, 5) + size), layout)
    avg, values, indices = ops.adaptive_avg_max_pool2d(x, out)
    ref_avg = F.adaptive_avg_pool2d(x, out)
    ref_values, ref_indices = F.adaptive_max_pool2d(x, out, return_indices=True)
    assert_mean_close(avg, ref_avg)
    assert_exact(values, ref_values)
    assert_exact(indices, ref_indices)
    assert_exact(gradients([avg, values], x), gradients([ref_avg, ref_values], x))
    assert_exact(gradients([avg], x), gradients([ref_avg], x))  # one output unused
    assert_exact(gradients([values], x), gradients([ref_values], x))

    concat = ops.adaptive_concat_pool2d(x, out)
    ref_concat = torch.cat([ref_values, ref_avg], 1)
    assert concat.shape == (2, 10) + out
    assert_mean_close(concat, ref_concat)
    assert_exact(gradients([concat], x), gradients([ref_concat], x))
    with torch.no_grad():
        assert_mean_close(ops.adaptive_concat_pool2d(x, out), ref_concat)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fused_channel_max_avg(layout):
    x = arrange(tie_heavy((2, 7, 5, 3)), layout)
    stacked = ops.channel_max_avg_pool(x)
    reference = torch.cat([x.amax(1, keepdim=True), x.mean(1, keepdim=True)], 1)
    assert stacked.shape == (2, 2, 5, 3)
    assert_mean_close(stacked, reference)
    # amax splits a tied gradient among the maxima; adapool's max, as max pooling's, gives it to the first.
    ref_max = channel_reference(x, 1, lambda t, s: F.adaptive_max_pool1d(t, s))
    reference = torch.cat([ref_max, x.mean(1, keepdim=True)], 1)
    assert_exact(gradients([stacked], x), gradients([reference], x))
    with torch.inference_mode():
        assert_mean_close(ops.channel_max_avg_pool(x.detach()), reference.detach())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pyramid(layout):
    bins = [1, 2, 3, 6]
    x = arrange(smooth((2, 4, 13, 11)), layout)
    levels = ops.adaptive_avg_pool2d_pyramid(x, bins)
    references = [F.adaptive_avg_pool2d(x, b) for b in bins]
    assert len(levels) == len(bins)
    for level, reference in zip(levels, references):
        assert_mean_close(level, reference)
    # The levels' gradients are added in another order than autograd adds them: rounding apart.
    assert_mean_close(gradients(levels, x), gradients(references, x))
    assert_mean_close(gradients(levels[1:3], x), gradients(references[1:3], x))


def test_narrow_types_forward():
    x = tie_heavy((2, 5, 13, 13))
    for dtype in (torch.float16, torch.bfloat16):
        xn = x.to(dtype).contiguous(memory_format=torch.channels_last)
        values, indices = ops.adaptive_max_pool2d(xn, [7, 7])
        ref_values, ref_indices = F.adaptive_max_pool2d(x, 7, return_indices=True)
        assert values.dtype == dtype
        assert_exact(values, ref_values.to(dtype))
        assert_exact(indices, ref_indices)
        avg = ops.adaptive_avg_pool2d(xn, [7, 7])
        torch.testing.assert_close(avg, F.adaptive_avg_pool2d(x, 7).to(dtype))
    for dtype in (torch.int8, torch.uint8):
        xi = (x + 4).to(dtype) if dtype == torch.uint8 else x.to(dtype)
        values, indices = ops.adaptive_max_pool2d(xi, [7, 7])
        ref_values, ref_indices = F.adaptive_max_pool2d(xi.double(), 7, return_indices=True)
        assert values.dtype == dtype
        assert_exact(values, ref_values.to(dtype))
        assert_exact(indices, ref_indices)
        # integer means round to nearest, ties to even, as torch.round does
        avg = ops.adaptive_avg_pool2d(xi, [7, 7])
        assert_exact(avg, torch.round(F.adaptive_avg_pool2d(xi.double(), 7)).to(dtype))


def test_backward_operators_match_aten():
    x = smooth((2, 3, 13, 13))
    grad = smooth((2, 3, 7, 7), seed=3)
    _, indices = ops.adaptive_max_pool2d(x, [7, 7])
    aten = torch.ops.aten
    ours = ops.adaptive_max_pool2d_backward(grad, x, indices)
    assert_exact(ours, aten.adaptive_max_pool2d_backward(grad, x, indices))
    assert_exact(ops.adaptive_avg_pool2d_backward(grad, x), aten._adaptive_avg_pool2d_backward(grad, x))


def test_errors_name_the_operation():
    with pytest.raises(Exception, match="adaptive_avg_pool2d"):
        ops.adaptive_avg_pool2d(torch.zeros(2, 3, 4), [2, 2])
    with pytest.raises(Exception, match="adaptive_max_pool2d"):
        ops.adaptive_max_pool2d(torch.zeros(2, 3, 4, 4, dtype=torch.int32), [2, 2])
    with pytest.raises(Exception, match="adaptive_max_pool2d_backward"):
        ops.adaptive_max_pool2d_backward(torch.zeros(1, 1, 1, 1), torch.zeros(1, 1, 2, 2), torch.full((1, 1, 1, 1), 4))


def test_empty_batch_and_inference_mode():
    with torch.inference_mode():
        x = torch.zeros(0, 3, 5, 5)
        assert ops.adaptive_avg_pool2d(x, [3, 3]).shape == (0, 3, 3, 3)
        values, indices = ops.adaptive_max_pool2d(x, [3, 3])
        assert values.shape == indices.shape == (0, 3, 3, 3)
        y = smooth((1, 3, 5, 5))
        assert_mean_close(ops.adaptive_avg_pool2d(y, [3, 3]), F.adaptive_avg_pool2d(y, 3))


def test_python_wrappers_and_modules():
    x = arrange(tie_heavy((2, 4, 13, 13)), "channels_last")
    assert_exact(ap.adaptive_max_pool2d(x, (7, None)), F.adaptive_max_pool2d(x, (7, None)))
    assert_exact(ap.adaptive_max_pool2d(x[0], 5), F.adaptive_max_pool2d(x[0], 5))  # unbatched
    assert_mean_close(ap.adaptive_avg_pool1d(x[:, :, 0], 4), F.adaptive_avg_pool1d(x[:, :, 0], 4))
    module = ap.AdaptiveMaxPool2d((3, 5), return_indices=True)
    assert isinstance(module, torch.nn.AdaptiveMaxPool2d)
    values, indices = module(x)
    assert_exact(indices, F.adaptive_max_pool2d(x, (3, 5), return_indices=True)[1])
    model = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(2), torch.nn.Flatten())
    assert ap.replace_pooling(model) is model and type(model[0]) is ap.AdaptiveAvgPool2d
    assert model[0].output_size == 2
    assert ap.ChannelMaxPool(2, return_indices=True)(x)[1].shape == (2, 2, 13, 13)
    assert ap.AdaptiveConcatPool2d()(x).shape == (2, 8, 1, 1)
    assert [t.shape[-1] for t in ap.PyramidAvgPool2d((1, 3))(x)] == [1, 3]
    assert ap.instruction_set() in ("scalar", "sse2", "avx2", "avx512f", "neon")
