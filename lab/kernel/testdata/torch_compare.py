#!/usr/bin/python3
"""Side-by-side benchmark: the lab's LoRA step against PyTorch's, interleaved.

For each case (width, cores) and each round, it runs the lab's step benchmark
(adapters.BenchmarkStep/lora, or BenchmarkStepCores/lora for two cores) and
then torch_step.py for about the same time, and records the ratio of their
step rates. The machine may be shared: rounds alternate the two so both see
the same conditions, and the ratios are reported as ranges. Two measures:
steps per wall-clock second, and steps per CPU-second of the process (which
leaves out time spent descheduled, but not cache or frequency effects).

It installs nothing. It uses Debian's python3-torch (/usr/bin/python3) when
present. Environment:

    TORCH_PYTHON   the Python with torch (default /usr/bin/python3)
    TORCH_LIBS     a directory to put first on PyTorch's LD_LIBRARY_PATH, e.g.
                   an OpenBLAS libblas.so.3 (Debian's torch links libblas.so.3,
                   which is the slow reference BLAS unless OpenBLAS is the
                   system's alternative)

Usage, from the repository root:

    lab/kernel/testdata/torch_compare.py [--rounds 5] [--seconds 2] [--cases 64x1,256x1,256x2]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def lab_step(binary, width, cores, seconds):
    """Runs the lab's LoRA step benchmark; returns (steps/s, steps/cpu-s)."""
    bench = "^BenchmarkStep$/^lora$/^width=%d$" % width
    if cores > 1:
        bench = "^BenchmarkStepCores$/^lora$/^width=%d$" % width
    env = dict(os.environ, GOMAXPROCS=str(cores))
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", bench, "-test.benchtime", "%gs" % seconds],
                         env=env, capture_output=True, text=True, check=True, cwd=os.path.join(ROOT, "adapters")).stdout
    wall = re.search(r"([\d.]+) steps/s", out)
    cpu = re.search(r"([\d.]+) steps/cpu-s", out)
    if not wall:
        sys.exit("no steps/s in the lab's benchmark output:\n" + out)
    return float(wall.group(1)), float(cpu.group(1)) if cpu else float("nan")


def torch_step(python, width, cores, seconds):
    """Runs torch_step.py; returns (steps/s, steps/cpu-s, its report)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(cores), OPENBLAS_NUM_THREADS=str(cores), MKL_NUM_THREADS=str(cores))
    if os.environ.get("TORCH_LIBS"):
        env["LD_LIBRARY_PATH"] = os.environ["TORCH_LIBS"] + ":" + env.get("LD_LIBRARY_PATH", "")
    out = subprocess.run([python, os.path.join(HERE, "torch_step.py"), "--width", str(width), "--threads", str(cores),
                          "--seconds", str(seconds)], env=env, capture_output=True, text=True, check=True).stdout
    rep = json.loads(out.strip().splitlines()[-1])
    return rep["steps_per_s"], rep["steps_per_cpu_s"], rep


def spread(xs):
    return "%.2f–%.2f (median %.2f)" % (min(xs), max(xs), statistics.median(xs))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--cases", default="64x1,256x1,256x2")
    args = p.parse_args()
    python = os.environ.get("TORCH_PYTHON", "/usr/bin/python3")
    if subprocess.run([python, "-c", "import torch"], capture_output=True).returncode != 0:
        sys.exit("%s has no torch (Debian: apt install python3-torch); nothing to compare" % python)
    cases = [tuple(int(v) for v in c.split("x")) for c in args.cases.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "adapters.test")
        subprocess.run(["go", "test", "-c", "-o", binary, "./adapters"], cwd=ROOT, check=True)
        kernel = subprocess.run(["go", "run", "./lab/kernel/testdata/kernelname"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        results = {c: {"lab": [], "torch": [], "wall": [], "cpu": []} for c in cases}
        report = None
        for rnd in range(args.rounds):
            for c in cases:
                width, cores = c
                lw, lc = lab_step(binary, width, cores, args.seconds)
                tw, tc, report = torch_step(python, width, cores, args.seconds)
                r = results[c]
                r["lab"].append(lw)
                r["torch"].append(tw)
                r["wall"].append(lw / tw)
                r["cpu"].append(lc / tc)
                print("round %d  width %3d  cores %d   lab %8.1f steps/s (%8.1f per CPU-s)   torch %7.1f (%7.1f)   ratio %.2f (%.2f)"
                      % (rnd + 1, width, cores, lw, lc, tw, tc, lw / tw, lc / tc), flush=True)
    print()
    print("lab kernel: %s;  PyTorch %s, BLAS: %s" % (kernel or "?", report["torch"], json.dumps(report["blas"])))
    print("| width | cores | lab steps/s | PyTorch steps/s | lab ÷ PyTorch (wall) | lab ÷ PyTorch (per CPU-s) |")
    print("|---|---|---|---|---|---|")
    for c in cases:
        r = results[c]
        print("| %d | %d | %.0f–%.0f | %.0f–%.0f | %s | %s |" % (c[0], c[1], min(r["lab"]), max(r["lab"]),
              min(r["torch"]), max(r["torch"]), spread(r["wall"]), spread(r["cpu"])))


if __name__ == "__main__":
    main()
