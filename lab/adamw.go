package lab

import (
	"math"

	"github.com/loralab/loralab/lab/kernel"
)

// AdamW hyperparameters fixed by the specification.
const (
	AdamBeta1 = 0.9
	AdamBeta2 = 0.999
	AdamEps   = 1e-8
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter), keeping two
// state numbers (m, v) per trainable number. Each Param has its own learning
// rate LR·LRScale, which is all LoRA+ needs.
type AdamW struct {
	LR          float64 // base learning rate; may change between steps
	WeightDecay float64
	params      []*Param
	m, v        []*Mat
	t           int
}

// NewAdamW allocates the optimiser state for params through the ledger.
func NewAdamW(l *Ledger, params []*Param, lr, weightDecay float64) *AdamW {
	o := &AdamW{LR: lr, WeightDecay: weightDecay, params: params}
	for _, p := range params {
		o.m = append(o.m, l.Mat(Optimizer, p.Name+".adam_m", p.Value.Rows, p.Value.Cols))
		o.v = append(o.v, l.Mat(Optimizer, p.Name+".adam_v", p.Value.Rows, p.Value.Cols))
	}
	return o
}

// Step applies one update to every parameter from its gradient:
//
//	m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
//	θ ← θ − lr·wd·θ − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε)
//
// computed with the per-step constants hoisted out of the loop (by
// kernel.AdamW, vectorised where the CPU allows, the same bits everywhere):
//
//	θ ← θ·(1 − lr·wd) − (lr/(1−β1ᵗ))·m / (√v·(1/√(1−β2ᵗ)) + ε)
func (o *AdamW) Step() {
	o.t++
	c1 := 1 - math.Pow(AdamBeta1, float64(o.t))
	c2 := 1 - math.Pow(AdamBeta2, float64(o.t))
	for k, p := range o.params {
		lr := o.LR * p.LRScale
		c := kernel.AdamWStep{Beta1: AdamBeta1, Beta2: AdamBeta2, Eps: AdamEps, Keep: 1, Rate: lr / c1, RootScale: 1 / math.Sqrt(c2)}
		if p.WeightDecay {
			c.Keep = 1 - lr*o.WeightDecay
		}
		m, v := o.m[k], o.v[k]
		if p.Value.Stride == p.Value.Cols && p.Grad.Stride == p.Grad.Cols {
			n := p.Value.Len() // contiguous (as the ledger allocates): one call, not one per row
			kernel.AdamW(p.Value.Data[:n], p.Grad.Data[:n], m.Data[:n], v.Data[:n], &c)
			continue
		}
		for i := 0; i < p.Value.Rows; i++ {
			kernel.AdamW(p.Value.Row(i), p.Grad.Row(i), m.Row(i), v.Row(i), &c)
		}
	}
}

// Steps returns how many updates have been applied.
func (o *AdamW) Steps() int { return o.t }
