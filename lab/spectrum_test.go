package lab_test

import (
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestDeltaSpectrum: ΔW built from known singular values reports them, its
// numerical rank, and the fewest directions holding 90 % and 99 % of its
// energy; a non-finite ΔW reports −1 rather than panicking.
func TestDeltaSpectrum(t *testing.T) {
	base := lab.NewMat(4, 5)
	eff := lab.NewMat(4, 5)
	// ΔW = diag(3, 1, 0.3, 1e-9) in the first four columns: energies 9, 1, 0.09, ~0.
	for i, v := range []float64{3, 1, 0.3, 1e-9} {
		eff.Set(i, i, v)
	}
	sp := lab.DeltaSpectrum("l", eff, base)
	if len(sp.Singular) != 4 || math.Abs(sp.Singular[0]-3) > 1e-12 || math.Abs(sp.Singular[2]-0.3) > 1e-12 {
		t.Fatalf("singular values %v, want 3, 1, 0.3, 1e-9", sp.Singular)
	}
	// 9/10.09 = 89 % < 90 %: two directions; 10/10.09 = 99.1 %: two for 99 % as well.
	if sp.Rank != 3 || sp.Energy90 != 2 || sp.Energy99 != 2 {
		t.Errorf("rank %d, energy90 %d, energy99 %d; want 3, 2, 2", sp.Rank, sp.Energy90, sp.Energy99)
	}
	eff.Set(0, 0, math.NaN())
	if sp := lab.DeltaSpectrum("l", eff, base); sp.Rank != -1 || sp.Singular != nil {
		t.Errorf("NaN ΔW: %+v", sp)
	}
}

// TestRowSpaceShare: a target inside A's row space is wholly in it, one
// orthogonal to it not at all, and a mix in proportion to its energy.
func TestRowSpaceShare(t *testing.T) {
	a := lab.NewMat(1, 3) // rows span e1 + e2
	a.Set(0, 0, 1)
	a.Set(0, 1, 1)
	in, out, mix := lab.NewMat(2, 3), lab.NewMat(2, 3), lab.NewMat(1, 3)
	in.Set(0, 0, 2)
	in.Set(0, 1, 2)
	out.Set(1, 2, 5)
	mix.Set(0, 0, 1) // e1 = ½(e1+e2) + ½(e1−e2): half its energy is inside
	for _, c := range []struct {
		what   string
		target *lab.Mat
		want   float64
	}{{"inside", in, 1}, {"orthogonal", out, 0}, {"half", mix, 0.5}} {
		if got := lab.RowSpaceShare(c.target, a); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: share %g, want %g", c.what, got, c.want)
		}
	}
}

// TestInputRankConfinesTheInputs: with input-rank K the training batches
// span exactly K directions (and with the default, all of them), at the
// same energy per example, and the data differs from the full-rank task's.
func TestInputRankConfinesTheInputs(t *testing.T) {
	cfg := tinyConfig()
	cfg.Batch = 16
	cfg = with(cfg, "width", 8, "input-rank", 3)
	full := with(cfg, "input-rank", 0)
	r3, err := lab.Execute(t.Context(), job(catalog.Methods[0], cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	rf, err := lab.Execute(t.Context(), job(catalog.Methods[0], full), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r3.DataDigest == rf.DataDigest {
		t.Error("input-rank 3 saw the same data as the full-rank task")
	}
	if _, err := prepare(catalog.Methods[0], with(cfg, "input-rank", 9)); err == nil {
		t.Error("an input rank above the width was accepted")
	}
}
