#!/usr/bin/env python3
"""The exports against PEFT's own layers and a real transformers model.

Run where torch, transformers and peft are installed (the GPU machine), on the
folders prepare.sh writes with `loralab export`:

    python3 check.py EXPORTS [OUT]

(a) PEFT's layers on the lab's toy: for each torch export with an
    adapter_config.json, build the toy MLP from the exported base weights,
    wrap it with PEFT (the config class for its peft_type, built strictly from
    the JSON: an unknown key fails), check PEFT's own start (B = 0, DoRA's
    magnitude, VeRA's vectors, PiSSA's SVD) against the lab's, load the lab's
    initial values into PEFT's tensors, train with the exported train.py's own
    loop (the lab's batches, AdamW, schedule; PEFT's optimiser helpers for
    LoRA+ and LoRA-FA) and compare every step's loss with the lab's.
(b) The exported PEFT train.py of every method, for a few steps, on a small
    Llama-shaped model built from a config with random weights (no download)
    and the text file shipped beside this script.

Every case is guarded (one failing does not stop the others), the output is
unbuffered and incremental, and the whole run keeps to a time budget.
"""
import concurrent.futures
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import traceback

START = time.time()
BUDGET = float(os.environ.get("CHECK_BUDGET", "300"))  # seconds for everything
HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = {"a": {}, "b": {}}


def say(*args):
    print(f"[{time.time() - START:6.1f}s]", *args, flush=True)


def left():
    return BUDGET - (time.time() - START)


