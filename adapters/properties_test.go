package adapters_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"gonum.org/v1/gonum/mat"
)

// toDense copies m into a gonum matrix.
func toDense(m *lab.Mat) *mat.Dense {
	d := mat.NewDense(m.Rows, m.Cols, nil)
	for i := 0; i < m.Rows; i++ {
		for j := 0; j < m.Cols; j++ {
			d.Set(i, j, m.At(i, j))
		}
	}
	return d
}

// fromDense copies a gonum matrix into a lab.Mat.
func fromDense(d mat.Matrix) *lab.Mat {
	r, c := d.Dims()
	m := lab.NewMat(r, c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, d.At(i, j))
		}
	}
	return m
}

// TestLoRAFAKeepsAFrozen proves LoRA-FA's defining property: A is not a
// trainable param and stays bitwise equal to its random initialisation over
// a run of many steps, while B trains.
func TestLoRAFAKeepsAFrozen(t *testing.T) {
	cfg := smallConfig()
	cfg.LR = 5e-2 // large steps: any leak into A would show
	tr := newTrainer(t, adapters.LoRAFA{}, cfg)
	var a0, b0 []*lab.Mat
	for i, l := range tr.model.Layers {
		a := adapters.FrozenA(l)
		if a == nil {
			t.Fatalf("layer %d: FrozenA returned nil for a LoRA-FA layer", i+1)
		}
		if allZero(a) {
			t.Fatalf("layer %d: A is zero; it must start random", i+1)
		}
		for _, p := range l.Params() {
			if p.Role != "B" {
				t.Errorf("layer %d: trainable param %s with role %q; LoRA-FA trains B only", i+1, p.Name, p.Role)
			}
		}
		a0 = append(a0, snapshot(a))
		b0 = append(b0, snapshot(param(t, l, "B").Value))
	}
	for range 200 {
		tr.trainStep()
	}
	for i, l := range tr.model.Layers {
		if !adapters.FrozenA(l).Equal(a0[i]) {
			t.Errorf("layer %d: A changed by up to %g over 200 steps", i+1, maxAbsDiff(adapters.FrozenA(l), a0[i]))
		}
		if param(t, l, "B").Value.Equal(b0[i]) {
			t.Errorf("layer %d: B did not change over 200 steps", i+1)
		}
	}
}

// TestLoRAFAKeepsLessActivationMemory proves LoRA-FA's memory claim as the
// ledger measures it: at the same shapes its activation bytes are below
// LoRA's, by exactly the N·d_in of X per layer that it does not keep.
func TestLoRAFAKeepsLessActivationMemory(t *testing.T) {
	for _, c := range []struct{ width, depth, batch, rank int }{{6, 3, 5, 2}, {16, 2, 8, 4}, {32, 4, 1, 1}} {
		cfg := smallConfig()
		cfg.Batch, cfg.Rank = c.batch, c.rank
		cfg = with(cfg, "width", c.width, "depth", c.depth)
		lora := newTrainer(t, adapters.LoRA{}, cfg).model.Ledger.Numbers()
		fa := newTrainer(t, adapters.LoRAFA{}, cfg).model.Ledger.Numbers()
		if fa.Activations >= lora.Activations {
			t.Errorf("%+v: LoRA-FA keeps %d activation numbers, LoRA %d: want fewer", c, fa.Activations, lora.Activations)
		}
		if got, want := lora.Activations-fa.Activations, c.depth*c.batch*c.width; got != want {
			t.Errorf("%+v: LoRA-FA saves %d activation numbers, want Σ N·d_in = %d", c, got, want)
		}
	}
}

