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

// TestInputRankSpan: the inputs of a task with input-rank K span exactly K
// directions, keep about the energy of isotropic inputs (‖x‖² ≈ width), and
// the default spans all of them.
func TestInputRankSpan(t *testing.T) {
	for _, k := range []int{0, 3} {
		cfg := tinyShift().With("input-rank", k).With("train-size", 400)
		net, err := Shift{}.New(context.Background(), cfg, lab.NewLedger(), false)
		if err != nil {
			t.Fatal(err)
		}
		x := net.(*mlp).trainX
		want := k
		if k == 0 {
			want = x.Cols
		}
		if got := lab.DeltaRank(x, lab.NewMat(x.Rows, x.Cols)); got != want {
			t.Errorf("input-rank %d: the inputs span %d directions, want %d", k, got, want)
		}
		energy := 0.0
		for _, v := range x.Data {
			energy += v * v
		}
		if per := energy / float64(x.Rows); math.Abs(per-float64(x.Cols)) > 0.2*float64(x.Cols) {
			t.Errorf("input-rank %d: mean ‖x‖² %.2f, want about the width %d", k, per, x.Cols)
		}
	}
}
