#!/usr/bin/env python3
"""Measure the GPU memory of real LoRA-family training steps (PyTorch + PEFT).

This is the calibration source of LoRA Lab's LLM-scale memory calculator
(package lab/scale). It builds Hugging Face decoder models from the config
dicts in MODELS below (random weights, nothing downloaded), wraps them with
PEFT (or trains them in full), trains 3 steps per case on random token batches
with torch.optim.AdamW (default: foreach), and records for every case:

  * the weights' bytes by dtype (trainable, frozen, buffers);
  * the trainable count exactly as PEFT reports it
    (PeftModel.get_nb_trainable_parameters(); full fine-tuning: the unique
    parameters with requires_grad);
  * the optimizer state's bytes after a step;
  * the bytes of the tensors saved for backward in step 1
    (torch.autograd.graph.saved_tensors_hooks), deduplicated by storage,
    split by dtype into activations and parameters, with a per-module listing
    of block 1 and of everything outside the blocks;
  * torch.cuda.memory_allocated at each phase boundary of every step and the
    peak allocated in each phase (reset_peak_memory_stats before the forward,
    the backward and the optimizer step; max_memory_allocated after it);
  * the time to build, to set up the method (PiSSA's SVD) and of each step.

The peak of a case is the largest phase peak over its 3 steps, minus the
bytes allocated before its model was built (the baseline: CUDA and cuBLAS
workspaces left from earlier cases, a few MiB).

Run it on a machine with one large GPU (an H200 was used: 139 GiB):

    PYTHONUNBUFFERED=1 python3 measure.py --out measured.json
    PYTHONUNBUFFERED=1 python3 measure.py --out smoke.json --smoke --budget 60

--budget SECONDS stops starting new cases once that much time has passed
(cases that would not fit are recorded as skipped); results are written to
--out after every case, so a run cut short still leaves its data. --cases
N,M,... runs only the cases with those indices (see CASES). Cases marked
"held_out": true were chosen before any fitting: the calculator is tuned on
the others and checked on these.

Conventions: bf16 base weights (AMP cases: fp32 weights under
torch.autocast(bfloat16)); sdpa attention; use_cache=False; LoRA dropout 0;
lora_alpha 16 (α changes no memory); adapters in fp32 unless "adapter_dtype"
is bf16 (get_peft_model(autocast_adapter_dtype=False)); gradient
checkpointing is transformers' gradient_checkpointing_enable with
use_reentrant=False; the loss is the model's own (labels = input_ids), and
the model's output object is dropped right after taking .loss, as
transformers' Trainer does.
"""

import argparse
import gc
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback

import torch

T0 = time.time()

# The models, as their Hugging Face config.json files give them (fields that
# change no shape or memory left out).
MODELS = {
    "llama-3.2-1b": {
        "_name_or_path": "meta-llama/Llama-3.2-1B", "model_type": "llama", "architectures": ["LlamaForCausalLM"],
        "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
        "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256, "tie_word_embeddings": True,
        "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
        "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "attention_bias": False, "mlp_bias": False, "hidden_act": "silu", "bos_token_id": 128000, "eos_token_id": 128001,
    },
    "llama-3.2-3b": {
        "_name_or_path": "meta-llama/Llama-3.2-3B", "model_type": "llama", "architectures": ["LlamaForCausalLM"],
        "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 28, "num_attention_heads": 24,
        "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 128256, "tie_word_embeddings": True,
        "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
        "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "attention_bias": False, "mlp_bias": False, "hidden_act": "silu", "bos_token_id": 128000, "eos_token_id": 128001,
    },
    "qwen2.5-1.5b": {
        "_name_or_path": "Qwen/Qwen2.5-1.5B", "model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"],
        "hidden_size": 1536, "intermediate_size": 8960, "num_hidden_layers": 28, "num_attention_heads": 12,
        "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": True,
        "max_position_embeddings": 131072, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
        "sliding_window": 131072, "use_sliding_window": False, "max_window_layers": 28,
        "hidden_act": "silu", "bos_token_id": 151643, "eos_token_id": 151643,
    },
    "qwen2.5-0.5b": {
        "_name_or_path": "Qwen/Qwen2.5-0.5B", "model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"],
        "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
        "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": True,
        "max_position_embeddings": 32768, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
        "sliding_window": 32768, "use_sliding_window": False, "max_window_layers": 24,
        "hidden_act": "silu", "bos_token_id": 151643, "eos_token_id": 151643,
    },
    "mistral-7b": {
        "_name_or_path": "mistralai/Mistral-7B-v0.1", "model_type": "mistral", "architectures": ["MistralForCausalLM"],
        "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
        "num_key_value_heads": 8, "vocab_size": 32000, "tie_word_embeddings": False,
        "max_position_embeddings": 32768, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096,
        "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2,
    },
    "llama-2-7b": {
        "_name_or_path": "meta-llama/Llama-2-7b-hf", "model_type": "llama", "architectures": ["LlamaForCausalLM"],
        "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
        "num_key_value_heads": 32, "vocab_size": 32000, "tie_word_embeddings": False,
        "max_position_embeddings": 4096, "rms_norm_eps": 1e-05, "rope_scaling": None,
        "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2,
    },
    "llama-3-8b": {
        "_name_or_path": "meta-llama/Meta-Llama-3-8B", "model_type": "llama", "architectures": ["LlamaForCausalLM"],
        "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
        "num_key_value_heads": 8, "vocab_size": 128256, "tie_word_embeddings": False,
        "max_position_embeddings": 8192, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
        "attention_bias": False, "mlp_bias": False, "hidden_act": "silu", "bos_token_id": 128000, "eos_token_id": 128001,
    },
}