// TestLoRAFAProjectedGradient proves the projected-gradient option: after
// BeforeUpdate, ∂L/∂B equals the raw gradient times (1/s²)(A·Aᵀ + 1e-8·I)⁻¹,
// computed here independently (gonum's Cholesky solve); with the option
// off, BeforeUpdate leaves the gradient untouched.
func TestLoRAFAProjectedGradient(t *testing.T) {
	for _, projected := range []bool{false, true} {
		for _, c := range []struct{ din, dout, r int }{{4, 3, 2}, {7, 5, 3}, {6, 6, 6}} {
			t.Run(fmt.Sprintf("projected=%v/%dx%d/r=%d", projected, c.dout, c.din, c.r), func(t *testing.T) {
				cfg := catalog.Defaults()
				cfg.Rank, cfg.Alpha = c.r, 5
				cfg = with(cfg, "lorafa-projected", projected)
				const n = 5
				rig := buildLayers(t, adapters.LoRAFA{}, cfg, []lab.Shape{{Name: "l", DIn: c.din, DOut: c.dout}}, n, 7)
				l := rig.layers[0]
				rnd := lab.NewRand(8, testStream)
				randomizeAdapters(rig.layers, rnd)
				x, g := randomMat(n, c.din, rnd, 1), randomMat(n, c.dout, rnd, 1)
				l.Forward(x, lab.NewMat(n, c.dout))
				l.Backward(g, nil)
				b := param(t, l, "B")
				raw := snapshot(b.Grad)
				if allZero(raw) {
					t.Fatal("raw ∂L/∂B is zero")
				}
				l.BeforeUpdate()
				if !projected {
					if !b.Grad.Equal(raw) {
						t.Errorf("with the option off BeforeUpdate changed ∂L/∂B by up to %g", maxAbsDiff(b.Grad, raw))
					}
					return
				}
				// want = raw·(1/s²)·M⁻¹ with M = A·Aᵀ + εI symmetric, so wantᵀ = (1/s²)·M⁻¹·rawᵀ.
				a := toDense(adapters.FrozenA(l))
				var m mat.SymDense
				m.SymOuterK(1, a)
				for i := 0; i < c.r; i++ {
					m.SetSym(i, i, m.At(i, i)+1e-8)
				}
				var chol mat.Cholesky
				if !chol.Factorize(&m) {
					t.Fatal("A·Aᵀ + εI is not positive definite")
				}
				var wantT mat.Dense
				if err := chol.SolveTo(&wantT, toDense(raw).T()); err != nil {
					t.Fatal(err)
				}
				s := lab.Scale(rig.cfg)
				wantT.Scale(1/(s*s), &wantT)
				want := fromDense(wantT.T())
				if e := relErr(b.Grad, want); e > 1e-9 {
					t.Errorf("projected ∂L/∂B has relative error %g against (1/s²)·grad·(AAᵀ+εI)⁻¹", e)
				}
				if relErr(b.Grad, raw) < 1e-3 {
					t.Error("projected gradient is indistinguishable from the raw one: the check proves nothing")
				}
			})
		}
	}
}

