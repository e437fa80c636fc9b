package scale_test

import (
	"math"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
)

// adapted lists the linear layers named by roles, over every block, computed
// here from the model's shape (independently of Estimate).
func adapted(m scale.Model, roles ...string) []scale.Linear {
	var out []scale.Linear
	for i := 0; i < m.Layers; i++ {
		for _, l := range m.Linears() {
			for _, r := range roles {
				if l.Role == r {
					out = append(out, l)
				}
			}
		}
	}
	return out
}

func run(t *testing.T, m scale.Model, method string, o scale.Options) scale.Report {
	t.Helper()
	meth, err := adapters.Lookup(method)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Estimate(m, meth, o)
	if err != nil {
		t.Fatalf("%s on %s: %v", method, m.Name, err)
	}
	return r
}

func sumParts(p scale.Parts) int64 {
	return p.FrozenBase + p.FrozenAdapter + p.Trainable + p.Gradients + p.Optimizer + p.Other + p.ActivationsNetwork + p.ActivationsMethod
}

// TestMemoryTotalsAreSums: for every model, method, checkpointing and dtype,
// totals are the sum of their parts, and the weight counts add up.
func TestMemoryTotalsAreSums(t *testing.T) {
	for _, m := range scale.Models() {
		for _, name := range adapters.Names() {
			for _, ckpt := range []bool{false, true} {
				for _, dt := range []scale.DType{scale.FP32, scale.BF16, scale.NF4} {
					if (name == "full" || name == "delta-lora") && dt == scale.NF4 { // both write W: refused on a 4-bit base
						continue
					}
					o := scale.DefaultOptions()
					o.Checkpointing, o.DType, o.Batch, o.Seq = ckpt, dt, 2, 256
					if name == "vera" {
						o.Rank = 256
					}
					r := run(t, m, name, o)
					if sumParts(r.Numbers) != r.Numbers.Total || sumParts(r.Bytes) != r.Bytes.Total {
						t.Fatalf("%s %s: totals %d/%d are not the sums %d/%d", m.Name, name, r.Numbers.Total, r.Bytes.Total, sumParts(r.Numbers), sumParts(r.Bytes))
					}
					if r.Params.Total != r.Numbers.FrozenBase+r.Numbers.FrozenAdapter+r.Numbers.Trainable {
						t.Fatalf("%s %s: params total %d is not frozen base + frozen adapter + trainable", m.Name, name, r.Params.Total)
					}
					if name == "full" {
						if r.Numbers.Trainable != m.Params() || r.Numbers.FrozenBase != 0 {
							t.Fatalf("%s full: trainable %d frozen %d, want every one of %d weights trainable", m.Name, r.Numbers.Trainable, r.Numbers.FrozenBase, m.Params())
						}
					} else if r.Numbers.FrozenBase != m.Params() {
						t.Fatalf("%s %s: frozen base %d, want the model's %d parameters", m.Name, name, r.Numbers.FrozenBase, m.Params())
					}
					if r.Numbers.Gradients != r.Numbers.Trainable || r.Numbers.Optimizer != 2*r.Numbers.Trainable {
						t.Fatalf("%s %s: gradients %d optimizer %d for %d trainable", m.Name, name, r.Numbers.Gradients, r.Numbers.Optimizer, r.Numbers.Trainable)
					}
					if r.Bytes.Total <= 0 || len(r.Assumptions) == 0 {
						t.Fatalf("%s %s: empty report", m.Name, name)
					}
				}
			}
		}
	}
}

