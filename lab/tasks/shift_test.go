package tasks

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
	"gonum.org/v1/gonum/mat"
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

// TestShiftIn: the principal shift lies in W0's top-k singular directions
// (its share in their row space is 1) at the random shift's size; the rows
// shift rescales every row of W0 without turning it; the default is
// unchanged by the setting's existence (same teacher as before).
func TestShiftIn(t *testing.T) {
	build := func(in string) *mlp {
		net, err := Shift{}.New(context.Background(), tinyShift().With("shift-in", in).With("task-rank", 2), lab.NewLedger(), false)
		if err != nil {
			t.Fatal(err)
		}
		return net.(*mlp)
	}
	random, principal, rows := build("random"), build("principal"), build("rows")
	for i, w0 := range random.base {
		rs, ps := random.TargetShift()[i], principal.TargetShift()[i]
		var svd mat.SVD
		svd.Factorize(mat.NewDense(w0.Rows, w0.Cols, append([]float64(nil), w0.Data...)), mat.SVDThin)
		var v mat.Dense
		svd.VTo(&v)
		top := lab.NewMat(2, w0.Cols) // the top 2 right singular vectors, as rows
		for c := 0; c < 2; c++ {
			for j := 0; j < w0.Cols; j++ {
				top.Set(c, j, v.At(j, c))
			}
		}
		if share := lab.RowSpaceShare(ps, top); math.Abs(share-1) > 1e-9 {
			t.Errorf("layer %d: %.3g of the principal shift lies in W0's top-2 input directions, want all", i, share)
		}
		if share := lab.RowSpaceShare(rs, top); share > 0.9 {
			t.Errorf("layer %d: the random shift lies %.3g in W0's top directions: not random", i, share)
		}
		if a, b := frob(rs), frob(ps); math.Abs(a-b) > 1e-9*a {
			t.Errorf("layer %d: principal shift ‖%g‖, random ‖%g‖: want the same size", i, b, a)
		}
		sh := rows.TargetShift()[i]
		for r := 0; r < w0.Rows; r++ { // row r of the shift is a multiple of row r of W0
			k := 0.0
			for j, x := range w0.Row(r) {
				if math.Abs(x) > 1e-3 {
					k = sh.At(r, j) / x
					break
				}
			}
			for j, x := range w0.Row(r) {
				if math.Abs(sh.At(r, j)-k*x) > 1e-12 {
					t.Fatalf("layer %d row %d: the rows shift turns the row", i, r)
				}
			}
		}
	}
}

func frob(m *lab.Mat) float64 {
	s := 0.0
	for _, v := range m.Data {
		s += v * v
	}
	return math.Sqrt(s)
}

// cancelAfter is a context that reports Canceled from its n-th Err call on:
// a ctrl+c that arrives while the task is generating its data.
type cancelAfter struct {
	context.Context
	n, calls int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

// TestDataGenerationStopsWhenCancelled checks that building the task's data
// (here 200,000 training examples, about a second of teacher forward passes)
// honours a cancellation that arrives midway, and stops within a chunk of
// rows of it (issue 16, item 10: ctrl+c was ignored for 111 s).
func TestDataGenerationStopsWhenCancelled(t *testing.T) {
	cfg := lab.Defaults().With("train-size", 200_000)
	ctx := &cancelAfter{Context: context.Background(), n: 3}
	_, err := Shift{}.New(ctx, cfg, lab.NewLedger(), false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("New with a cancellation during data generation: err %v, want context.Canceled", err)
	}
	if ctx.calls > ctx.n {
		t.Errorf("generation asked the context %d times after it was cancelled", ctx.calls-ctx.n)
	}
}
