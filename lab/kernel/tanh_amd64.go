//go:build amd64 && !purego

package kernel

// tanhVec is Tanh with the variant's assembly: whole vectors in place, the
// last few numbers through a padded buffer (so a number's result never
// depends on where it sits in the slice).
func tanhVec(v *variant, dst, src []float64) {
	lanes := 8
	if v.kind == kindAVX2 {
		lanes = 4
	}
	n := len(src) &^ (lanes - 1)
	if n > 0 {
		tanhAsm(v, &dst[0], &src[0], n)
	}
	if n == len(src) {
		return
	}
	var buf [8]float64
	copy(buf[:], src[n:])
	tanhAsm(v, &buf[0], &buf[0], lanes)
	copy(dst[n:], buf[:len(src)-n])
}

// tanhAsm calls the variant's routine (direct calls: the buffer stays on the stack).
func tanhAsm(v *variant, dst, src *float64, n int) {
	if v.kind == kindAVX2 {
		tanh4(dst, src, n)
		return
	}
	tanh8(dst, src, n)
}

// tanh8 (AVX-512) and tanh4 (AVX2) set dst[i] = tanh(src[i]) for i < n, a
// multiple of 8 or 4 (tanh_amd64.s).
//
//go:noescape
func tanh8(dst, src *float64, n int)

//go:noescape
func tanh4(dst, src *float64, n int)
