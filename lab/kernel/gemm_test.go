package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// eachVariant runs f once per variant this machine and build can run, with
// that variant in use.
func eachVariant(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	was := Name()
	defer Use(was)
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}

// operand is a stored matrix with a leading dimension of at least cols, its
// padding (columns cols..ld-1) filled with NaN: a kernel that reads outside
// the matrix turns results into NaN.
type operand struct {
	rows, cols, ld int
	data           []float64
}

func newOperand(r *rand.Rand, rows, cols, pad int) operand {
	ld := cols + pad
	o := operand{rows: rows, cols: cols, ld: ld}
	if rows > 0 {
		o.data = make([]float64, (rows-1)*ld+cols)
	}
	for i := range o.data {
		if i%ld < cols {
			o.data[i] = 2*r.Float64() - 1
		} else {
			o.data[i] = math.NaN()
		}
	}
	return o
}

// ref computes C ← α·op(A)·op(B) + β·C with gonum's blas64 (the reference),
// into a copy of c.
func ref(ta, tb bool, m, n, k int, alpha float64, a operand, b operand, beta float64, c operand) []float64 {
	out := append([]float64(nil), c.data...)
	if m == 0 || n == 0 {
		return out
	}
	if k == 0 || alpha == 0 {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				if beta == 0 {
					out[i*c.ld+j] = 0
				} else {
					out[i*c.ld+j] *= beta
				}
			}
		}
		return out
	}
	ga := blas64.General{Rows: a.rows, Cols: a.cols, Stride: a.ld, Data: a.data}
	gb := blas64.General{Rows: b.rows, Cols: b.cols, Stride: b.ld, Data: b.data}
	gc := blas64.General{Rows: m, Cols: n, Stride: c.ld, Data: out}
	blas64.Gemm(trans(ta), trans(tb), alpha, ga, gb, beta, gc)
	return out
}

// bound is the rounding error allowed for element (i, j): a few ulps of
// |α|·Σ_p |op(A)[i, p]|·|op(B)[p, j]| + |β·C[i, j]|, for k-term sums.
func bound(ta, tb bool, i, j, k int, alpha float64, a, b operand, beta, c float64) float64 {
	s := 0.0
	for p := 0; p < k; p++ {
		ai, bi := i*a.ld+p, p*b.ld+j
		if ta {
			ai = p*a.ld + i
		}
		if tb {
			bi = j*b.ld + p
		}
		av, bv := a.data[ai], b.data[bi]
		s += math.Abs(av * bv)
	}
	if beta == 0 {
		c = 0
	}
	return 4 * float64(k+2) * 0x1p-52 * (math.Abs(alpha)*s + math.Abs(beta*c))
}

type scalars struct{ alpha, beta float64 }

var scalarCases = []scalars{{1, 0}, {1, 1}, {-0.7, 0.3}, {2.5, 0}, {0, 2}, {0, 0}, {1, -0.0}}

