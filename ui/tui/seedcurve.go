package tui

import (
	"math"

	"github.com/loralab/loralab/lab"
)

// seedCurve is one configuration's loss curve over its seeds, as the loss
// chart and the sweep's curves draw it: at each step, the mean over the
// seeds' runs that have got there, and the lowest and highest of them (the
// band). Steps are those of the run that has got furthest; every run of a
// configuration records its points at the same steps (same steps and
// eval-every), and a run whose bounded history merged points gives its
// last point at or before the step.
type seedCurve struct {
	Steps            []int
	Train, Eval      []float64 // the means
	TrainLo, TrainHi []float64 // the lowest and highest over the seeds
	EvalLo, EvalHi   []float64
	Seeds            int  // the histories averaged (those with a point)
	spread           bool // there were several histories: the band means something
}

// curveOf averages the histories hs (one per seed; nil ones are skipped).
// With one history, the curve is that history and there is no band.
func curveOf(hs []*lab.History) seedCurve {
	var runs [][]lab.Point
	for _, h := range hs {
		if h != nil && h.Len() > 0 {
			runs = append(runs, h.Points())
		}
	}
	c := seedCurve{Seeds: len(runs), spread: len(hs) > 1}
	if len(runs) == 0 {
		return c
	}
	ref := 0 // the run that has got furthest gives the steps
	for i, pts := range runs {
		if pts[len(pts)-1].Step > runs[ref][len(runs[ref])-1].Step {
			ref = i
		}
	}
	at := make([]int, len(runs)) // each run's next point
	for _, p := range runs[ref] {
		var train, eval []float64
		for i, pts := range runs {
			if pts[len(pts)-1].Step < p.Step {
				continue // not there yet
			}
			for at[i]+1 < len(pts) && pts[at[i]+1].Step <= p.Step {
				at[i]++
			}
			q := pts[at[i]]
			if q.Step > p.Step {
				continue // its first point comes later
			}
			train, eval = append(train, q.Train), append(eval, q.Eval)
		}
		t, e := lab.SpreadOf(train), lab.SpreadOf(eval)
		c.Steps = append(c.Steps, p.Step)
		c.Train, c.Eval = append(c.Train, orNaN(t)), append(c.Eval, orNaN(e))
		c.TrainLo, c.TrainHi = append(c.TrainLo, t.Min), append(c.TrainHi, t.Max)
		c.EvalLo, c.EvalHi = append(c.EvalLo, e.Min), append(c.EvalHi, e.Max)
	}
	return c
}

// orNaN is the spread's mean, NaN when a seed's value was not finite (a
// diverged seed makes the mean meaningless there, as on the board).
func orNaN(s lab.Spread) float64 {
	if s.Lost > 0 {
		return math.NaN()
	}
	return s.Mean
}

// band returns the curve's lowest and highest eval (or, with train, train)
// loss per step: the band drawn under the mean, nil with one seed.
func (c seedCurve) band(train bool) (lo, hi []float64) {
	if !c.spread {
		return nil, nil
	}
	if train {
		return c.TrainLo, c.TrainHi
	}
	return c.EvalLo, c.EvalHi
}

// last is the curve's newest point: the means at its last step.
func (c seedCurve) last() (lab.Point, bool) {
	if len(c.Steps) == 0 {
		return lab.Point{}, false
	}
	n := len(c.Steps) - 1
	return lab.Point{Step: c.Steps[n], Train: c.Train[n], Eval: c.Eval[n]}, true
}

// at is the curve's last point at or before step.
func (c seedCurve) at(step int) (lab.Point, bool) {
	var out lab.Point
	ok := false
	for i, s := range c.Steps {
		if s > step {
			break
		}
		out, ok = lab.Point{Step: s, Train: c.Train[i], Eval: c.Eval[i]}, true
	}
	return out, ok
}

// runHists are the histories of r's runs at every seed.
func runHists(r *RunView) []*lab.History {
	var out []*lab.History
	for _, x := range r.Group() {
		out = append(out, x.Hist)
	}
	return out
}

// sweepHists are the histories of a sweep run's runs at every seed.
func sweepHists(r *SweepRun) []*lab.History {
	var out []*lab.History
	for _, x := range r.Group() {
		out = append(out, x.Hist)
	}
	return out
}
