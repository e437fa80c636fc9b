package lab

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Mat is a dense row-major matrix of float64: element (i, j) is Data[i*Stride+j].
// A Mat may be a view into a larger one (Stride > Cols), which is how VeRA
// slices its shared random matrices per layer without copying.
type Mat struct {
	Rows, Cols, Stride int
	Data               []float64
}

// NewMat returns a zeroed rows × cols matrix that is not counted by any ledger.
// The engine allocates through a Ledger; NewMat is for tests and one-off work.
func NewMat(rows, cols int) *Mat {
	return &Mat{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
}

// At returns element (i, j).
func (m *Mat) At(i, j int) float64 { return m.Data[i*m.Stride+j] }

// Set sets element (i, j) to v.
func (m *Mat) Set(i, j int, v float64) { m.Data[i*m.Stride+j] = v }

// Row returns row i as a slice of length Cols sharing m's storage.
func (m *Mat) Row(i int) []float64 { return m.Data[i*m.Stride : i*m.Stride+m.Cols] }

// Len is the number of elements, Rows·Cols.
func (m *Mat) Len() int { return m.Rows * m.Cols }

// View returns the sub-matrix of the first rows × cols elements, sharing storage.
func (m *Mat) View(rows, cols int) *Mat {
	if rows > m.Rows || cols > m.Cols {
		panic(fmt.Sprintf("lab: view %dx%d of a %dx%d matrix", rows, cols, m.Rows, m.Cols))
	}
	return &Mat{Rows: rows, Cols: cols, Stride: m.Stride, Data: m.Data[:(rows-1)*m.Stride+cols]}
}

// CopyFrom copies src into m; the shapes must match.
func (m *Mat) CopyFrom(src *Mat) {
	m.mustShape(src.Rows, src.Cols)
	for i := 0; i < m.Rows; i++ {
		copy(m.Row(i), src.Row(i))
	}
}

// Zero sets every element to 0.
func (m *Mat) Zero() {
	for i := 0; i < m.Rows; i++ {
		clear(m.Row(i))
	}
}

// Clone returns an uncounted contiguous copy of m.
func (m *Mat) Clone() *Mat {
	c := NewMat(m.Rows, m.Cols)
	c.CopyFrom(m)
	return c
}

func (m *Mat) mustShape(rows, cols int) {
	if m.Rows != rows || m.Cols != cols {
		panic(fmt.Sprintf("lab: shape %dx%d, want %dx%d", m.Rows, m.Cols, rows, cols))
	}
}

func (m *Mat) general() blas64.General {
	return blas64.General{Rows: m.Rows, Cols: m.Cols, Stride: m.Stride, Data: m.Data}
}

// Transposition flags for Gemm.
const (
	NoT = false // use the matrix as it is
	T   = true  // use its transpose
)

// Gemm computes C ← α·op(A)·op(B) + β·C, where op(X) is X or Xᵀ as ta and tb say.
// It never allocates. With β = 0 the old contents of C are ignored; with β = 1
// the product is accumulated into C (how gradients add up).
func Gemm(alpha float64, a *Mat, ta bool, b *Mat, tb bool, beta float64, c *Mat) {
	m, k := a.Rows, a.Cols
	if ta {
		m, k = k, m
	}
	k2, n := b.Rows, b.Cols
	if tb {
		k2, n = n, k2
	}
	if k != k2 || c.Rows != m || c.Cols != n {
		panic(fmt.Sprintf("lab: gemm shapes %dx%d(t=%v) · %dx%d(t=%v) → %dx%d", a.Rows, a.Cols, ta, b.Rows, b.Cols, tb, c.Rows, c.Cols))
	}
	blas64.Gemm(trans(ta), trans(tb), alpha, a.general(), b.general(), beta, c.general())
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// AddRowVector adds v (length Cols) to every row of m: Y ← Y + 1·bᵀ.
func AddRowVector(m *Mat, v []float64) {
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j, x := range v {
			row[j] += x
		}
	}
}

// SumRowsInto accumulates the column sums of m into dst: dst ← dst + Σ_rows m.
// It is the bias gradient ∂L/∂b = Σ_n G[n, :].
func SumRowsInto(dst []float64, m *Mat) {
	for i := 0; i < m.Rows; i++ {
		for j, x := range m.Row(i) {
			dst[j] += x
		}
	}
}