// checkProduct runs one product through Gemm, GemmPacked and a Team and
// compares each with gonum: within rounding of it, padding untouched, and
// the three paths bit-identical to each other.
func checkProduct(t *testing.T, r *rand.Rand, team *Team, ta, tb bool, m, n, k int, sc scalars) {
	t.Helper()
	ar, ac := stored(ta, m, k)
	br, bc := stored(tb, k, n)
	a, b, c := newOperand(r, ar, ac, r.IntN(3)), newOperand(r, br, bc, r.IntN(3)), newOperand(r, m, n, 1+r.IntN(2))
	if sc.beta == 0 {
		for i := range c.data {
			if i%c.ld < n {
				c.data[i] = math.NaN() // garbage that β = 0 must ignore
			}
		}
	}
	want := ref(ta, tb, m, n, k, sc.alpha, a, b, sc.beta, c)
	name := fmt.Sprintf("ta=%v tb=%v m=%d n=%d k=%d α=%g β=%g", ta, tb, m, n, k, sc.alpha, sc.beta)

	got := append([]float64(nil), c.data...)
	Gemm(ta, tb, m, n, k, sc.alpha, a.data, a.ld, b.data, b.ld, sc.beta, got, c.ld)
	for idx := range got {
		i, j := idx/c.ld, idx%c.ld
		if j >= n {
			if !math.IsNaN(got[idx]) && got[idx] != c.data[idx] {
				t.Fatalf("%s: padding C[%d, %d] changed to %g", name, i, j, got[idx])
			}
			continue
		}
		tol := bound(ta, tb, i, j, k, sc.alpha, a, b, sc.beta, c.data[idx])
		if d := math.Abs(got[idx] - want[idx]); !(d <= tol) {
			t.Fatalf("%s: C[%d, %d] = %g, gonum %g (|Δ| %g > %g)", name, i, j, got[idx], want[idx], d, tol)
		}
	}

	var p Packed
	p.Pack(tb, k, n, b.data, b.ld)
	packed := append([]float64(nil), c.data...)
	GemmPacked(ta, m, sc.alpha, a.data, a.ld, &p, sc.beta, packed, c.ld)
	split := append([]float64(nil), c.data...)
	team.Gemm(ta, tb, m, n, k, sc.alpha, a.data, a.ld, b.data, b.ld, sc.beta, split, c.ld)
	splitPacked := append([]float64(nil), c.data...)
	team.GemmPacked(ta, m, sc.alpha, a.data, a.ld, &p, sc.beta, splitPacked, c.ld)
	for idx := range got {
		if idx%c.ld >= n {
			continue
		}
		for _, o := range []struct {
			what string
			v    float64
		}{{"GemmPacked", packed[idx]}, {"Team.Gemm", split[idx]}, {"Team.GemmPacked", splitPacked[idx]}} {
			if math.Float64bits(o.v) != math.Float64bits(got[idx]) {
				t.Fatalf("%s: %s C[%d, %d] = %g, Gemm %g: not bit-identical", name, o.what, idx/c.ld, idx%c.ld, o.v, got[idx])
			}
		}
	}
}

// TestGemmAgainstGonum checks every transpose combination on edge sizes
// (from 0 and 1, below a tile, not multiples of a tile), strides larger
// than the rows, and α/β cases including β = 0 over NaN, on every variant,
// with one thread and with a Team of two.
func TestGemmAgainstGonum(t *testing.T) {
	small := []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33}
	ks := []int{0, 1, 2, 5, 8, 17, 64}
	if testing.Short() {
		small, ks = []int{0, 1, 7, 8, 9, 17}, []int{0, 1, 8, 17}
	}
	eachVariant(t, func(t *testing.T) {
		team := NewTeam()
		defer team.Close()
		r := rand.New(rand.NewPCG(1, 2))
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, m := range small {
					for _, n := range small {
						for _, k := range ks {
							checkProduct(t, r, team, ta, tb, m, n, k, scalarCases[r.IntN(len(scalarCases))])
						}
					}
				}
			}
		}
	})
}

// TestGemmScalars runs every α/β case on sizes with edge tiles.
func TestGemmScalars(t *testing.T) {
	eachVariant(t, func(t *testing.T) {
		team := NewTeam()
		defer team.Close()
		r := rand.New(rand.NewPCG(3, 4))
		for _, sc := range scalarCases {
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					checkProduct(t, r, team, ta, tb, 19, 21, 13, sc)
					checkProduct(t, r, team, ta, tb, 64, 8, 40, sc)
				}
			}
		}
	})
}

// TestGemmLarge covers k beyond one k-block (blockK), the engine's shapes,
// and products large enough for a Team to split (by columns and by rows).
func TestGemmLarge(t *testing.T) {
	shapes := [][3]int{
		{64, 64, 64}, {64, 256, 256}, {256, 256, 64}, {64, 8, 256}, {8, 256, 64}, {64, 256, 8},
		{256, 8, 64}, {37, 45, 255}, {33, 70, 257}, {64, 24, 600}, {130, 8, 300}, {20, 513, 30},
	}
	if testing.Short() {
		shapes = shapes[:6]
	}
	eachVariant(t, func(t *testing.T) {
		team := NewTeam()
		defer team.Close()
		r := rand.New(rand.NewPCG(5, 6))
		for _, s := range shapes {
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					checkProduct(t, r, team, ta, tb, s[0], s[1], s[2], scalarCases[r.IntN(3)])
				}
			}
		}
	})
}
