package presets

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks/charlm"
)

// textLessons are the checks of the presets on the character-level
// language model, each run at every seed of lessonSeeds: each check tests
// every claim of the preset's notes.
var textLessons = map[string]func(t *testing.T, p Preset, rs []*lab.Result){
	"charlm-race":       checkCharLMRace,
	"charlm-forgetting": checkCharLMForgetting,
	"charlm-targets":    checkCharLMTargets,
	"charlm-rank":       checkCharLMRank,
}

// pointAt returns the first history point at or after step.
func pointAt(r *lab.Result, step int) lab.Point {
	for _, pt := range r.History {
		if pt.Step >= step {
			return pt
		}
	}
	return r.Final
}

// goStyle reports whether text has something of Go's: a tab, a brace, or
// the words func or return.
func goStyle(text string) bool {
	return strings.ContainsAny(text, "\t{}") || strings.Contains(text, "func") || strings.Contains(text, "return")
}

// startsAlike checks the claims every text lesson shares: each run's first
// sample (step 0) is the same Newtonian text, with nothing of Go's, and its
// first forgetting loss is the base model's, about 1.2.
func startsAlike(t *testing.T, rs []*lab.Result) {
	t.Helper()
	first := rs[0].Samples[0]
	for _, r := range rs {
		if len(r.Samples) == 0 || r.Samples[0] != first || first.Step != 0 {
			t.Errorf("%s: first sample %+v, want the same step-0 sample as every run (%+v)", r.Method, r.Samples, first)
		}
		if f := r.History[0].Forget; f < 1.1 || f > 1.3 {
			t.Errorf("%s: forgetting loss %.3f at step 0, the notes say about 1.2", r.Method, f)
		}
	}
	if goStyle(first.Text) {
		t.Errorf("step-0 sample %q has Go's tabs, braces or keywords: the notes say it writes Newton", first.Text)
	}
}

func checkCharLMRace(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	startsAlike(t, rs)
	m := byMethod(rs)
	full, lora, plus, dora, vera := m["full"], m["lora"], m["lora-plus"], m["dora"], m["vera"]
	if s := full.Samples[len(full.Samples)-1]; !goStyle(s.Text) {
		t.Errorf("full's last sample %q: the notes say it has Go's tabs, braces, func or return", s.Text)
	}
	for _, r := range rs {
		if r != full && r.Final.Eval < full.Final.Eval+0.2 {
			t.Errorf("%s final eval %.3f, full %.3f: the notes say full ends at least 0.2 below every adapter", r.Method, r.Final.Eval, full.Final.Eval)
		}
		if r.Final.Forget <= r.History[0].Forget {
			t.Errorf("%s: forgetting %.3f → %.3f: the notes say every run forgets", r.Method, r.History[0].Forget, r.Final.Forget)
		}
	}
	for _, step := range []int{50, 100, p.mustSteps(t)} {
		if a, b := pointAt(plus, step).Eval, pointAt(lora, step).Eval; a >= b {
			t.Errorf("step %d: lora-plus %.3f, lora %.3f: the notes say LoRA+ is ahead from step 50 on", step, a, b)
		}
	}
	for _, r := range rs {
		if r != full && r != plus && r.Final.Eval < plus.Final.Eval {
			t.Errorf("%s final eval %.3f below lora-plus's %.3f: the notes say LoRA+ comes second", r.Method, r.Final.Eval, plus.Final.Eval)
		}
	}
	if d := dora.Final.Eval - lora.Final.Eval; d > 0.05 || d < -0.05 {
		t.Errorf("dora final eval %.3f, lora %.3f: the notes say within 0.05", dora.Final.Eval, lora.Final.Eval)
	}
	if vera.Final.Eval <= lora.Final.Eval {
		t.Errorf("vera final eval %.3f, lora %.3f: the notes say VeRA ends behind LoRA", vera.Final.Eval, lora.Final.Eval)
	}
	for _, r := range rs {
		if r != vera && (r.Params.Trainable <= vera.Params.Trainable || r.Memory.Total >= vera.Memory.Total) {
			t.Errorf("%s: %d trainable, %d B; vera %d, %d B: the notes say VeRA trains the fewest numbers and needs the most memory",
				r.Method, r.Params.Trainable, r.Memory.Total, vera.Params.Trainable, vera.Memory.Total)
		}
	}
	for _, r := range rs {
		if r != full && r.Final.Forget >= full.Final.Forget {
			t.Errorf("forgetting: %s %.3f, full %.3f: the notes say every adapter forgets less than full", r.Method, r.Final.Forget, full.Final.Forget)
		}
	}
	for _, r := range []*lab.Result{plus, vera} {
		if r.Final.Forget <= lora.Final.Forget {
			t.Errorf("forgetting: %s %.3f, lora %.3f: the notes say it forgets more than LoRA", r.Method, r.Final.Forget, lora.Final.Forget)
		}
	}
}

