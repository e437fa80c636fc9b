package lab

import (
	"encoding/json"
	"math"
	"sort"
)

// Seeds returns n consecutive seeds from first: the seeds a multi-seed
// comparison runs every configuration at. Each seed draws its own base
// weights, data and initialisation, identically for every method.
func Seeds(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

// MaxSeeds bounds the seeds of one comparison.
const MaxSeeds = 32

// Spread summarises one number over seeds: its mean, smallest and largest.
// Non-finite values (diverged runs) are left out and counted in Lost.
type Spread struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`    // finite values
	Lost int     `json:"lost"` // values left out: NaN or ±Inf
}

// SpreadOf summarises xs.
func SpreadOf(xs []float64) Spread {
	s := Spread{Mean: math.NaN(), Min: math.Inf(1), Max: math.Inf(-1)}
	sum := 0.0
	for _, x := range xs {
		if !finite(x) {
			s.Lost++
			continue
		}
		s.N++
		sum += x
		s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
	}
	if s.N > 0 {
		s.Mean = sum / float64(s.N)
	} else {
		s.Min, s.Max = math.NaN(), math.NaN()
	}
	return s
}

// Overlaps reports whether the ranges [Min, Max] of s and o meet: a
// difference of means inside the seed noise.
func (s Spread) Overlaps(o Spread) bool {
	return s.N > 0 && o.N > 0 && s.Min <= o.Max && o.Min <= s.Max
}

// SeedStanding is one method's row of a leaderboard over seeds.
type SeedStanding struct {
	Place  int    `json:"place"`
	Method string `json:"method"`
	Seeds  int    `json:"seeds"`
	// EvalLoss is the final eval loss over the seeds; BestEvalLoss the
	// lowest eval loss each seed reached.
	EvalLoss     Spread `json:"eval_loss"`
	BestEvalLoss Spread `json:"best_eval_loss"`
	// StepsToTarget is over the seeds that reached the target; Reached
	// counts them.
	StepsToTarget Spread  `json:"steps_to_target"`
	Reached       int     `json:"reached"`
	Trainable     int     `json:"trainable_params"`
	MemoryTotal   int64   `json:"memory_total"`
	StepsPerSec   float64 `json:"steps_per_second"` // mean over the seeds
	Ended         int     `json:"ended"`            // seeds whose run ended (done, diverged or cancelled)
	Diverged      int     `json:"diverged"`
	// Tied says the row's final eval losses overlap the first row's: the
	// difference from the leader is within the seed noise, not a result.
	Tied   bool `json:"tied"`
	Winner bool `json:"winner"` // the leader, once every run has ended, unless a row ties with it
}

// SeedLeaderboard ranks methods run at several seeds by the mean of their
// final eval losses (lower is better); methods whose every seed diverged
// come last. groups[i] holds one method's results, one per seed. A row is
// Tied when its range of final losses overlaps the leader's; the leader is
// the Winner once every run has ended and no other row ties with it.
func SeedLeaderboard(groups [][]*Result, target float64) []SeedStanding {
	rows := make([]SeedStanding, 0, len(groups))
	allEnded := true
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		var final, best, steps, rates []float64
		row := SeedStanding{Method: g[0].Method, Seeds: len(g), Trainable: g[0].Params.Trainable, MemoryTotal: g[0].Memory.Total}
		for _, st := range Leaderboard(g, target) {
			final, best = append(final, st.EvalLoss), append(best, st.BestEvalLoss)
			rates = append(rates, st.StepsPerSec)
			if st.StepsToTarget >= 0 {
				steps = append(steps, float64(st.StepsToTarget))
				row.Reached++
			}
			if st.Status.Final() {
				row.Ended++
			} else {
				allEnded = false
			}
			if st.Status == Diverged {
				row.Diverged++
			}
		}
		row.EvalLoss, row.BestEvalLoss, row.StepsToTarget = SpreadOf(final), SpreadOf(best), SpreadOf(steps)
		row.StepsPerSec = SpreadOf(rates).Mean
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].EvalLoss, rows[j].EvalLoss
		if (a.N == 0) != (b.N == 0) {
			return a.N > 0
		}
		return less(a.Mean, b.Mean)
	})
	tied := false
	for i := range rows {
		rows[i].Place = i + 1
		if i > 0 && rows[i].EvalLoss.Overlaps(rows[0].EvalLoss) {
			rows[i].Tied = true
			tied = true
		}
	}
	if allEnded && len(rows) > 0 && rows[0].EvalLoss.N > 0 && !tied {
		rows[0].Winner = true
	}
	return rows
}

// MarshalJSON writes non-finite numbers (no finite value to summarise) as null.
func (s Spread) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Mean *float64 `json:"mean"`
		Min  *float64 `json:"min"`
		Max  *float64 `json:"max"`
		N    int      `json:"n"`
		Lost int      `json:"lost"`
	}{JSONNumber(s.Mean), JSONNumber(s.Min), JSONNumber(s.Max), s.N, s.Lost})
}
