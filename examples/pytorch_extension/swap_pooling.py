# SPDX-License-Identifier: MIT
"""A small CNN whose nn.AdaptiveMaxPool2d and nn.AdaptiveAvgPool2d are swapped
for adapool's modules: the outputs and every gradient stay PyTorch's.

Run with the library in ADAPOOL_TORCH_OPS (or next to adapool_torch.py):

    ADAPOOL_TORCH_OPS=build/examples/pytorch_extension/libadapool_torch_ops.so \\
        /usr/bin/python3 examples/pytorch_extension/swap_pooling.py

Exits non-zero if anything differs beyond float rounding.
"""

import copy
import sys

import torch
from torch import nn

try:
    import adapool_torch
except ImportError as missing:
    if "adapool_torch_ops is not built" not in str(missing):
        raise
    print(missing)
    sys.exit(0)


class SmallNet(nn.Module):
    """Two conv blocks, an adaptive max pool to 7 x 7 (overlapping windows on
    odd inputs), a third conv and a classifier head on the global average."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1, stride=2),
            nn.ReLU(),
            nn.AdaptiveMaxPool2d(7),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
        )
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(32, classes))

    def forward(self, x):
        return self.head(self.features(x))


def outputs_and_gradients(model, images, labels):
    """Logits, and the gradients of the loss for the input and every parameter."""
    images = images.detach().requires_grad_()
    model.zero_grad()
    logits = model(images)
    nn.functional.cross_entropy(logits, labels).backward()
    grads = {name: p.grad.clone() for name, p in model.named_parameters()}
    grads["input"] = images.grad.clone()
    return logits.detach(), grads


def main():
    torch.manual_seed(0)
    reference = SmallNet()
    swapped = adapool_torch.replace_pooling(copy.deepcopy(reference))
    print("instruction set:", adapool_torch.instruction_set())
    originals = dict(reference.named_modules())
    for name, module in swapped.named_modules():
        if type(module) is not type(originals[name]):
            before, after = type(originals[name]), type(module)
            print(f"{name}: {before.__module__}.{before.__name__} -> {after.__module__}.{after.__name__}")
    assert isinstance(swapped.features[4], adapool_torch.AdaptiveMaxPool2d)
    assert isinstance(swapped.head[0], adapool_torch.AdaptiveAvgPool2d)

    failures = 0
    # 27 x 27 images give 14 x 14 maps after the strided conv: 14 -> 7 windows of 2, and
    # 29 x 29 give 15 x 15: 15 -> 7 windows of 3 that overlap.
    for size in (27, 29):
        for memory_format in (torch.contiguous_format, torch.channels_last):
            images = torch.randn(4, 3, size, size).contiguous(memory_format=memory_format)
            labels = torch.randint(0, 10, (4,))
            ref_logits, ref_grads = outputs_and_gradients(reference.to(memory_format=memory_format), images, labels)
            logits, grads = outputs_and_gradients(swapped.to(memory_format=memory_format), images, labels)
            worst_output = (logits - ref_logits).abs().max().item()
            worst_grad = max((grads[k] - ref_grads[k]).abs().max().item() for k in grads)
            ok = torch.allclose(logits, ref_logits, rtol=1e-5, atol=1e-6) and all(
                torch.allclose(grads[k], ref_grads[k], rtol=1e-4, atol=1e-6) for k in grads
            )
            failures += not ok
            layout = "channels-last" if memory_format == torch.channels_last else "contiguous"
            print(
                f"{size} x {size} {layout:13}: logits differ by at most {worst_output:.2e}, "
                f"gradients ({len(grads)} tensors) by at most {worst_grad:.2e}: {'ok' if ok else 'MISMATCH'}"
            )
    if failures:
        print(f"{failures} configuration(s) differ")
        return 1
    print("adapool's pooling gives the model's outputs and gradients")
    return 0


if __name__ == "__main__":
    sys.exit(main())
