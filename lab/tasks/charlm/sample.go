package charlm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// Sampler generates text from a model one character at a time.
//
// It does not call the model's layers: those are sized for training
// batches. It computes with each layer's effective weight W + ΔW (the
// method's EffectiveWeight, merged once per Generate, as PEFT's
// merge_and_unload does for inference; every method here is linear in X, so
// the merged layer computes the same Y) and with the model's own embedding
// and norms, one sequence at a time, keeping the keys and values of the
// positions seen so far (a KV cache) so that each new character costs one
// row, not T.
//
// With learned absolute positions the cache cannot slide: when the context
// is full, the sampler keeps the last T/2 characters, re-reads them at
// positions 0 … T/2−1 (one prefill of T/2 rows) and goes on. So a
// character is predicted from between T/2 and T characters before it,
// never fewer (unless the text is shorter), where recomputing every window
// would always use T at 32× the cost at T = 64.
type Sampler struct {
	m      *Model
	w      []*lab.Mat // merged weights, one per linear layer (Workspace: refreshed by Generate); nil: the base W
	kc, vc []*lab.Mat // per block, T × d: keys and values of the positions in the cache
	x, a   *lab.Mat   // T × d: residual stream and norm output of the rows being fed
	q, y   *lab.Mat   // T × d: queries and attention output
	br     *lab.Mat   // T × d: a branch's output
	h      *lab.Mat   // T × 4d: MLP hidden
	s      *lab.Mat   // T × T: attention scores
	logits *lab.Mat   // 1 × V: the last row's
	window []int      // the characters in the cache, T at most

	// View headers (no numbers of their own) re-pointed at the rows being
	// fed, so that feeding a character allocates nothing.
	views struct{ x, a, q, y, br, h, k, v, kAll, vAll, last, la lab.Mat }
}

// NewSampler allocates a sampler for m from l (Workspace: nothing in it
// outlives a Generate call except as scratch). Call it after m.SetLayers
// (and again if the layers change): a layer with an effective weight of its
// own (lab.Adapted, nn.Dense) gets a buffer to merge it into; any other
// (nn.Frozen, or no layers set) is computed with its base W, uncopied.
// SamplerFootprint counts what it allocates.
func NewSampler(m *Model, l *lab.Ledger) *Sampler {
	T, d := m.Context, m.Width
	ws := func(name string, rows, cols int) *lab.Mat { return l.Mat(lab.Workspace, "sample."+name, rows, cols) }
	s := &Sampler{
		m: m, x: ws("x", T, d), a: ws("a", T, d), q: ws("Q", T, d), y: ws("attn.out", T, d), br: ws("branch", T, d),
		h: ws("mlp", T, MLPRatio*d), s: ws("scores", T, T), logits: ws("logits", 1, m.Vocab), window: make([]int, 0, T),
	}
	for i, b := range m.Base {
		var w *lab.Mat // nil: the base W itself
		if i < len(m.Layers) && merges(m.Layers[i]) {
			w = ws(b.Name+".W", b.DOut, b.DIn)
		}
		s.w = append(s.w, w)
	}
	for i := 0; i < m.Depth; i++ {
		s.kc = append(s.kc, ws(fmt.Sprintf("block%d.K", i), T, d))
		s.vc = append(s.vc, ws(fmt.Sprintf("block%d.V", i), T, d))
	}
	return s
}

// effective is a layer that computes with a weight other than its base W
// (or may: a trained W), which the sampler merges once per Generate.
type effective interface{ EffectiveWeight(dst *lab.Mat) }

func merges(l nn.Layer) bool {
	_, ok := l.(effective)
	return ok
}

// SamplerFootprint is the Workspace numbers NewSampler allocates for a model
// of cfg whose layers of shapes merged have effective weights of their own:
// the rows being fed (x, a, Q, attention output, branch: T × d each; the
// MLP's T × 4d), the scores (T × T), one row of logits, each block's key and
// value cache (T × d each) and a merged W per such layer.
func SamplerFootprint(cfg Config, merged []lab.Shape) int {
	T, d := cfg.Context, cfg.Width
	n := 5*T*d + T*MLPRatio*d + T*T + cfg.Vocab + 2*cfg.Depth*T*d
	for _, s := range merged {
		n += s.DOut * s.DIn
	}
	return n
}

// merge writes every merging layer's effective weight into its buffer.
func (s *Sampler) merge() {
	for i, w := range s.w {
		if w != nil {
			s.m.Layers[i].(effective).EffectiveWeight(w)
		}
	}
}

