package scale

import "fmt"

// assumptions says, in plain sentences, what the numbers of r assume. The
// sentences carry no per-estimate counts (those are in the report), so a
// comparison prints each sentence once.
func assumptions(r Report, full, writer bool) []string {
	m := r.Model
	var a []string
	add := func(format string, args ...any) { a = append(a, fmt.Sprintf(format, args...)) }
	add("N = batch × seq tokens; activations in the dtypes PyTorch keeps them in: the compute dtype %s, and fp32 where transformers upcasts (norm inputs, the loss)", r.ComputeDType)
	if m.Arch == Llama {
		add("network activations per block (measured for Llama, Mistral and Qwen2 with sdpa attention): each RMSNorm keeps its input in fp32 (N·h·4) and 1/rms (N·4); attention keeps q, k, v and its output (N·(2·q + 2·kv)) and the log-sum-exp (N·heads·4), no seq × seq scores; the gated MLP keeps gate's output, SiLU's output and up's output (3·N·mlp); the rotary cos and sin once; the first block keeps no norm input when nothing before it trains; a frozen linear layer keeps no input (its W alone passes the gradient back)")
		if m.SlidingWindow > 0 {
			add("sliding window %d: a sequence that reaches it gets an explicit attention mask, and attention then keeps k and v expanded to every head and the mask (batch·seq²)", m.SlidingWindow)
		}
	} else {
		mlp := "the input of the MLP's activation (N·mlp)"
		add("network activations per block (not measured, the calculator's earlier model): the two norm inputs (2·N·h), q, k, v and the attention output (N·(2·q + 2·kv)) and %s, in the compute dtype", mlp)
	}
	if m.HasLMHead() {
		add("the loss (transformers' own) keeps an fp32 log-softmax (N·vocab·4) and the labels; its backward adds the fp32 gradients of the log-softmax's output and input (2·N·vocab·4), the largest transient at long vocabularies")
	} else {
		add("no loss term: an encoder's task head is small")
	}
	add("method activations: each method's Footprint formula per adapted layer, the one the toy engine's ledger checks, as PEFT keeps it: the part that grows with d_in is the layer's input X, which PEFT casts to the adapter dtype in every adapted layer (with fp32 adapters each layer keeps its own fp32 copy; when X is already in that dtype, layers reading one input keep it once, and o's input is the attention output attention keeps anyway); the rest of the formula (H = X·Aᵀ, ...) in the adapter dtype; a method may declare what its PEFT layer keeps or allocates beyond its formula")
	if r.Checkpointing {
		add("gradient checkpointing on (non-reentrant): each block keeps only its input (N·h); backward recomputes one block at a time, which the peak counts (that block's activations, its largest layer's temporaries and the MLP's gradients)")
	} else {
		add("gradient checkpointing off: every block keeps its activations (network and method) until its backward pass")
	}
	add("peak: the largest allocated memory of a step (torch.cuda.max_memory_allocated), the most of: the loss backward (everything the forward kept plus the loss's gradients; no weight gradients yet, zero_grad frees them with set_to_none), a layer's forward temporaries, a recomputed block, and the optimizer step (gradients plus AdamW's foreach temporary, a copy of the trained weights' size); the allocator reserves more than it allocates, and the CUDA context and cuBLAS workspaces (a few hundred MiB) are not counted")
	switch r.DType {
	case NF4:
		add("frozen base: the blocks' linear weights in 4-bit NF4 with double quantisation (%.3f bits a weight, as QLoRA); embeddings, LM head, norms and biases stay in %s; each layer dequantises its weight for its matmul (one weight's temporary counted); activations on a quantised base not measured", nf4Bits, restDType(r))
	case Int8:
		add("frozen base: the blocks' linear weights in int8 (1 byte; per-row scales, under 0.1 %%, not counted); embeddings, LM head, norms and biases stay in %s; activations on a quantised base not measured", restDType(r))
	default:
		add("frozen base weights in %s", r.DType)
	}
	if r.KbitPrepare {
		add("prepare_model_for_kbit_training: the base parameters that are not quantised (embeddings, LM head, norms, biases) cast to fp32; the recipe also turns on gradient checkpointing (--checkpointing)")
	}
	if full {
		add("full fine-tuning trains every weight: the formula is applied to every linear layer (the LM head too when untied) and the embeddings and norms train as well, at the formula's gradient and optimiser numbers per weight; targets are ignored; the norms also keep their normalised input for their weights' gradient, and each linear layer its input")
		if r.MasterWeights {
			add("fp32 master weights (mixed precision, torch.autocast to %s): weights, gradients and AdamW state in fp32 (16 bytes a weight); autocast keeps a %s copy of every linear weight from forward to backward and casts each linear layer's input separately; the residual stream and the norms stay fp32", r.ComputeDType, r.ComputeDType)
		} else {
			add("pure %s training (no fp32 master copy): weights, gradients and AdamW state in %s", r.TrainDType, r.TrainDType)
		}
	} else {
		add("adapter weights, gradients, frozen adapter matrices and method extras in %s; fp32 master weights concern a base that trains, not adapters", r.AdapterDType)
	}
	if writer {
		add("this method writes the base weights of the layers it adapts every step (no gradient, no optimiser state): those weights and biases are counted in fp32, which writing small updates needs")
	}
	if r.Optimizer == AdamW8bit {
		add("8-bit AdamW (bitsandbytes, blockwise): 1 byte per state number plus one fp32 scale per %d; bitsandbytes keeps tensors under 4096 numbers in 32-bit, not modelled", adam8bitBlock)
	} else {
		add("AdamW (torch.optim.AdamW, foreach): the formula's state numbers (m and v, two per trainable number) in the parameters' own dtype (%s); the step counter is ignored", r.TrainDType)
	}
	if r.Params.FrozenAdapter > 0 {
		add("frozen adapter matrices are what a method's formula holds frozen besides the base weights (VeRA: the shared pair A_sh and B_sh; LoRA-FA: the frozen A); the trainable count leaves them out, the total includes them; papers differ, e.g. the VeRA paper's counts leave the shared pair out")
	}
	if r.Numbers.Other > 0 {
		add("method extras: buffers from the method's formula (Delta-LoRA's previous A and B, LoRA-FA's projected-gradient inverse), in the adapter dtype")
	}
	add("trainable %% is of the base model's %s parameters (PEFT's print_trainable_parameters divides by base + adapter parameters)", group(r.Params.Model))
	if r.Rank > 0 {
		add("α scales the update (α/r) and changes no memory")
	}
	return a
}

// restDType is the dtype of a quantised base's parameters that are not quantised.
func restDType(r Report) DType {
	if r.KbitPrepare {
		return FP32
	}
	return r.ComputeDType
}