L1, L3, Q, M7, L27 = "llama-3.2-1b", "llama-3.2-3b", "qwen2.5-1.5b", "mistral-7b", "llama-2-7b"
Q05, L38 = "qwen2.5-0.5b", "llama-3-8b"
QV, ALL = "q,v", "all-linear"


def case(model, method, targets, rank, batch, seq, ckpt=False, adapter="fp32", precision="bf16", init=None):
    """One measured configuration. method: lora, lora-fa, vera, dora, pissa,
    rslora, lora-plus or full; precision: bf16 (pure) or amp (fp32 weights,
    bf16 autocast); init: PiSSA's init_lora_weights."""
    if method == "pissa" and init is None:
        init = "pissa_niter_4"
    full = method == "full"
    return {"model": model, "method": method, "targets": "all" if full else targets, "rank": 0 if full else rank,
            "batch": batch, "seq": seq, "checkpointing": ckpt, "adapter_dtype": None if full else adapter,
            "precision": precision, "init": init}


def case_id(c):
    parts = [c["model"], c["method"], c["targets"].replace(",", ""), f"r{c['rank']}", f"{c['batch']}x{c['seq']}",
             "ckpt" if c["checkpointing"] else "nockpt", c["adapter_dtype"] or "-", c["precision"]]
    if c["method"] == "pissa":
        parts.append(c["init"])
    return "/".join(parts)


def held_out(c):
    """About a quarter of the cases, chosen by a hash of the case's id before
    anything was fitted (the anchor, PEFT's benchmark setup, is never held out)."""
    if CASES_ANCHOR == case_id(c):
        return False
    return int(hashlib.sha256(case_id(c).encode()).hexdigest(), 16) % 4 == 0


