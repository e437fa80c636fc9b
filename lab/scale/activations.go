package scale

import "github.com/loralab/loralab/lab"

// The activation model: what a Hugging Face transformers model (PyTorch
// autograd, sdpa attention) keeps for its backward pass, and what a training
// step allocates on top at its peak. Measured on an H200 with PyTorch 2.11,
// transformers 5.17 and PEFT 0.21 (testdata/measure.py, testdata/measured.json):
// for the Llama family (Llama, Mistral, Qwen2) every number below was read
// off the tensors autograd saved, one block at a time, and the sums match the
// memory allocated after the forward pass to within 0.7 % in every measured
// case. GPT-2 and BERT blocks keep the calculator's earlier, unmeasured model.
//
// Notation: N = batch × seq tokens, h hidden, f MLP size, q = heads × head_dim,
// kv = kv_heads × head_dim, V vocabulary, L blocks; c = bytes of the compute
// dtype, a = bytes of the adapter dtype, 4 = fp32.

// kept counts numbers and their bytes: what is kept mixes dtypes.
type kept struct{ numbers, bytes int64 }

// add counts n numbers of size bytes each.
func (k *kept) add(n int64, size float64) {
	k.numbers += n
	k.bytes += bytesOf(n, size)
}

func (k kept) plus(o kept) kept { return kept{k.numbers + o.numbers, k.bytes + o.bytes} }

func (k kept) times(x int64) kept { return kept{k.numbers * x, k.bytes * x} }

// precision is how one estimate stores numbers, in bytes a number.
type precision struct {
	compute  float64 // activations and base-layer outputs (ComputeDType)
	adapter  float64 // adapter weights and the tensors PEFT keeps for them (AdapterDType)
	train    float64 // trained weights, gradients and AdamW state (TrainDType)
	residual float64 // the residual stream: compute, or fp32 with fp32 master weights
	master   bool    // full fine-tuning under autocast with fp32 master weights
}

// blockKept is what one block of the network keeps for its backward pass,
// whatever the method adapts (trainsBase: the norms train too), at n tokens
// of sequences of length seq.
//
// Llama family (measured):
//   - each of the two RMSNorms: its input upcast to fp32 (N·h·4) and the
//     inverse root mean square (N·4); when the norms train, also the
//     normalised input before the weight (N·h, residual dtype);
//   - sdpa attention (flash or memory-efficient kernel, no seq × seq
//     scores): q and k after rotary, v, the output (N·(2q + 2kv)·c) and the
//     log-sum-exp (N·heads·4). When a sliding window is reached, transformers
//     passes an explicit mask: k and v are expanded to every head (N·4q·c)
//     and the mask (batch·seq²·c) is kept;
//   - the gated MLP: gate's output (SiLU's input), SiLU's output and up's
//     output, 3·N·f·c.
//
// GPT-2 and BERT (unmeasured, as before): the two norm inputs (2·N·h), q, k, v
// and the attention output (N·(2q + 2kv)) and the input of the MLP's
// activation (N·f), all in the compute dtype.
func (m Model) blockKept(n, seq int64, p precision, trainsBase bool) kept {
	h, f := int64(m.Hidden), int64(m.MLP)
	q, kv := int64(m.Heads)*int64(m.HeadDim), int64(m.KVHeads)*int64(m.HeadDim)
	var k kept
	if m.Arch != Llama {
		k.add(2*n*h+n*(2*q+2*kv)+n*f, p.compute)
		return k
	}
	for range 2 { // input_layernorm, post_attention_layernorm
		k.add(n*h, 4)
		k.add(n, 4)
		if trainsBase {
			k.add(n*h, p.residual)
		}
	}
	if m.explicitMask(seq) {
		k.add(4*n*q, p.compute)
		k.add(n/seq*seq*seq, p.compute)
	} else {
		k.add(n*(2*q+2*kv), p.compute)
	}
	k.add(n*int64(m.Heads), 4)
	k.add(3*n*f, p.compute)
	return k
}

// explicitMask reports whether attention gets an explicit mask at this
// sequence length: the model has a sliding window and the sequence reaches it.
func (m Model) explicitMask(seq int64) bool {
	return m.SlidingWindow > 0 && seq >= int64(m.SlidingWindow)
}

// firstBlockSaving is what the first block does not keep when nothing before
// it trains (frozen embeddings, no checkpointing): its first norm's input and
// inverse root mean square (N·h·4 + N·4), which only serve a gradient for the
// embeddings. Measured for the Llama family.
func (m Model) firstBlockSaving(n int64) kept {
	var k kept
	if m.Arch == Llama {
		k.add(n*int64(m.Hidden), 4)
		k.add(n, 4)
	}
	return k
}

// rotaryKept is the rotary embedding's cos and sin tables, kept once for all
// blocks (2·N·head_dim·c); Llama family.
func (m Model) rotaryKept(n int64, p precision) kept {
	var k kept
	if m.Arch == Llama {
		k.add(2*n*int64(m.HeadDim), p.compute)
	}
	return k
}

