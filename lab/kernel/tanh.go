package kernel

import "math"

// Tanh sets dst[i] = tanh(src[i]) for i < len(src); dst may be src (in
// place) and must be at least as long. The assembly variants agree with
// math.Tanh to within 2 ulp (bit for bit where |x| < 0.625, which uses
// math.Tanh's own rational form); gonum is math.Tanh itself. It never
// allocates.
func Tanh(dst, src []float64) {
	dst = dst[:len(src)]
	switch v := current.Load(); v.kind {
	case kindGonum:
		for i, x := range src {
			dst[i] = math.Tanh(x)
		}
	default:
		tanhVec(v, dst, src)
	}
}
