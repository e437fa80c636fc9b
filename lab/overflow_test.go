package lab_test

import (
	"context"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// hugeGradients is LoRA whose gradients are multiplied by k after every
// backward pass: what α = 1e200 did before α was bounded.
type hugeGradients struct {
	adapters.LoRA
	k float64
}

func (h hugeGradients) Build(env *lab.Env, layers []*lab.Linear) []lab.Adapted {
	var out []lab.Adapted
	for _, a := range h.LoRA.Build(env, layers) {
		out = append(out, scaledGrads{a, h.k})
	}
	return out
}

type scaledGrads struct {
	lab.Adapted
	k float64
}

func (s scaledGrads) Backward(g, dx *lab.Mat) {
	s.Adapted.Backward(g, dx)
	for _, p := range s.Params() {
		for i := range p.Grad.Data {
			p.Grad.Data[i] *= s.k
		}
	}
}

// TestOverflowingGradientsDiverge: gradients whose square overflows
// AdamW's second moment made every update 0, and the run "completed"
// having learned nothing; now it diverges at once and says why. A NaN
// gradient diverges too.
func TestOverflowingGradientsDiverge(t *testing.T) {
	for k, want := range map[float64]string{1e200: "too large for AdamW", nanValue(): "became NaN"} {
		res, err := lab.Execute(context.Background(), job(hugeGradients{k: k}, tinyConfig()), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != lab.Diverged || res.DivergedAt != 1 || !strings.Contains(res.Reason, want) || !strings.Contains(res.Reason, "the gradient of layer") {
			t.Fatalf("k = %g: status %s at %d: %q, want diverged at step 1: … %s", k, res.Status, res.DivergedAt, res.Reason, want)
		}
	}
}

func nanValue() float64 {
	var zero float64
	return zero / zero
}

// TestAlphaAndVeRADInitBounded: α and VeRA's d init are refused beyond
// their bounds (which keep AdamW finite), with one line naming them, and
// accepted at the bound.
func TestAlphaAndVeRADInitBounded(t *testing.T) {
	cfg := defaults()
	if err := setting("alpha").Set(&cfg, "1e200"); err == nil || err.Error() != "alpha 1e200: must be above 0 and at most 10000" {
		t.Fatalf("alpha 1e200: %v", err)
	}
	if err := setting("vera-d-init").Set(&cfg, "1e200"); err == nil || err.Error() != "vera-d-init 1e+200: must be above 0 and at most 100" {
		t.Fatalf("vera-d-init 1e200: %v", err)
	}
	c := defaults()
	c.Alpha = 2e4 // past Set: Prepare checks it too
	if _, err := prepare(adapters.LoRA{}, c); err == nil || !strings.Contains(err.Error(), "at most 10000") {
		t.Fatalf("Prepare with α 2e4: %v", err)
	}
	ok := with(defaults(), "alpha", lab.MaxAlpha, "vera-d-init", adapters.MaxDInit)
	if _, err := prepare(adapters.VeRA{}, ok); err != nil {
		t.Fatal(err)
	}
}
