#!/usr/bin/env python3
"""Goldens for ddpm4j's diffusers import and export, made by diffusers' own code (UNet2DModel, DDPMScheduler,
DDIMPipeline, save_pretrained, from_pretrained), so that the Java tests can check ddpm4j against it without Python.

What it runs: the package src/diffusers of a diffusers checkout, unchanged, at release v0.25.0 (commit
7f551e29ff4ad05615cb38530a8940811f9e5936): the last release whose UNet2DModel runs on Debian's PyTorch 1.13
(newer ones need torch.xpu, float8 dtypes, torch.distributed.device_mesh). PyPI is out of reach here, so
huggingface_hub and safetensors are stand-ins written below: the hub one downloads nothing (every folder is
local), and the safetensors one reads and writes the format with numpy (an 8-byte little-endian header length,
a JSON header of dtype, shape and data_offsets per tensor, then the raw data). Neither touches the maths.

Cases (in --resources, normally exporter/src/test/resources/diffusers):
  ddpm4j-uncond/, ddpm4j-cond/   pipeline folders written by ddpm4j (DiffusersGoldensTest writes them; run it first
                                 with -Dddpm4j.diffusers.regenerate=<resources>). diffusers loads them with
                                 DDPMPipeline.from_pretrained and runs its UNet on fixed inputs. (No sampling loop on
                                 these: a random model is chaotic over 50 DDIM steps, a 1e-6 change of x_T moved the
                                 image of ddpm4j-uncond by 0.056, so the loop's golden is the trained model's, below.)
  --shipped DIR                  the shipped Fashion-MNIST model exported by ddpm4j (see --help): its UNet on fixed
                                 inputs, and the model card's conditional loop, DDIMScheduler 50 steps (leading
                                 spacing, diffusers' default), eta 0, guidance 2, from a fixed x_T.
  google-small/                  made here: a seeded random UNet2DModel with google/ddpm-cifar10-32's block structure
                                 (DownBlock2D, AttnDownBlock2D, DownBlock2D, DownBlock2D; downsample_padding 0,
                                 norm_eps 1e-6, attention_head_dim null, flip_sin_to_cos false, freq_shift 1), narrowed
                                 to widths 8-16-16-16 at 16x16, saved with save_pretrained (safetensors).
  cond-small/                    made here: a class-conditional one (num_class_embeds 4, so 3 classes and the null
                                 label), downsample_padding 0, norm_eps 1e-6, attention at the 4x4 level.
Each case gets <case>.golden.safetensors: the inputs (sample, timestep and class_labels as float32) and diffusers'
outputs (float32), plus the scheduler's alphas_cumprod for the ddpm4j cases.

With --google-full DIR it also saves a seeded random UNet2DModel in google/ddpm-cifar10-32's exact config
(35,746,307 parameters, 143 MB: not committed) to DIR with its golden, for the slow test
DiffusersGoldensTest.googleCifar10Config (mvn -Dddpm4j.diffusers.google=DIR ...).

Usage (Debian's python3 with python3-torch, python3-numpy, python3-packaging, python3-requests, python3-filelock,
python3-regex, python3-yaml, python3-tqdm, python3-importlib-metadata):
  /usr/bin/python3 tools/scripts/diffusers-parity.py --git-dir /path/to/diffusers/.git [--rev v0.25.0] \
      --resources exporter/src/test/resources/diffusers [--google-full /tmp/google-cifar10]
"""

import argparse
import atexit
import shutil
import json
import os
import platform
import struct
import subprocess
import sys
import tarfile
import tempfile
import io

import numpy as np
import torch

# ---------------------------------------------------------------- stand-ins for huggingface_hub and safetensors

HUB_INIT = '''
__version__ = "0.20.0"


def _nothing_is_downloaded(*args, **kwargs):
    raise RuntimeError("huggingface_hub stand-in: nothing is downloaded, every folder must be local")


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    if name[0].isupper():
        return type(name, (Exception,), {})
    return _nothing_is_downloaded
'''

