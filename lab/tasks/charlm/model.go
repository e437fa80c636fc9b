package charlm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// Config is the shape of the transformer and of its training batches.
type Config struct {
	Vocab   int // V: characters
	Context int // T: positions per sequence
	Width   int // d: width of the residual stream
	Depth   int // L: transformer blocks
	Heads   int // H: attention heads per block, d_h = d/H
	Batch   int // B: sequences per step; N = B·T rows
}

// MLPRatio is the MLP's hidden width as a multiple of d (GPT-2's 4).
const MLPRatio = 4

// Validate returns a one-line error naming the first value out of range.
func (c Config) Validate() error {
	switch {
	case c.Vocab < 2:
		return fmt.Errorf("vocabulary %d: at least 2 characters", c.Vocab)
	case c.Context < 1:
		return fmt.Errorf("context %d: at least 1", c.Context)
	case c.Width < 1:
		return fmt.Errorf("width %d: at least 1", c.Width)
	case c.Depth < 1:
		return fmt.Errorf("depth %d: at least 1 block", c.Depth)
	case c.Heads < 1 || c.Width%c.Heads != 0:
		return fmt.Errorf("heads %d: must divide the width %d", c.Heads, c.Width)
	case c.Batch < 1:
		return fmt.Errorf("batch %d: at least 1", c.Batch)
	}
	return nil
}

// N is the number of rows of every activation: B·T.
func (c Config) N() int { return c.Batch * c.Context }

// The linear layers of a block, in the order of Shapes and Model.Layers.
const (
	layerQ    = iota // q: d → d
	layerK           // k: d → d
	layerV           // v: d → d
	layerO           // o: d → d, the attention's output projection
	layerUp          // up: d → 4d
	layerDown        // down: 4d → d
	perBlock
)

var layerNames = [perBlock]string{"q", "k", "v", "o", "up", "down"}

// Shapes lists the linear layers, as the methods see them: for each block l
// "blockl.q", ".k", ".v", ".o" (d × d), ".up" (4d × d) and ".down" (d × 4d),
// then "head" (V × d). All have a bias, as GPT-2's do.
func (c Config) Shapes() []lab.Shape {
	d, h := c.Width, MLPRatio*c.Width
	var out []lab.Shape
	for l := 0; l < c.Depth; l++ {
		for i, name := range layerNames {
			s := lab.Shape{Name: fmt.Sprintf("block%d.%s", l, name), DIn: d, DOut: d}
			switch i {
			case layerUp:
				s.DOut = h
			case layerDown:
				s.DIn = h
			}
			out = append(out, s)
		}
	}
	return append(out, lab.Shape{Name: "head", DIn: d, DOut: c.Vocab})
}

// Trainable says which of the model's own tensors (those that are not
// linear layers) train. Pretraining trains all of them; the adapter methods
// freeze them, as PEFT does (only the adapted linear layers change).
type Trainable struct {
	Embedding bool // the token and position tables
	Norms     bool // every LayerNorm's γ and β
}

