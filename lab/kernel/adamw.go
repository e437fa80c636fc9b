package kernel

import "math"

// AdamWStep holds the constants of one AdamW update of one tensor: the
// moment decays and ε, and the per-step factors hoisted out of the loop.
type AdamWStep struct {
	Beta1, Beta2 float64 // moment decays β1, β2
	Eps          float64 // ε
	Keep         float64 // 1 − lr·wd (decoupled weight decay)
	Rate         float64 // lr/(1 − β1ᵗ)
	RootScale    float64 // 1/√(1 − β2ᵗ)
}

// AdamW updates θ and its moments m and v from the gradient g, element by
// element (all four the same length):
//
//	m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g·g
//	θ ← θ·Keep − Rate·m / (√v·RootScale + ε)
//
// each product and sum rounded on its own (no fused multiply-add), so every
// variant gives the same bits. It never allocates.
func AdamW(theta, g, m, v []float64, c *AdamWStep) {
	n := len(theta)
	g, m, v = g[:n], m[:n], v[:n]
	done := adamwVec(current.Load(), theta, g, m, v, c)
	adamwGo(theta[done:], g[done:], m[done:], v[done:], c)
}

// adamwGo is AdamW in Go. The conversions float64(·) round each product
// before it is added, so no compiler fuses them into an FMA.
func adamwGo(theta, g, m, v []float64, c *AdamWStep) {
	b1, b2, c1, c2 := c.Beta1, c.Beta2, 1-c.Beta1, 1-c.Beta2
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	for j, gj := range g {
		mj := float64(b1*m[j]) + float64(c1*gj)
		vj := float64(b2*v[j]) + float64(float64(c2*gj)*gj)
		m[j], v[j] = mj, vj
		den := float64(math.Sqrt(vj)*c.RootScale) + c.Eps
		theta[j] = float64(theta[j]*c.Keep) - float64(c.Rate*mj)/den
	}
}
