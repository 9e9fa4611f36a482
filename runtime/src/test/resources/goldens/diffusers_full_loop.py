#!/usr/bin/env python3
"""Full-loop goldens for DiffusersFullLoopTest: diffusers' own scheduler code, run on a toy model.

What it runs: the files src/diffusers/schedulers/{scheduling_utils,scheduling_ddim,scheduling_ddpm,
scheduling_dpmsolver_multistep}.py of a diffusers checkout, unchanged, in a scratch package whose other
modules are minimal stand-ins (written below): configuration_utils (ConfigMixin, register_to_config),
utils (BaseOutput, deprecate, is_scipy_available, PushToHubMixin), utils.torch_utils (randn_tensor) and
huggingface_hub.utils (validate_hf_hub_args). None of the stand-ins touches the scheduler math.
randn_tensor, diffusers' noise source, returns ddpm4j's noise instead (see JavaGaussianNoise), so that the
stochastic samplers of both sides see the same noise.

Two variants of each case are run:
  f32: the files as they are: betas by torch.linspace in float32, float32 alphas_cumprod, float32 samples
       (what a diffusers pipeline does);
  f64: the same files with every "float32" in them replaced by "float64", and float64 samples: the same
       algorithm on a float64 schedule, as ddpm4j computes it (ddpm4j's NoiseSchedule is double; only its
       samples and model outputs are float32).

The toy model is the exact E[eps | x_t] for data whose pixels are independent draws of the two-component
mixture 1/2 N(-M, S^2) + 1/2 N(+M, S^2): with a = sqrt(ab_t), sg = sqrt(1 - ab_t), v = a^2 S^2 + sg^2,
  E[x_0 | x_t] = a S^2 x_t / v + (1 - a^2 S^2 / v) M tanh(a M x_t / v),   eps = (x_t - a E[x_0 | x_t]) / sg,
with ab_t from a float64 linear schedule (1e-4 .. 0.02, T = 1000) computed exactly as ddpm4j's
NoiseSchedule.linear does. The model is evaluated in float64 and returned in the sample's dtype.

Usage (Debian's python3 with torch and numpy; scipy and huggingface_hub are not needed):
  /usr/bin/python3 diffusers_full_loop.py --git-dir /path/to/diffusers/.git [--rev HEAD] > goldens.txt
  /usr/bin/python3 diffusers_full_loop.py --src /path/to/diffusers/src/diffusers > goldens.txt
It prints Java array literals, one block per case, and the versions it ran with.
"""

import argparse
import importlib
import math
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np
import torch

SCHEDULER_FILES = ["scheduling_utils.py", "scheduling_ddim.py", "scheduling_ddpm.py", "scheduling_dpmsolver_multistep.py"]

# ---------------------------------------------------------------- stand-ins for the modules the schedulers import

STUB_HF_HUB_UTILS = '''
def validate_hf_hub_args(fn):
    return fn
'''

STUB_CONFIGURATION_UTILS = '''
import functools
import inspect


class FrozenDict(dict):
    """The config: a dict whose keys are also attributes (diffusers' FrozenDict)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)

    def __setattr__(self, name, value):
        self[name] = value


class ConfigMixin:
    config_name = None
    ignore_for_config = []

    def register_to_config(self, **kwargs):
        kwargs.pop("kwargs", None)
        d = dict(self.__dict__.get("_internal_dict", {}))
        d.update(kwargs)
        self._internal_dict = FrozenDict(d)

    @property
    def config(self):
        return self._internal_dict


def register_to_config(init):
    """As diffusers' decorator: records the init arguments (with their defaults) in the config, then runs init."""

    @functools.wraps(init)
    def inner_init(self, *args, **kwargs):
        init_kwargs = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        ignore = getattr(self, "ignore_for_config", [])
        signature = inspect.signature(init)
        parameters = {name: p.default for i, (name, p) in enumerate(signature.parameters.items())
                      if i > 0 and name not in ignore}
        new_kwargs = {}
        for arg, name in zip(args, parameters.keys()):
            new_kwargs[name] = arg
        new_kwargs.update({k: init_kwargs.get(k, default) for k, default in parameters.items()
                           if k not in ignore and k not in new_kwargs})
        self.register_to_config(**new_kwargs)
        init(self, *args, **init_kwargs)

    return inner_init
'''

STUB_UTILS = '''
class BaseOutput:
    pass


class PushToHubMixin:
    pass


def deprecate(*args, **kwargs):
    pass


def is_scipy_available():
    return False
'''

STUB_TORCH_UTILS = '''
NOISE_SOURCE = None  # set by the driver: a function (shape, dtype) -> torch.Tensor


def randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
    if NOISE_SOURCE is None:
        raise RuntimeError("randn_tensor called without a noise source")
    return NOISE_SOURCE(tuple(shape), dtype)
'''


