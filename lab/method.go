package lab

import (
	"math"
	"math/rand/v2"
)

// Shape is the shape of one linear layer: W is DOut × DIn, plus a bias of
// DOut unless NoBias (the toy's layers all have one; Llama's have none).
type Shape struct {
	Name   string `json:"name"`
	DIn    int    `json:"d_in"`
	DOut   int    `json:"d_out"`
	NoBias bool   `json:"no_bias,omitempty"`
}

// BiasLen is the length of the layer's bias: DOut, or 0 without one.
func (s Shape) BiasLen() int {
	if s.NoBias {
		return 0
	}
	return s.DOut
}

// Linear is a base (pretrained) linear layer Y = X·Wᵀ + b, with W of shape
// d_out × d_in and the bias b of length d_out. The model allocates W and b as
// Frozen; a method that trains them (full fine-tuning) retags them.
//
// Forward and InputGrad compute with packed copies of W (lab/linear.go),
// made on first use and kept: a method that changes W must call Repack.
type Linear struct {
	Shape
	W    *Mat      // d_out × d_in
	Bias []float64 // d_out (the b of Y = X·Wᵀ + b; LoRA's B is another thing)

	packs linearPacks // W packed for the kernel, and the cores to use
}

// Param is one trainable tensor with its gradient. The optimiser updates Value
// from Grad with learning rate LR·LRScale.
type Param struct {
	Name        string  // e.g. "layer1.B"
	Role        string  // "W", "bias", "A", "B", "d", "b": what it is in the method's equations
	Value       *Mat    // the numbers trained
	Grad        *Mat    // ∂L/∂Value, same shape, accumulated by Backward
	LRScale     float64 // multiplier on the run's learning rate (LoRA+ sets λ on B)
	WeightDecay bool    // whether AdamW's decoupled weight decay applies
}

// Adapted is one linear layer with a method applied: the base layer plus
// whatever the method adds. Forward and Backward work on a batch of N rows.
type Adapted interface {
	// Forward computes Y (N × d_out) from X (N × d_in) and keeps what Backward needs.
	Forward(x, y *Mat)
	// Backward takes G = ∂L/∂Y (N × d_out), accumulates the gradients of the
	// trainable tensors and, if dx is not nil, writes ∂L/∂X (N × d_in) into dx.
	Backward(g, dx *Mat)
	// Params lists the trainable tensors.
	Params() []*Param
	// BeforeUpdate runs after the gradients are complete and before the
	// optimiser step (LoRA-FA's projected gradient, Delta-LoRA's snapshot).
	BeforeUpdate()
	// AfterUpdate runs after optimiser step `step` (1-based): Delta-LoRA's W update.
	AfterUpdate(step int)
	// EffectiveWeight writes the weight the layer currently computes with,
	// W + ΔW (d_out × d_in), into dst: how far training moved it, and in how
	// many directions, is measured from this.
	EffectiveWeight(dst *Mat)
}

// RowSpaced is implemented by an adapted layer whose update can only use a
// fixed set of input directions (LoRA-FA's frozen A): ΔW·x depends on x only
// through RowSpace()·x.
type RowSpaced interface {
	// RowSpace returns the matrix (r × d_in) whose rows span those directions.
	RowSpace() *Mat
}

// Env is what a method needs to build its adapters: the ledger to allocate
// from, a seeded generator for random init, the run's settings and the batch size.
type Env struct {
	Ledger *Ledger
	Rand   *rand.Rand
	Config Config
	N      int // rows per batch: sizes the buffers kept for backward
}