// TestVeRASharesOnePair proves VeRA's defining properties: every layer's
// frozen A and B are views of ONE shared pair (same backing storage, A =
// A_sh[:, :d_in], B = B_sh[:d_out, :]), the pair is counted once in the
// ledger, it never changes over training, and the trainable count is
// Σ (d_out + r). It runs on layers of different shapes (built directly) and
// on a lab.Model that trains.
func TestVeRASharesOnePair(t *testing.T) {
	t.Run("slices", func(t *testing.T) {
		shapes := []lab.Shape{{Name: "l1", DIn: 4, DOut: 7}, {Name: "l2", DIn: 9, DOut: 3}, {Name: "l3", DIn: 2, DOut: 5}}
		cfg := catalog.Defaults()
		cfg.Rank = 11 // above every layer dimension, as VeRA allows
		rig := buildLayers(t, adapters.VeRA{}, cfg, shapes, 3, 1)
		maxIn, maxOut := 9, 7
		a0, b0 := adapters.VeRAShared(rig.layers[0])
		if a0 == nil || b0 == nil {
			t.Fatal("VeRAShared returned nil for a VeRA layer")
		}
		for i, l := range rig.layers {
			a, b := adapters.VeRAShared(l)
			s := shapes[i]
			if a.Rows != cfg.Rank || a.Cols != s.DIn || b.Rows != s.DOut || b.Cols != cfg.Rank {
				t.Errorf("%s: A %dx%d, B %dx%d; want A %dx%d, B %dx%d", s.Name, a.Rows, a.Cols, b.Rows, b.Cols, cfg.Rank, s.DIn, s.DOut, cfg.Rank)
			}
			if &a.Data[0] != &a0.Data[0] || &b.Data[0] != &b0.Data[0] {
				t.Errorf("%s: A or B does not share storage with layer 1's: not one shared pair", s.Name)
			}
			if a.Stride != maxIn || b.Stride != cfg.Rank {
				t.Errorf("%s: strides A %d, B %d; want the shared pair's %d (max_in) and %d (r)", s.Name, a.Stride, b.Stride, maxIn, cfg.Rank)
			}
		}
		// Every layer reads the same numbers: A_sh[:, :d_in] and B_sh[:d_out, :].
		aWide, _ := adapters.VeRAShared(rig.layers[1]) // d_in = max_in
		_, bTall := adapters.VeRAShared(rig.layers[0]) // d_out = max_out
		for i, l := range rig.layers {
			a, b := adapters.VeRAShared(l)
			for p := 0; p < a.Rows; p++ {
				for q := 0; q < a.Cols; q++ {
					if a.At(p, q) != aWide.At(p, q) {
						t.Fatalf("%s: A[%d,%d] is not A_sh[%d,%d]", shapes[i].Name, p, q, p, q)
					}
				}
			}
			for p := 0; p < b.Rows; p++ {
				for q := 0; q < b.Cols; q++ {
					if b.At(p, q) != bTall.At(p, q) {
						t.Fatalf("%s: B[%d,%d] is not B_sh[%d,%d]", shapes[i].Name, p, q, p, q)
					}
				}
			}
		}
		if allZero(aWide) || allZero(bTall) {
			t.Error("the shared pair is zero; it must be random")
		}
		got := rig.ledger.Numbers()
		wantFrozen, wantTrainable := cfg.Rank*(maxIn+maxOut), 0
		for _, s := range shapes {
			wantFrozen += s.DOut*s.DIn + s.DOut
			wantTrainable += s.DOut + cfg.Rank
		}
		if got.Frozen != wantFrozen {
			t.Errorf("ledger frozen = %d, want Σ(W, b) + r·(max_in + max_out) = %d (the pair counted once)", got.Frozen, wantFrozen)
		}
		if got.Trainable != wantTrainable {
			t.Errorf("ledger trainable = %d, want Σ(d_out + r) = %d", got.Trainable, wantTrainable)
		}
	})
	t.Run("training", func(t *testing.T) {
		cfg := smallConfig()
		cfg.Rank = 10
		tr := newTrainer(t, adapters.VeRA{}, cfg)
		a0, b0 := adapters.VeRAShared(tr.model.Layers[0])
		aInit, bInit := snapshot(a0), snapshot(b0)
		trainable := 0
		for _, p := range tr.model.Params {
			trainable += p.Value.Len()
		}
		if want := get(cfg, "depth") * (get(cfg, "width") + cfg.Rank); trainable != want || tr.model.Ledger.Numbers().Trainable != want {
			t.Errorf("trainable: params hold %d, ledger says %d; want Σ(d_out + r) = %d", trainable, tr.model.Ledger.Numbers().Trainable, want)
		}
		for range 100 {
			tr.trainStep()
		}
		for i, l := range tr.model.Layers {
			a, b := adapters.VeRAShared(l)
			if &a.Data[0] != &a0.Data[0] || &b.Data[0] != &b0.Data[0] {
				t.Errorf("layer %d does not share the pair", i+1)
			}
			if !a.Equal(aInit) || !b.Equal(bInit) {
				t.Errorf("layer %d: the shared pair changed over training", i+1)
			}
			if param(t, l, "b").Value.Equal(lab.NewMat(1, get(cfg, "width"))) {
				t.Errorf("layer %d: b did not train", i+1)
			}
		}
	})
}

