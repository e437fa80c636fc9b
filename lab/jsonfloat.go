package lab

import (
	"encoding/json"
	"math"
)

// JSON has no NaN or ±Inf, and a diverged run produces them. Losses are
// written as numbers when finite and as null otherwise.

// JSONNumber returns x, or nil for NaN and ±Inf.
func JSONNumber(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// MarshalJSON writes non-finite losses as null, and the forgetting loss
// only for a task that measures it.
func (p Point) MarshalJSON() ([]byte, error) {
	type point struct {
		Step     int      `json:"step"`
		Train    *float64 `json:"train_loss"`
		Eval     *float64 `json:"eval_loss"`
		TrainMin *float64 `json:"train_loss_min"`
		TrainMax *float64 `json:"train_loss_max"`
	}
	q := point{p.Step, JSONNumber(p.Train), JSONNumber(p.Eval), JSONNumber(p.TrainMin), JSONNumber(p.TrainMax)}
	if p.Forget == 0 {
		return json.Marshal(q)
	}
	return json.Marshal(struct {
		point
		Forget *float64 `json:"forget_loss"`
	}{q, JSONNumber(p.Forget)})
}

// MarshalJSON writes non-finite losses as null.
func (s Standing) MarshalJSON() ([]byte, error) {
	type plain Standing
	var forget *float64
	if s.ForgetLoss != 0 {
		forget = JSONNumber(s.ForgetLoss)
	}
	return json.Marshal(struct {
		plain
		EvalLoss     *float64 `json:"eval_loss"`
		BestEvalLoss *float64 `json:"best_eval_loss"`
		ForgetLoss   *float64 `json:"forget_loss,omitempty"`
	}{plain(s), JSONNumber(s.EvalLoss), JSONNumber(s.BestEvalLoss), forget})
}

// Finite reports whether x is neither NaN nor ±Inf.
func Finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func finite(x float64) bool { return Finite(x) }
