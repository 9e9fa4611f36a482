#!/usr/bin/python3
"""Baseline for `ddpm bench train`: the same UNet and training step in plain eager PyTorch.

The network is the one ddpm4j's UnetSpec describes (fashion preset by default: 32x32x1, base 32,
multipliers 1-2-2, 2 residual blocks per level, self-attention at 8x8, GroupNorm 8, dropout 0.1,
1,623,169 parameters), written with torch.nn's own modules. One step is what ddpm4j's Trainer does:
uniform t, x_t = sqrt(ab) x0 + sqrt(1 - ab) eps on a linear schedule (T = 1000), MSE on epsilon,
backward, global-norm clipping to 1.0, Adam (lr 2e-4), and an EMA of the weights every step.

Prints one JSON object: seconds per step (median of --repeat after --warmup), images/s, the
network's forward FLOPs per image (2 x multiply-adds of convolutions, linear layers and attention
products, counted by hooks), this CPU's SGEMM rate at the same thread count, and the share of that
rate a training step reaches (3 x forward FLOPs per image, the usual forward + backward estimate).

  /usr/bin/python3 tools/scripts/python-baseline/unet_train_bench.py --threads 2 --batch 64

Needs Debian's python3-torch (PyTorch 1.13); tools/scripts/throughput-compare.sh runs it next to
`ddpm bench train` and prints the ratio.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # image, channels, base, mults, blocks, attention resolutions, groups, dropout
    "tiny": (16, 1, 16, (1, 2), 1, (8,), 4, 0.0),
    "fashion": (32, 1, 32, (1, 2, 2), 2, (8,), 8, 0.1),
}


def sinusoidal(t, dim):
    half = dim // 2
    k = torch.arange(half, dtype=torch.float64)
    f = torch.exp(-math.log(10000.0) * k / (half - 1)).float()
    a = t.float()[:, None] * f[None, :]
    return torch.cat([a.sin(), a.cos()], dim=1)


class Res(nn.Module):
    def __init__(self, cin, cout, temb, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb_act):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(temb_act)[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return (x if self.skip is None else self.skip(x)) + h


class Attn(nn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c, eps=1e-5)
        self.qkv = nn.Conv2d(c, 3 * c, 1)
        self.proj = nn.Conv2d(c, c, 1)

    def forward(self, x):
        b, c, hh, ww = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3 * c, hh * ww).chunk(3, dim=1)
        w = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(c), dim=2)
        a = torch.bmm(v, w.transpose(1, 2)).reshape(b, c, hh, ww)
        return x + self.proj(a)


class Unet(nn.Module):
    def __init__(self, image, channels, base, mults, blocks, attn_res, groups, dropout):
        super().__init__()
        self.base = base
        temb = 4 * base
        self.fc1 = nn.Linear(base, temb)
        self.fc2 = nn.Linear(temb, temb)
        self.inconv = nn.Conv2d(channels, base, 3, padding=1)
        self.down = nn.ModuleList()
        skips = [base]
        cur = base
        for i, m in enumerate(mults):
            out = base * m
            attn = (image >> i) in attn_res
            for _ in range(blocks):
                self.down.append(Res(cur, out, temb, groups, dropout))
                cur = out
                if attn:
                    self.down.append(Attn(cur, groups))
                skips.append(cur)
            if i < len(mults) - 1:
                self.down.append(nn.Conv2d(cur, cur, 3, stride=2, padding=1))
                skips.append(cur)
        self.mid = nn.ModuleList([Res(cur, cur, temb, groups, dropout), Attn(cur, groups),
                                  Res(cur, cur, temb, groups, dropout)])
        self.up = nn.ModuleList()
        for i in reversed(range(len(mults))):
            out = base * mults[i]
            attn = (image >> i) in attn_res
            for _ in range(blocks + 1):
                self.up.append(Res(cur + skips.pop(), out, temb, groups, dropout))
                cur = out
                if attn:
                    self.up.append(Attn(cur, groups))
            if i > 0:
                self.up.append(nn.Upsample(scale_factor=2, mode="nearest"))
                self.up.append(nn.Conv2d(cur, cur, 3, padding=1))
        self.outnorm = nn.GroupNorm(groups, cur, eps=1e-5)
        self.outconv = nn.Conv2d(cur, channels, 3, padding=1)

    def forward(self, x, t):
        temb = F.silu(self.fc2(F.silu(self.fc1(sinusoidal(t, self.base)))))
        h = self.inconv(x)
        hs = [h]
        for layer in self.down:
            if isinstance(layer, Res):
                h = layer(h, temb)
                hs.append(h)
            elif isinstance(layer, Attn):
                h = layer(h)
                hs[-1] = h
            else:
                h = layer(h)
                hs.append(h)
        h = self.mid[2](self.mid[1](self.mid[0](h, temb)), temb)
        for layer in self.up:
            if isinstance(layer, Res):
                h = layer(torch.cat([h, hs.pop()], dim=1), temb)
            else:
                h = layer(h)
        return self.outconv(F.silu(self.outnorm(h)))


def forward_flops(model, image, channels):
    """2 x multiply-adds of one image's forward pass (convolutions, linear layers, attention)."""
    total = [0]

    def conv_hook(m, inp, out):
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        total[0] += 2 * out.numel() * m.in_features

    def attn_hook(m, inp, out):
        b, c, hh, ww = inp[0].shape
        total[0] += 2 * 2 * b * c * (hh * ww) ** 2  # q^T k and v w^T

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, Attn):
            hooks.append(m.register_forward_hook(attn_hook))
    with torch.no_grad():
        model.eval()
        model(torch.zeros(1, channels, image, image), torch.zeros(1, dtype=torch.long))
        model.train()
    for h in hooks:
        h.remove()
    return total[0]


def sgemm_rate(n=1024, repeat=10):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.mm(a, b)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t0)
    return 2 * n ** 3 / statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="fashion", choices=sorted(PRESETS))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's choice)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", metavar="FILE", help="write torch.profiler's Chrome trace of the timed steps")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    image, channels, *rest = PRESETS[args.preset]
    model = Unet(image, channels, *rest)
    ema = [p.detach().clone() for p in model.parameters()]
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=2e-4)
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    abar = torch.cumprod(1 - betas, 0)
    x0 = torch.rand(args.batch, channels, image, image) * 2 - 1  # synthetic, as ddpm bench train

    def step(k):
        t = torch.randint(0, 1000, (args.batch,))
        eps = torch.randn_like(x0)
        a = abar[t].float()[:, None, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        loss = F.mse_loss(model(xt, t), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(0.999, (1 + k) / (10 + k))
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.mul_(decay).add_(p.detach(), alpha=1 - decay)
        return loss.item()

    for k in range(args.warmup):
        step(k)
    times = []
    cpu = []
    prof = None
    if args.profile:
        prof = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True)
        prof.__enter__()
    for k in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        step(args.warmup + k)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if prof is not None:
        prof.__exit__(None, None, None)
        prof.export_chrome_trace(args.profile)
    s_step = statistics.median(times)
    flops = forward_flops(model, image, channels)
    rate = sgemm_rate()
    print(json.dumps({
        "impl": "python-pytorch",
        "torch": torch.__version__,
        "preset": args.preset,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in params),
        "secondsPerStep": s_step,
        "secondsPerStepMin": min(times),
        "cpuSecondsPerStep": statistics.median(cpu),
        "imagesPerSecond": args.batch / s_step,
        "forwardFlopsPerImage": flops,
        "sgemmFlopsPerSecond": rate,
        "sgemmShare": 3 * flops * args.batch / s_step / rate,
    }))


if __name__ == "__main__":
    main()
