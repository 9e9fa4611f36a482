#!/usr/bin/env python3
"""Editing goldens for DiffusersEditingTest: diffusers' RePaintScheduler and its img2img timestep selection.

What it runs, unchanged, from a diffusers git directory (read with git show):
  - src/diffusers/schedulers/scheduling_repaint.py (RePaintScheduler: set_timesteps with jump_length and
    jump_n_sample, step, undo_step), next to scheduling_utils, scheduling_ddim, scheduling_ddpm and
    scheduling_dpmsolver_multistep, with the stand-in modules of diffusers_full_loop.py (config registration,
    BaseOutput, deprecate, randn_tensor; none of them touches the scheduler maths);
  - the method get_timesteps of StableDiffusionImg2ImgPipeline
    (src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion_img2img.py), taken out of the file with
    Python's ast module as its source text and executed with a real scheduler as self.scheduler (the rest of that
    file needs transformers and PIL, which are not installed).
The loops are the pipelines' own: RePaintPipeline.__call__'s (pipelines/deprecated/repaint/pipeline_repaint.py)

    t_last = self.scheduler.timesteps[0] + 1
    for i, t in enumerate(self.progress_bar(self.scheduler.timesteps)):
        if t < t_last:
            model_output = self.unet(image, t).sample
            image = self.scheduler.step(model_output, t, image, original_image, mask_image, generator).prev_sample
        else:
            image = self.scheduler.undo_step(image, t_last, generator)
        t_last = t

and the img2img pipelines': timesteps = get_timesteps(n, strength), latents = scheduler.add_noise(image, noise,
timesteps[:1]), then x = step(model(x, t), t, x).prev_sample for each t.

Model, schedule, noise and float32/float64 variants are diffusers_full_loop.py's (imported from the same folder).

Usage (Debian's python3 with torch and numpy):
  /usr/bin/python3 diffusers_editing.py --git-dir /path/to/diffusers/.git --rev REV > diffusers_editing.txt
The output is "key = values" lines (space-separated), read by DiffusersEditingTest; '#' lines are comments.
"""

import argparse
import ast
import importlib
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusers_full_loop as base  # noqa: E402

SCHEDULER_FILES = base.SCHEDULER_FILES + ["scheduling_repaint.py"]
IMG2IMG_FILE = "src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion_img2img.py"

# the known image and the mask of the RePaint cases (diffusers' convention: 1 = keep, 0 = inpaint)
ORIGINAL = [0.5, -0.25, 0.75, -1.0, 0.125, 0.375, -0.625, 1.0]  # exact in binary
KEEP = [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]
# the starting image of the img2img cases
INIT = [0.625, -0.5, 0.25, -0.875, 0.75, 0.0, -0.375, 0.5]