// headKept is what the model keeps after the blocks for n tokens.
//
// Decoders (the loss is transformers' own, measured for the Llama family):
// the final norm (as a block's: N·h·4 + N·4, plus N·h in the residual dtype
// when it trains), the loss's fp32 log-softmax (N·V·4) and the shifted labels
// (N·8, int64); when the model trains in full, also the token ids (N·8) for
// the embeddings' gradient and, for a head tied to the embeddings, the head's
// input (N·h·c); with fp32 master weights the head's bf16 copy of its weight
// (V·h·c) too. GPT-2's final norm keeps its input in the compute dtype
// (unmeasured). Encoders: nothing (their task head is small).
func (m Model) headKept(n int64, p precision, trainsBase bool) kept {
	var k kept
	if !m.HasLMHead() {
		return k
	}
	h, v := int64(m.Hidden), int64(m.Vocab)
	if m.Arch == Llama {
		k.add(n*h, 4)
		k.add(n, 4)
		if trainsBase {
			k.add(n*h, p.residual)
		}
	} else {
		k.add(n*h, p.compute)
	}
	k.add(n*v, 4) // log-softmax
	k.add(n, 8)   // labels
	if trainsBase {
		k.add(n, 8) // token ids
		if m.TiedEmbeddings {
			k.add(n*h, p.compute) // the tied head's input (an untied head is a linear layer: the method's formula counts it)
		}
		if p.master && m.TiedEmbeddings {
			k.add(v*h, p.compute) // autocast's copy of the tied head's weight (an untied head's is counted with the linear layers)
		}
	}
	return k
}

// lossBackward is the loss's backward transient: the fp32 gradients of the
// log-softmax's output and of its input, both alive at once (2·N·V·4,
// measured). Encoders: 0.
func (m Model) lossBackward(n int64) int64 {
	if !m.HasLMHead() {
		return 0
	}
	return 2 * n * int64(m.Vocab) * 4
}

// writesBase reports whether method writes the base weights of the layers
// it adapts (lab.MethodInfo.WritesBase: Delta-LoRA). Estimate refuses such a
// method on a quantised base and counts those weights in fp32, as it needs
// them writable in full precision.
func writesBase(method lab.Method) bool { return method.Info().WritesBase }

// layerKept is what the method keeps for backward on the adapted layers of
// one block, and the largest forward transient among them.
//
// The method's Footprint formula gives its activations per layer. The part
// that grows with d_in is X, the layer's input (LoRA: N·d_in; LoRA-FA and
// VeRA: none); the rest (H = X·Aᵀ, VeRA's U and Z, ...) is kept in the
// adapter dtype. PEFT casts X to the adapter dtype inside every adapted
// layer, so with fp32 adapters each adapted layer keeps its own fp32 copy of
// X; when X is already in that dtype (bf16 adapters on a bf16 base, and full
// fine-tuning) layers reading one input keep it once (q, k and v; gate and
// up), and the attention output that o reads is kept by attention already.
// With fp32 master weights (full fine-tuning under autocast) every linear
// layer keeps its own bf16 cast of an fp32 input, except o and down, whose
// inputs are already bf16. A method implementing lab.PEFTCoster adds its own.
func layerKept(method lab.Method, cfg lab.Config, layers []Linear, n int, p precision, full bool) (kept, int64) {
	xDType := p.adapter
	if full {
		xDType = p.train
	}
	shared := xDType == p.compute && !p.master
	paid := map[string]bool{}
	var k kept
	var transient int64
	for _, l := range layers {
		s := lab.Shape{Name: l.Module, DIn: l.DIn, DOut: l.DOut, NoBias: !l.Bias}
		wider := s
		wider.DIn++
		act := int64(method.Footprint(cfg, []lab.Shape{s}, n).Activations)
		perIn := int64(method.Footprint(cfg, []lab.Shape{wider}, n).Activations) - act
		x := perIn * int64(l.DIn)
		if perIn < 0 || x > act {
			x = 0
		}
		in := inputOf(l.Role)
		switch {
		case x == 0:
		case p.master && full:
			if in == inAttnOut {
				break // attention keeps its output, in the compute dtype
			}
			if in == inMLPAct && paid[in] {
				break
			}
			paid[in] = true
			k.add(x, p.compute)
		case shared:
			if in == inAttnOut || paid[in] {
				break
			}
			paid[in] = true
			k.add(x, xDType)
		default:
			k.add(x, xDType)
		}
		k.add(act-x, xDType)
		if c, ok := method.(lab.PEFTCoster); ok {
			e := c.PEFTCost(cfg, s, n)
			k.add(int64(e.ComputeKept), p.compute)
			k.add(int64(e.AdapterKept), p.adapter)
			transient = max(transient, bytesOf(int64(e.Transient), p.adapter))
		}
	}
	return k, transient
}