// Model is a GPT-2-shaped decoder-only transformer over characters:
//
//	x₀ = E[tok] + P[pos]                                   embedding   (N × d)
//	for each block l:
//	  a  = LN₁(x);  Q, K, V = a·W_qᵀ+b_q, a·W_kᵀ+b_k, a·W_vᵀ+b_v         (N × d each)
//	  x  = x + Attn(Q, K, V)·W_oᵀ + b_o                     causal, H heads
//	  a  = LN₂(x);  U = a·W_upᵀ + b_up                       (N × 4d)
//	  x  = x + GELU(U)·W_downᵀ + b_down
//	Z  = LN_f(x)·W_headᵀ + b_head                            logits (N × V)
//	L  = mean_n −log softmax(Z[n])[target[n]]
//
// Backward runs the same lines bottom to top; each residual add sends its
// gradient to both terms (∂L/∂x collects the branch's ∂L/∂input).
//
// GPT-2's choices, kept for the lessons' sake: learned positions, LayerNorm,
// GELU, biases everywhere. K's bias is among them although it cannot matter
// (it adds q_i·b_k to every score of row i, which the softmax ignores; its
// gradient is exactly 0). The head is not tied to the token table, as GPT-2's
// is: it is an ordinary linear layer that a method may adapt, and the
// embedding stays frozen under the adapter methods.
// The six linear layers of each block and the head are called through
// nn.Layer (Layers), so a method's adapted layers can stand in for them.
//
// Buffers (N = B·T; counted by the ledger under the category that says why):
//
//	Activations, per block: Q, K, V (N × d each, for the attention's
//	backward) and U (N × 4d, for GELU's); inside the pieces, each norm's x̂
//	and 1/σ, the attention's P (B·H·T·T) and the loss's softmax (N × V).
//	Workspace, shared by the blocks (no one keeps them): the residual stream
//	x, the norm output a, the attention output, a branch's output, GELU's
//	output (N × 4d), the logits (N × V, reused as ∂L/∂Z), and the gradients
//	passed between pieces.
//
// The base weights of the linear layers (Base) are allocated Frozen here and
// counted in the methods' Footprint, not in ModelFootprint.
type Model struct {
	Config
	Base   []*lab.Linear // every linear layer's base W (d_out × d_in) and b, in Shapes order
	Layers []nn.Layer    // the same layers as Forward calls them: set by SetLayers
	Emb    *nn.Embedding
	Blocks []*Block
	Final  *nn.LayerNorm // LN_f, before the head
	Loss   *nn.CrossEntropy

	// The batch: Tokens[n] is the input character of row n and Targets[n]
	// the character that follows it (N ids each; filled by the caller).
	Tokens, Targets []int

	params []*lab.Param // every trainable tensor, gathered by SetLayers
	// inputGrad: whether ∂L/∂x₀ reaches a trainable tensor (the embedding
	// or the first norm); if not, Backward stops at the first block's q, k, v.
	inputGrad bool

	x, a, att, br *lab.Mat // Workspace, N × d: residual stream, norm output, attention output, branch output
	h             *lab.Mat // Workspace, N × 4d: GELU(U), the down layer's input
	logits        *lab.Mat // Workspace, N × V: Z, then ∂L/∂Z
	dx, da, tmp   *lab.Mat // Workspace, N × d: ∂L/∂x (residual), ∂L/∂a, one more ∂L/∂input
	datt          *lab.Mat // Workspace, N × d: ∂L/∂(attention output)
	dq, dk, dv    *lab.Mat // Workspace, N × d
	dh            *lab.Mat // Workspace, N × 4d: ∂L/∂GELU(U), then ∂L/∂U in place
}

// Block is one transformer block's own pieces and kept tensors.
type Block struct {
	Norm1, Norm2 *nn.LayerNorm
	Attn         *nn.Attention
	q, k, v      *lab.Mat // kept Activations, N × d: the attention's backward reads them
	u            *lab.Mat // kept Activations, N × 4d: U = up(a), GELU's backward reads it
}

// NewModel allocates the model for cfg from l: base linear layers (Frozen,
// zero: load or Init them), the embedding and norms (trainable as train
// says) and every buffer of the forward and backward passes. It panics if
// cfg is invalid (Validate first). Call SetLayers before Forward.
func NewModel(cfg Config, l *lab.Ledger, train Trainable) *Model {
	if err := cfg.Validate(); err != nil {
		panic("charlm: " + err.Error())
	}
	n, d, V := cfg.N(), cfg.Width, cfg.Vocab
	m := &Model{Config: cfg, Tokens: make([]int, n), Targets: make([]int, n), inputGrad: train.Embedding || train.Norms}
	for _, s := range cfg.Shapes() {
		m.Base = append(m.Base, &lab.Linear{Shape: s, W: l.Mat(lab.Frozen, s.Name+".W", s.DOut, s.DIn), Bias: l.Vec(lab.Frozen, s.Name+".bias", s.DOut)})
	}
	m.Emb = nn.NewEmbedding(l, "emb", V, cfg.Context, d, train.Embedding)
	for b := 0; b < cfg.Depth; b++ {
		name := fmt.Sprintf("block%d", b)
		m.Blocks = append(m.Blocks, &Block{
			Norm1: nn.NewLayerNorm(l, name+".ln1", d, n, train.Norms),
			Norm2: nn.NewLayerNorm(l, name+".ln2", d, n, train.Norms),
			Attn:  nn.NewAttention(l, name+".attn", cfg.Batch, cfg.Context, cfg.Heads, d/cfg.Heads),
			q:     l.Mat(lab.Activations, name+".Q", n, d),
			k:     l.Mat(lab.Activations, name+".K", n, d),
			v:     l.Mat(lab.Activations, name+".V", n, d),
			u:     l.Mat(lab.Activations, name+".U", n, MLPRatio*d),
		})
	}
	m.Final = nn.NewLayerNorm(l, "lnf", d, n, train.Norms)
	m.Loss = nn.NewCrossEntropy(l, "loss", n, V)
	ws := func(name string, cols int) *lab.Mat { return l.Mat(lab.Workspace, name, n, cols) }
	m.x, m.a, m.att, m.br = ws("x", d), ws("a", d), ws("attn.out", d), ws("branch", d)
	m.h, m.logits = ws("gelu.out", MLPRatio*d), ws("logits", V)
	m.dx, m.da, m.tmp, m.datt = ws("x.grad", d), ws("a.grad", d), ws("input.grad", d), ws("attn.out.grad", d)
	m.dq, m.dk, m.dv, m.dh = ws("Q.grad", d), ws("K.grad", d), ws("V.grad", d), ws("gelu.out.grad", MLPRatio*d)
	return m
}

