package adapters_test

import (
	"testing"
)

// TestFirstStepAsymmetry proves property 3 of the specification on the real
// engine path (a lab.Model on the shift task, fresh initialisation): on step
// 1 the random-init side gets an exactly zero gradient while the zero-init
// side does not — LoRA, Delta-LoRA and LoRA+: ∂L/∂A = 0 because B = 0, and
// ∂L/∂B ≠ 0 (DoRA too); VeRA: ∂L/∂d = 0 because b = 0, and ∂L/∂b ≠ 0. PiSSA
// starts both A and B nonzero, so it has no asymmetry (tested in
// pissa_test.go). After the first
// update the zero-init side has moved, so on step 2 both gradients are nonzero.
func TestFirstStepAsymmetry(t *testing.T) {
	cases := []struct {
		method         string
		zeroAt1, moved string // role with a zero gradient on step 1; role that moves it
	}{
		{"lora", "A", "B"},
		{"delta-lora", "A", "B"},
		{"lora-plus", "A", "B"},
		{"vera", "d", "b"},
		{"dora", "A", "B"},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			tr := newTrainer(t, methodByName(t, c.method), smallConfig())
			tr.nextBatch()
			tr.gradients()
			for i, l := range tr.model.Layers {
				if g := param(t, l, c.zeroAt1).Grad; !allZero(g) {
					t.Errorf("layer %d: step 1 ∂L/∂%s has an element of size %g, want exactly 0", i+1, c.zeroAt1, maxAbs(g))
				}
				if g := param(t, l, c.moved).Grad; allZero(g) {
					t.Errorf("layer %d: step 1 ∂L/∂%s is zero: nothing would ever train", i+1, c.moved)
				}
			}
			tr.update()
			tr.nextBatch()
			tr.gradients()
			for i, l := range tr.model.Layers {
				for _, role := range []string{c.zeroAt1, c.moved} {
					if allZero(param(t, l, role).Grad) {
						t.Errorf("layer %d: step 2 ∂L/∂%s is still zero", i+1, role)
					}
				}
			}
		})
	}
}
