package kernel

import "math"

// Packed is a copy of a matrix op(B) (k × n) laid out for the micro-kernels,
// kept by its owner between products (a frozen weight is packed once, not
// at every product). It remembers the matrix it was made from; after that
// matrix changes, Repack copies it again. A product never checks whether
// the source changed: the owner must repack. The zero value is empty; a
// Packed belongs to one goroutine at a time.
type Packed struct {
	src    []float64 // the matrix as stored
	ldb    int       // its leading dimension
	tb     bool      // whether the pack holds the stored matrix transposed
	k, n   int       // op(B) is k × n
	layout *variant  // the variant the data is laid out for; nil: not packed yet
	data   []float64 // the panels (see the package comment); unused by gonum
}

// Pack makes p a packed copy of op(B), k × n, where B is stored in b with
// leading dimension ldb (transposed when tb: b holds n × k). It keeps b to
// repack from later. It allocates only when p's storage is too small.
func (p *Packed) Pack(tb bool, k, n int, b []float64, ldb int) {
	rows, cols := stored(tb, k, n)
	checkMat("packed B", rows, cols, b, ldb)
	p.src, p.ldb, p.tb, p.k, p.n = b, ldb, tb, k, n
	p.Repack()
}

// Repack copies the source matrix into p again: call it after the matrix
// changed. It allocates only when p's storage is too small.
func (p *Packed) Repack() { p.repackFor(current.Load()) }

// repackFor lays p out for variant v.
func (p *Packed) repackFor(v *variant) {
	p.layout = v
	if v.kind != kindGonum && p.k > 0 && p.n > 0 {
		p.repackTiles(v)
	}
}

// Dims returns op(B)'s shape, k × n.
func (p *Packed) Dims() (k, n int) { return p.k, p.n }

// Empty reports whether p has never been packed.
func (p *Packed) Empty() bool { return p.layout == nil }

// ready lays p out again if the variant changed since it was packed.
func (p *Packed) ready(v *variant) {
	if p.layout != v {
		p.repackFor(v)
	}
}

// Of reports whether p was packed from b (the same storage, not merely
// equal numbers).
func (p *Packed) Of(b []float64) bool {
	return len(p.src) == len(b) && (len(b) == 0 || &p.src[0] == &b[0])
}

// Stale reports whether the source matrix no longer equals the packed copy,
// bit for bit: the check behind tests that every change of a packed matrix
// is followed by Repack. It reads the whole matrix; products never call it.
// An empty pack, and any pack under gonum (which reads the source), is
// never stale.
func (p *Packed) Stale() bool {
	if p.layout == nil || p.layout.kind == kindGonum {
		return false
	}
	nr := p.layout.nr
	panels := (p.n + nr - 1) / nr
	for k0 := 0; k0 < p.k; k0 += blockK {
		kb := min(blockK, p.k-k0)
		for q := 0; q < panels; q++ {
			j0 := q * nr
			w := min(nr, p.n-j0)
			pw, _, _ := p.layout.panelShape(w)
			blk := p.data[packOffset(panels, nr, k0, kb, q):]
			for kk := 0; kk < kb; kk++ {
				for jj := 0; jj < w; jj++ {
					idx := (k0+kk)*p.ldb + j0 + jj
					if p.tb {
						idx = (j0+jj)*p.ldb + k0 + kk
					}
					if math.Float64bits(blk[kk*pw+jj]) != math.Float64bits(p.src[idx]) {
						return true
					}
				}
			}
		}
	}
	return false
}
