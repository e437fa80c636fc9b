//go:build amd64 && !purego

package kernel

import (
	"math"
	"unsafe"
)

// The tile driver. Loops: k blocks outer; column panels next (a block of a
// panel of B, blockK × 16 numbers, stays in L1 while every row tile of the
// chunk uses it); row tiles inner.
//
// A is read in place, as stored or transposed (a kernel for each), except a
// tile cut short by m, whose rows are first copied into zero-padded
// scratch. (Packing A k-major was measured 5–25 % slower on the engine's
// shapes: the copy costs more than it saves.)
//
// B comes from a Packed handle, or is read in place when it is not
// transposed and the panel is whole, unless its rows are a multiple of
// 4 KiB apart and more than two row tiles use the panel (then every row of
// the panel falls in the same L1 set, and a packed copy is faster);
// otherwise each panel block is packed into scratch.
//
// A pack is read front to back; its next block is prefetched while the
// current one is in use (measured +10–20 % when the pack comes from L3, as
// a layer's weight does in a training step).
//
// A tile cut short by m or n is computed into scratch and added into C by
// the kernels' formula, fma(acc, α, β·C), so where a tile falls never
// changes a result.

// tiles computes rows [r0, r1) × panels [p0, p1) of j's product.
func (j *job) tiles(r0, r1, p0, p1 int, s *scratch) {
	v, nr := j.v, j.v.nr
	aliased := j.ldb%512 == 0 // rows of B a multiple of 4 KiB apart
	for k0 := 0; k0 < j.k; k0 += blockK {
		kb := min(blockK, j.k-k0)
		beta := j.beta
		if k0 > 0 {
			beta = 1 // later k blocks add to what the earlier ones stored
		}
		for p := p0; p < p1; p++ {
			j0 := p * nr
			w := min(nr, j.n-j0)
			pw, mr, narrow := v.panelShape(w)
			var bp *float64
			ldb := pw
			switch {
			case j.p != nil:
				bp = &j.p.data[packOffset(j.panels(), nr, k0, kb, p)]
			case !j.tb && w == pw && (!aliased || r1-r0 <= 2*mr):
				bp, ldb = &j.b[k0*j.ldb+j0], j.ldb
			default:
				v.packB(s.b[:kb*pw], j.b, j.ldb, j.tb, k0, kb, j0, w, pw)
				bp = &s.b[0]
			}
			for i0 := r0; i0 < r1; i0 += mr {
				h := min(mr, r1-i0)
				ta, lda := j.ta, j.lda
				var ap *float64
				switch {
				case h < mr:
					packRows(s.a[:mr*kb], j.a, j.ta, j.lda, i0, h, k0, kb) // A as stored, kb per row
					ap, ta, lda = &s.a[0], false, kb
				case j.ta:
					ap = &j.a[k0*j.lda+i0]
				default:
					ap = &j.a[i0*j.lda+k0]
				}
				// The first tiles of a panel prefetch the pack's next block
				// (kb lines each); the others re-touch their own, in L1.
				pf := uintptr(unsafe.Pointer(bp))
				if t := (i0 - r0) / mr; j.p != nil && t < pw/8 {
					pf += uintptr((kb*pw + t*kb*8) * 8)
				}
				if h == mr && w == pw {
					v.kernel(narrow, ta, kb, ap, lda, bp, ldb, &j.c[i0*j.ldc+j0], j.ldc, j.alpha, beta, pf)
					continue
				}
				v.kernel(narrow, ta, kb, ap, lda, bp, ldb, &s.c[0], pw, 1, 0, pf)
				addTile(j.c[i0*j.ldc+j0:], j.ldc, s.c[:], pw, h, w, j.alpha, beta)
			}
		}
	}
}

// kernel calls the variant's micro-kernel for one tile: A as stored (ta
// false: A[i, p] = a[i·lda + p]) or transposed (A[i, p] = a[i + p·lda]); pf
// is where the 8 × 16 kernels prefetch from (an address, never dereferenced
// by Go).
func (v *variant) kernel(narrow, ta bool, k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, pf uintptr) {
	switch {
	case v.kind == kindAVX512 && narrow && ta:
		kern16x8T(k, a, lda, b, ldb, c, ldc, alpha, beta, pf)
	case v.kind == kindAVX512 && narrow:
		kern16x8N(k, a, lda, b, ldb, c, ldc, alpha, beta, pf)
	case v.kind == kindAVX512 && ta:
		kern8x16T(k, a, lda, b, ldb, c, ldc, alpha, beta, pf)
	case v.kind == kindAVX512:
		kern8x16N(k, a, lda, b, ldb, c, ldc, alpha, beta, pf)
	case ta:
		kern4x8(k, a, 1, lda, b, ldb, c, ldc, alpha, beta)
	default:
		kern4x8(k, a, lda, 1, b, ldb, c, ldc, alpha, beta)
	}
}