// TestMemoryLoRAFamilyCounts checks each method's trainable count against the
// per-layer rule of methods.md, summed here over the adapted shapes.
func TestMemoryLoRAFamilyCounts(t *testing.T) {
	for _, m := range scale.Models() {
		for _, roles := range [][]string{{"q", "v"}, {"q", "k", "v", "o"}, m.Roles()} {
			layers := adapted(m, roles...)
			for _, r := range []int{1, 8, 64} {
				o := scale.DefaultOptions()
				o.Rank, o.Targets = r, roles
				var lora, aCount, vera, maxIn, maxOut int64
				for _, l := range layers {
					lora += int64(r) * int64(l.DIn+l.DOut)
					aCount += int64(r) * int64(l.DIn)
					vera += int64(l.DOut) + int64(r)
					maxIn, maxOut = max(maxIn, int64(l.DIn)), max(maxOut, int64(l.DOut))
				}
				for _, name := range []string{"lora", "lora-plus", "delta-lora"} {
					if got := run(t, m, name, o).Params.Trainable; got != lora {
						t.Errorf("%s %s r=%d %v: trainable %d, want Σ r(d_in+d_out) = %d", m.Name, name, r, roles, got, lora)
					}
				}
				fa := run(t, m, "lora-fa", o)
				if fa.Params.Trainable != lora-aCount || fa.Params.FrozenAdapter != aCount {
					t.Errorf("%s lora-fa r=%d: trainable %d frozen A %d; want LoRA's %d minus A's %d", m.Name, r, fa.Params.Trainable, fa.Params.FrozenAdapter, lora, aCount)
				}
				v := run(t, m, "vera", o)
				if v.Params.Trainable != vera || v.Params.FrozenAdapter != int64(r)*(maxIn+maxOut) {
					t.Errorf("%s vera r=%d: trainable %d shared %d; want %d and %d", m.Name, r, v.Params.Trainable, v.Params.FrozenAdapter, vera, int64(r)*(maxIn+maxOut))
				}
				if d := run(t, m, "delta-lora", o); d.Numbers.Other != lora {
					t.Errorf("%s delta-lora: other %d, want the previous A and B = %d", m.Name, d.Numbers.Other, lora)
				}
			}
		}
	}
}

// TestMemoryGrowthInRank: LoRA's count is linear in r (through zero); VeRA's
// grows by one per adapted layer per unit of r; LoRA-FA's is LoRA's minus A's.
func TestMemoryGrowthInRank(t *testing.T) {
	m, _ := scale.LookupModel("llama-3-8b")
	o := scale.DefaultOptions()
	o.Targets = []string{"all-linear"}
	layers := int64(m.Layers * len(m.Roles()))
	count := func(method string, r int) scale.Report {
		o.Rank = r
		return run(t, m, method, o)
	}
	base := count("lora", 1).Params.Trainable
	for _, r := range []int{2, 3, 8, 64, 256, 1024} {
		if got := count("lora", r).Params.Trainable; got != int64(r)*base {
			t.Errorf("lora r=%d: %d, want %d × %d", r, got, r, base)
		}
		if d := count("vera", r+1).Params.Trainable - count("vera", r).Params.Trainable; d != layers {
			t.Errorf("vera r=%d→%d: grew by %d, want one per adapted layer = %d", r, r+1, d, layers)
		}
		lora, fa := count("lora", r), count("lora-fa", r)
		var a int64
		for _, l := range adapted(m, m.Roles()...) {
			a += int64(r * l.DIn)
		}
		if fa.Params.Trainable != lora.Params.Trainable-a {
			t.Errorf("lora-fa r=%d: %d, want LoRA's %d minus A's %d", r, fa.Params.Trainable, lora.Params.Trainable, a)
		}
	}
}

// TestMemoryAlphaChangesNothing: α scales the update, not the memory.
func TestMemoryAlphaChangesNothing(t *testing.T) {
	m, _ := scale.LookupModel("llama-2-7b")
	for _, name := range adapters.Names() {
		o := scale.DefaultOptions()
		o.Alpha = 1
		a := run(t, m, name, o)
		o.Alpha = 1000
		b := run(t, m, name, o)
		if a.Numbers != b.Numbers || a.Bytes != b.Bytes {
			t.Errorf("%s: α changed the estimate", name)
		}
	}
}

// llamaKept restates, from the shape alone, what a frozen Llama-family
// network keeps after the forward pass at n tokens without checkpointing, in
// bytes (bf16 compute): per block two fp32 norm inputs and 1/rms, q, k, v and
// the attention output, the log-sum-exp, 3·N·mlp; the rotary tables once;
// the head's fp32 norm input, fp32 log-softmax and int64 labels; less the
// first block's norm input.
func llamaKept(m scale.Model, n int64) int64 {
	h, f, v := int64(m.Hidden), int64(m.MLP), int64(m.Vocab)
	q, kv := int64(m.Heads*m.HeadDim), int64(m.KVHeads*m.HeadDim)
	block := 2*(n*h*4+n*4) + n*(2*q+2*kv)*2 + n*int64(m.Heads)*4 + 3*n*f*2
	head := n*h*4 + n*4 + n*v*4 + n*8
	return int64(m.Layers)*block + 2*n*int64(m.HeadDim)*2 + head - (n*h*4 + n*4)
}