def read_scheduler_sources(args):
    sources = {}
    for name in SCHEDULER_FILES:
        if args.src:
            with open(os.path.join(args.src, "schedulers", name), encoding="utf-8") as f:
                sources[name] = f.read()
        else:
            sources[name] = subprocess.run(
                ["git", "--git-dir", args.git_dir, "show", f"{args.rev}:src/diffusers/schedulers/{name}"],
                check=True, capture_output=True, text=True).stdout
    return sources


def write_package(root, package, sources, float64):
    def write(rel, text):
        path = os.path.join(root, package, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    write("__init__.py", "")
    write("configuration_utils.py", STUB_CONFIGURATION_UTILS)
    write("utils/__init__.py", STUB_UTILS)
    write("utils/torch_utils.py", STUB_TORCH_UTILS)
    write("schedulers/__init__.py", "")
    for name, text in sources.items():
        if float64 and name != "scheduling_utils.py":
            text = text.replace("float32", "float64")
        write("schedulers/" + name, text)


def load_diffusers(args):
    sources = read_scheduler_sources(args)
    root = tempfile.mkdtemp(prefix="diffusers-goldens-")
    os.makedirs(os.path.join(root, "huggingface_hub"))
    with open(os.path.join(root, "huggingface_hub", "__init__.py"), "w") as f:
        f.write("")
    with open(os.path.join(root, "huggingface_hub", "utils.py"), "w") as f:
        f.write(STUB_HF_HUB_UTILS)
    write_package(root, "diffusers", sources, float64=False)
    write_package(root, "diffusers_f64", sources, float64=True)
    sys.path.insert(0, root)
    return {variant: {
        "ddim": importlib.import_module(pkg + ".schedulers.scheduling_ddim"),
        "ddpm": importlib.import_module(pkg + ".schedulers.scheduling_ddpm"),
        "dpm": importlib.import_module(pkg + ".schedulers.scheduling_dpmsolver_multistep"),
        "torch_utils": importlib.import_module(pkg + ".utils.torch_utils"),
    } for variant, pkg in (("f32", "diffusers"), ("f64", "diffusers_f64"))}


# ---------------------------------------------------------------- ddpm4j's noise: org.ddpm4j.runtime.noise.GaussianNoise

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


class JavaGaussianNoise:
    """java.util.SplittableRandom(seed) (SplitMix64; nextDouble = (nextLong >>> 11) * 2^-53) and the Box-Muller
    transform of GaussianNoise.nextGaussian (cos first, sin kept as the spare). Java uses StrictMath (fdlibm);
    math here is the C library's: both are within an ulp in double, and the values are rounded to float32."""

    def __init__(self, seed):
        self.state = seed & MASK64
        self.spare = None

    def next_long(self):
        self.state = (self.state + GOLDEN_GAMMA) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next_long() >> 11) * 2.0 ** -53

    def next_gaussian(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        u1 = 1.0 - self.next_double()
        u2 = self.next_double()
        r = math.sqrt(-2.0 * math.log(u1))
        theta = 2.0 * math.pi * u2
        self.spare = r * math.sin(theta)
        return r * math.cos(theta)


class JavaBatchNoise:
    """BatchNoise(seeds).fill: image k of the batch from stream k, values rounded to float32."""

    def __init__(self, seeds):
        self.streams = [JavaGaussianNoise(s) for s in seeds]

    def draw(self, shape, dtype):
        per = int(np.prod(shape[1:]))
        assert shape[0] == len(self.streams)
        vals = [np.float32(s.next_gaussian()) for s in self.streams for _ in range(per)]
        return torch.tensor(np.array(vals, dtype=np.float32).reshape(shape)).to(dtype)


# ---------------------------------------------------------------- the toy model

T = 1000
BETA_START = 1e-4
BETA_END = 0.02
M = 0.6
S = 0.25
SHAPE = (2, 1, 2, 2)  # B, C, H, W
X_T = [1.25, -0.6875, 0.34375, -1.8125, 0.0625, 2.375, -0.4375, 0.90625]  # exact in binary
SEEDS = [7, 8]


def ddpm4j_alpha_bars():
    """NoiseSchedule.linear(1000, 1e-4, 0.02): betaStart + (betaEnd - betaStart) * (t / (T - 1)), product in double."""
    ab, prod = [], 1.0
    for t in range(T):
        beta = BETA_START + (BETA_END - BETA_START) * (t / (T - 1))
        prod *= 1.0 - beta
        ab.append(prod)
    return ab


ALPHA_BARS = ddpm4j_alpha_bars()


def mixture_eps(x, t):
    t = int(t)
    a = math.sqrt(ALPHA_BARS[t])
    sg = math.sqrt(1.0 - ALPHA_BARS[t])
    v = a * a * S * S + sg * sg
    xt = x.detach().to(torch.float64).numpy()
    x0 = a * S * S * xt / v + (1.0 - a * a * S * S / v) * M * np.tanh(a * M * xt / v)
    eps = (xt - a * x0) / sg
    return torch.from_numpy(eps).to(x.dtype)


# ---------------------------------------------------------------- the loops (as diffusers' pipelines run them)

def dtype_of(variant):
    return torch.float32 if variant == "f32" else torch.float64


def initial(variant):
    return torch.tensor(X_T, dtype=torch.float32).reshape(SHAPE).to(dtype_of(variant))


def run_ddim(mods, variant, steps, spacing, eta):
    sched = mods["ddim"].DDIMScheduler(num_train_timesteps=T, beta_start=BETA_START, beta_end=BETA_END,
                                       beta_schedule="linear", clip_sample=False, set_alpha_to_one=True,
                                       steps_offset=0, prediction_type="epsilon", timestep_spacing=spacing)
    sched.set_timesteps(steps)
    noise = JavaBatchNoise(SEEDS)
    x = initial(variant)
    n = len(sched.timesteps)
    for i, t in enumerate(sched.timesteps):
        eps = mixture_eps(x, t)
        kw = {}
        if eta > 0:
            # ddpm4j draws noise for every step but the last (where DDIM's sigma is 0 on both sides)
            kw["variance_noise"] = noise.draw(SHAPE, x.dtype) if i < n - 1 else torch.zeros(SHAPE, dtype=x.dtype)
        x = sched.step(eps, t, x, eta=eta, **kw).prev_sample
    return x, [int(t) for t in sched.timesteps]


def run_ddpm(mods, variant, steps, spacing, variance_type):
    sched = mods["ddpm"].DDPMScheduler(num_train_timesteps=T, beta_start=BETA_START, beta_end=BETA_END,
                                       beta_schedule="linear", variance_type=variance_type, clip_sample=False,
                                       prediction_type="epsilon", timestep_spacing=spacing, steps_offset=0)
    sched.set_timesteps(steps)
    noise = JavaBatchNoise(SEEDS)
    mods["torch_utils"].NOISE_SOURCE = noise.draw  # DDPMScheduler.step draws through randn_tensor when t > 0
    x = initial(variant)
    try:
        for t in sched.timesteps:
            x = sched.step(mixture_eps(x, t), t, x).prev_sample
    finally:
        mods["torch_utils"].NOISE_SOURCE = None
    return x, [int(t) for t in sched.timesteps]


def run_dpm(mods, variant, steps, spacing, algorithm, karras=False, lu=False):
    sched = mods["dpm"].DPMSolverMultistepScheduler(
        num_train_timesteps=T, beta_start=BETA_START, beta_end=BETA_END, beta_schedule="linear", solver_order=2,
        prediction_type="epsilon", algorithm_type=algorithm, solver_type="midpoint", lower_order_final=True,
        euler_at_final=False, use_karras_sigmas=karras, use_lu_lambdas=lu, final_sigmas_type="zero",
        timestep_spacing=spacing, steps_offset=0)
    sched.set_timesteps(steps)
    noise = JavaBatchNoise(SEEDS)
    x = initial(variant)
    n = len(sched.timesteps)
    for i, t in enumerate(sched.timesteps):
        kw = {}
        if algorithm.startswith("sde"):
            # ddpm4j draws for every step but the last (to sigma = 0, where diffusers' noise term is 0 too)
            kw["variance_noise"] = noise.draw(SHAPE, x.dtype) if i < n - 1 else torch.zeros(SHAPE, dtype=x.dtype)
        x = sched.step(mixture_eps(x, t), t, x, **kw).prev_sample
    return x, [int(t) for t in sched.timesteps]


CASES = [
    # id (the prefix of the golden fields in DiffusersFullLoopTest), loop, its arguments
    ("DDIM_LEADING_10", run_ddim, dict(steps=10, spacing="leading", eta=0.0)),
    ("DDIM_TRAILING_10", run_ddim, dict(steps=10, spacing="trailing", eta=0.0)),
    ("DDIM_LINSPACE_10", run_ddim, dict(steps=10, spacing="linspace", eta=0.0)),
    ("DDIM_LEADING_50", run_ddim, dict(steps=50, spacing="leading", eta=0.0)),
    ("DDIM_TRAILING_50", run_ddim, dict(steps=50, spacing="trailing", eta=0.0)),
    ("DDIM_LINSPACE_50", run_ddim, dict(steps=50, spacing="linspace", eta=0.0)),
    ("DDIM_ETA05_TRAILING_10", run_ddim, dict(steps=10, spacing="trailing", eta=0.5)),
    ("DDIM_ETA1_LEADING_50", run_ddim, dict(steps=50, spacing="leading", eta=1.0)),
    ("DPMPP_TRAILING_10", run_dpm, dict(steps=10, spacing="trailing", algorithm="dpmsolver++")),
    ("DPMPP_TRAILING_20", run_dpm, dict(steps=20, spacing="trailing", algorithm="dpmsolver++")),
    ("DPMPP_LINSPACE_20", run_dpm, dict(steps=20, spacing="linspace", algorithm="dpmsolver++")),
    ("DPMPP_LEADING_20", run_dpm, dict(steps=20, spacing="leading", algorithm="dpmsolver++")),
    ("DPMPP_KARRAS_10", run_dpm, dict(steps=10, spacing="linspace", algorithm="dpmsolver++", karras=True)),
    ("DPMPP_KARRAS_20", run_dpm, dict(steps=20, spacing="linspace", algorithm="dpmsolver++", karras=True)),
    ("DPMPP_LU_10", run_dpm, dict(steps=10, spacing="linspace", algorithm="dpmsolver++", lu=True)),
    ("DPMPP_LU_20", run_dpm, dict(steps=20, spacing="linspace", algorithm="dpmsolver++", lu=True)),
    ("DPMPP_SDE_TRAILING_20", run_dpm, dict(steps=20, spacing="trailing", algorithm="sde-dpmsolver++")),
    ("DPMPP_SDE_KARRAS_20", run_dpm, dict(steps=20, spacing="linspace", algorithm="sde-dpmsolver++", karras=True)),
    ("DDPM_1000", run_ddpm, dict(steps=1000, spacing="leading", variance_type="fixed_small")),
    ("DDPM_LINSPACE_50", run_ddpm, dict(steps=50, spacing="linspace", variance_type="fixed_small")),
    ("DDPM_LARGE_LEADING_50", run_ddpm, dict(steps=50, spacing="leading", variance_type="fixed_large")),
    ("DDPM_LARGE_TRAILING_50", run_ddpm, dict(steps=50, spacing="trailing", variance_type="fixed_large")),
]


def java_field(java_type, name, literals):
    """A Java field declaration, four values a line."""
    lines = [", ".join(literals[i:i + 4]) for i in range(0, len(literals), 4)]
    body = ",\n            ".join(lines)
    return f"    private static final {java_type}[] {name} = {{\n            {body}}};"


def java_floats(values):
    return ["%.9gf" % v for v in values]


def java_doubles(values):
    return [repr(float(v)) for v in values]


def main():
    p = argparse.ArgumentParser()
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--git-dir", help="a diffusers git directory (read with git show)")
    g.add_argument("--src", help="a diffusers source folder (src/diffusers of a checkout)")
    p.add_argument("--rev", default="HEAD")
    p.add_argument("--only", help="comma-separated case ids")
    args = p.parse_args()

    if args.git_dir:
        commit = subprocess.run(["git", "--git-dir", args.git_dir, "rev-parse", args.rev], check=True,
                                capture_output=True, text=True).stdout.strip()
        date = subprocess.run(["git", "--git-dir", args.git_dir, "log", "-1", "--format=%cs", commit], check=True,
                              capture_output=True, text=True).stdout.strip()
        origin = f"diffusers commit {commit} ({date})"
    else:
        origin = f"diffusers sources at {args.src}"
    mods = load_diffusers(args)
    print(f"// {origin}; python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}")
    probe = JavaGaussianNoise(SEEDS[0])
    print(f"// GaussianNoise({SEEDS[0]}) starts: {', '.join(java_doubles([probe.next_gaussian() for _ in range(4)]))}")
    only = set(args.only.split(",")) if args.only else None
    for case_id, runner, kw in CASES:
        if only and case_id not in only:
            continue
        out = {}
        for variant in ("f32", "f64"):
            x, ts = runner(mods[variant], variant, **kw)
            out[variant] = x.reshape(-1).tolist()
        print(f"// {case_id}: {runner.__name__}({', '.join(f'{k}={v!r}' for k, v in kw.items())}), "
              f"{len(ts)} calls, timesteps {ts[:3]}...{ts[-2:]}")
        print(java_field("float", case_id + "_F32", java_floats(out["f32"])))
        print(java_field("double", case_id + "_F64", java_doubles(out["f64"])))
        d = np.abs(np.array(out["f32"]) - np.array(out["f64"])).max() / np.abs(np.array(out["f64"])).max()
        print(f"// f32 vs f64: {d:.3g} (max abs difference / max abs value)")


if __name__ == "__main__":
    main()
