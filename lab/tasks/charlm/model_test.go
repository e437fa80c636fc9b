package charlm

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// tiny is the gradient check's configuration: every piece present (two
// blocks, two heads, two sequences), small enough for finite differences.
var tiny = Config{Vocab: 7, Context: 5, Width: 8, Depth: 2, Heads: 2, Batch: 2}

// newTestModel builds cfg with Dense layers (everything trainable when all
// is true, else frozen embedding and norms) and weights large enough that
// every nonlinearity bends: N(0, 0.3²), γ near 1, β and biases nonzero.
func newTestModel(cfg Config, all bool, seed uint64) (*Model, *lab.Ledger) {
	l := lab.NewLedger()
	m := NewModel(cfg, l, Trainable{Embedding: all, Norms: all})
	m.SetLayers(m.DenseLayers(l))
	r := lab.NewRand(seed, 1000)
	lab.FillNormal(m.Emb.Tok.Value, r, 0.5)
	lab.FillNormal(m.Emb.Pos.Value, r, 0.5)
	for _, b := range m.Base {
		lab.FillNormal(b.W, r, 0.3)
		for j := range b.Bias {
			b.Bias[j] = 0.1 * r.NormFloat64()
		}
	}
	norms := []*nn.LayerNorm{m.Final}
	for _, b := range m.Blocks {
		norms = append(norms, b.Norm1, b.Norm2)
	}
	for _, ln := range norms {
		for j := range ln.Gain.Value.Data {
			ln.Gain.Value.Data[j] = 1 + 0.2*r.NormFloat64()
			ln.Bias.Value.Data[j] = 0.1 * r.NormFloat64()
		}
	}
	for i := range m.Tokens {
		m.Tokens[i], m.Targets[i] = r.IntN(cfg.Vocab), r.IntN(cfg.Vocab)
	}
	return m, l
}

// TestModelGradients: with every tensor trainable, each gradient of the
// whole model (embedding, every norm, every linear layer's W and b) matches
// central finite differences of the cross-entropy to a relative error below
// 1e-6 (K's bias, whose gradient is 0, is checked to be 0). With the embedding and norms frozen (the adapter methods' case, where
// Backward stops at the first block's attention), the layers' gradients
// are the same numbers.
func TestModelGradients(t *testing.T) {
	m, _ := newTestModel(tiny, true, 1)
	m.ZeroGrads()
	m.Forward()
	m.Backward()
	if len(m.Params()) != 2+2*(2*tiny.Depth+1)+2*len(m.Base) {
		t.Fatalf("%d params", len(m.Params()))
	}
	grads := map[string]*lab.Mat{}
	for _, p := range m.Params() {
		g := p.Grad.Clone()
		grads[p.Name] = g
		fd := finiteDifferences(p.Value, m.Forward)
		if strings.HasSuffix(p.Name, ".k.bias") {
			// K's bias adds q_i·b_k to every score of row i, which the
			// softmax ignores: its gradient is 0, analytically and numerically.
			if norm(g) > 1e-14 || norm(fd) > 1e-9 {
				t.Errorf("∂L/∂%s: %g analytic, %g by finite differences; want 0", p.Name, norm(g), norm(fd))
			}
			continue
		}
		checkGradient(t, "∂L/∂"+p.Name, g, fd)
	}

	frozen, _ := newTestModel(tiny, false, 1) // the same weights and batch
	frozen.ZeroGrads()
	frozen.Forward()
	frozen.Backward()
	if len(frozen.Params()) != 2*len(m.Base) {
		t.Fatalf("frozen embedding and norms: %d params", len(frozen.Params()))
	}
	for _, p := range frozen.Params() {
		if e := relativeError(p.Grad, grads[p.Name]); e > 1e-14 {
			t.Errorf("%s: gradient with frozen embedding and norms differs by %g", p.Name, e)
		}
	}
}

// TestModelFootprint: the ledger holds exactly the base layers (their
// shapes' W and b, Frozen) plus ModelFootprint, for both kinds of model.
func TestModelFootprint(t *testing.T) {
	cfg := Config{Vocab: 11, Context: 6, Width: 12, Depth: 3, Heads: 3, Batch: 4}
	for _, train := range []Trainable{{}, {Embedding: true, Norms: true}, {Norms: true}} {
		l := lab.NewLedger()
		NewModel(cfg, l, train)
		want := ModelFootprint(cfg, train)
		for _, s := range cfg.Shapes() {
			want.Frozen += s.DOut*s.DIn + s.BiasLen()
		}
		if got := l.Numbers(); got != want {
			t.Errorf("%+v: ledger %+v, formula %+v", train, got, want)
		}
	}
}

