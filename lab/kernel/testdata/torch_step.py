#!/usr/bin/python3
"""The lab's LoRA MLP training step in PyTorch, for a side-by-side benchmark.

The same step as adapters.BenchmarkStep/lora: batch 64 drawn from a 4096-row
training set, 4 linear layers of width W (frozen W and bias), LoRA A (r × W,
uniform ±1/√W) and B (W × r, zero) with s = α/r = 1, tanh between layers,
MSE loss, Adam (lr 2e-3, no weight decay) on A and B, float64.

It installs nothing: it uses the PyTorch it finds (Debian's python3-torch is
/usr/bin/python3's). Usage:

    torch_step.py --width 256 --seconds 2 [--threads 1]

It prints one line of JSON: steps per second (wall and CPU) and what BLAS
PyTorch is running on.
"""
import argparse
import ctypes
import json
import os
import time

import torch


def blas_info():
    """Which BLAS library the process loaded, and OpenBLAS's kernel if it is OpenBLAS."""
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in path or "mkl" in path:
                libs.add(path)
    info = {"libraries": sorted(libs)}
    for path in libs:
        if "openblas" in os.path.basename(path):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                info["openblas_core"] = lib.openblas_get_corename().decode()
                info["openblas_config"] = lib.openblas_get_config().decode()
            except (OSError, AttributeError):
                pass
    return info


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    dt = torch.float64
    w, r, n = args.width, args.rank, args.batch

    base = [(torch.randn(w, w, dtype=dt) / w**0.5, 0.1 * torch.randn(w, dtype=dt)) for _ in range(args.depth)]
    a = [torch.empty(r, w, dtype=dt).uniform_(-1 / w**0.5, 1 / w**0.5).requires_grad_() for _ in range(args.depth)]
    b = [torch.zeros(w, r, dtype=dt, requires_grad=True) for _ in range(args.depth)]
    s = 1.0  # α/r with α = r
    opt = torch.optim.Adam(a + b, lr=2e-3, betas=(0.9, 0.999), eps=1e-8)
    train_x, train_y = torch.randn(4096, w, dtype=dt), torch.randn(4096, w, dtype=dt)

    def step():
        idx = torch.randint(0, 4096, (n,))
        h, y = train_x[idx], train_y[idx]
        for i, (wt, bias) in enumerate(base):
            h = torch.addmm(bias, h, wt.t()) + s * ((h @ a[i].t()) @ b[i].t())  # X·Wᵀ + b + s·(X·Aᵀ)·Bᵀ
            if i < len(base) - 1:
                h = torch.tanh(h)
        loss = torch.mean((h - y) ** 2)
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()

    for _ in range(20):  # warm-up
        step()
    steps, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < args.seconds:
        step()
        steps += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(json.dumps({
        "width": w, "threads": args.threads, "steps": steps,
        "steps_per_s": steps / wall, "steps_per_cpu_s": steps / cpu,
        "torch": torch.__version__, "blas": blas_info(),
        "capability": torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else None,
    }))


if __name__ == "__main__":
    main()