// ModelFootprint is the formula for the numbers NewModel allocates outside
// the linear layers (whose base weights the methods' Footprint counts).
func ModelFootprint(cfg Config, train Trainable) lab.Footprint {
	n, d, V, T, L := cfg.N(), cfg.Width, cfg.Vocab, cfg.Context, cfg.Depth
	var f lab.Footprint
	emb := V*d + T*d
	norms := (2*L + 1) * 2 * d
	for _, w := range []struct {
		numbers int
		train   bool
	}{{emb, train.Embedding}, {norms, train.Norms}} {
		if w.train {
			f.Trainable += w.numbers
			f.Gradients += w.numbers
		} else {
			f.Frozen += w.numbers
		}
	}
	norm := n*d + n // x̂ and 1/σ
	f.Activations = L*(3*n*d+n*MLPRatio*d+2*norm+cfg.Batch*cfg.Heads*T*T) + norm + n*V
	f.Workspace = L*T*T + 11*n*d + 2*n*MLPRatio*d + n*V // attention dP per block; the shared buffers
	return f
}

// Init draws GPT-2's initialisation from r: every weight N(0, 0.02²), the
// residual projections o and down N(0, (0.02/√(2L))²) so that the residual
// stream's variance does not grow with depth, biases 0, γ = 1, β = 0.
func (m *Model) Init(r *rand.Rand) {
	const std = 0.02
	lab.FillNormal(m.Emb.Tok.Value, r, std)
	lab.FillNormal(m.Emb.Pos.Value, r, std)
	for i, base := range m.Base {
		s := std
		if k := i % perBlock; i < m.Depth*perBlock && (k == layerO || k == layerDown) {
			s = std / math.Sqrt(2*float64(m.Depth))
		}
		lab.FillNormal(base.W, r, s)
		clear(base.Bias)
	}
}

// SetLayers sets the linear layers Forward calls, one per Base in order:
// a method's adapted layers, or DenseLayers for pretraining.
func (m *Model) SetLayers(layers []nn.Layer) {
	if len(layers) != len(m.Base) {
		panic(fmt.Sprintf("charlm: %d layers for %d linear layers", len(layers), len(m.Base)))
	}
	m.Layers = layers
	ps := m.OwnParams()
	for _, l := range m.Layers {
		if p, ok := l.(interface{ Params() []*lab.Param }); ok {
			ps = append(ps, p.Params()...)
		}
	}
	m.params = ps
}

// OwnParams lists the trainable tensors that are not linear layers: the
// embedding's and the norms' when they train (a fresh slice).
func (m *Model) OwnParams() []*lab.Param {
	ps := m.Emb.Params()
	for _, b := range m.Blocks {
		ps = append(append(ps, b.Norm1.Params()...), b.Norm2.Params()...)
	}
	return append(ps, m.Final.Params()...)
}

// DenseLayers makes every base layer trainable (nn.Dense): what pretraining uses.
func (m *Model) DenseLayers(l *lab.Ledger) []nn.Layer {
	out := make([]nn.Layer, len(m.Base))
	for i, base := range m.Base {
		out[i] = nn.NewDense(l, base, m.N())
	}
	return out
}

// Params lists every trainable tensor: the embedding's and norms' (when
// they train) and the layers' (those that have a Params method), as
// gathered by SetLayers. The slice is shared: do not change it.
func (m *Model) Params() []*lab.Param { return m.params }

// layer returns block b's layer k (layerQ … layerDown).
func (m *Model) layer(b, k int) nn.Layer { return m.Layers[b*perBlock+k] }

// head is the output layer.
func (m *Model) head() nn.Layer { return m.Layers[len(m.Layers)-1] }