// packB copies op(B)[k0 : k0+kb, j0 : j0+w] into dst as kb rows of pw
// numbers, zero past w. B is stored in b with leading dimension ldb,
// transposed when tb (op(B)[p, j] = b[j·ldb + p]).
func (v *variant) packB(dst, b []float64, ldb int, tb bool, k0, kb, j0, w, pw int) {
	if v.kind == kindAVX512 && w == pw {
		if !tb {
			packN(&dst[0], pw, &b[k0*ldb+j0], ldb, kb)
			return
		}
		if kb8 := kb &^ 7; kb8 > 0 {
			packT(&dst[0], pw, &b[j0*ldb+k0], ldb, kb8, pw/8)
			if kb8 == kb {
				return
			}
			packBlock(dst[kb8*pw:], b, ldb, tb, k0+kb8, kb-kb8, j0, w, pw)
			return
		}
	}
	packBlock(dst, b, ldb, tb, k0, kb, j0, w, pw)
}

// packBlock is packB in plain Go, for any shape.
func packBlock(dst, b []float64, ldb int, tb bool, k0, kb, j0, w, pw int) {
	dst = dst[:kb*pw]
	if !tb {
		for p := 0; p < kb; p++ {
			row := dst[p*pw : (p+1)*pw]
			copy(row, b[(k0+p)*ldb+j0:(k0+p)*ldb+j0+w])
			clear(row[w:])
		}
		return
	}
	if w < pw {
		clear(dst)
	}
	for jj := 0; jj < w; jj++ {
		src := b[(j0+jj)*ldb+k0 : (j0+jj)*ldb+k0+kb]
		for p, x := range src {
			dst[p*pw+jj] = x
		}
	}
}

// packRows copies rows [i0, i0+h) × [k0, k0+kb) of op(A) (A[i, p] =
// a[i·lda + p], or a[i + p·lda] when ta) into dst as rows of kb numbers, and
// zeroes the rows from h to len(dst)/kb.
func packRows(dst, a []float64, ta bool, lda, i0, h, k0, kb int) {
	for i := 0; i < h; i++ {
		row := dst[i*kb : (i+1)*kb]
		if !ta {
			base := (i0+i)*lda + k0
			copy(row, a[base:base+kb])
			continue
		}
		for p := range row {
			row[p] = a[(k0+p)*lda+i0+i]
		}
	}
	clear(dst[h*kb:])
}

// addTile adds the h × w corner of tile t (leading dimension ldt) into C:
// C ← α·t (β = 0) or fma(t, α, β·C), the kernels' formula.
func addTile(c []float64, ldc int, t []float64, ldt, h, w int, alpha, beta float64) {
	for i := 0; i < h; i++ {
		ci, ti := c[i*ldc:i*ldc+w], t[i*ldt:i*ldt+w]
		if beta == 0 {
			for j, x := range ti {
				ci[j] = alpha * x
			}
			continue
		}
		for j, x := range ti {
			ci[j] = math.FMA(x, alpha, beta*ci[j])
		}
	}
}

// repackTiles lays p's source out in blocks for variant v (see packOffset).
func (p *Packed) repackTiles(v *variant) {
	nr := v.nr
	panels := (p.n + nr - 1) / nr
	size := panels * nr * p.k
	if cap(p.data) < size {
		p.data = make([]float64, size)
	}
	p.data = p.data[:size]
	for k0 := 0; k0 < p.k; k0 += blockK {
		kb := min(blockK, p.k-k0)
		for q := 0; q < panels; q++ {
			j0 := q * nr
			w := min(nr, p.n-j0)
			pw, _, _ := v.panelShape(w)
			off := packOffset(panels, nr, k0, kb, q)
			v.packB(p.data[off:off+kb*pw], p.src, p.ldb, p.tb, k0, kb, j0, w, pw)
		}
	}
}

// The micro-kernels (gemm512_amd64.s, gemm256_amd64.s): one tile,
// C ← fma(Σ_p A[i, p]·B[p, j], α, β·C), or α·Σ when β = 0. Strides in
// elements. …N: A[i, p] = a[i·lda + p]; …T: A[i, p] = a[i + p·lda].

//go:noescape
func kern8x16N(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, pf uintptr)

//go:noescape
func kern8x16T(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, pf uintptr)

//go:noescape
func kern16x8N(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, pf uintptr)

//go:noescape
func kern16x8T(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, pf uintptr)

// kern4x8 reads A[i, p] at a + i·rsa + p·csa.
//
//go:noescape
func kern4x8(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)

// The packing routines (pack512_amd64.s), AVX-512 only.

// packN copies rows pw (8 or 16) numbers long: dst[p·pw + j] = src[p·lds + j], p < rows.
//
//go:noescape
func packN(dst *float64, pw int, src *float64, lds int, rows int)

// packT copies transposed: dst[p·pw + j] = src[j·lds + p] for p < kb (a
// multiple of 8) and j < 8·groups.
//
//go:noescape
func packT(dst *float64, pw int, src *float64, lds int, kb int, groups int)
