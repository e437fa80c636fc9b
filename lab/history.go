package lab

import "math"

// Point is one entry of a loss history. Train is the mean training-batch loss
// over the steps the point covers (at step 0: the base model on the first
// batch), with its min and max; Eval is the held-out loss at Step and
// Forget the loss on the pretraining text's held-out split (Metrics.Forget;
// 0 for a task without one).
type Point struct {
	Step     int     `json:"step"`
	Train    float64 `json:"train_loss"`
	Eval     float64 `json:"eval_loss"`
	TrainMin float64 `json:"train_loss_min"`
	TrainMax float64 `json:"train_loss_max"`
	Forget   float64 `json:"forget_loss,omitempty"`
	span     int     // steps of training covered (for weighted means when merging)
}

// History is a loss history of bounded size: when it holds Cap points it
// merges neighbours pairwise (keeping the later eval and forgetting losses, the span-weighted
// mean of the train loss, and its min and max), so a million steps cost no
// more memory than a thousand. Step 0 is never merged away.
type History struct {
	Cap    int
	points []Point
}

// DefaultHistoryCap is the number of points a History keeps at most.
const DefaultHistoryCap = 1024

// NewHistory returns an empty history holding at most capacity points (≥ 4).
func NewHistory(capacity int) *History {
	return &History{Cap: max(capacity, 4), points: make([]Point, 0, max(capacity, 4))}
}

// Add appends p (steps must increase), merging old points when full.
func (h *History) Add(p Point) {
	if p.span == 0 {
		p.span = 1
		if len(h.points) > 0 {
			p.span = max(1, p.Step-h.points[len(h.points)-1].Step)
		}
	}
	if p.TrainMin == 0 && p.TrainMax == 0 {
		p.TrainMin, p.TrainMax = p.Train, p.Train
	}
	if len(h.points) == h.Cap {
		h.compact()
	}
	h.points = append(h.points, p)
}

// compact halves the points after the first by merging neighbours.
func (h *History) compact() {
	out := h.points[:1]
	rest := h.points[1:]
	for i := 0; i+1 < len(rest); i += 2 {
		out = append(out, merge(rest[i], rest[i+1]))
	}
	if len(rest)%2 == 1 {
		out = append(out, rest[len(rest)-1])
	}
	h.points = out
}

func merge(a, b Point) Point {
	span := a.span + b.span
	return Point{
		Step:     b.Step,
		Train:    (a.Train*float64(a.span) + b.Train*float64(b.span)) / float64(span),
		Eval:     b.Eval,
		Forget:   b.Forget,
		TrainMin: math.Min(a.TrainMin, b.TrainMin),
		TrainMax: math.Max(a.TrainMax, b.TrainMax),
		span:     span,
	}
}

// Points returns a copy of the points.
func (h *History) Points() []Point { return append([]Point(nil), h.points...) }

// Len is the number of points held.
func (h *History) Len() int { return len(h.points) }

// Last returns the newest point, or false if there is none.
func (h *History) Last() (Point, bool) {
	if len(h.points) == 0 {
		return Point{}, false
	}
	return h.points[len(h.points)-1], true
}