// TestDeltaLoRAMovesW proves Delta-LoRA's rule: W is bitwise unchanged up to
// step K, and after each step t > K it changes by exactly
// λ·s·(B′·A′ − B·A) — compared here against the product difference computed
// from snapshots with plain loops — and not by the buggy λ·s·(B′−B)·(A′−A).
// Summed over the run, the changes telescope: W_T − W_0 = λ·s·(B_T·A_T − B_K·A_K).
func TestDeltaLoRAMovesW(t *testing.T) {
	const k, steps = 5, 15
	const eps = 0x1p-52 // float64 machine epsilon
	cfg := smallConfig()
	cfg.Steps, cfg.Alpha = steps, 3 // s = 1.5
	cfg = with(cfg, "delta-start", k, "delta-ratio", 2)
	tr := newTrainer(t, adapters.DeltaLoRA{}, cfg)
	lambdaS := adapters.DeltaRatio.Float(cfg) * lab.Scale(tr.cfg)
	nl := len(tr.model.Layers)
	w0 := make([]*lab.Mat, nl)
	aK, bK := make([]*lab.Mat, nl), make([]*lab.Mat, nl)
	for i := range tr.model.Layers {
		w0[i] = snapshot(tr.model.Base[i].W)
	}
	for step := 1; step <= steps; step++ {
		tr.nextBatch()
		tr.gradients()
		type snap struct{ w, a, b *lab.Mat }
		before := make([]snap, nl)
		for i, l := range tr.model.Layers {
			before[i] = snap{snapshot(tr.model.Base[i].W), snapshot(param(t, l, "A").Value), snapshot(param(t, l, "B").Value)}
			if step == k+1 {
				aK[i], bK[i] = before[i].a, before[i].b
			}
		}
		tr.update()
		for i, l := range tr.model.Layers {
			w := tr.model.Base[i].W
			if step <= k {
				if !w.Equal(before[i].w) {
					t.Fatalf("step %d ≤ K = %d, layer %d: W changed by up to %g", step, k, i+1, maxAbsDiff(w, before[i].w))
				}
				continue
			}
			a1, b1 := param(t, l, "A").Value, param(t, l, "B").Value
			want := lab.NewMat(w.Rows, w.Cols)
			pNew, pOld := matmul(b1, a1), matmul(before[i].b, before[i].a)
			for j := range want.Data {
				want.Data[j] = lambdaS * (pNew.Data[j] - pOld.Data[j])
			}
			got := lab.NewMat(w.Rows, w.Cols)
			for j := range got.Data {
				got.Data[j] = w.Data[j] - before[i].w.Data[j]
			}
			if allZero(want) {
				t.Fatalf("step %d layer %d: the expected change is zero: the check proves nothing", step, i+1)
			}
			// 1e-12 relative to the change, plus a few ulps of W itself: W + ΔW is
			// rounded to W's precision, which no implementation can avoid.
			tol := 1e-12*maxAbs(want) + 4*eps*maxAbs(before[i].w)
			if d := maxAbsDiff(got, want); d > tol {
				t.Errorf("step %d layer %d: ΔW differs from λ·s·(B′A′ − BA) by %g (size %g, tolerance %g)", step, i+1, d, maxAbs(want), tol)
			}
			buggy := lab.NewMat(w.Rows, w.Cols)
			dB, dA := snapshot(b1), snapshot(a1)
			for j := range dB.Data {
				dB.Data[j] -= before[i].b.Data[j]
			}
			for j := range dA.Data {
				dA.Data[j] -= before[i].a.Data[j]
			}
			pd := matmul(dB, dA)
			for j := range buggy.Data {
				buggy.Data[j] = lambdaS * pd.Data[j]
			}
			if relErr(got, buggy) < 1e-3 {
				t.Errorf("step %d layer %d: ΔW is close to the buggy λ·s·(B′−B)(A′−A)", step, i+1)
			}
		}
	}
	for i, l := range tr.model.Layers {
		pT, pK := matmul(param(t, l, "B").Value, param(t, l, "A").Value), matmul(bK[i], aK[i])
		want, got := lab.NewMat(pT.Rows, pT.Cols), lab.NewMat(pT.Rows, pT.Cols)
		for j := range want.Data {
			want.Data[j] = lambdaS * (pT.Data[j] - pK.Data[j])
			got.Data[j] = tr.model.Base[i].W.Data[j] - w0[i].Data[j]
		}
		if e := relErr(got, want); e > 1e-9 {
			t.Errorf("layer %d: W_T − W_0 differs from λ·s·(B_T·A_T − B_K·A_K) by relative %g", i+1, e)
		}
	}
}

