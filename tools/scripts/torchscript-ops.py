#!/usr/bin/python3
"""Writes the TorchScript modules through which the trainer calls libtorch's own fused kernels that
DJL's PyTorch engine does not expose (issue 23): channels-last memory order,
F.group_norm (with its affine, and optionally
followed by F.silu) and F.silu, each one forward/backward kernel where the trainer's DJL-op
versions took four to six (layer norm on a reshape, a multiply and an add for the affine;
sigmoid and a multiply for SiLU, and their backward).

Each module holds no weights; its forward takes only tensors, because DJL calls a module's forward
with autograd on (IValueUtils.forward(block, list, true)) but its other methods without. The
integer and float arguments come as 0-d tensors and are read with item().

    /usr/bin/python3 tools/scripts/torchscript-ops.py trainer/src/main/resources/org/ddpm4j/trainer/model/torchscript

Needs PyTorch (Debian's python3-torch 1.13 made the committed files; libtorch 2.x loads them).
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import Tensor


class GroupNorm(torch.nn.Module):
    """F.group_norm(x, groups, weight, bias, eps), then F.silu when silu is non-zero."""

    def forward(self, x: Tensor, weight: Tensor, bias: Tensor, groups: Tensor, eps: Tensor,
                silu: Tensor) -> Tensor:
        y = F.group_norm(x, int(groups.item()), weight, bias, float(eps.item()))
        if bool(silu.item() != 0):
            y = F.silu(y)
        return y


class Silu(torch.nn.Module):
    """F.silu(x) = x * sigmoid(x), one kernel forward and one backward."""

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)


class ChannelsLast(torch.nn.Module):
    """x with channels-last strides (NHWC memory order), same logical [B, C, H, W] shape."""

    def forward(self, x: Tensor) -> Tensor:
        return x.contiguous(memory_format=torch.channels_last)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, module in [("group_norm", GroupNorm()), ("silu", Silu()), ("channels_last", ChannelsLast())]:
        scripted = torch.jit.script(module)
        path = os.path.join(out, name + ".pt")
        scripted.save(path)
        print(path)


if __name__ == "__main__":
    main()
