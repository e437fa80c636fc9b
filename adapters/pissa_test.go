package adapters_test

import (
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"gonum.org/v1/gonum/mat"
)

// singular returns the singular values of m, largest first.
func singular(t *testing.T, m *lab.Mat) []float64 {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(m.Rows, m.Cols, append([]float64(nil), m.Data...)), mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	return svd.Values(nil)
}

// TestPiSSAStartsInThePrincipalSubspace proves PiSSA's defining property on
// non-square layers: the initial update s·B·A is W's best rank-r part
// U_r·S_r·V_rᵀ — its singular values are W's top r, and W minus it has none
// of W's top r directions left — the frozen residual's spectrum is W's
// without its top r, and residual + s·B·A is W to rounding.
func TestPiSSAStartsInThePrincipalSubspace(t *testing.T) {
	const r = 3
	layers, adapted, cfg := buildNonSquareRandom(t, adapters.PiSSA{}, r)
	s := lab.Scale(cfg)
	for i, l := range adapted {
		w0 := layers[i].orig
		res := layers[i].lin.W // the residual, as Build left it
		ba := matmul(param(t, l, "B").Value, param(t, l, "A").Value)
		for j := range ba.Data {
			ba.Data[j] *= s
		}
		sw, sba, sres := singular(t, w0), singular(t, ba), singular(t, res)
		for k := 0; k < r; k++ {
			if math.Abs(sba[k]-sw[k]) > 1e-12*sw[0] {
				t.Errorf("layer %d: σ_%d of s·B·A is %g, W's is %g", i, k+1, sba[k], sw[k])
			}
		}
		for k := r; k < len(sba); k++ {
			if sba[k] > 1e-12*sw[0] {
				t.Errorf("layer %d: s·B·A has a singular value %g beyond rank %d", i, sba[k], r)
			}
		}
		for k := 0; k+r < len(sw); k++ { // the residual's spectrum is W's without its top r
			if math.Abs(sres[k]-sw[k+r]) > 1e-12*sw[0] {
				t.Errorf("layer %d: the residual's σ_%d is %g, W's σ_%d is %g", i, k+1, sres[k], k+r+1, sw[k+r])
			}
		}
		sum := res.Clone()
		for j := range sum.Data {
			sum.Data[j] += ba.Data[j]
		}
		if e := relErr(sum, w0); e > 1e-14 {
			t.Errorf("layer %d: residual + s·B·A differs from W by relative %g", i, e)
		}
		eff := lab.NewMat(w0.Rows, w0.Cols)
		l.EffectiveWeight(eff)
		if e := relErr(eff, w0); e > 1e-14 {
			t.Errorf("layer %d: the effective weight starts %g from W", i, e)
		}
	}
}

// TestPiSSAHasNoFirstStepAsymmetry: both of PiSSA's factors start nonzero,
// so on step 1 both gradients are nonzero (LoRA's ∂L/∂A is exactly 0 then).
func TestPiSSAHasNoFirstStepAsymmetry(t *testing.T) {
	tr := newTrainer(t, adapters.PiSSA{}, smallConfig())
	tr.nextBatch()
	tr.gradients()
	for i, l := range tr.model.Layers {
		for _, role := range []string{"A", "B"} {
			if allZero(param(t, l, role).Grad) {
				t.Errorf("layer %d: step 1 ∂L/∂%s is zero", i+1, role)
			}
		}
	}
}

// nonSquare is a base layer with a copy of its weight before Build.
type nonSquare struct {
	lin  *lab.Linear
	orig *lab.Mat
}

// buildNonSquareRandom is buildNonSquare with random base weights (an SVD
// of zeros has no principal subspace), keeping each W as it was.
func buildNonSquareRandom(t *testing.T, m lab.Method, rank int) ([]nonSquare, []lab.Adapted, lab.Config) {
	t.Helper()
	cfg := catalog.Defaults()
	cfg.Rank, cfg.Alpha = rank, 5
	ledger := lab.NewLedger()
	rnd := lab.NewRand(51, testStream)
	var layers []nonSquare
	var lins []*lab.Linear
	for _, s := range []lab.Shape{{Name: "a", DIn: 12, DOut: 7}, {Name: "b", DIn: 6, DOut: 10}} {
		lin := &lab.Linear{Shape: s, W: ledger.Mat(lab.Frozen, s.Name+".W", s.DOut, s.DIn), Bias: ledger.Vec(lab.Frozen, s.Name+".bias", s.DOut)}
		lab.FillNormal(lin.W, rnd, 1)
		layers = append(layers, nonSquare{lin, lin.W.Clone()})
		lins = append(lins, lin)
	}
	env := &lab.Env{Ledger: ledger, Rand: lab.NewRand(3, 9), Config: cfg, N: 4}
	return layers, m.Build(env, lins), cfg
}