// TestShapes: names, sizes and order of the linear layers.
func TestShapes(t *testing.T) {
	s := Config{Vocab: 9, Context: 4, Width: 6, Depth: 2, Heads: 2, Batch: 1}.Shapes()
	if len(s) != 13 || s[0] != (lab.Shape{Name: "block0.q", DIn: 6, DOut: 6}) || s[4] != (lab.Shape{Name: "block0.up", DIn: 6, DOut: 24}) ||
		s[11] != (lab.Shape{Name: "block1.down", DIn: 24, DOut: 6}) || s[12] != (lab.Shape{Name: "head", DIn: 6, DOut: 9}) {
		t.Errorf("shapes %v", s)
	}
	for _, bad := range []Config{{Vocab: 9, Context: 4, Width: 6, Depth: 2, Heads: 4, Batch: 1}, {Vocab: 9, Context: 0, Width: 6, Depth: 2, Heads: 2, Batch: 1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
}

// tinyText is a small slice of Opticks for the training test.
func tinyText() *Text {
	x := Opticks()
	return assemble("opticks-tiny", "", x.Tokens[20000:60000])
}

// TestTrainingReducesLoss: 300 steps of AdamW from GPT-2's initialisation on
// 40,000 characters of Opticks bring the held-out loss from about log V
// (uniform over 103 characters, 4.63 nats) to below 2.7 nats (better than
// the characters' own frequencies, about 3.1 nats: the model has learnt
// which characters follow which), and the training loss along with it.
func TestTrainingReducesLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("300 training steps")
	}
	x := tinyText()
	cfg := Config{Vocab: BaseVocab().Size(), Context: 16, Width: 32, Depth: 2, Heads: 2, Batch: 8}
	l := lab.NewLedger()
	m := NewModel(cfg, l, Trainable{Embedding: true, Norms: true})
	m.SetLayers(m.DenseLayers(l))
	m.Init(lab.NewRand(1, 1))
	opt := lab.NewAdamW(l, m.Params(), 3e-3, 0.01)
	r := lab.NewRand(1, 2)
	held := func() float64 {
		x.Held.Eval(cfg.Context, m.Tokens, m.Targets)
		return m.Forward()
	}
	before := held()
	if math.Abs(before-math.Log(float64(cfg.Vocab))) > 0.05 {
		t.Errorf("held-out loss at initialisation %.3f, want about log %d = %.3f", before, cfg.Vocab, math.Log(float64(cfg.Vocab)))
	}
	var first, last float64
	for step := 1; step <= 300; step++ {
		x.Train.Batch(r, cfg.Context, m.Tokens, m.Targets)
		m.ZeroGrads()
		loss := m.Forward()
		m.Backward()
		opt.Step()
		if step <= 10 {
			first += loss / 10
		}
		if step > 290 {
			last += loss / 10
		}
	}
	after := held()
	t.Logf("held-out loss %.3f → %.3f nats; training loss %.3f → %.3f", before, after, first, last)
	if after > 2.7 || last > first-1 {
		t.Errorf("held-out loss %.3f → %.3f (want < 2.7), training loss %.3f → %.3f (want a drop of 1 nat)", before, after, first, last)
	}
}

// TestStepAllocatesNothing: forward, backward and the AdamW step of a model
// allocate nothing.
func TestStepAllocatesNothing(t *testing.T) {
	m, l := newTestModel(tiny, true, 2)
	opt := lab.NewAdamW(l, m.Params(), 1e-3, 0.01)
	step := func() {
		m.ZeroGrads()
		m.Forward()
		m.Backward()
		opt.Step()
	}
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Errorf("%v allocations per training step, want 0", a)
	}
}

// shifted is a stand-in for an adapted layer: Y = X·(W + Δ)ᵀ + b, whose
// EffectiveWeight is W + Δ (the sampler must compute with it, not W).
type shifted struct {
	base  *lab.Linear
	delta *lab.Mat
}

