package adapters_test

import (
	"fmt"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// fdStep is the finite-difference step. The layer-level loss L = Σ Y⊙R is
// linear in every single number of every method (a product of distinct
// tensors), so central differences are exact up to rounding.
const fdStep = 1e-5

// gradTolerance is the largest relative error allowed between an analytic
// gradient and its finite-difference estimate (the specification's bound).
const gradTolerance = 1e-6

// layerRig is one or more base linear layers adapted by a method, built
// directly through Method.Build as the engine does.
type layerRig struct {
	base   []*lab.Linear
	layers []lab.Adapted
	ledger *lab.Ledger
	cfg    lab.Config
	n      int
}

// buildLayers adapts random base layers of the given shapes with method m at
// batch size n.
func buildLayers(t testing.TB, m lab.Method, cfg lab.Config, shapes []lab.Shape, n int, seed uint64) *layerRig {
	t.Helper()
	if cfg.Alpha == 0 {
		cfg.Alpha = float64(cfg.Rank)
	}
	if err := m.Validate(cfg, shapes); err != nil {
		t.Fatalf("%s: %v", m.Info().Name, err)
	}
	r := lab.NewRand(seed, testStream)
	rig := &layerRig{ledger: lab.NewLedger(), cfg: cfg, n: n}
	for _, s := range shapes {
		lin := &lab.Linear{Shape: s, W: rig.ledger.Mat(lab.Frozen, s.Name+".W", s.DOut, s.DIn), Bias: rig.ledger.Vec(lab.Frozen, s.Name+".bias", s.DOut)}
		fillRandom(lin.W, r, 1)
		for j := range lin.Bias {
			lin.Bias[j] = r.NormFloat64()
		}
		rig.base = append(rig.base, lin)
	}
	env := &lab.Env{Ledger: rig.ledger, Rand: lab.NewRand(seed, 5), Config: cfg, N: n}
	rig.layers = m.Build(env, rig.base)
	if len(rig.layers) != len(shapes) {
		t.Fatalf("%s: Build returned %d layers for %d", m.Info().Name, len(rig.layers), len(shapes))
	}
	return rig
}

// layerLoss is L = Σ Y⊙R for layer l on input x.
func layerLoss(l lab.Adapted, x, r *lab.Mat) float64 {
	y := lab.NewMat(r.Rows, r.Cols)
	l.Forward(x, y)
	s := 0.0
	for i := 0; i < y.Rows; i++ {
		for j, v := range y.Row(i) {
			s += v * r.At(i, j)
		}
	}
	return s
}

// finiteDiff returns the central-difference estimate of ∂loss/∂m, perturbing
// each element of m in place (and restoring it).
func finiteDiff(m *lab.Mat, h float64, loss func() float64) *lab.Mat {
	g := lab.NewMat(m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j := range row {
			v := row[j]
			row[j] = v + h
			up := loss()
			row[j] = v - h
			down := loss()
			row[j] = v
			g.Set(i, j, (up-down)/(2*h))
		}
	}
	return g
}

// checkGrad fails the test unless got is nonzero and within gradTolerance of want.
func checkGrad(t *testing.T, what string, got, want *lab.Mat) {
	t.Helper()
	if frobenius(want) == 0 || frobenius(got) == 0 {
		t.Errorf("%s: gradient is zero (analytic ‖·‖ %g, finite differences ‖·‖ %g); the check needs a nonzero gradient", what, frobenius(got), frobenius(want))
		return
	}
	e := relErr(got, want)
	if testing.Verbose() {
		t.Logf("%s: relative error %.2g", what, e)
	}
	if e > gradTolerance {
		t.Errorf("%s: relative error %.3g against finite differences (limit %g)\nanalytic %v\nnumeric  %v", what, e, gradTolerance, got.Data, want.Data)
	}
}

// gradCheckShapes are the layer sets the gradient check runs on: the
// specification's 4 → 3 layer with r = 2, and two layers of different shapes
// built together (for VeRA, two slices of one shared pair).
var gradCheckShapes = [][]lab.Shape{
	{{Name: "layer1", DIn: 4, DOut: 3}},
	{{Name: "layer1", DIn: 4, DOut: 3}, {Name: "layer2", DIn: 3, DOut: 5}},
}

// TestLayerGradients proves property 2 of the specification for every
// method: with L = Σ Y⊙R (so G = R), each trainable tensor's gradient and
// ∂L/∂X from Backward match central finite differences in float64 to a
// relative error below 1e-6. The zero-initialised tensors (LoRA's B, VeRA's
// b) are set to random values first so no gradient is trivially zero.
// It also checks that the parameter gradients do not depend on whether
// ∂L/∂X is requested (the first layer of a model passes dx = nil), and that
// Backward accumulates into the gradients rather than overwriting them.
func TestLayerGradients(t *testing.T) {
	const n = 5
	for _, m := range adapters.All() {
		for si, shapes := range gradCheckShapes {
			for _, rs := range []bool{false, true} {
				name := fmt.Sprintf("%s/layers=%d/rslora=%v", m.Info().Name, len(shapes), rs)
				t.Run(name, func(t *testing.T) {
					cfg := catalog.Defaults()
					cfg.Rank, cfg.Alpha, cfg.RSLoRA = 2, 3, rs // s = 1.5 (or 3/√2): a scaling bug cannot hide behind s = 1
					cfg = with(cfg, "dora-exact", true)        // DoRA's true gradient; its detached one is checked in dora_test.go
					cfg = with(cfg, "vera-d-init", 0.7)
					rig := buildLayers(t, m, cfg, shapes, n, uint64(11+si))
					rnd := lab.NewRand(uint64(23+si), testStream)
					randomizeAdapters(rig.layers, rnd)
					for li, l := range rig.layers {
						s := shapes[li]
						x := randomMat(n, s.DIn, rnd, 1)
						r := randomMat(n, s.DOut, rnd, 1)
						loss := func() float64 { return layerLoss(l, x, r) }

						// Analytic gradients from one forward and one backward pass.
						y, dx := lab.NewMat(n, s.DOut), lab.NewMat(n, s.DIn)
						l.Forward(x, y)
						l.Backward(r, dx)
						grads := map[*lab.Param]*lab.Mat{}
						for _, p := range l.Params() {
							grads[p] = snapshot(p.Grad)
						}

						for _, p := range l.Params() {
							checkGrad(t, fmt.Sprintf("%s ∂L/∂%s", s.Name, p.Role), grads[p], finiteDiff(p.Value, fdStep, loss))
						}
						checkGrad(t, s.Name+" ∂L/∂X", dx, finiteDiff(x, fdStep, loss))

						// Without dx: the same parameter gradients, accumulated on top.
						l.Forward(x, y)
						l.Backward(r, nil)
						for _, p := range l.Params() {
							twice := snapshot(grads[p])
							for i := range twice.Data {
								twice.Data[i] *= 2
							}
							if e := relErr(p.Grad, twice); e > 1e-14 {
								t.Errorf("%s ∂L/∂%s: a second Backward (dx = nil) did not add the same gradient again (relative error %g)", s.Name, p.Role, e)
							}
						}
					}
				})
			}
		}
	}
}

// TestModelGradients checks the whole engine's backward pass: through a
// lab.Model (NewModel, Forward, Loss, Backward) with nonlinear activations,
// every parameter gradient of every method matches central finite
// differences of the MSE loss to a relative error below 1e-6.
func TestModelGradients(t *testing.T) {
	for _, m := range adapters.All() {
		for _, act := range []string{"tanh", "identity"} {
			t.Run(m.Info().Name+"/"+act, func(t *testing.T) {
				cfg := smallConfig()
				cfg.Batch, cfg.Rank = 5, 2
				cfg = with(cfg, "width", 4, "depth", 3, "activation", act, "dora-exact", true)
				tr := newTrainer(t, m, cfg)
				randomizeAdapters(tr.model.Layers, lab.NewRand(3, testStream))
				tr.nextBatch()
				tr.gradients()
				loss := func() float64 { return tr.net.Forward() }
				grads := make([]*lab.Mat, len(tr.model.Params))
				for i, p := range tr.model.Params {
					grads[i] = snapshot(p.Grad)
				}
				if len(grads) == 0 {
					t.Fatal("model has no trainable params")
				}
				for i, p := range tr.model.Params {
					// The MSE through tanh is not linear in the parameters: a smaller step
					// keeps the O(h²) truncation error well below the tolerance.
					checkGrad(t, "∂L/∂"+p.Name, grads[i], finiteDiff(p.Value, 1e-6, loss))
				}
			})
		}
	}
}
