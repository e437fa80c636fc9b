package tasks

import (
	"context"
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
)

// identity is an adapted layer that is the base layer itself: Y = X·Wᵀ + b.
type identity struct{ base *lab.Linear }

func (l identity) Forward(x, y *lab.Mat) {
	lab.Gemm(1, x, lab.NoT, l.base.W, lab.T, 0, y)
	lab.AddRowVector(y, l.base.Bias)
}
func (identity) Backward(g, dx *lab.Mat)        {}
func (identity) Params() []*lab.Param           { return nil }
func (identity) BeforeUpdate()                  {}
func (identity) AfterUpdate(int)                {}
func (l identity) EffectiveWeight(dst *lab.Mat) { dst.CopyFrom(l.base.W) }

// tinyShift is a very small shift configuration.
func tinyShift() lab.Config {
	c := lab.Defaults()
	c.Batch, c.Rank, c.Steps, c.EvalEvery = 8, 2, 200, 10
	return c.With("width", 8).With("depth", 2).With("task-rank", 2).With("train-size", 64).With("eval-size", 16)
}

// TestEvalLossIsTheBaseModelsMSE proves the network's Evaluate, before any
// step, is the mean squared error of the base model over the whole eval
// set, computed here with plain loops from the task's base weights.
func TestEvalLossIsTheBaseModelsMSE(t *testing.T) {
	cfg := tinyShift().With("eval-size", 20) // rounded up to 24, three batches of 8
	net, err := Shift{}.New(context.Background(), cfg, lab.NewLedger(), false)
	if err != nil {
		t.Fatal(err)
	}
	m := net.(*mlp)
	var layers []lab.Adapted
	for _, l := range m.Linears() {
		layers = append(layers, identity{l})
	}
	m.Adapt(layers)
	x, y := m.evalX, m.evalY
	if x.Rows != 24 {
		t.Fatalf("eval set has %d rows, want 24", x.Rows)
	}
	ws, bs := m.base, m.biases
	sum := 0.0
	for n := 0; n < x.Rows; n++ {
		in := x.Row(n)
		for l, w := range ws {
			out := make([]float64, w.Rows)
			for o := range out {
				s := bs[l][o]
				for i, v := range in {
					s += v * w.At(o, i)
				}
				if l < len(ws)-1 {
					s = math.Tanh(s)
				}
				out[o] = s
			}
			in = out
		}
		for j, v := range in {
			d := v - y.At(n, j)
			sum += d * d
		}
	}
	want := sum / float64(x.Rows*y.Cols)
	if got := m.Evaluate(context.Background()).Eval; math.Abs(got-want) > 1e-12*want {
		t.Errorf("EvalLoss = %.15g, plain-loop MSE = %.15g", got, want)
	}
}
