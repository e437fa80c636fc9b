package lab

import (
	"fmt"

	"github.com/loralab/loralab/lab/kernel"
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

// Equal reports whether m and o have the same shape and bit-for-bit the
// same numbers (strides aside).
func (m *Mat) Equal(o *Mat) bool {
	if m.Rows != o.Rows || m.Cols != o.Cols {
		return false
	}
	for i := 0; i < m.Rows; i++ {
		rm, ro := m.Row(i), o.Row(i)
		for j := range rm {
			if rm[j] != ro[j] {
				return false
			}
		}
	}
	return true
}

func (m *Mat) mustShape(rows, cols int) {
	if m.Rows != rows || m.Cols != cols {
		panic(fmt.Sprintf("lab: shape %dx%d, want %dx%d", m.Rows, m.Cols, rows, cols))
	}
}

// Transposition flags for Gemm.
const (
	NoT = false // use the matrix as it is
	T   = true  // use its transpose
)

// Gemm computes C ← α·op(A)·op(B) + β·C, where op(X) is X or Xᵀ as ta and tb say.
// It never allocates. With β = 0 the old contents of C are ignored; with β = 1
// the product is accumulated into C (how gradients add up). The products run
// in package kernel (assembly micro-kernels where the CPU has them, gonum
// elsewhere), on the calling goroutine.
func Gemm(alpha float64, a *Mat, ta bool, b *Mat, tb bool, beta float64, c *Mat) {
	gemmOn(nil, alpha, a, ta, b, tb, beta, c)
}

// Kernel names the kernel variant computing the products ("avx512", "avx2"
// or "gonum"; see package kernel and LORALAB_KERNEL). Runs are bit-identical
// only on the same variant.
func Kernel() string { return kernel.Name() }

// gemmOn is Gemm split over team's cores (nil: the calling goroutine).
func gemmOn(team *kernel.Team, alpha float64, a *Mat, ta bool, b *Mat, tb bool, beta float64, c *Mat) {
	m, k := gemmShape(a, ta, b, tb, c)
	team.Gemm(ta, tb, m, c.Cols, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
}

// gemmShape returns op(A)'s m × k after checking that op(A)·op(B) fits C.
func gemmShape(a *Mat, ta bool, b *Mat, tb bool, c *Mat) (m, k int) {
	m, k = a.Rows, a.Cols
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
	return m, k
}

// AddRowVector adds v (length Cols) to every row of m: Y ← Y + 1·bᵀ.
func AddRowVector(m *Mat, v []float64) {
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)[:len(v)] // one bounds check per row, not per element
		for j, x := range v {
			row[j] += x
		}
	}
}

// SumRowsInto accumulates the column sums of m into dst: dst ← dst + Σ_rows m.
// It is the bias gradient ∂L/∂b = Σ_n G[n, :].
func SumRowsInto(dst []float64, m *Mat) {
	dst = dst[:m.Cols]
	for i := 0; i < m.Rows; i++ {
		for j, x := range m.Row(i) {
			dst[j] += x
		}
	}
}
