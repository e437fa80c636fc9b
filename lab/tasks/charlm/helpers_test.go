package charlm

import (
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
)

// fdStep is the central-difference step; the loss is smooth, so the
// truncation error is O(h²).
const fdStep = 1e-5

// finiteDifferences estimates ∂loss/∂m, perturbing each element of m in place.
func finiteDifferences(m *lab.Mat, loss func() float64) *lab.Mat {
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

func norm(m *lab.Mat) float64 {
	s := 0.0
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			s += v * v
		}
	}
	return math.Sqrt(s)
}

// relativeError is ‖got − want‖_F / max(‖got‖_F, ‖want‖_F).
func relativeError(got, want *lab.Mat) float64 {
	d := 0.0
	for i := 0; i < got.Rows; i++ {
		for j, v := range got.Row(i) {
			e := v - want.At(i, j)
			d += e * e
		}
	}
	den := math.Max(norm(got), norm(want))
	if den == 0 {
		return 0
	}
	return math.Sqrt(d) / den
}

// checkGradient fails unless got is nonzero and within 1e-6 of want.
func checkGradient(t *testing.T, what string, got, want *lab.Mat) {
	t.Helper()
	if norm(got) == 0 || norm(want) == 0 {
		t.Errorf("%s: zero gradient (analytic %g, finite differences %g)", what, norm(got), norm(want))
		return
	}
	e := relativeError(got, want)
	if testing.Verbose() {
		t.Logf("%s: relative error %.2g", what, e)
	}
	if e > 1e-6 {
		t.Errorf("%s: relative error %.3g against finite differences (limit 1e-6)", what, e)
	}
}
