package lab_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
)

// randomMat returns a rows × cols matrix of draws from U(−1, 1).
func randomMat(rows, cols int, seed uint64) *lab.Mat {
	m := lab.NewMat(rows, cols)
	lab.FillUniform(m, lab.NewRand(seed, 1000), 1)
	return m
}

// at returns element (i, j) of m, or of mᵀ if tr.
func at(m *lab.Mat, tr bool, i, j int) float64 {
	if tr {
		return m.At(j, i)
	}
	return m.At(i, j)
}

// TestGemmOnViews proves Gemm computes C ← α·op(A)·op(B) + β·C for all four
// transpositions, on views whose stride exceeds their width (as VeRA's
// slices of its shared pair are), and leaves the elements outside the view
// of C alone.
func TestGemmOnViews(t *testing.T) {
	const m, k, n = 3, 4, 5
	for _, ta := range []bool{lab.NoT, lab.T} {
		for _, tb := range []bool{lab.NoT, lab.T} {
			t.Run(fmt.Sprintf("ta=%v/tb=%v", ta, tb), func(t *testing.T) {
				ar, ac := m, k
				if ta {
					ar, ac = k, m
				}
				br, bc := k, n
				if tb {
					br, bc = n, k
				}
				a := randomMat(ar+2, ac+3, 1).View(ar, ac)
				b := randomMat(br+1, bc+2, 2).View(br, bc)
				big := randomMat(m+1, n+4, 3)
				before := big.Clone()
				c := big.View(m, n)
				const alpha, beta = 1.5, -0.5
				lab.Gemm(alpha, a, ta, b, tb, beta, c)
				for i := 0; i < m+1; i++ {
					for j := 0; j < n+4; j++ {
						want := before.At(i, j)
						if i < m && j < n {
							s := 0.0
							for p := 0; p < k; p++ {
								s += at(a, ta, i, p) * at(b, tb, p, j)
							}
							want = alpha*s + beta*want
						}
						if got := big.At(i, j); math.Abs(got-want) > 1e-14 {
							t.Fatalf("C[%d,%d] = %g, want %g", i, j, got, want)
						}
					}
				}
			})
		}
	}
}

// TestAdamWMatchesTheUpdateRule proves AdamW's update against the rule
// written out by hand for three steps: bias-corrected moments, ε = 1e-8,
// decoupled weight decay lr·wd·θ only on params that ask for it, and each
// param's own LR·LRScale.
func TestAdamWMatchesTheUpdateRule(t *testing.T) {
	const lr, wd = 0.01, 0.1
	ledger := lab.NewLedger()
	newParam := func(name string, scale float64, decay bool) *lab.Param {
		p := &lab.Param{Name: name, Value: ledger.Mat(lab.Trainable, name, 2, 3), Grad: ledger.Mat(lab.Gradients, name+".grad", 2, 3), LRScale: scale, WeightDecay: decay}
		lab.FillUniform(p.Value, lab.NewRand(4, 1000), 1)
		return p
	}
	params := []*lab.Param{newParam("plain", 1, false), newParam("decayed", 1, true), newParam("fast", 16, true)}
	opt := lab.NewAdamW(ledger, params, lr, wd)
	if got := ledger.Numbers().Optimizer; got != 2*3*6 {
		t.Errorf("AdamW holds %d numbers, want 2 per trainable number (%d)", got, 2*3*6)
	}
	type state struct{ theta, m, v []float64 }
	ref := make([]state, len(params))
	for i, p := range params {
		ref[i] = state{append([]float64(nil), p.Value.Data...), make([]float64, 6), make([]float64, 6)}
	}
	grads := lab.NewRand(5, 1000)
	for step := 1; step <= 3; step++ {
		for i, p := range params {
			for j := range p.Grad.Data {
				g := grads.NormFloat64()
				p.Grad.Data[j] = g
				s := &ref[i]
				s.m[j] = 0.9*s.m[j] + 0.1*g
				s.v[j] = 0.999*s.v[j] + 0.001*g*g
				mHat := s.m[j] / (1 - math.Pow(0.9, float64(step)))
				vHat := s.v[j] / (1 - math.Pow(0.999, float64(step)))
				plr := lr * p.LRScale
				if p.WeightDecay {
					s.theta[j] -= plr * wd * s.theta[j]
				}
				s.theta[j] -= plr * mHat / (math.Sqrt(vHat) + 1e-8)
			}
		}
		opt.Step()
		for i, p := range params {
			for j, got := range p.Value.Data {
				if want := ref[i].theta[j]; math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
					t.Fatalf("step %d %s[%d] = %.17g, want %.17g", step, p.Name, j, got, want)
				}
			}
		}
	}
	if opt.Steps() != 3 {
		t.Errorf("Steps() = %d, want 3", opt.Steps())
	}
}

// TestLedgerCounts proves the ledger's bookkeeping: every buffer is counted
// under its category, Retag moves a buffer's numbers to another category
// (and refuses a buffer it did not allocate), and Footprint's arithmetic
// and byte conversion are consistent.
func TestLedgerCounts(t *testing.T) {
	l := lab.NewLedger()
	w := l.Mat(lab.Frozen, "w", 3, 4)
	b := l.Vec(lab.Frozen, "b", 3)
	l.Mat(lab.Activations, "x", 5, 4)
	if got := l.Numbers(); got.Frozen != 15 || got.Activations != 20 || got.Total() != 35 {
		t.Fatalf("counts %+v", got)
	}
	if len(w.Data) != 12 || len(b) != 3 {
		t.Fatal("buffers have the wrong sizes")
	}
	l.Retag(w.Data, lab.Trainable)
	l.Retag(b, lab.Trainable)
	if got := l.Numbers(); got.Frozen != 0 || got.Trainable != 15 || got.Total() != 35 {
		t.Errorf("after Retag: %+v", got)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Retag of a foreign buffer did not panic")
			}
		}()
		l.Retag(make([]float64, 3), lab.Other)
	}()
	f := lab.Footprint{Frozen: 1, Trainable: 2, Gradients: 3, Optimizer: 4, Activations: 5, Other: 6, Workspace: 7}
	if got := f.Plus(f); got != f.Times(2) || got.Total() != 56 {
		t.Errorf("Plus/Times/Total: %+v", got)
	}
	mem := f.Bytes(lab.BytesPerNumber)
	if mem.Total != 8*28 || mem.Workspace != 56 || mem.Frozen != 8 {
		t.Errorf("Bytes: %+v", mem)
	}
	for _, c := range lab.Categories {
		if c.String() == "" || f.Get(c) == 0 {
			t.Errorf("category %d: name %q, count %d", c, c.String(), f.Get(c))
		}
	}
}
