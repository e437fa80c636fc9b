//go:build !amd64 || purego

package kernel

// adamwVec has no assembly here: everything goes to adamwGo.
func adamwVec(v *variant, theta, g, m, vv []float64, c *AdamWStep) int { return 0 }