def make_cases():
    """The cases, most informative first (a time budget may cut the tail);
    duplicates are dropped."""
    out = []
    add = out.append
    # 0. PEFT's own benchmark shape: Llama-3.2-3B, batch 4 × 768, q and v, r 32; every method.
    for meth, r in (("lora", 32), ("lora-fa", 32), ("dora", 32), ("vera", 256), ("full", 0), ("pissa", 32)):
        add(case(L3, meth, QV, r, 4, 768))
    add(case(L3, "lora", ALL, 32, 4, 768))
    add(case(L3, "lora", QV, 32, 4, 768, ckpt=True))
    add(case(L3, "lora", QV, 32, 4, 768, adapter="bf16"))
    add(case(L3, "rslora", QV, 32, 4, 768))
    add(case(L3, "lora-plus", QV, 32, 4, 768))
    add(case(L3, "dora", ALL, 32, 4, 768))
    # 1. Every method on every model, q,v and all-linear, fp32 adapters, no checkpointing.
    per_model = {L1: (64, 2, 2048), Q: (8, 4, 768), M7: (16, 2, 2048), L27: (32, 4, 768), L38: (8, 1, 2048),
                 Q05: (16, 4, 1024), L3: (16, 2, 1024)}
    for m, (r, b, s) in per_model.items():
        for meth in ("lora", "lora-fa", "dora", "vera", "pissa"):
            for t in (QV, ALL):
                add(case(m, meth, t, 256 if meth == "vera" else r, b, s))
        add(case(m, "full", None, 0, b, s))
    # 6. Full fine-tuning: pure bf16 on every model; AMP with fp32 master weights on the small ones.
    for m in (L1, Q05, Q, L3, M7, L27, L38):
        add(case(m, "full", None, 0, 1, 512))
    for m, b, s, ck in ((L1, 1, 512, False), (L1, 4, 768, False), (L1, 2, 2048, True), (Q05, 1, 512, False),
                        (Q, 1, 512, False), (L3, 1, 512, False), (Q05, 4, 1024, True)):
        add(case(m, "full", None, 0, b, s, ckpt=ck, precision="amp"))
    # 7. rsLoRA, LoRA+, PiSSA with an exact SVD.
    add(case(L1, "rslora", ALL, 64, 4, 768))
    add(case(M7, "rslora", QV, 16, 2, 2048))
    add(case(Q, "lora-plus", ALL, 16, 4, 768))
    add(case(M7, "lora-plus", ALL, 16, 2, 2048, ckpt=True))
    add(case(L1, "pissa", QV, 16, 1, 512, init="pissa"))
    add(case(Q05, "pissa", ALL, 16, 2, 2048, init="pissa"))
    # 2. Checkpointing on, at 2 × 2048 tokens.
    for m in (L1, Q, M7, L27, L38, Q05, L3):
        for meth in ("lora", "lora-fa", "dora", "vera"):
            add(case(m, meth, ALL, 256 if meth == "vera" else 16, 2, 2048, ckpt=True))
        add(case(m, "lora", QV, 16, 2, 2048, ckpt=True))
        add(case(m, "full", None, 0, 2, 2048, ckpt=True))
    # 3. bf16 adapters.
    for m in (L1, Q, M7, L3):
        for meth in ("lora", "lora-fa", "dora", "vera"):
            for t in (QV, ALL):
                add(case(m, meth, t, 256 if meth == "vera" else 16, 4, 768, adapter="bf16"))
    # 4. Tokens: batch and sequence length.
    for b, s in ((1, 512), (1, 1024), (1, 4096), (4, 768), (8, 512), (4, 1024), (2, 2048), (8, 2048)):
        add(case(L1, "lora", QV, 16, b, s))
        add(case(L3, "lora", ALL, 16, b, s))
        add(case(M7, "lora", QV, 16, b, s))
    # 5. Rank.
    for r in (1, 8, 64, 256):
        add(case(L3, "lora", QV, r, 4, 768))
    for r in (8, 256):
        add(case(L3, "lora", ALL, r, 4, 768))
    for r in (64, 1024):
        add(case(L1, "vera", ALL, r, 2, 2048))
    for r in (8, 128):
        add(case(L3, "dora", QV, r, 4, 768))
    for r in (64, 256):
        add(case(L1, "lora-fa", ALL, r, 2, 2048))
    seen, cases = set(), []
    for c in out:
        if case_id(c) not in seen:
            seen.add(case_id(c))
            cases.append(c)
    for c in cases:
        c["held_out"] = held_out(c)
    return cases


CASES_ANCHOR = "llama-3.2-3b/lora/qv/r32/4x768/nockpt/fp32/bf16"
CASES = make_cases()

# Smoke test: every method and code path once, cheaply, plus one case of each model.
SMOKE = [i for i, c in enumerate(CASES) if c["model"] == L1 and c["batch"] * c["seq"] <= 4096][:14] + [0]

# Trainable counts only (no training): PEFT's numbers for DoRA, VeRA and PiSSA.
COUNTS = [(m, meth, t, r) for m in (L1, L3, Q, Q05, M7, L27, L38) for t in (QV, ALL)
          for meth, r in (("dora", 8), ("dora", 64), ("vera", 256), ("pissa", 16))]

LORA_ALPHA = 16
LR = 1e-4
STEPS = 3


def log(*a):
    print(f"[{time.time() - T0:6.1f}s]", *a, flush=True)