HUB_UTILS = '''
def validate_hf_hub_args(fn):
    return fn


def is_jinja_available():
    return False


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    if name[0].isupper():
        return type(name, (Exception,), {})

    def _nothing_is_downloaded(*args, **kwargs):
        raise RuntimeError("huggingface_hub stand-in: nothing is downloaded")
    return _nothing_is_downloaded
'''

HUB_CONSTANTS = '''
import os
HF_HOME = os.path.expanduser("~/.cache/huggingface")
HF_HUB_CACHE = os.path.join(HF_HOME, "hub")
HF_HUB_DISABLE_TELEMETRY = True
HF_HUB_OFFLINE = True
'''

HUB_FILE_DOWNLOAD = '''
import re
REGEX_COMMIT_HASH = re.compile(r"^[0-9a-f]{40}$")
'''

SAFETENSORS_INIT = '''
__version__ = "0.4.1"
from . import torch
'''

SAFETENSORS_TORCH = '''
import json
import struct

import numpy as np
import torch

_DTYPES = {"F32": (np.float32, torch.float32), "F16": (np.float16, torch.float16), "F64": (np.float64, torch.float64),
           "I64": (np.int64, torch.int64)}
_NAMES = {v[1]: k for k, v in _DTYPES.items()}


def load_file(filename, device="cpu"):
    with open(filename, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=_DTYPES[info["dtype"]][0]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def save_file(tensors, filename, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(filename, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)
'''


def dist_info(root, name, version):
    d = os.path.join(root, f"{name}-{version}.dist-info")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def install_stand_ins(root):
    files = {
        "huggingface_hub/__init__.py": HUB_INIT,
        "huggingface_hub/utils.py": HUB_UTILS,
        "huggingface_hub/constants.py": HUB_CONSTANTS,
        "huggingface_hub/file_download.py": HUB_FILE_DOWNLOAD,
        "safetensors/__init__.py": SAFETENSORS_INIT,
        "safetensors/torch.py": SAFETENSORS_TORCH,
    }
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    dist_info(root, "huggingface_hub", "0.20.0")
    dist_info(root, "safetensors", "0.4.1")


