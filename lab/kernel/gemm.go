package kernel

import (
	"fmt"
	"sync/atomic"
)

// Gemm computes C ← α·op(A)·op(B) + β·C on the calling goroutine, where
// op(X) is X, or Xᵀ when its flag is true. op(A) is m × k, op(B) k × n and C
// m × n, all row-major: element (i, j) of a stored matrix X with leading
// dimension ldx is x[i·ldx + j]. With β = 0 the old C is not read; with
// α = 0 or k = 0 the product is skipped (C ← β·C). C must not overlap A or B.
// It panics if a slice is too short for its shape and stride. It never
// allocates.
func Gemm(ta, tb bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	(*Team)(nil).Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmPacked computes C ← α·op(A)·B + β·C with the k × n matrix B (already
// transposed or not, as packed) taken from p, on the calling goroutine. It
// reads the pack, not the matrix it was made from: after that matrix
// changes, call p.Repack first. It never allocates, except once after Use
// changed the variant (the pack is laid out again).
func GemmPacked(ta bool, m int, alpha float64, a []float64, lda int, p *Packed, beta float64, c []float64, ldc int) {
	(*Team)(nil).GemmPacked(ta, m, alpha, a, lda, p, beta, c, ldc)
}

// job is one product and how it is cut into chunks for threads.
type job struct {
	v           *variant
	ta, tb      bool
	m, n, k     int
	alpha, beta float64
	a           []float64
	lda         int
	b           []float64 // B as stored (unused when p is set)
	ldb         int
	p           *Packed // B packed, or nil
	c           []float64
	ldc         int
	chunks      int  // how many pieces the product is cut into (≥ 1)
	byCols      bool // pieces are groups of column panels (else groups of rows)
}

// setup fills j for a product and handles the cases that compute nothing.
// It reports whether there is a product left to compute.
func (j *job) setup() bool {
	j.v = current.Load()
	j.chunks = 1
	if j.m == 0 || j.n == 0 {
		return false
	}
	if j.alpha == 0 || j.k == 0 {
		scale(j.beta, j.m, j.n, j.c, j.ldc)
		return false
	}
	return true
}

// scale sets C ← β·C (β = 0: C ← 0, whatever C held).
func scale(beta float64, m, n int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// panels is the number of column panels of j's tiling.
func (j *job) panels() int { return (j.n + j.v.nr - 1) / j.v.nr }

// run computes chunk i of j.chunks: a range of column panels (all rows) or
// a range of rows (all columns), tile-aligned either way.
func (j *job) run(i int, s *scratch) {
	np := j.panels()
	r0, r1, p0, p1 := 0, j.m, 0, np
	if j.byCols {
		p0, p1 = np*i/j.chunks, np*(i+1)/j.chunks
	} else {
		groups := (j.m + rowAlign - 1) / rowAlign
		r0, r1 = groups*i/j.chunks*rowAlign, min(j.m, groups*(i+1)/j.chunks*rowAlign)
	}
	if r0 >= r1 || p0 >= p1 {
		return
	}
	if j.v.kind == kindGonum {
		j.gonum(r0, r1, p0*j.v.nr, min(j.n, p1*j.v.nr))
		return
	}
	j.tiles(r0, r1, p0, p1, s)
}

// checkMat panics unless x (rows × cols, leading dimension ld) fits in its slice.
func checkMat(name string, rows, cols int, x []float64, ld int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("kernel: %s is %d × %d", name, rows, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols {
		panic(fmt.Sprintf("kernel: %s has leading dimension %d < %d columns", name, ld, cols))
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("kernel: %s (%d × %d, leading dimension %d) needs %d numbers, has %d", name, rows, cols, ld, need, len(x)))
	}
}

// stored returns the stored shape of op(X) (rows × cols) when t says X is transposed.
func stored(t bool, rows, cols int) (int, int) {
	if t {
		return cols, rows
	}
	return rows, cols
}

// scratch is per-thread working memory: an edge tile of A packed, a block
// of B packed, and an edge tile of C.
type scratch struct {
	a [rowAlign * blockK]float64 // up to 16 rows × blockK
	b [blockK * 16]float64       // blockK rows × up to 16 columns
	c [rowAlign * 16]float64     // up to 16 × 16
}

// scratchSlots keep scratch buffers between products. Unlike a sync.Pool,
// which a garbage collection empties, they are kept for good: a product
// allocates only when more goroutines compute at once than ever before (and
// never more than len(scratchSlots) buffers are kept).
var scratchSlots [8]atomic.Pointer[scratch]

// getScratch takes a kept buffer, or makes one.
func getScratch() *scratch {
	for i := range scratchSlots {
		if s := scratchSlots[i].Swap(nil); s != nil {
			return s
		}
	}
	return new(scratch)
}

// putScratch keeps s for a later product (or drops it if every slot is full).
func putScratch(s *scratch) {
	for i := range scratchSlots {
		if scratchSlots[i].CompareAndSwap(nil, s) {
			return
		}
	}
}