def make_config(name):
    from transformers import AutoConfig
    d = dict(MODELS[name])
    d.pop("_name_or_path", None)
    mt = d.pop("model_type")
    d["use_cache"] = False

    def make(d):
        if hasattr(AutoConfig, "for_model"):
            return AutoConfig.for_model(mt, **d)
        from transformers.models.auto.configuration_auto import CONFIG_MAPPING
        return CONFIG_MAPPING[mt](**d)

    try:
        return make(d), None
    except Exception as e:  # e.g. a rope_scaling spelling this transformers does not take
        d.pop("rope_scaling", None)
        return make(d), f"rope_scaling dropped: {e}"


def build_model(name, dtype, device):
    from transformers import AutoModelForCausalLM
    cfg, note = make_config(name)
    with torch.device(device):
        try:
            model = AutoModelForCausalLM.from_config(cfg, dtype=dtype, attn_implementation="sdpa")
        except TypeError:
            model = AutoModelForCausalLM.from_config(cfg, torch_dtype=dtype, attn_implementation="sdpa")
    if next(model.parameters()).dtype != dtype:
        model = model.to(dtype)
    return model, note


def peft_targets(targets):
    return "all-linear" if targets == ALL else ["q_proj", "v_proj"]


def peft_config(c):
    from peft import LoraConfig, VeraConfig
    t = peft_targets(c["targets"])
    if c["method"] == "vera":
        return VeraConfig(r=c["rank"], target_modules=t, vera_dropout=0.0, d_initial=0.1, task_type="CAUSAL_LM")
    kw = dict(r=c["rank"], lora_alpha=LORA_ALPHA, target_modules=t, lora_dropout=0.0, task_type="CAUSAL_LM")
    if c["method"] == "dora":
        kw["use_dora"] = True
    if c["method"] == "rslora":
        kw["use_rslora"] = True
    if c["method"] == "pissa":
        kw["init_lora_weights"] = c["init"]
    return LoraConfig(**kw)


def setup_method(model, c):
    """Wraps the model for the case's method and returns (model, optimizer, info)."""
    info = {}
    if c["method"] == "full":
        for p in model.parameters():
            p.requires_grad_(True)
        opt = torch.optim.AdamW(model.parameters(), lr=LR)
        n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
        n_all = sum(p.numel() for p in model.parameters())
        info["trainable"], info["all_params"] = n_train, n_all
        info["optimizer"] = "torch.optim.AdamW"
        return model, opt, info
    from peft import get_peft_model
    t = time.time()
    model = get_peft_model(model, peft_config(c), autocast_adapter_dtype=(c["adapter_dtype"] == "fp32"))
    torch.cuda.synchronize()
    info["peft_init_s"] = round(time.time() - t, 3)
    info["trainable_at_init"] = model.get_nb_trainable_parameters()[0]
    if c["method"] == "lora-fa":
        from peft.optimizers import create_lorafa_optimizer
        opt = create_lorafa_optimizer(model, r=c["rank"], lora_alpha=LORA_ALPHA, lr=LR)
        info["optimizer"] = "peft.optimizers.create_lorafa_optimizer"
    elif c["method"] == "lora-plus":
        from peft.optimizers import create_loraplus_optimizer
        opt = create_loraplus_optimizer(model, optimizer_cls=torch.optim.AdamW, lr=LR, loraplus_lr_ratio=16)
        info["optimizer"] = "peft.optimizers.create_loraplus_optimizer(AdamW, ratio 16)"
    else:
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR)
        info["optimizer"] = "torch.optim.AdamW"
    info["trainable"], info["all_params"] = model.get_nb_trainable_parameters()
    info["adapted_layers"] = sum(1 for m in model.modules() if hasattr(m, "lora_A") or hasattr(m, "vera_lambda_d"))
    return model, opt, info


def add(d, k, v):
    d[k] = d.get(k, 0) + v


def weight_bytes(model):
    out = {"trainable": {}, "frozen": {}, "buffers": {}}
    for p in model.parameters():  # unique: tied weights once
        add(out["trainable" if p.requires_grad else "frozen"], str(p.dtype).replace("torch.", ""), p.numel() * p.element_size())
    for b in model.buffers():
        add(out["buffers"], str(b.dtype).replace("torch.", ""), b.numel() * b.element_size())
    return out


