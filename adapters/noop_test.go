package adapters_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// baseForward computes the base model's output on x from the task's base
// layers with plain loops: Y = f(X·Wᵀ + b) per hidden layer, no f on the last.
func baseForward(base []*lab.Linear, act string, x *lab.Mat) *lab.Mat {
	f := map[string]func(float64) float64{
		"tanh": math.Tanh, "relu": func(v float64) float64 { return math.Max(v, 0) }, "identity": func(v float64) float64 { return v },
	}[act]
	in := x
	for l, lin := range base {
		w, bs := lin.W, lin.Bias
		out := lab.NewMat(in.Rows, w.Rows)
		for n := 0; n < in.Rows; n++ {
			for o := 0; o < w.Rows; o++ {
				s := bs[o]
				for i := 0; i < w.Cols; i++ {
					s += in.At(n, i) * w.At(o, i)
				}
				if l < len(base)-1 {
					s = f(s)
				}
				out.Set(n, o, s)
			}
		}
		in = out
	}
	return in
}

// TestNoOpAtStart proves property 1 of the specification: before the first
// step every method's adapted model computes the base model's output. It
// must be bitwise equal to the unadapted forward pass (full fine-tuning's
// model, which is the base layers themselves) and within 1e-12 of an
// independent plain-loop evaluation of the base weights. PiSSA computes
// X·W_resᵀ + s·H·Bᵀ, the same numbers summed in another order: it must be
// within 1e-12 of the base model (to rounding), not bitwise equal.
func TestNoOpAtStart(t *testing.T) {
	for _, act := range []string{"tanh", "relu", "identity"} {
		cfg := smallConfig()
		cfg = with(cfg, "activation", act)
		base := newTrainer(t, adapters.Full{}, cfg)
		base.nextBatch()
		want := snapshot(base.predict())
		ref := baseForward(base.model.Base, act, base.x)
		if d := maxAbsDiff(want, ref); d > 1e-12*math.Max(1, maxAbs(ref)) {
			t.Fatalf("%s: the unadapted forward pass differs from the plain-loop reference by %g", act, d)
		}
		for _, m := range adapters.All() {
			t.Run(fmt.Sprintf("%s/%s", m.Info().Name, act), func(t *testing.T) {
				c := cfg
				if m.Info().Name == "vera" {
					c.Rank = 9 // above the width: VeRA's usual regime must be a no-op too
				}
				tr := newTrainer(t, m, c)
				tr.nextBatch() // same seed: the same batch as the base model's
				got := tr.predict()
				if m.Info().Name == "pissa" {
					if d := maxAbsDiff(got, want); d > 1e-12*math.Max(1, maxAbs(want)) {
						t.Errorf("output differs from the base model's by %g before the first step: more than rounding", d)
					}
				} else if !got.Equal(want) {
					t.Errorf("output differs from the base model's by up to %g before the first step", maxAbsDiff(got, want))
				}
				if d := maxAbsDiff(got, ref); d > 1e-12*math.Max(1, maxAbs(ref)) {
					t.Errorf("output differs from the plain-loop base model by %g", d)
				}
			})
		}
	}
}