// MethodInfo describes a method: everything the house needs to know of it
// besides its maths. The registry (adapters.All) lists the methods; every
// face (flags, the lab's panes, explanations, presets, the calculator)
// iterates it instead of naming methods.
type MethodInfo struct {
	Name    string // flag value, e.g. "lora-fa"
	Title   string // display name, e.g. "LoRA-FA"
	Summary string // one line
	Paper   string // citation with arXiv id
	Claim   string // the paper's headline claim
	Caveat  string // the honest caveat
	// MemoryNote, if set, says what the toy's memory numbers for the method
	// do not show of a real model: one line under its bar in the lab's
	// memory pane and under `loralab run`'s memory.
	MemoryNote string
	Colour     string // stable colour, "#rrggbb"
	Glyph      string // stable marker, one cell wide (eval curves, lists)
	Hollow     string // its outlined twin, one cell wide (train curves without colour)
	// DefaultLR is the learning rate used when --lr is not given: the best
	// final eval loss (mean of seeds 1–3) of a grid search 5e-4…5e-2 on the
	// default shift task at 1,500 steps, a rate within 1 % of the best counting
	// as a tie won by the smaller (the README lists the search).
	DefaultLR float64
	// DefaultRank is the rank used when --rank is not given: 8 for the LoRA
	// family (PEFT's default), 256 for VeRA (PEFT's VeRA default).
	DefaultRank int
	// Settings lists the settings the method reads besides the common ones:
	// RankSetting, AlphaSetting and RSLoRASetting for the LoRA family, and
	// its own options (declared in its file).
	Settings []Setting
	// TrainsBase says the method trains the base weights themselves (full
	// fine-tuning): a task then hands it every linear layer and makes its
	// other weights trainable too.
	TrainsBase bool
	// WritesBase says the method writes the base weights of the layers it
	// adapts although they get no gradient (Delta-LoRA): they must stay
	// writable in full precision.
	WritesBase bool
	// Explain is how the method is explained, as data.
	Explain Explanation
}

// UsesRank reports whether rank (and so α and rsLoRA) means anything for the method.
func (i MethodInfo) UsesRank() bool {
	_, ok := FindSetting(i.Settings, RankSetting.Name)
	return ok
}

// UsesAlpha reports whether the method scales its update by α/r.
func (i MethodInfo) UsesAlpha() bool {
	_, ok := FindSetting(i.Settings, AlphaSetting.Name)
	return ok
}

// PEFTCost is what a method's reference implementation (Hugging Face PEFT)
// holds per adapted layer beyond the method's own Footprint formula, in
// numbers: the LLM-scale calculator (lab/scale) adds it to the Footprint.
type PEFTCost struct {
	// ComputeKept: numbers kept for backward in the compute dtype that the
	// Footprint does not count (e.g. a base layer's output X·Wᵀ, N·d_out).
	ComputeKept int
	// AdapterKept: numbers kept for backward in the adapter dtype that the
	// Footprint does not count.
	AdapterKept int
	// Transient: numbers (adapter dtype) alive only while the layer's
	// forward runs, e.g. a d_out × d_in matrix built to take a norm.
	Transient int
}

// PEFTCoster is implemented by a method whose PEFT layer keeps for
// backward, or allocates in its forward, more than its Footprint formula
// says (measured on a GPU: lab/scale/testdata/measured.json).
type PEFTCoster interface {
	PEFTCost(cfg Config, layer Shape, n int) PEFTCost
}

// Method is a fine-tuning method: how to adapt every linear layer of a model,
// and what that costs as a formula of the layer shapes.
type Method interface {
	Info() MethodInfo
	// Validate checks the method's settings against the adapted layers' shapes
	// and returns a one-line error saying what is allowed.
	Validate(cfg Config, layers []Shape) error
	// Build adapts every layer. Called once per run, in layer order.
	Build(env *Env, layers []*Linear) []Adapted
	// Footprint states, as a formula of the shapes, the numbers held by the
	// adapted layers (including the base weights) at batch size n. It must
	// equal what the ledger measures after Build and one training step.
	Footprint(cfg Config, layers []Shape, n int) Footprint
}

// Scale returns the LoRA scaling s: α/r, or α/√r with rsLoRA.
func Scale(cfg Config) float64 {
	if cfg.RSLoRA {
		return cfg.Alpha / math.Sqrt(float64(cfg.Rank))
	}
	return cfg.Alpha / float64(cfg.Rank)
}