// Forward runs the batch (Tokens) through the model and returns the mean
// cross-entropy against Targets, in nats per character.
func (m *Model) Forward() float64 {
	m.Emb.Forward(m.Tokens, m.x) // x = E[tok] + P[pos]
	for i, b := range m.Blocks {
		b.Norm1.Forward(m.x, m.a)                // a = LN₁(x)
		m.layer(i, layerQ).Forward(m.a, b.q)     // Q = a·W_qᵀ + b_q
		m.layer(i, layerK).Forward(m.a, b.k)     // K
		m.layer(i, layerV).Forward(m.a, b.v)     // V
		b.Attn.Forward(b.q, b.k, b.v, m.att)     // softmax(Q·Kᵀ/√d_h + mask)·V
		m.layer(i, layerO).Forward(m.att, m.br)  // ·W_oᵀ + b_o
		nn.Add(m.x, m.br)                        // x = x + attention branch
		b.Norm2.Forward(m.x, m.a)                // a = LN₂(x)
		m.layer(i, layerUp).Forward(m.a, b.u)    // U = a·W_upᵀ + b_up
		nn.GELU{}.Forward(b.u, m.h)              // GELU(U)
		m.layer(i, layerDown).Forward(m.h, m.br) // ·W_downᵀ + b_down
		nn.Add(m.x, m.br)                        // x = x + MLP branch
	}
	m.Final.Forward(m.x, m.a)                  // LN_f(x)
	m.head().Forward(m.a, m.logits)            // Z = ·W_headᵀ + b_head
	return m.Loss.Forward(m.logits, m.Targets) // mean −log softmax(Z)[target]
}

// Backward propagates the loss of the last Forward to every trainable
// tensor, accumulating their gradients (ZeroGrads first). Below the first
// block's attention nothing is computed when neither the embedding nor the
// first norm trains: ∂L/∂x₀ would have no one to reach.
func (m *Model) Backward() {
	m.Loss.Backward(m.Targets, m.logits) // ∂L/∂Z = (P − onehot)/N, over the logits
	m.head().Backward(m.logits, m.da)    // ∂L/∂LN_f(x)
	m.Final.Backward(m.da, m.dx)         // ∂L/∂x at the top of the last block
	for i := len(m.Blocks) - 1; i >= 0; i-- {
		b := m.Blocks[i]
		// MLP branch: x = x + down(GELU(up(LN₂(x)))).
		m.layer(i, layerDown).Backward(m.dx, m.dh) // ∂L/∂GELU(U)
		nn.GELU{}.Backward(b.u, m.dh, m.dh)        // ∂L/∂U, in place
		m.layer(i, layerUp).Backward(m.dh, m.da)   // ∂L/∂a
		b.Norm2.Backward(m.da, m.tmp)              // through LN₂
		nn.Add(m.dx, m.tmp)                        // ∂L/∂x += the branch's
		// Attention branch: x = x + o(Attn(q(a), k(a), v(a))), a = LN₁(x).
		m.layer(i, layerO).Backward(m.dx, m.datt)                // ∂L/∂(attention output)
		b.Attn.Backward(b.q, b.k, b.v, m.datt, m.dq, m.dk, m.dv) // ∂L/∂Q, ∂L/∂K, ∂L/∂V
		if i == 0 && !m.inputGrad {
			m.layer(i, layerQ).Backward(m.dq, nil)
			m.layer(i, layerK).Backward(m.dk, nil)
			m.layer(i, layerV).Backward(m.dv, nil)
			return
		}
		m.layer(i, layerQ).Backward(m.dq, m.da) // ∂L/∂a = ∂L/∂Q·W_q
		m.layer(i, layerK).Backward(m.dk, m.tmp)
		nn.Add(m.da, m.tmp) //        + ∂L/∂K·W_k
		m.layer(i, layerV).Backward(m.dv, m.tmp)
		nn.Add(m.da, m.tmp)           //        + ∂L/∂V·W_v
		b.Norm1.Backward(m.da, m.tmp) // through LN₁
		nn.Add(m.dx, m.tmp)           // ∂L/∂x += the branch's
	}
	m.Emb.Backward(m.Tokens, m.dx) // scatter-add into ∂L/∂E, ∂L/∂P
}

// ZeroGrads clears every gradient before a backward pass.
func (m *Model) ZeroGrads() {
	for _, p := range m.params {
		p.Grad.Zero()
	}
}
