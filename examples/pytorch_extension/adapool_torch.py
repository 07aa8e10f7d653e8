# SPDX-License-Identifier: MIT
"""adapool's pooling for PyTorch: functions and nn.Modules over torch.ops.adapool.

Importing this module loads the compiled operators (the shared library
``adapool_torch_ops``) into ``torch.ops.adapool``: from the path in the
environment variable ``ADAPOOL_TORCH_OPS``, else from this module's folder.

The functions mirror ``torch.nn.functional`` (same arguments, same results:
maxima and indices bit for bit, averages at least as accurate), and the
modules are drop-in replacements for ``nn.AdaptiveAvgPool2d`` and friends
(subclasses of them, so ``isinstance`` checks, ``repr`` and ``state_dict``
are unchanged); ``replace_pooling(model)`` swaps them in. Every operation has
a gradient through adapool's backward kernels, and that gradient has one too
(``create_graph=True``). Tensors on another device than the CPU go to
``torch.nn.functional`` instead, where it has the operation.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

ENVIRONMENT_VARIABLE = "ADAPOOL_TORCH_OPS"
_LIBRARY_FILES = ("libadapool_torch_ops.so", "adapool_torch_ops.so", "libadapool_torch_ops.dylib")


def library_path():
    """The compiled operators' path: $ADAPOOL_TORCH_OPS if set and not empty,
    else the library in this module's folder; None when there is none."""
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    if path:
        return path
    here = os.path.dirname(os.path.abspath(__file__))
    for name in _LIBRARY_FILES:
        candidate = os.path.join(here, name)
        if os.path.exists(candidate):
            return candidate
    return None


def _load():
    path = library_path()
    if path is None:
        raise ImportError(
            "adapool_torch_ops is not built or not found: build the CMake target adapool_torch_ops "
            f"and set {ENVIRONMENT_VARIABLE} to its path, or copy it next to {__file__}"
        )
    torch.ops.load_library(path)


_load()
ops = torch.ops.adapool


def instruction_set():
    """The instruction set adapool's kernels were compiled for in the loaded library (e.g. 'sse2')."""
    return ops.instruction_set()


def _output_size(input, output_size, spatial):
    """An int or a tuple (None keeps that axis' input size), as torch.nn.functional takes it."""
    if isinstance(output_size, int):
        return [output_size] * spatial
    sizes = list(output_size)
    if len(sizes) != spatial:
        raise ValueError(f"output_size {output_size} should have {spatial} entries")
    return [input.shape[input.dim() - spatial + k] if s is None else s for k, s in enumerate(sizes)]


def _adaptive(name, fallback, input, output_size, spatial, **fallback_options):
    if input.device.type != "cpu":
        return fallback(input, output_size, **fallback_options)
    sizes = _output_size(input, output_size, spatial)
    op = getattr(ops, name)
    if input.dim() == spatial + 1:  # unbatched, as torch.nn.functional accepts it
        result = op(input.unsqueeze(0), sizes)
        return tuple(t.squeeze(0) for t in result) if isinstance(result, tuple) else result.squeeze(0)
    return op(input, sizes)


def adaptive_avg_pool1d(input, output_size):
    """``F.adaptive_avg_pool1d``: N x C x L (or C x L) -> N x C x output_size."""
    return _adaptive("adaptive_avg_pool1d", F.adaptive_avg_pool1d, input, output_size, 1)


