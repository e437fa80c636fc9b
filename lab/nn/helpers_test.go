package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/loralab/loralab/lab"
)

// fdStep is the central-difference step. Every loss here is smooth, so the
// truncation error is O(h²) ≈ 1e-10 relative, and the rounding error about
// 1e-16·|L|/h, both far below the tolerance.
const fdStep = 1e-5

// gradTolerance is the largest relative error allowed between an analytic
// gradient and its finite-difference estimate.
const gradTolerance = 1e-6

// testRand is a generator for the tests' own data.
func testRand(seed uint64) *rand.Rand { return lab.NewRand(seed, 1000) }

// randomMat is an uncounted rows × cols matrix of N(0, std²) draws.
func randomMat(r *rand.Rand, rows, cols int, std float64) *lab.Mat {
	m := lab.NewMat(rows, cols)
	lab.FillNormal(m, r, std)
	return m
}

// dot is Σ A⊙B: the test loss L = Σ Y⊙R has ∂L/∂Y = R.
func dot(a, b *lab.Mat) float64 {
	s := 0.0
	for i := 0; i < a.Rows; i++ {
		for j, v := range a.Row(i) {
			s += v * b.At(i, j)
		}
	}
	return s
}

// finiteDiff returns the central-difference estimate of ∂loss/∂m, perturbing
// each element of m in place (and restoring it).
func finiteDiff(m *lab.Mat, loss func() float64) *lab.Mat {
	g := lab.NewMat(m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j := range row {
			v := row[j]
			row[j] = v + fdStep
			up := loss()
			row[j] = v - fdStep
			down := loss()
			row[j] = v
			g.Set(i, j, (up-down)/(2*fdStep))
		}
	}
	return g
}

func frobenius(m *lab.Mat) float64 {
	s := 0.0
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			s += v * v
		}
	}
	return math.Sqrt(s)
}

// relErr is ‖got − want‖_F / max(‖got‖_F, ‖want‖_F), or 0 if both are zero.
func relErr(got, want *lab.Mat) float64 {
	diff := 0.0
	for i := 0; i < got.Rows; i++ {
		for j, v := range got.Row(i) {
			d := v - want.At(i, j)
			diff += d * d
		}
	}
	den := math.Max(frobenius(got), frobenius(want))
	if den == 0 {
		return 0
	}
	return math.Sqrt(diff) / den
}

// checkGrad fails unless got is nonzero and within gradTolerance of want.
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
		t.Errorf("%s: relative error %.3g against finite differences (limit %g)", what, e, gradTolerance)
	}
}

// counted reports whether the ledger holds an entry of category cat with
// the given name and size.
func counted(l *lab.Ledger, cat lab.Category, name string, numbers int) bool {
	for _, e := range l.Entries() {
		if e.Name == name && e.Category == cat && e.Numbers == numbers {
			return true
		}
	}
	return false
}