// TestMemoryActivationDifferences: the kept tensors of each method, per
// adapted layer, as methods.md's table states them and PEFT keeps them (its
// fp32 copy of X in every adapted layer), and the frozen network's own.
func TestMemoryActivationDifferences(t *testing.T) {
	m, _ := scale.LookupModel("llama-2-7b")
	o := scale.DefaultOptions()
	o.Batch, o.Seq, o.Rank = 4, 1024, 16
	n := int64(o.Batch * o.Seq)
	layers := adapted(m, "q", "v")
	var din, dout int64
	for _, l := range layers {
		din += int64(l.DIn)
		dout += int64(l.DOut)
	}
	r := int64(o.Rank)
	lora, fa, vera, full := run(t, m, "lora", o), run(t, m, "lora-fa", o), run(t, m, "vera", o), run(t, m, "full", o)
	if got := lora.Bytes.ActivationsMethod - fa.Bytes.ActivationsMethod; got != 4*n*din {
		t.Errorf("LoRA − LoRA-FA activations = %d bytes, want an fp32 X per adapted layer, 4·N·Σd_in = %d", got, 4*n*din)
	}
	if want := 4 * n * r * int64(len(layers)); fa.Bytes.ActivationsMethod != want {
		t.Errorf("LoRA-FA keeps %d bytes, want H (N·r, fp32) per layer = %d", fa.Bytes.ActivationsMethod, want)
	}
	if want := 4 * (n*r*int64(len(layers)) + n*dout); vera.Bytes.ActivationsMethod != want {
		t.Errorf("VeRA keeps %d bytes, want U and Z (N·r + N·d_out, fp32) per layer = %d", vera.Bytes.ActivationsMethod, want)
	}
	if lora.Bytes.ActivationsNetwork != fa.Bytes.ActivationsNetwork || lora.Bytes.ActivationsNetwork != vera.Bytes.ActivationsNetwork {
		t.Errorf("the frozen network's activations depend on the adapter method")
	}
	if want := llamaKept(m, n); lora.Bytes.ActivationsNetwork != want {
		t.Errorf("network keeps %d bytes, want %d", lora.Bytes.ActivationsNetwork, want)
	}
	if full.Bytes.ActivationsNetwork <= lora.Bytes.ActivationsNetwork {
		t.Errorf("full fine-tuning's network keeps no more than a frozen one (its norms train)")
	}

	// bf16 adapters on a bf16 base: q and v read one X, kept once per block.
	o.AdapterDType = scale.BF16
	lb := run(t, m, "lora", o)
	if want := 2 * int64(m.Layers) * (n*int64(m.Hidden) + 2*n*r); lb.Bytes.ActivationsMethod != want {
		t.Errorf("bf16 LoRA on q, v keeps %d bytes, want one X and two H per block = %d", lb.Bytes.ActivationsMethod, want)
	}
	o.AdapterDType = scale.FP32

	// The peak of an adapter method: everything kept plus the loss backward.
	if want := lora.Bytes.Resting + lora.Bytes.ActivationsNetwork + lora.Bytes.ActivationsMethod + 2*n*int64(m.Vocab)*4; lora.Bytes.Peak != want || lora.PeakAt != scale.AtLossBackward {
		t.Errorf("LoRA peak %d at %q, want resting + kept + 2·N·V·4 = %d at the loss backward", lora.Bytes.Peak, lora.PeakAt, want)
	}
	if !(fa.Bytes.Peak < lora.Bytes.Peak && lora.Bytes.Peak < full.Bytes.Peak) {
		t.Errorf("want LoRA-FA < LoRA < full at the peak, got %d, %d, %d", fa.Bytes.Peak, lora.Bytes.Peak, full.Bytes.Peak)
	}

	// Checkpointing: each block keeps its input; the method's are recomputed.
	o.Checkpointing = true
	on := run(t, m, "lora", o)
	h, v := int64(m.Hidden), int64(m.Vocab)
	if want := int64(m.Layers)*n*h*2 + n*h*4 + n*4 + n*v*4 + n*8; on.Bytes.ActivationsNetwork != want || on.Bytes.ActivationsMethod != 0 {
		t.Errorf("checkpointed: network %d method %d, want L·N·h·2 + head = %d and 0", on.Bytes.ActivationsNetwork, on.Bytes.ActivationsMethod, want)
	}
	if on.Bytes.Peak >= lora.Bytes.Peak || on.Bytes.Resting != lora.Bytes.Resting {
		t.Errorf("checkpointing: peak %d (off %d), resting %d (off %d)", on.Bytes.Peak, lora.Bytes.Peak, on.Bytes.Resting, lora.Bytes.Resting)
	}
}