def environment():
    import torch
    info = {"python": sys.version.split()[0], "torch": torch.__version__,
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    for name in ("transformers", "peft"):
        try:
            info[name] = __import__(name).__version__
        except Exception as e:  # reported, not fatal: the other part may still run
            info[name] = f"missing: {e}"
    say("environment:", json.dumps(info))
    RESULTS["environment"] = info


def load_export(path, tag):
    """The exported toy train.py, imported as a module (it builds the lab's layers on import)."""
    spec = importlib.util.spec_from_file_location(f"toy_{tag}", os.path.join(path, "train.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# PEFT's tensor names → the lab's roles.
SUFFIXES = {"lora_A.default.weight": "A", "lora_B.default.weight": "B",
            "lora_magnitude_vector.default.weight": "m",
            "vera_lambda_d.default": "d", "vera_lambda_b.default": "b"}


def lab_name(peft_name):
    for suffix, role in SUFFIXES.items():
        if peft_name.endswith("." + suffix):
            return peft_name[: -len(suffix) - 1].split(".")[-1] + "." + role
    return None


def toy_peft(path, tag, dtype):
    """The toy MLP of the export, from its base weights, wrapped by PEFT with its adapter_config.json."""
    import torch
    from peft import get_peft_model
    from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING

    mod = load_export(path, tag)
    layers = mod.EXPERIMENT["layers"]

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            for spec in layers:
                lin = torch.nn.Linear(spec["d_in"], spec["d_out"], dtype=dtype)
                with torch.no_grad():
                    lin.weight.copy_(mod.load(spec["name"] + ".W0"))  # the pretrained base
                    lin.bias.copy_(mod.load(spec["name"] + ".bias"))
                setattr(self, spec["name"], lin)

        def forward(self, x):
            for i, spec in enumerate(layers):
                x = getattr(self, spec["name"])(x)
                if i < len(layers) - 1:
                    x = mod.ACTIVATION(x)
            return x

    with open(os.path.join(path, "adapter_config.json"), encoding="utf-8") as f:
        config = json.load(f)
    cls = PEFT_TYPE_TO_CONFIG_MAPPING[config["peft_type"]]
    peft_config = cls(**config)  # strict: a key the class does not have raises TypeError
    model = get_peft_model(MLP(), peft_config)
    model = model.to(dtype)
    return mod, model


def check_start(mod, model):
    """PEFT's own initial values against the lab's: the largest difference."""
    import torch
    worst = 0.0
    for name, p in model.named_parameters():
        lab = lab_name(name)
        if lab is None:
            continue
        ours = mod.load(lab).to(p.dtype)
        role = lab.split(".")[-1]
        if role in ("B", "m", "b", "d"):  # deterministic starts: 0, ‖W‖, 0, d_initial
            worst = max(worst, (p.detach().cpu() - ours).abs().max().item())
    return worst


def load_lab_start(mod, model):
    """The lab's initial values into PEFT's tensors (A is random in both, drawn differently)."""
    import torch
    with torch.no_grad():
        for name, p in model.named_parameters():
            lab = lab_name(name)
            if lab is not None:
                p.copy_(mod.load(lab))
        base = model.base_model
        if hasattr(base, "vera_A"):  # VeRA's shared pair, one for every layer
            base.vera_A["default"].copy_(mod.load("vera.A_shared"))
            base.vera_B["default"].copy_(mod.load("vera.B_shared"))


def trainable(model):
    return {lab_name(n): p for n, p in model.named_parameters() if p.requires_grad}


def rel(ours, lab):
    return max((abs(a - b) / max(abs(b), 1e-300) for a, b in zip(ours, lab) if b is not None), default=float("nan"))


def case_a(tag, path):
    """One toy export through PEFT's layers; returns a dict of results."""
    import torch
    out = {}
    if tag == "pissa":
        # PEFT's PiSSA needs float32 (or half) weights: compare its start with the lab's.
        mod, model = toy_peft(path, tag, torch.float32)
        worst_ba, worst_res = 0.0, 0.0
        for spec in mod.EXPERIMENT["layers"]:
            layer = getattr(model.base_model.model, spec["name"])
            s = layer.scaling["default"]
            ba = s * layer.lora_B["default"].weight.double() @ layer.lora_A["default"].weight.double()
            lab_ba = mod.SCALING * mod.load(spec["name"] + ".B") @ mod.load(spec["name"] + ".A")
            worst_ba = max(worst_ba, (ba.detach() - lab_ba).abs().max().item())
            worst_res = max(worst_res, (layer.get_base_layer().weight.double() - mod.load(spec["name"] + ".W")).abs().max().item())
        out.update(start_sBA_max_abs_diff=worst_ba, start_residual_max_abs_diff=worst_res, dtype="float32")
        return out
    mod, model = toy_peft(path, tag, torch.float64)
    out["peft_start_max_abs_diff"] = check_start(mod, model)
    load_lab_start(mod, model)
    optimizer = None
    if tag == "lora-plus":
        from peft.optimizers import create_loraplus_optimizer
        ratio = mod.EXPERIMENT["settings"]["lr_ratio"]
        optimizer = create_loraplus_optimizer(model, torch.optim.AdamW, lr=mod.LR, loraplus_lr_ratio=ratio,
                                              loraplus_weight_decay=mod.WEIGHT_DECAY, betas=(0.9, 0.999), eps=1e-8)
    elif tag == "lora-fa-projected":
        from peft.optimizers import create_lorafa_optimizer
        st = mod.EXPERIMENT["settings"]
        optimizer = create_lorafa_optimizer(model, r=st["rank"], lora_alpha=st["alpha"], lr=mod.LR,
                                            weight_decay=mod.WEIGHT_DECAY)
    elif tag == "lora-fa":
        for n, p in model.named_parameters():
            if "lora_A" in n:
                p.requires_grad_(False)
    params = trainable(model)
    history = mod.train(model, params, before=lambda layers: None, after=lambda layers, step, state: None,
                        quiet=True, optimizer=optimizer)
    expected = mod.EXPERIMENT["expected"]
    out["steps"] = len(history["train_loss"])
    out["train_max_rel_diff"] = rel(history["train_loss"], expected["train_loss"])
    out["eval_max_rel_diff"] = rel([e[1] for e in history["eval_loss"]], [e[1] for e in expected["eval_loss"]])
    out["first_losses"] = {"peft": history["train_loss"][:3], "lab": expected["train_loss"][:3]}
    return out


def part_a(exports):
    toy = os.path.join(exports, "toy")
    for tag in sorted(os.listdir(toy)):
        if left() < 150:
            say(f"(a) {tag}: skipped, time budget")
            RESULTS["a"][tag] = {"skipped": "time budget"}
            continue
        t0 = time.time()
        try:
            r = case_a(tag, os.path.join(toy, tag))
            r["seconds"] = round(time.time() - t0, 2)
            RESULTS["a"][tag] = r
            say(f"(a) {tag}:", json.dumps(r))
        except Exception as e:
            RESULTS["a"][tag] = {"error": f"{type(e).__name__}: {e}"}
            say(f"(a) {tag}: FAILED", traceback.format_exc(limit=6))


def tiny_model(folder, text):
    """A Llama-shaped model with random weights and a character tokenizer, saved in folder."""
    import torch
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import AutoModelForCausalLM, LlamaConfig

    specials = ["<unk>", "<pad>", "<s>", "</s>"]
    vocab = {t: i for i, t in enumerate(specials)}
    for ch in sorted(set(text)):
        vocab.setdefault(ch, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    try:
        from transformers import PreTrainedTokenizerFast
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                       bos_token="<s>", eos_token="</s>")
        fast.save_pretrained(folder)
    except Exception as e:  # transformers' tokenizer classes moved in v5: write the files by hand
        say("tokenizer wrapper failed, writing tokenizer.json by hand:", e)
        os.makedirs(folder, exist_ok=True)
        tok.save(os.path.join(folder, "tokenizer.json"))
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
            json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "unk_token": "<unk>", "pad_token": "<pad>",
                       "bos_token": "<s>", "eos_token": "</s>"}, f)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                         tie_word_embeddings=False, bos_token_id=2, eos_token_id=3, pad_token_id=1)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    model.save_pretrained(folder)
    return sum(p.numel() for p in model.parameters())