def git_show(args, path):
    return subprocess.run(["git", "--git-dir", args.git_dir, "show", f"{args.rev}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def load(args):
    sources = {name: git_show(args, "src/diffusers/schedulers/" + name) for name in SCHEDULER_FILES}
    root = tempfile.mkdtemp(prefix="diffusers-editing-goldens-")
    os.makedirs(os.path.join(root, "huggingface_hub"))
    with open(os.path.join(root, "huggingface_hub", "__init__.py"), "w") as f:
        f.write("")
    with open(os.path.join(root, "huggingface_hub", "utils.py"), "w") as f:
        f.write(base.STUB_HF_HUB_UTILS)
    base.write_package(root, "diffusers", sources, float64=False)
    base.write_package(root, "diffusers_f64", sources, float64=True)
    sys.path.insert(0, root)
    mods = {variant: {
        "ddim": importlib.import_module(pkg + ".schedulers.scheduling_ddim"),
        "ddpm": importlib.import_module(pkg + ".schedulers.scheduling_ddpm"),
        "dpm": importlib.import_module(pkg + ".schedulers.scheduling_dpmsolver_multistep"),
        "repaint": importlib.import_module(pkg + ".schedulers.scheduling_repaint"),
        "torch_utils": importlib.import_module(pkg + ".utils.torch_utils"),
    } for variant, pkg in (("f32", "diffusers"), ("f64", "diffusers_f64"))}
    return mods, get_timesteps_function(git_show(args, IMG2IMG_FILE))


def get_timesteps_function(source):
    """StableDiffusionImg2ImgPipeline.get_timesteps, compiled from its own source text."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "StableDiffusionImg2ImgPipeline":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "get_timesteps":
                    text = ast.get_source_segment(source, item)
                    lines = text.splitlines()
                    indent = len(lines[0]) - len(lines[0].lstrip())
                    code = "\n".join(l[indent:] if l.strip() else l for l in lines)
                    namespace = {}
                    exec(compile(code, IMG2IMG_FILE, "exec"), namespace)
                    return namespace["get_timesteps"]
    raise RuntimeError("get_timesteps not found in " + IMG2IMG_FILE)


class FakePipeline:
    """What get_timesteps reads of self: the scheduler."""

    def __init__(self, scheduler):
        self.scheduler = scheduler


def tensor(values, variant):
    return torch.tensor(values, dtype=torch.float32).reshape(base.SHAPE).to(base.dtype_of(variant))


# ---------------------------------------------------------------- RePaint

def run_repaint(mods, variant, steps, jump_length, jump_n_sample, eta):
    sched = mods["repaint"].RePaintScheduler(num_train_timesteps=base.T, beta_start=base.BETA_START,
                                             beta_end=base.BETA_END, beta_schedule="linear", eta=eta,
                                             clip_sample=False)
    noise = base.JavaBatchNoise(base.SEEDS)
    mods["torch_utils"].NOISE_SOURCE = noise.draw
    try:
        original_image = tensor(ORIGINAL, variant)
        mask_image = tensor(KEEP, variant)
        image = mods["torch_utils"].randn_tensor(base.SHAPE, dtype=original_image.dtype)
        sched.set_timesteps(steps, jump_length, jump_n_sample)
        sched.eta = eta
        calls = 0
        t_last = sched.timesteps[0] + 1
        for i, t in enumerate(sched.timesteps):
            if t < t_last:
                model_output = base.mixture_eps(image, t)
                image = sched.step(model_output, t, image, original_image, mask_image).prev_sample
                calls += 1
            else:
                image = sched.undo_step(image, t_last)
            t_last = t
    finally:
        mods["torch_utils"].NOISE_SOURCE = None
    return image, [int(t) for t in sched.timesteps], calls


REPAINT_CASES = [
    # id, steps, jump_length, jump_n_sample, eta
    ("REPAINT_1000_J10_R10_ETA0", 1000, 10, 10, 0.0),
    ("REPAINT_1000_J10_R10_ETA1", 1000, 10, 10, 1.0),
    ("REPAINT_1000_J5_R3_ETA05", 1000, 5, 3, 0.5),
    ("REPAINT_50_J10_R1_ETA0", 50, 10, 1, 0.0),
    ("REPAINT_50_J10_R1_ETA1", 50, 10, 1, 1.0),
    ("REPAINT_50_J5_R3_ETA1", 50, 5, 3, 1.0),
]

SCHEDULE_CASES = [(250, 10, 10), (100, 10, 10), (50, 5, 3), (20, 10, 10), (20, 3, 2), (10, 10, 10), (7, 2, 4),
                  (30, 1, 2), (12, 4, 1)]


# ---------------------------------------------------------------- img2img

def make_scheduler(mods, kind, steps, spacing):
    common = dict(num_train_timesteps=base.T, beta_start=base.BETA_START, beta_end=base.BETA_END,
                  beta_schedule="linear", prediction_type="epsilon", steps_offset=0)
    if kind == "ddim":
        s = mods["ddim"].DDIMScheduler(clip_sample=False, set_alpha_to_one=True, timestep_spacing=spacing, **common)
    elif kind == "ddpm":
        s = mods["ddpm"].DDPMScheduler(variance_type="fixed_small", clip_sample=False, timestep_spacing=spacing,
                                       **common)
    else:
        algorithm = "sde-dpmsolver++" if kind == "dpmpp-sde" else "dpmsolver++"
        karras = spacing == "karras"
        s = mods["dpm"].DPMSolverMultistepScheduler(
            solver_order=2, algorithm_type=algorithm, solver_type="midpoint", lower_order_final=True,
            euler_at_final=False, use_karras_sigmas=karras, final_sigmas_type="zero",
            timestep_spacing="linspace" if karras else spacing, **common)
    s.set_timesteps(steps)
    return s


def img2img_timesteps(mods, get_timesteps, kind, steps, spacing, strength):
    sched = make_scheduler(mods, kind, steps, spacing)
    timesteps, n = get_timesteps(FakePipeline(sched), steps, strength, None)
    return [int(t) for t in timesteps], n


def run_img2img(mods, get_timesteps, variant, kind, steps, spacing, strength):
    sched = make_scheduler(mods, kind, steps, spacing)
    timesteps, n = get_timesteps(FakePipeline(sched), steps, strength, None)
    noise = base.JavaBatchNoise(base.SEEDS)
    init = tensor(INIT, variant)
    x = sched.add_noise(init, noise.draw(base.SHAPE, init.dtype), timesteps[:1])
    mods["torch_utils"].NOISE_SOURCE = noise.draw
    try:
        for i, t in enumerate(timesteps):
            eps = base.mixture_eps(x, t)
            kw = {}
            last = i == len(timesteps) - 1
            if kind == "ddim":
                kw["eta"] = 1.0
                kw["variance_noise"] = noise.draw(base.SHAPE, x.dtype) if not last else torch.zeros(base.SHAPE,
                                                                                                   dtype=x.dtype)
            elif kind == "dpmpp-sde":
                kw["variance_noise"] = noise.draw(base.SHAPE, x.dtype) if not last else torch.zeros(base.SHAPE,
                                                                                                   dtype=x.dtype)
            x = sched.step(eps, t, x, **kw).prev_sample
    finally:
        mods["torch_utils"].NOISE_SOURCE = None
    return x, [int(t) for t in timesteps]


TIMESTEP_KINDS = [("ddim", "leading"), ("ddim", "trailing"), ("ddim", "linspace"), ("ddpm", "linspace"),
                  ("ddpm", "leading"), ("dpmpp", "trailing"), ("dpmpp", "linspace"), ("dpmpp", "leading"),
                  ("dpmpp", "karras")]
TIMESTEP_STEPS = [10, 20, 50]
STRENGTHS = [0.05, 0.3, 0.5, 0.58, 0.75, 0.99, 1.0]

IMG2IMG_CASES = [
    # id, scheduler, steps, spacing, strength (ddim runs with eta = 1: stochastic steps)
    ("IMG2IMG_DDIM_ETA1_LEADING_50_S058", "ddim", 50, "leading", 0.58),
    ("IMG2IMG_DDIM_ETA1_TRAILING_20_S03", "ddim", 20, "trailing", 0.3),
    ("IMG2IMG_DDPM_LEADING_50_S075", "ddpm", 50, "leading", 0.75),
    ("IMG2IMG_DPMPP_TRAILING_20_S05", "dpmpp", 20, "trailing", 0.5),
    ("IMG2IMG_DPMPP_KARRAS_20_S075", "dpmpp", 20, "karras", 0.75),
    ("IMG2IMG_DPMPP_SDE_TRAILING_20_S06", "dpmpp-sde", 20, "trailing", 0.6),
]


def values(xs):
    return " ".join(repr(float(v)) for v in xs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--git-dir", required=True, help="a diffusers git directory (read with git show)")
    p.add_argument("--rev", default="HEAD")
    args = p.parse_args()
    commit = subprocess.run(["git", "--git-dir", args.git_dir, "rev-parse", args.rev], check=True,
                            capture_output=True, text=True).stdout.strip()
    date = subprocess.run(["git", "--git-dir", args.git_dir, "log", "-1", "--format=%cs", commit], check=True,
                          capture_output=True, text=True).stdout.strip()
    described = subprocess.run(["git", "--git-dir", args.git_dir, "describe", "--tags", "--always", commit],
                               capture_output=True, text=True).stdout.strip()
    mods, get_timesteps = load(args)
    print(f"# diffusers commit {commit} ({date}, {described}); python {platform.python_version()}, "
          f"torch {torch.__version__}, numpy {np.__version__}")
    print(f"# generated by runtime/src/test/resources/goldens/diffusers_editing.py")

    print("# RePaintScheduler.set_timesteps(steps, jump_length, jump_n_sample).timesteps // (T // steps)")
    for steps, j, r in SCHEDULE_CASES:
        sched = mods["f64"]["repaint"].RePaintScheduler(num_train_timesteps=base.T)
        sched.set_timesteps(steps, j, r)
        stride = base.T // steps
        print(f"schedule.{steps}.{j}.{r} = " + " ".join(str(int(t) // stride) for t in sched.timesteps))

    print("# RePaintPipeline's loop on the mixture model: known image, keep mask (1 = keep), result")
    print("repaint.original = " + values(ORIGINAL))
    print("repaint.keep = " + values(KEEP))
    for case_id, steps, j, r, eta in REPAINT_CASES:
        out = {}
        for variant in ("f32", "f64"):
            x, ts, calls = run_repaint(mods[variant], variant, steps, j, r, eta)
            out[variant] = x.reshape(-1).tolist()
        print(f"# {case_id}: steps {steps}, jump_length {j}, jump_n_sample {r}, eta {eta}: {len(ts)} timesteps,"
              f" {calls} model calls")
        print(f"{case_id}.calls = {calls}")
        print(f"{case_id}.f32 = " + values(np.array(out['f32'], dtype=np.float32)))
        print(f"{case_id}.f64 = " + values(out["f64"]))

    print("# StableDiffusionImg2ImgPipeline.get_timesteps(steps, strength): the timesteps run")
    for kind, spacing in TIMESTEP_KINDS:
        for steps in TIMESTEP_STEPS:
            for strength in STRENGTHS:
                ts, n = img2img_timesteps(mods["f64"], get_timesteps, kind, steps, spacing, strength)
                assert n == len(ts), (n, len(ts))
                print(f"timesteps.{kind}.{spacing}.{steps}.{strength!r} = " + " ".join(str(t) for t in ts))

    print("# img2img loops: the starting image, result")
    print("img2img.init = " + values(INIT))
    for case_id, kind, steps, spacing, strength in IMG2IMG_CASES:
        out = {}
        for variant in ("f32", "f64"):
            x, ts = run_img2img(mods[variant], get_timesteps, variant, kind, steps, spacing, strength)
            out[variant] = x.reshape(-1).tolist()
        print(f"# {case_id}: {kind} {spacing} {steps} steps, strength {strength}: timesteps {ts}")
        print(f"{case_id}.f32 = " + values(np.array(out['f32'], dtype=np.float32)))
        print(f"{case_id}.f64 = " + values(out["f64"]))


if __name__ == "__main__":
    main()