// TestMemoryPeakTerms: the peak is the sum of its named terms, at least the
// resting memory, and the largest of the step's moments.
func TestMemoryPeakTerms(t *testing.T) {
	for _, m := range scale.Models() {
		for _, name := range adapters.Names() {
			for _, ckpt := range []bool{false, true} {
				o := scale.DefaultOptions()
				o.Checkpointing, o.Batch, o.Seq = ckpt, 2, 256
				r := run(t, m, name, o)
				var sum int64
				for _, term := range r.PeakTerms {
					if term.Name == "" || term.Bytes == 0 {
						t.Errorf("%s %s: empty peak term %+v", m.Name, name, term)
					}
					sum += term.Bytes
				}
				if sum != r.Bytes.Peak || r.PeakAt == "" {
					t.Errorf("%s %s: peak %d at %q, terms sum to %d", m.Name, name, r.Bytes.Peak, r.PeakAt, sum)
				}
				kept := r.Bytes.Resting + r.Bytes.ActivationsNetwork + r.Bytes.ActivationsMethod
				if r.Bytes.Peak < kept || r.Bytes.Peak < r.Bytes.Resting+r.Bytes.Gradients {
					t.Errorf("%s %s: peak %d below the resting memory plus what the forward keeps (%d) or plus the gradients", m.Name, name, r.Bytes.Peak, kept)
				}
				if r.Bytes.Resting != r.Bytes.FrozenBase+r.Bytes.FrozenAdapter+r.Bytes.Trainable+r.Bytes.Optimizer+r.Bytes.Other {
					t.Errorf("%s %s: resting is not weights + optimizer state + extras", m.Name, name)
				}
			}
		}
	}
}

