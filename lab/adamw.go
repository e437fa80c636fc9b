package lab

import "math"

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
func (o *AdamW) Step() {
	o.t++
	c1 := 1 - math.Pow(AdamBeta1, float64(o.t))
	c2 := 1 - math.Pow(AdamBeta2, float64(o.t))
	for k, p := range o.params {
		lr := o.LR * p.LRScale
		decay := 0.0
		if p.WeightDecay {
			decay = lr * o.WeightDecay
		}
		m, v := o.m[k], o.v[k]
		for i := 0; i < p.Value.Rows; i++ {
			th, g, mi, vi := p.Value.Row(i), p.Grad.Row(i), m.Row(i), v.Row(i)
			for j := range th {
				mi[j] = AdamBeta1*mi[j] + (1-AdamBeta1)*g[j]
				vi[j] = AdamBeta2*vi[j] + (1-AdamBeta2)*g[j]*g[j]
				th[j] -= decay * th[j]
				th[j] -= lr * (mi[j] / c1) / (math.Sqrt(vi[j]/c2) + AdamEps)
			}
		}
	}
}

// Steps returns how many updates have been applied.
func (o *AdamW) Steps() int { return o.t }
