package lab

import (
	"math"
	"testing"
)

// TestScheduleFactor checks the schedules against transformers' formulas
// (get_constant_-, get_linear_- and get_cosine_schedule_with_warmup),
// evaluated by hand: 10 steps of warmup, 110 in all.
func TestScheduleFactor(t *testing.T) {
	for _, c := range []struct {
		kind string
		k    int
		want float64
	}{
		{ScheduleConstant, 0, 0}, {ScheduleConstant, 5, 0.5}, {ScheduleConstant, 10, 1}, {ScheduleConstant, 109, 1},
		{ScheduleLinear, 0, 0}, {ScheduleLinear, 10, 1}, {ScheduleLinear, 60, 0.5}, {ScheduleLinear, 110, 0},
		{ScheduleCosine, 5, 0.5}, {ScheduleCosine, 10, 1}, {ScheduleCosine, 35, 0.5 * (1 + math.Sqrt2/2)},
		{ScheduleCosine, 60, 0.5}, {ScheduleCosine, 85, 0.5 * (1 - math.Sqrt2/2)}, {ScheduleCosine, 110, 0},
	} {
		s := Schedule{Kind: c.kind, Warmup: 10, Steps: 110}
		if got := s.Factor(c.k); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s, step %d: factor %v, want %v", c.kind, c.k, got, c.want)
		}
	}
	if got := (Schedule{Kind: ScheduleLinear, Steps: 100}).Factor(0); got != 1 {
		t.Errorf("no warmup: the first step at factor %v, want 1", got)
	}
}