// TestMemoryBytes checks the conversion of numbers to bytes per category.
func TestMemoryBytes(t *testing.T) {
	m, _ := scale.LookupModel("llama-2-7b")
	o := scale.DefaultOptions()
	r := run(t, m, "lora", o) // bf16 base, fp32 adapters, bf16 compute, AdamW
	n := r.Numbers
	b := r.Bytes
	if b.FrozenBase != 2*n.FrozenBase || b.Trainable != 4*n.Trainable || b.Gradients != 4*n.Gradients || b.Optimizer != 4*n.Optimizer {
		t.Errorf("bytes %+v for numbers %+v", b, n)
	}

	// 4-bit: the blocks' linear weights at 4.127 bits, everything else in
	// bf16, or fp32 under prepare_model_for_kbit_training.
	o.DType = scale.NF4
	q := run(t, m, "lora", o)
	var lin int64
	for _, l := range m.Linears() {
		lin += int64(m.Layers) * int64(l.DIn) * int64(l.DOut)
	}
	nf4 := int64(math.Ceil(float64(lin) * (4 + 8.0/64 + 32.0/(64*256)) / 8))
	if wantQ := nf4 + 2*(m.Params()-lin); q.Bytes.FrozenBase != wantQ {
		t.Errorf("4-bit frozen base %d bytes, want %d", q.Bytes.FrozenBase, wantQ)
	}
	if q.ComputeDType != scale.BF16 || q.Bytes.ActivationsNetwork != r.Bytes.ActivationsNetwork {
		t.Errorf("4-bit base computes in %s", q.ComputeDType)
	}
	o.KbitPrepare = true
	qp := run(t, m, "lora", o)
	if want := nf4 + 4*(m.Params()-lin); qp.Bytes.FrozenBase != want || !qp.KbitPrepare {
		t.Errorf("4-bit with prepare_model_for_kbit_training: frozen base %d bytes, want %d", qp.Bytes.FrozenBase, want)
	}
	o.KbitPrepare = false
	o.DType = scale.Int8
	i8 := run(t, m, "lora", o)
	o.DType = scale.FP32
	f32 := run(t, m, "lora", o)
	if !(q.Bytes.FrozenBase < i8.Bytes.FrozenBase && i8.Bytes.FrozenBase < r.Bytes.FrozenBase && r.Bytes.FrozenBase < f32.Bytes.FrozenBase) {
		t.Errorf("frozen bytes not ordered 4-bit < int8 < bf16 < fp32: %d %d %d %d", q.Bytes.FrozenBase, i8.Bytes.FrozenBase, r.Bytes.FrozenBase, f32.Bytes.FrozenBase)
	}
	// fp32 compute: the terms kept in the compute dtype double, the fp32 ones
	// (norm inputs, the log-softmax) do not.
	if a, b := f32.Bytes.ActivationsNetwork, r.Bytes.ActivationsNetwork; !(a > b && a < 2*b) {
		t.Errorf("fp32 compute keeps %d bytes, bf16 %d: want more, and less than twice", a, b)
	}

	// 8-bit AdamW: 1 byte per state plus an fp32 scale per 2048.
	o = scale.DefaultOptions()
	o.Optimizer = scale.AdamW8bit
	a8 := run(t, m, "lora", o)
	if want := int64(math.Ceil(float64(n.Optimizer) * (1 + 4.0/2048))); a8.Bytes.Optimizer != want {
		t.Errorf("8-bit AdamW state %d bytes, want %d", a8.Bytes.Optimizer, want)
	}

	// Full fine-tuning, pure bf16: weights, gradients and AdamW state in bf16
	// (torch keeps the state in the parameters' dtype): 2 + 2 + 4 bytes a
	// weight; at a small batch the peak is the optimizer step, with AdamW's
	// foreach temporary: 10 bytes a weight.
	P := m.Params()
	fl := run(t, m, "full", scale.DefaultOptions())
	if fl.TrainDType != scale.BF16 || fl.Bytes.Trainable != 2*P || fl.Bytes.Gradients != 2*P || fl.Bytes.Optimizer != 4*P {
		t.Errorf("full: %s trainable %d gradients %d optimizer %d bytes", fl.TrainDType, fl.Bytes.Trainable, fl.Bytes.Gradients, fl.Bytes.Optimizer)
	}
	if fl.Bytes.Peak != 10*P || fl.PeakAt != scale.AtOptimizer {
		t.Errorf("full: peak %d at %q, want 10 bytes a weight (%d) at the optimizer step", fl.Bytes.Peak, fl.PeakAt, 10*P)
	}
	// With fp32 master weights: 4 + 4 + 8 bytes a weight, 20 at the step.
	o = scale.DefaultOptions()
	o.MasterWeights = true
	mw := run(t, m, "full", o)
	if mw.TrainDType != scale.FP32 || mw.ComputeDType != scale.BF16 || mw.Bytes.Trainable != 4*P || mw.Bytes.Optimizer != 8*P || mw.Bytes.Peak != 20*P {
		t.Errorf("full, master weights: %s/%s trainable %d optimizer %d peak %d bytes", mw.TrainDType, mw.ComputeDType, mw.Bytes.Trainable, mw.Bytes.Optimizer, mw.Bytes.Peak)
	}
	if mw.Bytes.ActivationsNetwork <= fl.Bytes.ActivationsNetwork {
		t.Errorf("master weights keep no more activations (autocast's weight copies, fp32 norms)")
	}
	// Master weights concern a base that trains: adapters do not change.
	if lm := run(t, m, "lora", o); lm.Bytes != r.Bytes {
		t.Errorf("master weights changed LoRA's bytes: %+v vs %+v", lm.Bytes, r.Bytes)
	}
}

// writerMethod is a test double: LoRA that declares it writes the base
// weights of the layers it adapts (as Delta-LoRA does).
type writerMethod struct{ lab.Method }

func (w writerMethod) Info() lab.MethodInfo {
	i := w.Method.Info()
	i.WritesBase = true
	return i
}