def optimizer_bytes(opt):
    seen, by = set(), {}
    for st in opt.state.values():
        for v in st.values():
            if torch.is_tensor(v) and v.is_cuda:
                s = v.untyped_storage()
                if s.data_ptr() in seen:
                    continue
                seen.add(s.data_ptr())
                add(by, str(v.dtype).replace("torch.", ""), s.nbytes())
    return by


LAYER_RE = re.compile(r"(?:^|\.)layers\.(\d+)(?:\.|$)")


class SavedRecorder:
    """Records the tensors autograd saves during one forward pass, deduplicated
    by storage, attributed to the innermost module running when saved."""

    def __init__(self, model):
        self.names = {id(m): n for n, m in model.named_modules()}
        self.params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        self.params |= {b.untyped_storage().data_ptr() for b in model.buffers()}
        self.stack, self.seen = [], set()
        self.act, self.par = {}, {}  # dtype → bytes
        self.per_layer = {}  # layer index → activation bytes
        self.detail = {}  # (module, dtype, shape, is_param) → [count, bytes]
        self.handles = []

    def _pre(self, m, args):
        self.stack.append(self.names.get(id(m), type(m).__name__))

    def _post(self, m, args, out):
        if self.stack:
            self.stack.pop()

    def _pack(self, t):
        try:
            if not t.is_cuda:
                return t
            s = t.untyped_storage()
            ptr, nb = s.data_ptr(), s.nbytes()
        except Exception:
            return t
        if ptr in self.seen:
            return t
        self.seen.add(ptr)
        is_param = ptr in self.params
        dt = str(t.dtype).replace("torch.", "")
        add(self.par if is_param else self.act, dt, nb)
        mod = self.stack[-1] if self.stack else "<outside>"
        mod = mod.replace("base_model.model.", "")
        if mod in ("", "base_model", "base_model.model"):
            mod = "<causal_lm>"  # the model's own forward: the loss
        m = LAYER_RE.search(mod)
        if m and not is_param:
            add(self.per_layer, int(m.group(1)), nb)
        if m is None or m.group(1) == "1":
            key = (mod, dt, "x".join(str(x) for x in t.shape), is_param)
            e = self.detail.setdefault(key, [0, 0])
            e[0] += 1
            e[1] += nb
        return t

    def __enter__(self):
        from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
        self.handles = [register_module_forward_pre_hook(self._pre), register_module_forward_hook(self._post)]
        self.ctx = torch.autograd.graph.saved_tensors_hooks(self._pack, lambda t: t)
        self.ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self.ctx.__exit__(*exc)
        for h in self.handles:
            h.remove()
        self.handles = []

    def report(self):
        return {
            "activations_by_dtype": self.act, "params_by_dtype": self.par,
            "activations": sum(self.act.values()), "per_layer": [self.per_layer[k] for k in sorted(self.per_layer)],
            "detail": [{"module": k[0], "dtype": k[1], "shape": k[2], "param": k[3], "count": v[0], "bytes": v[1]}
                       for k, v in sorted(self.detail.items())],
        }


def train_step(model, opt, c, vocab, record=None):
    """One step; returns the memory at each phase boundary, the phase peaks and the time."""
    cuda = torch.cuda
    ids = torch.randint(0, vocab, (c["batch"], c["seq"]), device="cuda")
    amp = c["precision"] == "amp"
    cuda.synchronize()
    t = time.time()
    m = {"start": cuda.memory_allocated()}
    cuda.reset_peak_memory_stats()
    ctx = torch.autocast("cuda", dtype=torch.bfloat16) if amp else torch.autocast("cuda", enabled=False)
    with ctx:
        if record is not None:
            with record:
                loss = model(input_ids=ids, labels=ids, use_cache=False).loss
        else:
            loss = model(input_ids=ids, labels=ids, use_cache=False).loss
    m["peak_forward"], m["after_forward"] = cuda.max_memory_allocated(), cuda.memory_allocated()
    reserved = [cuda.max_memory_reserved()]
    cuda.reset_peak_memory_stats()
    loss.backward()
    m["peak_backward"], m["after_backward"] = cuda.max_memory_allocated(), cuda.memory_allocated()
    reserved.append(cuda.max_memory_reserved())
    cuda.reset_peak_memory_stats()
    opt.step()
    m["peak_optimizer"], m["after_optimizer"] = cuda.max_memory_allocated(), cuda.memory_allocated()
    reserved.append(cuda.max_memory_reserved())
    m["max_reserved"] = max(reserved)  # absolute, not minus the baseline
    opt.zero_grad(set_to_none=True)
    m["after_zero_grad"] = cuda.memory_allocated()
    cuda.synchronize()
    m["loss"] = float(loss.detach())
    m["seconds"] = round(time.time() - t, 3)
    return m