def extract_diffusers(args, root):
    """src/diffusers of the checkout at --rev, unchanged, into root/diffusers."""
    if args.src:
        sys.path.insert(0, os.path.dirname(os.path.abspath(args.src)))
        return args.src
    tar = subprocess.run(["git", "--git-dir", args.git_dir, "archive", args.rev, "src/diffusers"],
                         check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(os.path.join(root, "src-archive"))
    sys.path.insert(0, os.path.join(root, "src-archive", "src"))
    return os.path.join(root, "src-archive", "src", "diffusers")


# ---------------------------------------------------------------- goldens

def save_golden(path, tensors, metadata):
    import safetensors.torch
    safetensors.torch.save_file({k: torch.as_tensor(v, dtype=torch.float32) for k, v in tensors.items()}, path,
                                metadata=metadata)


def inputs(rng, batch, channels, size):
    return torch.tensor(rng.standard_normal((batch, channels, size, size)).astype(np.float32))


def randomise(model, seed):
    """Seeded weights with no zero layers: every parameter moves (norm scales near 1), so every path matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if p.dim() == 1:
                base = 1.0 if "norm" in name and name.endswith("weight") else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=g))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) / fan_in ** 0.5)


def run_unet(unet, sample, timestep, labels=None):
    with torch.no_grad():
        kwargs = {} if labels is None else {"class_labels": labels}
        return unet(sample, timestep, **kwargs).sample


def ddpm4j_case(diffusers, folder, golden, conditional, meta, report):
    pipe = diffusers.DDPMPipeline.from_pretrained(folder)
    unet, scheduler = pipe.unet.eval(), pipe.scheduler
    cfg = unet.config
    rng = np.random.default_rng(21)
    sample = inputs(rng, 4, cfg.in_channels, cfg.sample_size)
    timestep = torch.tensor([0, 17, 500, 999])
    tensors = {"sample": sample, "timestep": timestep, "alphas_cumprod": scheduler.alphas_cumprod}
    labels = None
    if conditional:
        k = cfg.num_class_embeds - 1
        labels = torch.tensor([0, k - 1, k, 1])  # real classes and the null label
        tensors["class_labels"] = labels
    tensors["output"] = run_unet(unet, sample, timestep, labels)
    save_golden(golden, tensors, meta)
    report.append(f"{os.path.basename(folder)}: {sum(p.numel() for p in unet.parameters())} parameters, output"
                  f" max |y| {tensors['output'].abs().max().item():.3f}")


def diffusers_case(diffusers, folder, golden, config, seed, conditional, meta, report, pipeline=True):
    torch.manual_seed(seed)
    unet = diffusers.UNet2DModel(**config)
    randomise(unet, seed)
    unet.eval()
    if pipeline:
        scheduler = diffusers.DDPMScheduler(num_train_timesteps=1000, beta_schedule="linear")
        diffusers.DDPMPipeline(unet=unet, scheduler=scheduler).save_pretrained(folder, safe_serialization=True)
        reloaded = diffusers.DDPMPipeline.from_pretrained(folder).unet.eval()
    else:
        unet.save_pretrained(folder, safe_serialization=True)
        reloaded = diffusers.UNet2DModel.from_pretrained(folder).eval()
    rng = np.random.default_rng(seed)
    size = config["sample_size"]
    sample = inputs(rng, 3, config["in_channels"], size)
    timestep = torch.tensor([0, 321, 999])
    tensors = {"sample": sample, "timestep": timestep}
    labels = None
    if conditional:
        labels = torch.tensor([0, config["num_class_embeds"] - 1, 2])
        tensors["class_labels"] = labels
    out = run_unet(unet, sample, timestep, labels)
    again = run_unet(reloaded, sample, timestep, labels)
    assert torch.equal(out, again), "save_pretrained / from_pretrained changed the model"
    tensors["output"] = out
    save_golden(golden, tensors, meta)
    report.append(f"{os.path.basename(folder)}: {sum(p.numel() for p in unet.parameters())} parameters, output"
                  f" max |y| {out.abs().max().item():.3f}")


def shipped_case(diffusers, folder, golden, meta, report):
    """The shipped Fashion-MNIST model, exported by ddpm4j: its UNet on fixed inputs, and the model card's Python loop
    (DDIMScheduler from the folder's scheduler config: 50 steps, leading spacing, eta 0, guidance w = 2)."""
    unet = diffusers.UNet2DModel.from_pretrained(folder, subfolder="unet").eval()
    scheduler = diffusers.DDIMScheduler.from_pretrained(folder, subfolder="scheduler")
    cfg = unet.config
    k = cfg.num_class_embeds - 1
    rng = np.random.default_rng(32)
    sample = inputs(rng, 2, cfg.in_channels, cfg.sample_size)
    timestep = torch.tensor([10, 700])
    labels = torch.tensor([3, k])
    tensors = {"sample": sample, "timestep": timestep, "class_labels": labels,
               "output": run_unet(unet, sample, timestep, labels)}
    scheduler.set_timesteps(50)
    loop_labels = torch.tensor([3, 8])
    null = torch.full_like(loop_labels, k)
    w = 2.0
    x = inputs(np.random.default_rng(50), 2, cfg.in_channels, cfg.sample_size)
    tensors["ddim50_x_t"] = x.clone()
    tensors["ddim50_labels"] = loop_labels
    with torch.no_grad():
        for t in scheduler.timesteps:
            both = unet(torch.cat([x, x]), t, class_labels=torch.cat([null, loop_labels])).sample
            uncond, cond = both.chunk(2)
            x = scheduler.step(uncond + w * (cond - uncond), t, x).prev_sample
    tensors["ddim50_x0"] = x
    save_golden(golden, tensors, meta)
    report.append(f"shipped model: {sum(p.numel() for p in unet.parameters())} parameters, DDIM 50 steps"
                  f" {scheduler.timesteps[:2].tolist()}..{scheduler.timesteps[-1].item()}, guidance {w}")


GOOGLE_CIFAR10 = {  # google/ddpm-cifar10-32's unet/config.json (the DDPM paper's CIFAR-10 model)
    "sample_size": 32, "in_channels": 3, "out_channels": 3, "center_input_sample": False,
    "time_embedding_type": "positional", "freq_shift": 1, "flip_sin_to_cos": False,
    "down_block_types": ["DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"],
    "up_block_types": ["UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"],
    "block_out_channels": [128, 256, 256, 256], "layers_per_block": 2, "mid_block_scale_factor": 1,
    "downsample_padding": 0, "act_fn": "silu", "attention_head_dim": None, "norm_num_groups": 32, "norm_eps": 1e-6,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git-dir", help="a diffusers clone's .git folder")
    src.add_argument("--src", help="a diffusers checkout's src/diffusers folder (already at v0.25.0)")
    ap.add_argument("--rev", default="v0.25.0")
    ap.add_argument("--resources", required=True, help="exporter/src/test/resources/diffusers")
    ap.add_argument("--shipped", help="the shipped model as a diffusers folder: ./ddpm export --checkpoint"
                    " models/fashion-mnist/model.onnx --format diffusers --out DIR")
    ap.add_argument("--google-full", help="also write the full google/ddpm-cifar10-32 config case here (143 MB)")
    args = ap.parse_args()

    scratch = tempfile.mkdtemp(prefix="diffusers-parity-")
    atexit.register(shutil.rmtree, scratch, True)
    install_stand_ins(scratch)
    sys.path.insert(0, scratch)
    extract_diffusers(args, scratch)
    import diffusers
    diffusers.utils.logging.set_verbosity_error()
    diffusers.utils.logging.disable_progress_bar()
    commit = "(--src)" if args.src else subprocess.run(
        ["git", "--git-dir", args.git_dir, "rev-parse", args.rev + "^{commit}"], check=True, capture_output=True,
        text=True).stdout.strip()
    torch.set_num_threads(2)
    meta = {"diffusers_version": diffusers.__version__, "diffusers_commit": commit, "torch": torch.__version__,
            "numpy": np.__version__, "python": platform.python_version()}
    report = [f"diffusers {diffusers.__version__} ({commit}), torch {torch.__version__}, numpy {np.__version__},"
              f" Python {platform.python_version()}"]
    res = args.resources

    for case, conditional in (("ddpm4j-uncond", False), ("ddpm4j-cond", True)):
        folder = os.path.join(res, case)
        if not os.path.isdir(folder):
            sys.exit(f"{folder} is missing: write it first with DiffusersGoldensTest (see its Javadoc)")
        ddpm4j_case(diffusers, folder, os.path.join(res, case + ".golden.safetensors"), conditional, meta, report)

    small = dict(GOOGLE_CIFAR10, sample_size=16, block_out_channels=[8, 16, 16, 16], norm_num_groups=4)
    diffusers_case(diffusers, os.path.join(res, "google-small"), os.path.join(res, "google-small.golden.safetensors"),
                   small, 1, False, meta, report)
    cond = dict(GOOGLE_CIFAR10, sample_size=16, in_channels=1, out_channels=1, block_out_channels=[8, 16, 16],
                down_block_types=["DownBlock2D", "DownBlock2D", "AttnDownBlock2D"],
                up_block_types=["AttnUpBlock2D", "UpBlock2D", "UpBlock2D"], norm_num_groups=4, num_class_embeds=4,
                attention_head_dim=16)
    diffusers_case(diffusers, os.path.join(res, "cond-small"), os.path.join(res, "cond-small.golden.safetensors"),
                   cond, 2, True, meta, report, pipeline=False)

    if args.shipped:
        shipped_case(diffusers, args.shipped, os.path.join(res, "fashion-mnist.golden.safetensors"), meta, report)

    if args.google_full:
        os.makedirs(args.google_full, exist_ok=True)
        diffusers_case(diffusers, args.google_full, os.path.join(args.google_full, "golden.safetensors"),
                       GOOGLE_CIFAR10, 3, False, meta, report, pipeline=False)
    print("\n".join(report))


if __name__ == "__main__":
    main()