// TestMemoryBaseWriter: a method that writes W is refused on a quantised base
// and has its adapted W counted in fp32.
func TestMemoryBaseWriter(t *testing.T) {
	m, _ := scale.LookupModel("llama-2-7b")
	lora, _ := adapters.Lookup("lora")
	w := writerMethod{lora}
	o := scale.DefaultOptions()
	plain, err := scale.Estimate(m, lora, o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := scale.Estimate(m, w, o)
	if err != nil {
		t.Fatal(err)
	}
	var wb int64
	for _, l := range adapted(m, "q", "v") {
		wb += int64(l.DIn) * int64(l.DOut)
	}
	if d := got.Bytes.FrozenBase - plain.Bytes.FrozenBase; d != 2*wb {
		t.Errorf("written W: frozen base grew by %d bytes, want the adapted W in fp32 instead of bf16 (+2 bytes × %d)", d, wb)
	}
	said := false
	for _, a := range got.Assumptions {
		said = said || strings.Contains(a, "writes the base weights")
	}
	if !said {
		t.Errorf("no assumption says the written weights are fp32")
	}
	o.DType = scale.NF4
	if _, err := scale.Estimate(m, w, o); err == nil || !strings.Contains(err.Error(), "dtype 4bit") || !strings.Contains(err.Error(), "writes the base weights") {
		t.Errorf("a base writer on a 4-bit base: %v", err)
	}
}

// TestMemorySlidingWindow: a sequence that reaches Mistral's window gets an
// explicit mask, and attention keeps k and v at every head plus the mask.
func TestMemorySlidingWindow(t *testing.T) {
	m, _ := scale.LookupModel("mistral-7b")
	o := scale.DefaultOptions()
	o.Seq = 4095
	below := run(t, m, "lora", o)
	o.Seq = 4096
	at := run(t, m, "lora", o)
	n := int64(4096)
	q, kv := int64(m.Heads*m.HeadDim), int64(m.KVHeads*m.HeadDim)
	perBlock := 2*n*(q-kv)*2 + n*n*2 // k and v at every head; the mask
	linear := below.Bytes.ActivationsNetwork * 4096 / 4095
	if d := at.Bytes.ActivationsNetwork - linear; math.Abs(float64(d-int64(m.Layers)*perBlock)) > float64(int64(m.Layers)*perBlock)/100 {
		t.Errorf("at the window: %d more bytes than linear growth, want %d", d, int64(m.Layers)*perBlock)
	}
}

// TestMemoryErrors: bad input gives a one-line error naming what is allowed.
func TestMemoryErrors(t *testing.T) {
	lookup := func(name string) scale.Model {
		m, err := scale.LookupModel(name)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	with := func(f func(*scale.Options)) scale.Options {
		o := scale.DefaultOptions()
		f(&o)
		return o
	}
	cases := []struct {
		name   string
		model  scale.Model
		method string
		o      scale.Options
		want   string
	}{
		{"rank above the smallest dimension", lookup("llama-3-8b"), "lora", with(func(o *scale.Options) { o.Rank = 1025 }), "rank 1025: must be between 1 and 1024"},
		{"rank above it for lora-fa", lookup("roberta-base"), "lora-fa", with(func(o *scale.Options) { o.Rank = 769 }), "between 1 and 768"},
		{"rank zero", lookup("llama-2-7b"), "vera", with(func(o *scale.Options) { o.Rank = 0 }), "rank 0: must be at least 1"},
		{"unknown target", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.Targets = []string{"q", "w"} }), `target "w": unknown for llama-2-7b; the targets are: q, k, v, o, gate, up, down, all-linear`},
		{"gate on a GPT-2", lookup("gpt2-medium"), "lora", with(func(o *scale.Options) { o.Targets = []string{"gate"} }), `target "gate": unknown`},
		{"ambiguous module name", lookup("roberta-base"), "lora", with(func(o *scale.Options) { o.Targets = []string{"dense"} }), `target "dense": unknown`},
		{"target twice", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.Targets = []string{"q", "q_proj"} }), "listed twice"},
		{"all-linear with others", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.Targets = []string{"all-linear", "q"} }), "give it alone"},
		{"no targets", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.Targets = nil }), "targets: none given"},
		{"seq beyond learned positions", lookup("roberta-base"), "lora", with(func(o *scale.Options) { o.Seq = 1024 }), "seq 1024: must be at most 514 for roberta-base"},
		{"batch zero", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.Batch = 0 }), "batch 0: must be between 1 and"},
		{"too many tokens", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.Batch, o.Seq = 1<<20, 1<<20 }), "tokens: must be at most"},
		{"full on a 4-bit base", lookup("llama-2-7b"), "full", with(func(o *scale.Options) { o.DType = scale.NF4 }), "dtype 4bit: full trains the base weights"},
		{"quantised adapters", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.AdapterDType = scale.Int8 }), "adapter-dtype int8: adapters train"},
		{"unknown dtype", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.DType = "fp8" }), `dtype "fp8": unknown`},
		{"negative alpha", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.Alpha = -1 }), "alpha -1"},
		{"kbit-prepare on bf16", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.KbitPrepare = true }), "kbit-prepare: PEFT's prepare_model_for_kbit_training is for a quantised base"},
		{"master weights on 4-bit", lookup("llama-2-7b"), "lora", with(func(o *scale.Options) { o.MasterWeights, o.DType = true, scale.NF4 }), "master-weights: a quantised base"},
		{"bad custom shape", func() scale.Model { m := lookup("llama-2-7b"); m.KVHeads = 5; return m }(), "lora", scale.DefaultOptions(), "kv-heads 5: must divide heads (32)"},
	}
	for _, c := range cases {
		meth, _ := adapters.Lookup(c.method)
		_, err := scale.Estimate(c.model, meth, c.o)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q, want one line containing %q", c.name, err, c.want)
		}
	}
	// VeRA's rank may exceed a layer's dimensions.
	vera, _ := adapters.Lookup("vera")
	o := scale.DefaultOptions()
	o.Rank = 2048
	if _, err := scale.Estimate(lookup("roberta-base"), vera, o); err != nil {
		t.Errorf("vera r=2048 on roberta-base (d=768): %v", err)
	}
	if _, err := scale.LookupModel("llama-9b"); err == nil || !strings.Contains(err.Error(), "the models are: roberta-base, roberta-large") {
		t.Errorf("unknown model: %v", err)
	}
	if m, err := scale.LookupModel("meta-llama/Llama-2-7b-hf"); err != nil || m.Name != "llama-2-7b" {
		t.Errorf("alias lookup: %v %v", m.Name, err)
	}
}