def run_case(c):
    cuda = torch.cuda
    res = {}
    base = cuda.memory_allocated()
    res["baseline_allocated"] = base
    t = time.time()
    dtype = torch.float32 if c["precision"] == "amp" else torch.bfloat16
    model, note = build_model(c["model"], dtype, "cuda")
    if note:
        res["note"] = note
    model.config.use_cache = False
    if c["checkpointing"]:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    cuda.synchronize()
    res["build_s"] = round(time.time() - t, 3)
    res["attn_implementation"] = getattr(model.config, "_attn_implementation", None)
    t = time.time()
    model, opt, info = setup_method(model, c)
    cuda.synchronize()
    res["setup_s"] = round(time.time() - t, 3)
    res.update(info)
    res["weights"] = weight_bytes(model)
    res["resting_before_steps"] = cuda.memory_allocated() - base
    vocab = MODELS[c["model"]]["vocab_size"]
    steps = []
    for i in range(STEPS):
        rec = SavedRecorder(model) if i == 0 else None
        s = train_step(model, opt, c, vocab, rec)
        if rec is not None:
            res["saved"] = rec.report()
        for k in list(s):
            if k.startswith(("peak_", "after_", "start")):
                s[k] -= base
        steps.append(s)
        if i == 0:
            res["optimizer_state"] = optimizer_bytes(opt)
    res["steps"] = steps
    phases = ("peak_forward", "peak_backward", "peak_optimizer")
    res["peak"] = max(s[p] for s in steps for p in phases)
    res["peak_phase"] = max(((s[p], f"step{i + 1}.{p[5:]}") for i, s in enumerate(steps) for p in phases))[1]
    res["max_reserved"] = max(s["max_reserved"] for s in steps)
    del model, opt
    return res


def counts_only(model_name, method, targets, rank):
    """PEFT's trainable count, with the base on the meta device (no memory, no init)."""
    from peft import get_peft_model
    c = {"method": method, "targets": targets, "rank": rank, "init": "pissa_niter_4" if method == "pissa" else None}
    errors = []
    for low_mem in (True, False):
        model, _ = build_model(model_name, torch.bfloat16, "meta")
        try:
            pm = get_peft_model(model, peft_config(c), low_cpu_mem_usage=low_mem)
            tr, al = pm.get_nb_trainable_parameters()
            return {"trainable": tr, "all_params": al, "how": f"meta device, low_cpu_mem_usage={low_mem}"}
        except Exception as e:
            errors.append(f"low_cpu_mem_usage={low_mem}: {type(e).__name__}: {str(e)[:200]}")
    if method != "pissa":
        raise RuntimeError("; ".join(errors))
    # PiSSA's SVD cannot run on meta tensors; its adapters have LoRA's shapes.
    c["method"] = "lora"
    model, _ = build_model(model_name, torch.bfloat16, "meta")
    pm = get_peft_model(model, peft_config(c), low_cpu_mem_usage=True)
    tr, al = pm.get_nb_trainable_parameters()
    return {"trainable": tr, "all_params": al,
            "how": "meta device; PiSSA's SVD cannot run on meta tensors, so counted with LoRA's adapter shapes (PiSSA's own); " + "; ".join(errors)}


def environment():
    import transformers
    import peft
    env = {
        "torch": torch.__version__, "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
        "transformers": transformers.__version__, "peft": peft.__version__, "python": platform.python_version(),
        "gpu": torch.cuda.get_device_name(0),
        "gpu_memory_bytes": torch.cuda.get_device_properties(0).total_memory,
        "flash_sdp": torch.backends.cuda.flash_sdp_enabled(), "mem_efficient_sdp": torch.backends.cuda.mem_efficient_sdp_enabled(),
    }
    try:
        env["driver"] = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                       capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as e:
        env["driver"] = f"unknown ({e})"
    return env


def write(out, data):
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, out)