func checkCharLMForgetting(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	startsAlike(t, rs)
	m := byMethod(rs)
	full, lora := m["full"], m["lora"]
	if full.Final.Eval > lora.Final.Eval-0.3 {
		t.Errorf("final eval: full %.3f, lora %.3f: the notes say full ends at least 0.3 below", full.Final.Eval, lora.Final.Eval)
	}
	if full.Final.Forget < lora.Final.Forget+0.08 {
		t.Errorf("final forgetting: full %.3f, lora %.3f: the notes say full's is at least 0.08 above", full.Final.Forget, lora.Final.Forget)
	}
	var equal lab.Point // full's first point as far as LoRA got
	for _, pt := range full.History {
		if pt.Eval <= lora.Final.Eval {
			equal = pt
			break
		}
	}
	if d := equal.Forget - lora.Final.Forget; equal.Step == 0 || equal.Step > 60 || !within(d, 0.1, 0.25) {
		t.Errorf("full reaches lora's final eval %.3f at step %d, forgetting %.3f against lora's %.3f: the notes say by step 60, 0.13–0.18 more",
			lora.Final.Eval, equal.Step, equal.Forget, lora.Final.Forget)
	}
	for _, r := range rs {
		if r.Final.Forget < r.History[0].Forget+0.5 {
			t.Errorf("%s: forgetting %.3f → %.3f: the notes say it rises by more than 0.5", r.Method, r.History[0].Forget, r.Final.Forget)
		}
	}
}

func checkCharLMTargets(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	startsAlike(t, rs)
	by := map[string]*lab.Result{}
	for _, r := range rs {
		by[charlm.Targets.Text(r.Config)] = r
	}
	order := []string{"q+v", "q+k+v+o", "all-linear", "all-linear+head"}
	for i := 1; i < len(order); i++ {
		if a, b := by[order[i-1]].Final.Eval, by[order[i]].Final.Eval; b >= a {
			t.Errorf("final eval %s %.3f, %s %.3f: the notes say it falls down the list", order[i-1], a, order[i], b)
		}
	}
	qv, all := by["q+v"], by["all-linear"]
	if qv.Final.Eval < all.Final.Eval+0.5 {
		t.Errorf("final eval q,v %.3f, all-linear %.3f: the notes say more than 0.5 above", qv.Final.Eval, all.Final.Eval)
	}
	if qv.Final.Forget <= all.Final.Forget {
		t.Errorf("forgetting q,v %.3f, all-linear %.3f: the notes say q,v forgets more", qv.Final.Forget, all.Final.Forget)
	}
	if qv.Params.Trainable != 4096 || all.Params.Trainable != 18432 {
		t.Errorf("trainable: q,v %d, all-linear %d: the notes say 4,096 and 18,432", qv.Params.Trainable, all.Params.Trainable)
	}
}

func checkCharLMRank(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	startsAlike(t, rs)
	by := map[int]*lab.Result{}
	for _, r := range rs {
		by[r.Config.Rank] = r
	}
	ranks := []int{1, 4, 16, 64}
	for i := 1; i < len(ranks); i++ {
		if a, b := by[ranks[i-1]].Final.Eval, by[ranks[i]].Final.Eval; b >= a {
			t.Errorf("final eval r=%d %.3f, r=%d %.3f: the notes say it falls with every rank", ranks[i-1], a, ranks[i], b)
		}
	}
	if d := by[1].Final.Eval - by[4].Final.Eval; !within(d, 0.08, 0.3) {
		t.Errorf("final eval r=1 %.3f, r=4 %.3f: the notes say 0.1–0.25 above", by[1].Final.Eval, by[4].Final.Eval)
	}
	if d := by[16].Final.Eval - by[64].Final.Eval; d > 0.06 {
		t.Errorf("final eval r=16 %.3f, r=64 %.3f: the notes say only about 0.03 apart", by[16].Final.Eval, by[64].Final.Eval)
	}
	for i := 1; i < len(ranks); i++ {
		if a, b := by[ranks[i-1]].Final.Forget, by[ranks[i]].Final.Forget; b >= a {
			t.Errorf("forgetting r=%d %.3f, r=%d %.3f: the notes say it falls with rank", ranks[i-1], a, ranks[i], b)
		}
	}
	if a := by[64].Config.Alpha; a != lab.DefaultAlpha {
		t.Errorf("α = %g: the notes say PEFT's 8", a)
	}
	if by[64].Params.Trainable != 147456 || by[64].Params.Frozen != 117479 {
		t.Errorf("r=64: %d trainable, %d frozen: the notes say 147,456 against the base model's 117,479", by[64].Params.Trainable, by[64].Params.Frozen)
	}
}

// mustSteps returns the preset's number of steps.
func (p Preset) mustSteps(t *testing.T) int {
	t.Helper()
	cfg, err := p.Config()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Steps
}