// TestMemoryDeltaLoRAWritesW: adapters' Delta-LoRA declares that it writes
// W (lab.MethodInfo.WritesBase), so it is refused on a quantised base.
func TestMemoryDeltaLoRAWritesW(t *testing.T) {
	meth, err := adapters.Lookup("delta-lora")
	if err != nil {
		t.Fatal(err)
	}
	if !meth.Info().WritesBase {
		t.Fatal("adapters.DeltaLoRA does not declare that it writes W (MethodInfo.WritesBase)")
	}
	m, _ := scale.LookupModel("llama-2-7b")
	o := scale.DefaultOptions()
	o.DType = scale.NF4
	if _, err := scale.Estimate(m, meth, o); err == nil || !strings.Contains(err.Error(), "writes the base weights") {
		t.Errorf("delta-lora on a 4-bit base: %v", err)
	}
}

// TestMemoryQuantisedDequantisation: on a quantised base each layer
// dequantises its weight for its matmul; with almost no tokens that
// temporary (the largest weight, in bf16) is the peak's transient.
func TestMemoryQuantisedDequantisation(t *testing.T) {
	m, _ := scale.LookupModel("llama-2-7b")
	o := scale.DefaultOptions()
	o.DType, o.Batch, o.Seq = scale.NF4, 1, 1
	r := run(t, m, "lora", o)
	var w int64
	for _, l := range m.Linears() {
		w = max(w, int64(l.DIn)*int64(l.DOut))
	}
	last := r.PeakTerms[len(r.PeakTerms)-1]
	if r.PeakAt != scale.AtForward || last.Bytes != 2*w {
		t.Errorf("4-bit, 1 token: peak at %q, last term %+v; want the forward with one dequantised weight (%d bytes)", r.PeakAt, last, 2*w)
	}
}