DEFAULT_COST = {L1: 5, Q05: 5, Q: 7, L3: 9, M7: 18, L27: 18, L38: 20}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget", type=float, default=420, help="seconds after which no new case starts")
    ap.add_argument("--smoke", action="store_true", help="the smoke-test subset")
    ap.add_argument("--cases", default="", help="comma-separated case indices")
    ap.add_argument("--no-counts", action="store_true")
    a = ap.parse_args()
    idx = list(range(len(CASES)))
    if a.smoke:
        idx = SMOKE
    if a.cases:
        idx = [int(x) for x in a.cases.split(",")]
    data = {
        "schema": 1,
        "description": "GPU memory of real training steps with PyTorch + PEFT; see measure.py's docstring for how each number is taken",
        "environment": environment(),
        "settings": {"steps": STEPS, "lora_alpha": LORA_ALPHA, "lr": LR, "lora_dropout": 0.0, "attn_implementation": "sdpa",
                     "use_cache": False, "gradient_checkpointing": "gradient_checkpointing_enable(use_reentrant=False)",
                     "loss": "model(input_ids, labels=input_ids).loss; outputs dropped before backward",
                     "zero_grad": "set_to_none=True after each optimizer step",
                     "peak": "max over the steps of max_memory_allocated in the forward, backward and optimizer phases, minus the baseline"},
        "models": MODELS,
        "counts": [],
        "cases": [],
    }
    log("environment", json.dumps(data["environment"]))
    # Warm up CUDA, cuBLAS (bf16 and fp32) and autograd so their workspaces sit in every baseline.
    x = torch.randn(256, 256, device="cuda", requires_grad=True)
    for dt in (torch.bfloat16, torch.float32):
        (x.to(dt) @ x.to(dt)).float().sum().backward()
    del x
    gc.collect()
    torch.cuda.empty_cache()
    write(a.out, data)

    budget_counts = 25 if not a.smoke else 8
    if not a.no_counts:
        t = time.time()
        todo = COUNTS if not a.smoke else COUNTS[:3]
        for m, meth, tg, r in todo:
            if time.time() - t > budget_counts:
                data["counts"].append({"model": m, "method": meth, "targets": tg, "rank": r, "skipped": "time budget"})
                continue
            rec = {"model": m, "method": meth, "targets": tg, "rank": r}
            try:
                rec.update(counts_only(m, meth, tg, r))
            except Exception as e:
                rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            data["counts"].append(rec)
            log("count", m, meth, tg, r, rec.get("trainable", rec.get("error")))
        gc.collect()
        write(a.out, data)

    cost = {}
    for i in idx:
        c = CASES[i]
        rec = dict(c, index=i, id=case_id(c))
        est = cost.get(c["model"], DEFAULT_COST[c["model"]])
        if c["init"] == "pissa":
            est += 10
        if time.time() - T0 + est > a.budget:
            rec["status"] = "skipped (time budget)"
            data["cases"].append(rec)
            log("skip", rec["id"])
            continue
        t = time.time()
        err = None
        try:
            rec.update(run_case(c))
            rec["status"] = "ok"
        except Exception as e:
            oom = isinstance(e, torch.cuda.OutOfMemoryError)
            err = f"{type(e).__name__}: {str(e)[:600]}"
            rec["status"] = "oom" if oom else "error"
            rec["error"] = err
            rec["traceback"] = traceback.format_exc()[-1500:]
        gc.collect()
        torch.cuda.empty_cache()
        rec["leftover_allocated"] = torch.cuda.memory_allocated() - rec.get("baseline_allocated", 0)
        dt = time.time() - t
        rec["case_s"] = round(dt, 2)
        cost[c["model"]] = max(cost.get(c["model"], 0), 1.3 * dt)
        data["cases"].append(rec)
        write(a.out, data)
        if rec["status"] == "ok":
            log(f"#{i:2d} {rec['id']:60s} peak {rec['peak'] / 1e9:7.3f} GB at {rec['peak_phase']:22s} "
                f"trainable {rec['trainable']:>13,d} saved {rec['saved']['activations'] / 1e9:6.3f} GB "
                f"opt {sum(rec['optimizer_state'].values()) / 1e9:6.3f} GB  {dt:5.1f}s")
        else:
            log(f"#{i:2d} {rec['id']} {rec['status']}: {err}")
    log("done", sum(1 for r in data["cases"] if r["status"] == "ok"), "ok of", len(data["cases"]))


if __name__ == "__main__":
    main()
