package kernel

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gonum computes rows [r0, r1) and columns [c0, c1) of j's product with
// gonum's blas64.Gemm: the portable variant and the reference. A packed B
// is read from the matrix the pack was made from.
func (j *job) gonum(r0, r1, c0, c1 int) {
	b, ldb, tb := j.b, j.ldb, j.tb
	if j.p != nil {
		b, ldb, tb = j.p.src, j.p.ldb, j.p.tb
	}
	ga := blas64.General{Rows: r1 - r0, Cols: j.k, Stride: j.lda}
	if j.ta {
		ga.Rows, ga.Cols, ga.Data = j.k, r1-r0, j.a[r0:]
	} else {
		ga.Data = j.a[r0*j.lda:]
	}
	gb := blas64.General{Rows: j.k, Cols: c1 - c0, Stride: ldb}
	if tb {
		gb.Rows, gb.Cols, gb.Data = c1-c0, j.k, b[c0*ldb:]
	} else {
		gb.Data = b[c0:]
	}
	gc := blas64.General{Rows: r1 - r0, Cols: c1 - c0, Stride: j.ldc, Data: j.c[r0*j.ldc+c0:]}
	blas64.Gemm(trans(j.ta), trans(tb), j.alpha, ga, gb, j.beta, gc)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