def case_b(tag, path, model_dir, data, work):
    out_dir = os.path.join(work, "out-" + tag)
    cmd = [sys.executable, os.path.join(path, "train.py"), "--dataset", data, "--model_name_or_path", model_dir,
           "--max_steps", "6", "--block_size", "32", "--per_device_train_batch_size", "2", "--logging_steps", "1",
           "--output_dir", out_dir]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=max(30, min(150, left() - 20)))
    losses = [float(line.split()[3]) for line in p.stdout.splitlines() if line.startswith("step ")]
    saved = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    tail = (p.stdout + p.stderr).strip().splitlines()[-8:]
    return {"rc": p.returncode, "seconds": round(time.time() - t0, 1), "losses": losses, "saved": saved,
            "stdout_head": p.stdout.strip().splitlines()[:2], "tail": tail if p.returncode else tail[-2:]}


def part_b(exports):
    peft_dir = os.path.join(exports, "peft")
    work = tempfile.mkdtemp(prefix="check-b-")
    model_dir = os.path.join(work, "tiny-llama")
    data = os.path.join(HERE, "tiny.txt")
    with open(data, encoding="utf-8") as f:
        text = f.read()
    try:
        n = tiny_model(model_dir, text)
        say(f"(b) tiny Llama: {n:,} parameters, random weights, in {model_dir}: {sorted(os.listdir(model_dir))}")
    except Exception:
        say("(b) could not build the tiny model:", traceback.format_exc(limit=6))
        RESULTS["b"]["model"] = "failed"
        return
    tags = sorted(os.listdir(peft_dir))
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {pool.submit(case_b, tag, os.path.join(peft_dir, tag), model_dir, data, work): tag for tag in tags}
        for fut in concurrent.futures.as_completed(futures):
            tag = futures[fut]
            try:
                r = fut.result()
            except Exception as e:
                r = {"error": f"{type(e).__name__}: {e}"}
            RESULTS["b"][tag] = r
            ok = r.get("rc") == 0 and len(r.get("losses", [])) >= 6 and all(math.isfinite(x) for x in r["losses"])
            say(f"(b) {tag}: {'ok' if ok else 'FAILED'}", json.dumps(r))


def main():
    exports = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "exports")
    out = sys.argv[2] if len(sys.argv) > 2 else None
    for part in (environment, lambda: part_a(exports), lambda: part_b(exports)):
        try:
            part()
        except Exception:
            say("part failed:", traceback.format_exc(limit=6))
    RESULTS["seconds"] = round(time.time() - START, 1)
    say("done in", RESULTS["seconds"], "s")
    if out:
        with open(out, "w") as f:
            json.dump(RESULTS, f, indent=1)


if __name__ == "__main__":
    main()
