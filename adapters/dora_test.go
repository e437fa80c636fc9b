package adapters_test

import (
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// doraRig builds DoRA on two layers of different shapes with random
// nonzero A, B and m, so that no gradient is trivially zero.
func doraRig(t *testing.T, exact bool) *layerRig {
	t.Helper()
	cfg := catalog.Defaults()
	cfg.Rank, cfg.Alpha = 2, 3
	cfg = with(cfg, "dora-exact", exact)
	rig := buildLayers(t, adapters.DoRA{}, cfg, gradCheckShapes[1], 5, 41)
	rnd := lab.NewRand(42, testStream)
	randomizeAdapters(rig.layers, rnd)
	for _, l := range rig.layers {
		fillRandom(param(t, l, "m").Value, rnd, 2)
	}
	return rig
}

// TestDoRADetachedGradient: with the norm treated as a constant (the
// default, as in PEFT and the paper §4.3), DoRA's gradients of m, A and B are
// the exact gradients of the loss at a fixed norm — checked against central
// finite differences with n held at its value — and m's gradient is the
// loss's true one (n does not depend on m), so it equals the exact mode's.
// The detached ∂L/∂A and ∂L/∂B differ from the true ones: the norm's term is
// what they leave out.
func TestDoRADetachedGradient(t *testing.T) {
	const n = 5
	for i, sh := range gradCheckShapes[1] {
		detached, exact := doraRig(t, false), doraRig(t, true)
		l, le := detached.layers[i], exact.layers[i]
		rnd := lab.NewRand(43, testStream)
		x, r := randomMat(n, sh.DIn, rnd, 1), randomMat(n, sh.DOut, rnd, 1)
		for _, rig := range []*layerRig{detached, exact} {
			layer := rig.layers[i]
			layer.Forward(x, lab.NewMat(n, sh.DOut))
			layer.Backward(r, lab.NewMat(n, sh.DIn))
		}
		adapters.FixDoRANorm(l, true) // n stays as the forward pass left it
		loss := func() float64 { return layerLoss(l, x, r) }
		for _, role := range []string{"m", "A", "B"} {
			p := param(t, l, role)
			checkGrad(t, sh.Name+" detached ∂L/∂"+role, snapshot(p.Grad), finiteDiff(p.Value, fdStep, loss))
		}
		if e := relErr(param(t, l, "m").Grad, param(t, le, "m").Grad); e > 1e-14 {
			t.Errorf("%s: ∂L/∂m differs between the detached and exact modes by %g", sh.Name, e)
		}
		for _, role := range []string{"A", "B"} {
			if e := relErr(param(t, l, role).Grad, param(t, le, role).Grad); e < 1e-6 {
				t.Errorf("%s: detached ∂L/∂%s equals the exact one (relative difference %g): the norm's term is missing from the exact mode", sh.Name, role, e)
			}
		}
	}
}

// TestDoRAMagnitudeAndDirection proves DoRA's defining property: the
// magnitude and the direction train separately. The effective weight's rows
// have exactly the norms m (the direction, (W + s·B·A)/n, has rows of norm
// 1 before m scales them); m starts at ‖W‖_row, so the layer starts as W;
// and a step that changes only m (A and B held) rescales rows without
// turning them, while one that changes only A and B keeps the row norms.
func TestDoRAMagnitudeAndDirection(t *testing.T) {
	cfg := catalog.Defaults()
	cfg.Rank, cfg.Alpha = 2, 3
	shapes := gradCheckShapes[1]
	rig := buildLayers(t, adapters.DoRA{}, cfg, shapes, 5, 44)
	for i, l := range rig.layers {
		w := rig.base[i].W
		m := param(t, l, "m").Value.Data
		for j := 0; j < w.Rows; j++ {
			if norm := math.Sqrt(dot(w.Row(j), w.Row(j))); math.Abs(m[j]-norm) > 1e-15*norm {
				t.Errorf("%s row %d: m starts at %g, ‖W‖ = %g", shapes[i].Name, j, m[j], norm)
			}
		}
		eff := lab.NewMat(w.Rows, w.Cols)
		l.EffectiveWeight(eff)
		if e := relErr(eff, w); e > 1e-15 {
			t.Errorf("%s: the layer starts %g away from W", shapes[i].Name, e)
		}
	}
	rnd := lab.NewRand(45, testStream)
	randomizeAdapters(rig.layers, rnd)
	for i, l := range rig.layers {
		mp := param(t, l, "m").Value
		fillRandom(mp, rnd, 2)
		before := lab.NewMat(shapes[i].DOut, shapes[i].DIn)
		l.EffectiveWeight(before)
		for j := 0; j < before.Rows; j++ { // ‖row j‖ = |m_j|: the direction has norm 1
			if norm := math.Sqrt(dot(before.Row(j), before.Row(j))); math.Abs(norm-math.Abs(mp.Data[j])) > 1e-13*norm {
				t.Errorf("%s row %d: norm %g, m %g", shapes[i].Name, j, norm, mp.Data[j])
			}
		}
		// Only m changes: every row keeps its direction.
		for j := range mp.Data {
			mp.Data[j] *= 1.5
		}
		after := lab.NewMat(before.Rows, before.Cols)
		l.EffectiveWeight(after)
		for j := 0; j < before.Rows; j++ {
			if c := cosine(before.Row(j), after.Row(j)); math.Abs(c-1) > 1e-13 {
				t.Errorf("%s row %d: changing m turned the row (cosine %g)", shapes[i].Name, j, c)
			}
		}
		// Only A and B change: every row keeps its norm.
		a := param(t, l, "A").Value
		fillRandom(a, rnd, 1)
		l.EffectiveWeight(before)
		for j := 0; j < before.Rows; j++ {
			if norm := math.Sqrt(dot(before.Row(j), before.Row(j))); math.Abs(norm-math.Abs(mp.Data[j])) > 1e-13*norm {
				t.Errorf("%s row %d: changing A changed the row's norm to %g (m %g)", shapes[i].Name, j, norm, mp.Data[j])
			}
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func cosine(a, b []float64) float64 { return dot(a, b) / math.Sqrt(dot(a, a)*dot(b, b)) }
