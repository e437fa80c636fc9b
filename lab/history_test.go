package lab_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestHistoryBounded proves a history never holds more than its capacity,
// however many points are added (a million here), keeps step 0 and the
// newest step, keeps its steps increasing, and loses nothing in aggregate:
// the span-weighted sum of the train loss and its global min and max are
// those of every point ever added.
func TestHistoryBounded(t *testing.T) {
	const n = 1_000_000
	h := lab.NewHistory(lab.DefaultHistoryCap)
	r := lab.NewRand(1, 1000)
	sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for step := range n {
		train := r.Float64()
		h.Add(lab.Point{Step: step, Train: train, Eval: float64(step)})
		if step > 0 {
			sum += train
			lo, hi = math.Min(lo, train), math.Max(hi, train)
		}
		if h.Len() > h.Cap {
			t.Fatalf("after %d points the history holds %d, above its cap %d", step+1, h.Len(), h.Cap)
		}
	}
	pts := h.Points()
	if len(pts) < h.Cap/2 {
		t.Errorf("only %d points kept of a cap of %d: compaction is too eager", len(pts), h.Cap)
	}
	if pts[0].Step != 0 {
		t.Errorf("first point is step %d, want 0", pts[0].Step)
	}
	if last := pts[len(pts)-1]; last.Step != n-1 || last.Eval != float64(n-1) {
		t.Errorf("last point is step %d (eval %g), want %d with the newest eval", last.Step, last.Eval, n-1)
	}
	gotSum, gotLo, gotHi := 0.0, math.Inf(1), math.Inf(-1)
	for i := 1; i < len(pts); i++ {
		if pts[i].Step <= pts[i-1].Step {
			t.Fatalf("steps not increasing: %d after %d", pts[i].Step, pts[i-1].Step)
		}
		span := float64(pts[i].Step - pts[i-1].Step) // the steps the point covers
		gotSum += pts[i].Train * span
		gotLo, gotHi = math.Min(gotLo, pts[i].TrainMin), math.Max(gotHi, pts[i].TrainMax)
	}
	if math.Abs(gotSum-sum) > 1e-9*sum {
		t.Errorf("span-weighted train loss sums to %g, the points added to %g", gotSum, sum)
	}
	if gotLo != lo || gotHi != hi {
		t.Errorf("min/max %g/%g, the points added had %g/%g", gotLo, gotHi, lo, hi)
	}
}

// TestHistoryMerge proves how two neighbours merge when the history is full:
// the later step and eval loss, the span-weighted mean of the train loss,
// the min of the mins and the max of the maxes; step 0 is never merged.
func TestHistoryMerge(t *testing.T) {
	h := lab.NewHistory(4)
	h.Add(lab.Point{Step: 0, Train: 9, Eval: 8})
	h.Add(lab.Point{Step: 2, Train: 1, Eval: 7, TrainMin: 0.5, TrainMax: 1.5}) // covers 2 steps
	h.Add(lab.Point{Step: 5, Train: 4, Eval: 6, TrainMin: 3, TrainMax: 6})     // covers 3 steps
	h.Add(lab.Point{Step: 6, Train: 10, Eval: 5})                              // no min/max given: its own loss
	if h.Len() != 4 {
		t.Fatalf("len %d, want 4", h.Len())
	}
	h.Add(lab.Point{Step: 10, Train: 2, Eval: 4}) // full: merges (2, 5) first
	got := h.Points()
	want := []struct {
		step                int
		train, eval, lo, hi float64
	}{
		{0, 9, 8, 9, 9},
		{5, (1*2 + 4*3) / 5.0, 6, 0.5, 6},
		{6, 10, 5, 10, 10},
		{10, 2, 4, 2, 2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d points %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Step != w.step || math.Abs(g.Train-w.train) > 1e-15 || g.Eval != w.eval || g.TrainMin != w.lo || g.TrainMax != w.hi {
			t.Errorf("point %d = %+v, want step %d train %g eval %g min %g max %g", i, g, w.step, w.train, w.eval, w.lo, w.hi)
		}
	}
	// The merged point keeps its 5-step span: merging it again weights it so.
	h.Add(lab.Point{Step: 11, Train: 0, Eval: 3}) // merges (5, 6): spans 5 and 1
	if p := h.Points()[1]; p.Step != 6 || math.Abs(p.Train-(2.8*5+10*1)/6) > 1e-15 {
		t.Errorf("second merge gave %+v, want step 6 train %g", p, (2.8*5+10*1)/6)
	}
	if last, ok := h.Last(); !ok || last.Step != 11 {
		t.Errorf("Last = %+v, %v", last, ok)
	}
}

// TestHistoryMinimumCapacity proves a history holds at least 4 points, so
// step 0 plus merged neighbours always fit.
func TestHistoryMinimumCapacity(t *testing.T) {
	h := lab.NewHistory(1)
	if h.Cap != 4 {
		t.Fatalf("cap %d, want 4", h.Cap)
	}
	for step := range 100 {
		h.Add(lab.Point{Step: step, Train: 1})
	}
	if h.Len() > 4 || h.Points()[0].Step != 0 {
		t.Errorf("len %d, first step %d", h.Len(), h.Points()[0].Step)
	}
	if _, ok := lab.NewHistory(8).Last(); ok {
		t.Error("an empty history has a last point")
	}
}

// TestForgettingLoss: merging keeps the later point's forgetting loss, as
// it keeps the later eval loss; JSON writes forget_loss only for a task
// that measures one (0: none), and null when it is not finite.
func TestForgettingLoss(t *testing.T) {
	h := lab.NewHistory(4)
	for i, f := range []float64{1.5, 1.6, 1.7, 1.8, 1.9} {
		h.Add(lab.Point{Step: i, Train: 1, Eval: 1, Forget: f})
	}
	if p := h.Points()[1]; p.Step != 2 || p.Forget != 1.7 {
		t.Errorf("merged point %+v: want step 2 with the later forgetting loss 1.7", p)
	}
	for _, c := range []struct {
		p    lab.Point
		want string
	}{
		{lab.Point{Step: 3, Train: 1, Eval: 2}, `{"step":3,"train_loss":1,"eval_loss":2,"train_loss_min":0,"train_loss_max":0}`},
		{lab.Point{Step: 3, Train: 1, Eval: 2, Forget: 1.25}, `{"step":3,"train_loss":1,"eval_loss":2,"train_loss_min":0,"train_loss_max":0,"forget_loss":1.25}`},
		{lab.Point{Step: 3, Train: 1, Eval: 2, Forget: math.NaN()}, `{"step":3,"train_loss":1,"eval_loss":2,"train_loss_min":0,"train_loss_max":0,"forget_loss":null}`},
	} {
		b, err := json.Marshal(c.p)
		if err != nil || string(b) != c.want {
			t.Errorf("%+v: %s, %v; want %s", c.p, b, err, c.want)
		}
	}
}