func (s *shifted) Forward(x, y *lab.Mat) {
	lab.Gemm(1, x, lab.NoT, s.base.W, lab.T, 0, y)
	lab.Gemm(1, x, lab.NoT, s.delta, lab.T, 1, y)
	lab.AddRowVector(y, s.base.Bias)
}
func (s *shifted) Backward(g, dx *lab.Mat) {}
func (s *shifted) EffectiveWeight(dst *lab.Mat) {
	dst.CopyFrom(s.base.W)
	for i := range dst.Data {
		dst.Data[i] += s.delta.Data[i]
	}
}

// TestSamplerMatchesForward: the sampler's cached, merged computation gives
// the model's own logits. Sequence 0 of a batch is fed to the sampler as a
// prefill of 2 characters and then one character at a time; after each,
// its logits equal row t of the model's Forward (which sees the whole
// sequence at once, through layers whose effective weight is W + Δ).
func TestSamplerMatchesForward(t *testing.T) {
	m, l := newTestModel(tiny, false, 3)
	r := lab.NewRand(3, 1001)
	layers := make([]nn.Layer, len(m.Base))
	for i, b := range m.Base {
		layers[i] = &shifted{base: b, delta: randomDelta(r, b.DOut, b.DIn)}
	}
	m.SetLayers(layers)
	m.Forward()
	s := NewSampler(m, l)
	s.merge()
	s.window = append(s.window[:0], m.Tokens[:tiny.Context]...)
	for to, from := 2, 0; to <= tiny.Context; from, to = to, to+1 {
		s.feed(from, to)
		want := m.logits.Row(to - 1)
		for j, v := range s.logits.Row(0) {
			if math.Abs(v-want[j]) > 1e-12*(1+math.Abs(want[j])) {
				t.Fatalf("position %d: sampler logit %d = %.15g, model %.15g", to-1, j, v, want[j])
			}
		}
	}
}

func randomDelta(r *rand.Rand, rows, cols int) *lab.Mat {
	d := lab.NewMat(rows, cols)
	lab.FillNormal(d, r, 0.1)
	return d
}

// TestGenerate: greedy decoding ignores the generator and repeats itself
// exactly; temperature sampling is reproducible from the seed and differs
// between seeds; generating past the context (the cache restarts) works
// and stays in the vocabulary; a long prompt is cut to the context.
func TestGenerate(t *testing.T) {
	m, l := newTestModel(tiny, true, 4)
	s := NewSampler(m, l)
	prompt := []int{1, 2, 3}
	g1 := s.Generate(prompt, 23, 0, lab.NewRand(1, 1))
	g2 := s.Generate(prompt, 23, 0, lab.NewRand(2, 2))
	if len(g1) != 23 || !slices.Equal(g1, g2) {
		t.Errorf("greedy: %v and %v", g1, g2)
	}
	a := s.Generate(prompt, 40, 1, lab.NewRand(5, 5))
	b := s.Generate(prompt, 40, 1, lab.NewRand(5, 5))
	c := s.Generate(prompt, 40, 1, lab.NewRand(6, 6))
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("temperature 1: seed 5 gave %v and %v, seed 6 %v", a, b, c)
	}
	for _, id := range a {
		if id < 0 || id >= tiny.Vocab {
			t.Fatalf("generated id %d outside the vocabulary", id)
		}
	}
	long := append(slices.Repeat([]int{6}, 20), prompt...)
	if d := s.Generate(long, 23, 0, nil); !slices.Equal(d, s.Generate(long[len(long)-tiny.Context:], 23, 0, nil)) {
		t.Errorf("a prompt longer than the context is not cut to its last %d characters", tiny.Context)
	}
}

// TestPick: greedy picks the first maximum; at a tiny temperature sampling
// is greedy too; at temperature 1 the draws follow softmax(z).
func TestPick(t *testing.T) {
	z := []float64{0, 2, 2, 1}
	if pick(z, 0, nil) != 1 || pick(z, 1e-9, lab.NewRand(1, 1)) != 1 && pick(z, 1e-9, lab.NewRand(1, 1)) != 2 {
		t.Errorf("greedy pick of %v", z)
	}
	r := lab.NewRand(9, 9)
	counts := make([]float64, len(z))
	const draws = 200000
	for range draws {
		counts[pick(z, 1, r)]++
	}
	sum := 0.0
	for _, v := range z {
		sum += math.Exp(v)
	}
	for j, v := range z {
		if p := math.Exp(v) / sum; math.Abs(counts[j]/draws-p) > 0.005 {
			t.Errorf("character %d drawn %.4f of the time, softmax says %.4f", j, counts[j]/draws, p)
		}
	}
}
