package scale_test

import (
	"math"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
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
					if name == "full" && dt == scale.NF4 {
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

// TestMemoryActivationDifferences: the kept tensors of each method, per
// adapted layer, as methods.md's table states them.
func TestMemoryActivationDifferences(t *testing.T) {
	m, _ := scale.LookupModel("llama-2-7b")
	o := scale.DefaultOptions()
	o.Batch, o.Seq, o.Rank = 4, 1024, 16
	n := int64(o.Batch * o.Seq)
	layers := adapted(m, "q", "v")
	oneBlock := layers[:2]
	var din, dout, din1 int64
	for _, l := range layers {
		din += int64(l.DIn)
		dout += int64(l.DOut)
	}
	for _, l := range oneBlock {
		din1 += int64(l.DIn)
	}
	r := int64(o.Rank)
	for _, ckpt := range []bool{false, true} {
		o.Checkpointing = ckpt
		lora, fa, vera, full := run(t, m, "lora", o), run(t, m, "lora-fa", o), run(t, m, "vera", o), run(t, m, "full", o)
		count := int64(len(layers))
		wantDiff := n * din // LoRA keeps X (N·d_in) where LoRA-FA keeps only H (N·r)
		if ckpt {
			count, wantDiff = int64(len(oneBlock)), n*din1
		}
		if got := lora.Numbers.ActivationsMethod - fa.Numbers.ActivationsMethod; got != wantDiff {
			t.Errorf("ckpt=%v: LoRA − LoRA-FA activations = %d, want N·Σd_in = %d", ckpt, got, wantDiff)
		}
		if fa.Numbers.ActivationsMethod != n*r*count {
			t.Errorf("ckpt=%v: LoRA-FA keeps %d, want N·r per layer = %d", ckpt, fa.Numbers.ActivationsMethod, n*r*count)
		}
		wantVera := n*r*int64(len(layers)) + n*dout // U (N·r) and Z (N·d_out)
		if ckpt {
			wantVera = n*r*2 + n*int64(oneBlock[0].DOut+oneBlock[1].DOut)
		}
		if vera.Numbers.ActivationsMethod != wantVera {
			t.Errorf("ckpt=%v: VeRA keeps %d, want N·r + N·d_out per layer = %d", ckpt, vera.Numbers.ActivationsMethod, wantVera)
		}
		if lora.Numbers.ActivationsNetwork != fa.Numbers.ActivationsNetwork || lora.Numbers.ActivationsNetwork != full.Numbers.ActivationsNetwork {
			t.Errorf("ckpt=%v: the frozen network's activations depend on the method", ckpt)
		}
		if !(fa.Bytes.Total < lora.Bytes.Total && lora.Bytes.Total < full.Bytes.Total) {
			t.Errorf("ckpt=%v: want LoRA-FA < LoRA < full, got %d, %d, %d", ckpt, fa.Bytes.Total, lora.Bytes.Total, full.Bytes.Total)
		}
	}
	// Checkpointing changes activations only, and lowers them.
	o.Checkpointing = false
	off := run(t, m, "lora", o)
	o.Checkpointing = true
	on := run(t, m, "lora", o)
	if on.Numbers.ActivationsNetwork >= off.Numbers.ActivationsNetwork || on.Numbers.ActivationsMethod >= off.Numbers.ActivationsMethod {
		t.Errorf("checkpointing did not lower activations: %+v vs %+v", on.Numbers, off.Numbers)
	}
	if on.Numbers.FrozenBase != off.Numbers.FrozenBase || on.Numbers.Optimizer != off.Numbers.Optimizer {
		t.Errorf("checkpointing changed weights or optimiser state")
	}
	// Checkpointed: L block inputs + one block + the head, computed from the shape.
	h, f, v := int64(m.Hidden), int64(m.MLP), int64(m.Vocab)
	block := 2*n*h + n*(2*int64(m.Heads*m.HeadDim)+2*int64(m.KVHeads*m.HeadDim)) + 2*n*f
	if want := int64(m.Layers)*n*h + block + n*h + n*v; on.Numbers.ActivationsNetwork != want {
		t.Errorf("checkpointed base activations %d, want %d", on.Numbers.ActivationsNetwork, want)
	}
	if want := int64(m.Layers)*block + n*h + n*v; off.Numbers.ActivationsNetwork != want {
		t.Errorf("base activations %d, want %d", off.Numbers.ActivationsNetwork, want)
	}
}

// TestMemoryBytes checks the conversion of numbers to bytes per category.
func TestMemoryBytes(t *testing.T) {
	m, _ := scale.LookupModel("llama-2-7b")
	o := scale.DefaultOptions()
	r := run(t, m, "lora", o) // bf16 base, fp32 adapters, bf16 compute, AdamW
	n := r.Numbers
	want := scale.Parts{
		FrozenBase: 2 * n.FrozenBase, Trainable: 4 * n.Trainable, Gradients: 4 * n.Gradients,
		Optimizer: 4 * n.Optimizer, ActivationsNetwork: 2 * n.ActivationsNetwork, ActivationsMethod: 2 * n.ActivationsMethod,
	}
	want.Total = sumParts(want)
	if r.Bytes != want {
		t.Errorf("bytes %+v, want %+v", r.Bytes, want)
	}

	// 4-bit: the blocks' linear weights at 4.127 bits, everything else in bf16.
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
	o.DType = scale.Int8
	i8 := run(t, m, "lora", o)
	o.DType = scale.FP32
	f32 := run(t, m, "lora", o)
	if !(q.Bytes.FrozenBase < i8.Bytes.FrozenBase && i8.Bytes.FrozenBase < r.Bytes.FrozenBase && r.Bytes.FrozenBase < f32.Bytes.FrozenBase) {
		t.Errorf("frozen bytes not ordered 4-bit < int8 < bf16 < fp32: %d %d %d %d", q.Bytes.FrozenBase, i8.Bytes.FrozenBase, r.Bytes.FrozenBase, f32.Bytes.FrozenBase)
	}
	if f32.Bytes.ActivationsNetwork != 2*r.Bytes.ActivationsNetwork {
		t.Errorf("fp32 compute should double the activations' bytes")
	}

	// 8-bit AdamW: 1 byte per state plus an fp32 scale per 2048.
	o = scale.DefaultOptions()
	o.Optimizer = scale.AdamW8bit
	a8 := run(t, m, "lora", o)
	if want := int64(math.Ceil(float64(n.Optimizer) * (1 + 4.0/2048))); a8.Bytes.Optimizer != want {
		t.Errorf("8-bit AdamW state %d bytes, want %d", a8.Bytes.Optimizer, want)
	}

	// Full fine-tuning: weights and gradients in the base dtype.
	fl := run(t, m, "full", scale.DefaultOptions())
	if fl.TrainDType != scale.BF16 || fl.Bytes.Trainable != 2*m.Params() || fl.Bytes.Optimizer != 8*m.Params() {
		t.Errorf("full: %s trainable %d optimizer %d bytes", fl.TrainDType, fl.Bytes.Trainable, fl.Bytes.Optimizer)
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
