//go:build amd64 && !purego

package kernel

// adamwVec updates the longest prefix the variant's assembly handles (whole
// vectors) and returns its length; the rest is left to adamwGo.
func adamwVec(v *variant, theta, g, m, vv []float64, c *AdamWStep) int {
	switch v.kind {
	case kindAVX512:
		n := len(theta) &^ 7
		if n > 0 {
			adamw8(&theta[0], &g[0], &m[0], &vv[0], n, c)
		}
		return n
	case kindAVX2:
		n := len(theta) &^ 3
		if n > 0 {
			adamw4(&theta[0], &g[0], &m[0], &vv[0], n, c)
		}
		return n
	}
	return 0
}

// adamw8 (AVX-512) and adamw4 (AVX2) apply AdamW to n elements, n a
// multiple of 8 or 4 (adamw_amd64.s).
//
//go:noescape
func adamw8(theta, grad, m, v *float64, n int, c *AdamWStep)

//go:noescape
func adamw4(theta, grad, m, v *float64, n int, c *AdamWStep)

// one is 1.0, for the assembly's 1 − β.
var one = 1.0