// TestLoRAPlusLearningRates proves LoRA+'s only change: B's learning rate is
// λ times A's. It checks Param.LRScale (B: λ, A: 1; plain LoRA: 1 and 1) and
// the behaviour: with a fixed gradient, AdamW's first step (no weight decay)
// moves every element of A by lr and of B by λ·lr, against the gradient's sign.
func TestLoRAPlusLearningRates(t *testing.T) {
	for _, c := range []struct {
		method lab.Method
		ratio  float64
		wantB  float64 // expected B scale
	}{{adapters.LoRAPlus{}, 16, 16}, {adapters.LoRAPlus{}, 20, 20}, {adapters.LoRA{}, 16, 1}} {
		t.Run(fmt.Sprintf("%s/ratio=%g", c.method.Info().Name, c.ratio), func(t *testing.T) {
			cfg := catalog.Defaults()
			cfg.Rank = 2
			cfg = with(cfg, "lr-ratio", c.ratio)
			rig := buildLayers(t, c.method, cfg, []lab.Shape{{Name: "l", DIn: 4, DOut: 3}}, 5, 3)
			l := rig.layers[0]
			a, b := param(t, l, "A"), param(t, l, "B")
			if a.LRScale != 1 || b.LRScale != c.wantB {
				t.Fatalf("LRScale: A %g, B %g; want 1 and %g", a.LRScale, b.LRScale, c.wantB)
			}
			const lr = 1e-3
			opt := lab.NewAdamW(rig.ledger, l.Params(), lr, 0)
			rnd := lab.NewRand(4, testStream)
			randomizeAdapters(rig.layers, rnd)
			fillRandom(a.Grad, rnd, 1)
			fillRandom(b.Grad, rnd, 1)
			a0, b0 := snapshot(a.Value), snapshot(b.Value)
			opt.Step()
			for _, p := range []struct {
				name        string
				before, now *lab.Mat
				grad        *lab.Mat
				step        float64
			}{{"A", a0, a.Value, a.Grad, lr}, {"B", b0, b.Value, b.Grad, c.wantB * lr}} {
				for j, g := range p.grad.Data {
					moved := p.now.Data[j] - p.before.Data[j]
					// Adam's first step is lr·g/(|g| + ε): lr in size up to ε/|g| ≤ 5e-8.
					if math.Abs(math.Abs(moved)-p.step) > 1e-7*p.step || math.Signbit(moved) == math.Signbit(g) {
						t.Errorf("%s[%d] moved by %g with gradient %g, want %g against the gradient", p.name, j, moved, g, p.step)
					}
				}
			}
		})
	}
}

// TestFullTrainsWAndBias proves full fine-tuning's definition: the base W and
// bias are the trainable params, the ledger counts them (and nothing else)
// as Trainable with nothing Frozen, and one step changes both.
func TestFullTrainsWAndBias(t *testing.T) {
	tr := newTrainer(t, adapters.Full{}, smallConfig())
	counts := tr.model.Ledger.Numbers()
	if counts.Frozen != 0 {
		t.Errorf("ledger counts %d frozen numbers under full fine-tuning, want 0", counts.Frozen)
	}
	want := 0
	for _, s := range layersOf(tr.cfg) {
		want += s.DOut*s.DIn + s.DOut
	}
	if counts.Trainable != want {
		t.Errorf("ledger trainable = %d, want Σ(d_out·d_in + d_out) = %d", counts.Trainable, want)
	}
	cats := map[string]lab.Category{}
	for _, e := range tr.model.Ledger.Entries() {
		cats[e.Name] = e.Category
	}
	var w0, b0 []*lab.Mat
	for i, l := range tr.model.Layers {
		base := tr.model.Base[i]
		w, b := param(t, l, "W"), param(t, l, "bias")
		if w.Value != base.W || &b.Value.Data[0] != &base.Bias[0] {
			t.Errorf("layer %d: the W and bias params are not the base layer's own buffers", i+1)
		}
		for _, name := range []string{base.Name + ".W", base.Name + ".bias"} {
			if c, ok := cats[name]; !ok || c != lab.Trainable {
				t.Errorf("ledger entry %s: category %v (present %v), want trainable", name, c, ok)
			}
		}
		w0, b0 = append(w0, snapshot(w.Value)), append(b0, snapshot(b.Value))
	}
	tr.trainStep()
	for i, l := range tr.model.Layers {
		if param(t, l, "W").Value.Equal(w0[i]) {
			t.Errorf("layer %d: W did not change after a step", i+1)
		}
		if param(t, l, "bias").Value.Equal(b0[i]) {
			t.Errorf("layer %d: bias did not change after a step", i+1)
		}
	}
}