def adaptive_avg_pool2d(input, output_size):
    """``F.adaptive_avg_pool2d``: N x C x H x W (or C x H x W) -> N x C x output_size."""
    return _adaptive("adaptive_avg_pool2d", F.adaptive_avg_pool2d, input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    """``F.adaptive_avg_pool3d``: N x C x D x H x W (or C x D x H x W) -> N x C x output_size."""
    return _adaptive("adaptive_avg_pool3d", F.adaptive_avg_pool3d, input, output_size, 3)


def _adaptive_max(spatial, fallback, input, output_size, return_indices):
    values, indices = _adaptive(
        f"adaptive_max_pool{spatial}d", fallback, input, output_size, spatial, return_indices=True
    )
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """``F.adaptive_max_pool1d``; indices (int64) are offsets within each input row."""
    return _adaptive_max(1, F.adaptive_max_pool1d, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """``F.adaptive_max_pool2d``; indices (int64) are offsets ``h * W + w`` within each plane."""
    return _adaptive_max(2, F.adaptive_max_pool2d, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """``F.adaptive_max_pool3d``; indices (int64) are offsets ``(d * H + h) * W + w`` within each volume."""
    return _adaptive_max(3, F.adaptive_max_pool3d, input, output_size, return_indices)


def global_avg_pool(input):
    """The mean of every plane, N x C x S... -> N x C x 1...: ``x.mean(spatial dims, keepdim=True)``."""
    return ops.global_avg_pool(input)


def global_max_pool(input, return_indices=False):
    """The max of every plane, N x C x 1..., with in-plane indices if asked (``F.adaptive_max_pool2d(x, 1)``)."""
    values, indices = ops.global_max_pool(input)
    return (values, indices) if return_indices else values


def channel_avg_pool(input, out_channels=1):
    """Mean over adaptive windows of channels, N x C x S... -> N x out_channels x S...
    (``x.mean(1, keepdim=True)`` for one output channel)."""
    return ops.channel_avg_pool(input, out_channels)


def channel_max_pool(input, out_channels=1, return_indices=False):
    """Max over adaptive windows of channels; indices are channels in [0, C)
    (``x.max(1, keepdim=True)`` for one output channel, but with PyTorch's pooling rules for ties and NaN)."""
    values, indices = ops.channel_max_pool(input, out_channels)
    return (values, indices) if return_indices else values


def adaptive_avg_max_pool2d(input, output_size):
    """Average, max and the max's indices of the same windows, reading the input once."""
    return ops.adaptive_avg_max_pool2d(input, _output_size(input, output_size, 2))


def adaptive_concat_pool2d(input, output_size=1):
    """fastai's AdaptiveConcatPool2d: ``torch.cat([adaptive max, adaptive avg], 1)``, N x 2C x output_size."""
    return ops.adaptive_concat_pool2d(input, _output_size(input, output_size, 2))


def channel_max_avg_pool(input):
    """CBAM's spatial-attention input: ``torch.cat([x.amax(1, keepdim=True), x.mean(1, keepdim=True)], 1)``."""
    return ops.channel_max_avg_pool(input)


def adaptive_avg_pool2d_pyramid(input, bins=(1, 2, 3, 6)):
    """PSPNet's pyramid: ``[F.adaptive_avg_pool2d(x, b) for b in bins]``, reading each plane once."""
    return ops.adaptive_avg_pool2d_pyramid(input, list(bins))


class AdaptiveAvgPool1d(nn.AdaptiveAvgPool1d):
    """``nn.AdaptiveAvgPool1d`` computed by adapool."""

    def forward(self, input):
        return adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(nn.AdaptiveAvgPool2d):
    """``nn.AdaptiveAvgPool2d`` computed by adapool."""

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(nn.AdaptiveAvgPool3d):
    """``nn.AdaptiveAvgPool3d`` computed by adapool."""

    def forward(self, input):
        return adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool1d(nn.AdaptiveMaxPool1d):
    """``nn.AdaptiveMaxPool1d`` (with ``return_indices``) computed by adapool."""

    def forward(self, input):
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(nn.AdaptiveMaxPool2d):
    """``nn.AdaptiveMaxPool2d`` (with ``return_indices``) computed by adapool."""

    def forward(self, input):
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(nn.AdaptiveMaxPool3d):
    """``nn.AdaptiveMaxPool3d`` (with ``return_indices``) computed by adapool."""

    def forward(self, input):
        return adaptive_max_pool3d(input, self.output_size, self.return_indices)


class GlobalAvgPool(nn.Module):
    """Mean of every plane, N x C x S... -> N x C x 1... (any of 1 to 3 spatial axes)."""

    def forward(self, input):
        return global_avg_pool(input)


class GlobalMaxPool(nn.Module):
    """Max of every plane, N x C x S... -> N x C x 1..., with indices if ``return_indices``."""

    def __init__(self, return_indices=False):
        super().__init__()
        self.return_indices = return_indices

    def forward(self, input):
        return global_max_pool(input, self.return_indices)

    def extra_repr(self):
        return f"return_indices={self.return_indices}"


class ChannelAvgPool(nn.Module):
    """Depth-wise mean: N x C x S... -> N x out_channels x S... over adaptive windows of channels."""

    def __init__(self, out_channels=1):
        super().__init__()
        self.out_channels = out_channels

    def forward(self, input):
        return channel_avg_pool(input, self.out_channels)

    def extra_repr(self):
        return f"out_channels={self.out_channels}"


class ChannelMaxPool(nn.Module):
    """Depth-wise max: N x C x S... -> N x out_channels x S..., with channel indices if ``return_indices``."""

    def __init__(self, out_channels=1, return_indices=False):
        super().__init__()
        self.out_channels = out_channels
        self.return_indices = return_indices

    def forward(self, input):
        return channel_max_pool(input, self.out_channels, self.return_indices)

    def extra_repr(self):
        return f"out_channels={self.out_channels}, return_indices={self.return_indices}"


class ChannelMaxAvgPool(nn.Module):
    """CBAM's spatial-attention input, N x 2 x S...: channel max, then channel mean."""

    def forward(self, input):
        return channel_max_avg_pool(input)


class AdaptiveConcatPool2d(nn.Module):
    """fastai's AdaptiveConcatPool2d: adaptive max and average stacked on channels, N x 2C x output_size."""

    def __init__(self, output_size=1):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_concat_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class PyramidAvgPool2d(nn.Module):
    """PSPNet's pyramid pooling: a list of adaptive averages, one per bin count."""

    def __init__(self, bins=(1, 2, 3, 6)):
        super().__init__()
        self.bins = tuple(bins)

    def forward(self, input):
        return adaptive_avg_pool2d_pyramid(input, self.bins)

    def extra_repr(self):
        return f"bins={self.bins}"


_REPLACEMENTS = {
    nn.AdaptiveAvgPool1d: AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d: AdaptiveAvgPool2d,
    nn.AdaptiveAvgPool3d: AdaptiveAvgPool3d,
    nn.AdaptiveMaxPool1d: AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d: AdaptiveMaxPool2d,
    nn.AdaptiveMaxPool3d: AdaptiveMaxPool3d,
}


def replace_pooling(module):
    """Swaps every ``nn.Adaptive{Avg,Max}Pool{1,2,3}d`` inside ``module`` (itself
    included) for adapool's module with the same settings, in place; returns
    ``module``, or its replacement if ``module`` is itself such a pooling."""
    replacement = _REPLACEMENTS.get(type(module))
    if replacement is not None:
        swapped = replacement.__new__(replacement)
        swapped.__dict__.update(module.__dict__)
        return swapped
    for name, child in module.named_children():
        swapped = replace_pooling(child)
        if swapped is not child:
            setattr(module, name, swapped)
    return module