// Generate returns n characters following prompt, drawn with temperature
// tau from r: tau = 0 is greedy (the most likely character, the lowest id
// on a tie), tau = 1 samples the model's distribution, tau > 1 flattens it.
// Only r's draws and the weights decide the result. The prompt must hold at
// least one character; only its last T are read.
func (s *Sampler) Generate(prompt []int, n int, tau float64, r *rand.Rand) []int {
	if tau < 0 || math.IsNaN(tau) {
		panic(fmt.Sprintf("charlm: temperature %g", tau))
	}
	s.merge()
	T := s.m.Context
	if len(prompt) == 0 {
		panic("charlm: Generate needs a prompt of at least one character")
	}
	if len(prompt) > T {
		prompt = prompt[len(prompt)-T:]
	}
	s.window = append(s.window[:0], prompt...)
	s.feed(0, len(s.window))
	out := make([]int, 0, n)
	for len(out) < n {
		c := pick(s.logits.Row(0), tau, r)
		out = append(out, c)
		if len(out) == n {
			break
		}
		if len(s.window) == T { // full: restart the cache from the last T/2 characters
			keep := s.window[T-T/2:]
			s.window = append(s.window[:0], keep...)
			s.feed(0, len(s.window))
		}
		s.window = append(s.window, c)
		s.feed(len(s.window)-1, len(s.window))
	}
	return out
}

// feed runs the characters window[from:to] (at positions from … to−1, the
// cache holding 0 … from−1) through the model, adds their keys and values
// to the cache and leaves the logits of position to−1 in s.logits.
func (s *Sampler) feed(from, to int) {
	m, rows := s.m, to-from
	v := &s.views
	x, a, q, y, br, h := rowsOf(&v.x, s.x, 0, rows), rowsOf(&v.a, s.a, 0, rows), rowsOf(&v.q, s.q, 0, rows),
		rowsOf(&v.y, s.y, 0, rows), rowsOf(&v.br, s.br, 0, rows), rowsOf(&v.h, s.h, 0, rows)
	m.Emb.Infer(s.window[from:to], from, x)
	for i, b := range m.Blocks {
		l := i * perBlock
		k, val := rowsOf(&v.k, s.kc[i], from, rows), rowsOf(&v.v, s.vc[i], from, rows)
		b.Norm1.Infer(x, a)        // a = LN₁(x)
		s.linear(l+layerQ, a, q)   // Q
		s.linear(l+layerK, a, k)   // K, into the cache
		s.linear(l+layerV, a, val) // V, into the cache
		kAll, vAll := rowsOf(&v.kAll, s.kc[i], 0, to), rowsOf(&v.vAll, s.vc[i], 0, to)
		nn.AttendCached(q, kAll, vAll, y, s.s, m.Heads, from) // over positions 0 … to−1
		s.linear(l+layerO, y, br)                             // ·W_oᵀ + b_o
		nn.Add(x, br)                                         // x = x + attention branch
		b.Norm2.Infer(x, a)                                   // a = LN₂(x)
		s.linear(l+layerUp, a, h)                             // U
		nn.GELU{}.Forward(h, h)                               // GELU(U)
		s.linear(l+layerDown, h, br)                          // ·W_downᵀ + b_down
		nn.Add(x, br)                                         // x = x + MLP branch
	}
	last, la := rowsOf(&v.last, s.x, rows-1, 1), rowsOf(&v.la, s.a, 0, 1)
	m.Final.Infer(last, la)               // LN_f of the last row only
	s.linear(len(m.Base)-1, la, s.logits) // its logits
}

// linear computes out = in·Wᵀ + b for layer i with its merged W (or its base W).
func (s *Sampler) linear(i int, in, out *lab.Mat) {
	w := s.w[i]
	if w == nil {
		w = s.m.Base[i].W
	}
	lab.Gemm(1, in, lab.NoT, w, lab.T, 0, out)
	lab.AddRowVector(out, s.m.Base[i].Bias)
}

// rowsOf points the view header dst at rows start … start+n−1 of m and returns it.
func rowsOf(dst, m *lab.Mat, start, n int) *lab.Mat {
	*dst = lab.Mat{Rows: n, Cols: m.Cols, Stride: m.Stride, Data: m.Data[start*m.Stride : (start+n)*m.Stride]}
	return dst
}

// pick returns the greedy or sampled next character from logits z.
func pick(z []float64, tau float64, r *rand.Rand) int {
	best := 0
	for j, v := range z {
		if v > z[best] {
			best = j
		}
	}
	if tau == 0 {
		return best
	}
	// p_j ∝ exp((z_j − max)/τ), drawn by inverting the cumulative sum.
	total := 0.0
	for _, v := range z {
		total += math.Exp((v - z[best]) / tau)
	}
	u := r.Float64() * total
	for j, v := range z {
		u -= math.Exp((v - z[best]) / tau)
		if u < 0 {
			return j
		}
	}
	return best // rounding left u ≥ 0: the last sliver goes to the mode
}
