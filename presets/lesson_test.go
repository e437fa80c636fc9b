package presets

import (
	"context"
	"testing"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestBuiltInLessons runs every built-in preset headless, the way the lab
// runs it (lab.ExecuteAll in a pool of two, as on a 2-core machine), checks
// that it shows what its notes claim, and that it takes well under a minute.
// The lessons on the character-level model (textLessons) are checked at
// each of lessonSeeds (1, 2 and 3), the others at the preset's own seed.
// The numbers are deterministic (seeded); only the timings vary.
func TestBuiltInLessons(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every built-in preset; skipped with -short")
	}
	if raceEnabled {
		t.Skip("trains every built-in preset; too slow under the race detector")
	}
	checks := map[string]func(t *testing.T, p Preset, rs []*lab.Result){
		"race-five":      checkRaceFive,
		"rank-matters":   checkRankMatters,
		"loraplus-ratio": checkLoRAPlusRatio,
		"frozen-a":       checkFrozenA,
		"vera-budget":    checkVeRABudget,
		"beyond-rank":    checkBeyondRank,
		"full-vs-lora":   checkFullVsLoRA,
	}
	for name, check := range textLessons {
		checks[name] = check
	}
	for _, p := range BuiltIn() {
		t.Run(p.Name, func(t *testing.T) {
			check, ok := checks[p.Name]
			if !ok {
				t.Fatalf("built-in preset %s has no lesson check", p.Name)
			}
			seeds := []uint64{0} // the preset's own
			if _, ok := textLessons[p.Name]; ok {
				seeds = lessonSeeds
			}
			for _, seed := range seeds {
				jobs, err := p.Jobs()
				if err != nil {
					t.Fatal(err)
				}
				if seed != 0 {
					for i := range jobs {
						jobs[i].Config.Seed = seed
					}
				}
				start := time.Now()
				rs, err := lab.ExecuteAll(context.Background(), jobs, 2, nil)
				if err != nil {
					t.Fatal(err)
				}
				took := time.Since(start)
				t.Logf("%s (seed %d): %d runs in %.1f s", p.Name, jobs[0].Config.Seed, len(rs), took.Seconds())
				for i, r := range rs {
					t.Logf("  %-22s %-8s final eval %.3g (at 10%%: %.3g) forgetting %.3g trainable %d memory %d B (activations %d B)",
						p.JobLabel(i), r.Status, r.Final.Eval, evalAt(r, r.Config.Steps/10), r.Final.Forget, r.Params.Trainable, r.Memory.Total, r.Memory.Activations)
				}
				if took > time.Minute {
					t.Errorf("%s took %v: a preset must show its lesson within a minute", p.Name, took)
				}
				check(t, p, rs)
			}
		})
	}
}

// evalAt returns the eval loss of the first history point at or after step.
func evalAt(r *lab.Result, step int) float64 {
	for _, pt := range r.History {
		if pt.Step >= step {
			return pt.Eval
		}
	}
	return r.Final.Eval
}

// byMethod indexes a race's results by method name.
func byMethod(rs []*lab.Result) map[string]*lab.Result {
	m := map[string]*lab.Result{}
	for _, r := range rs {
		m[r.Method] = r
	}
	return m
}

func done(t *testing.T, rs ...*lab.Result) {
	t.Helper()
	for _, r := range rs {
		if r.Status != lab.Done {
			t.Errorf("%s: status %s (%s), want done", r.Method, r.Status, r.Reason)
		}
	}
}

func checkRaceFive(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	for _, name := range []string{"lora", "lora-plus", "delta-lora"} {
		if got := m[name].Final.Eval; got > 1e-3 {
			t.Errorf("%s final eval %.3g: the notes say it reaches about 1e-4", name, got)
		}
	}
	if fa, l := m["lora-fa"].Final.Eval, m["lora"].Final.Eval; fa < 0.05 || fa < 100*l {
		t.Errorf("lora-fa final eval %.3g (lora %.3g): the notes say it stalls near 0.1", fa, l)
	}
	if v, fa, l := m["vera"].Final.Eval, m["lora-fa"].Final.Eval, m["lora"].Final.Eval; v >= fa || v < 100*l || v < 0.04 {
		t.Errorf("vera final eval %.3g (lora-fa %.3g, lora %.3g): the notes say VeRA stalls near 0.07, below LoRA-FA", v, fa, l)
	}
	q := p.mustSteps(t) / 4
	if f, l := m["full"], m["lora"]; f.Final.Eval > 2e-3 || evalAt(f, q) <= evalAt(l, q) {
		t.Errorf("full: final %.3g, at step %d %.3g vs lora %.3g: the notes say about 1e-3, more slowly", f.Final.Eval, q, evalAt(f, q), evalAt(l, q))
	}
	v, fa := m["vera"], m["lora-fa"]
	if v.Memory.Total < 3*m["full"].Memory.Total/2 || v.Params.Trainable >= m["lora"].Params.Trainable {
		t.Errorf("vera memory %d B vs full %d B, trainable %d vs lora %d: the notes say about twice full's memory, fewer trainable than LoRA",
			v.Memory.Total, m["full"].Memory.Total, v.Params.Trainable, m["lora"].Params.Trainable)
	}
	for _, r := range rs {
		if r != v && r.Memory.Total >= v.Memory.Total {
			t.Errorf("%s memory %d ≥ vera's %d: the notes say VeRA needs the most", r.Method, r.Memory.Total, v.Memory.Total)
		}
		if r != fa && r.Memory.Total <= fa.Memory.Total {
			t.Errorf("%s memory %d ≤ lora-fa's %d: the notes say LoRA-FA needs the least", r.Method, r.Memory.Total, fa.Memory.Total)
		}
	}
}

func checkRankMatters(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	final := map[int]float64{}
	for _, r := range rs {
		final[r.Config.Rank] = r.Final.Eval
	}
	if !(final[1] > final[2] && final[2] > final[4]) {
		t.Errorf("final eval by rank %v: want it to fall from r=1 to r=2 to r=4", final)
	}
	if final[1]/final[4] < 50 || final[2]/final[4] < 20 {
		t.Errorf("final eval r=1 %.3g, r=2 %.3g, r=4 %.3g: the notes say the floor falls by orders of magnitude at r = 4", final[1], final[2], final[4])
	}
	lo, hi := final[4], final[4]
	for _, r := range []int{4, 8, 16, 32} {
		lo, hi = min(lo, final[r]), max(hi, final[r])
	}
	if hi > 4*lo || hi > 1e-3 {
		t.Errorf("final eval for r = 4…32 spans %.3g…%.3g: the notes say it flattens at the noise floor", lo, hi)
	}
}

func checkLoRAPlusRatio(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	early := p.mustSteps(t) / 10
	r := map[float64]*lab.Result{}
	for _, x := range rs {
		r[adapters.LRRatio.Float(x.Config)] = x
	}
	if a, b := evalAt(r[16], early), evalAt(r[1], early); a > 0.7*b {
		t.Errorf("at step %d: λ=16 %.3g vs λ=1 %.3g: the notes say λ = 16 is about twice as far down", early, a, b)
	}
	if a, b := evalAt(r[64], early), evalAt(r[16], early); a <= b {
		t.Errorf("at step %d: λ=64 %.3g vs λ=16 %.3g: the notes say λ = 64 is behind from the start", early, a, b)
	}
	bestSmall := min(r[1].Final.Eval, r[2].Final.Eval, r[4].Final.Eval, r[8].Final.Eval)
	for _, l := range []float64{16, 32, 64} {
		if f := r[l].Final.Eval; f < 3*bestSmall || f < r[1].Final.Eval {
			t.Errorf("λ=%g final %.3g vs best of λ ≤ 8 %.3g and λ=1 %.3g: the notes say large λ stops improving and jitters", l, f, bestSmall, r[1].Final.Eval)
		}
	}
}

func checkFrozenA(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	l, fa := m["lora"], m["lora-fa"]
	if 2*fa.Memory.Activations >= l.Memory.Activations {
		t.Errorf("activations: lora-fa %d B, lora %d B: the notes say less than half", fa.Memory.Activations, l.Memory.Activations)
	}
	if 2*fa.Params.Trainable != l.Params.Trainable {
		t.Errorf("trainable: lora-fa %d, lora %d: the notes say half", fa.Params.Trainable, l.Params.Trainable)
	}
	if fa.Final.Eval < 0.05 || l.Final.Eval > 1e-3 {
		t.Errorf("final eval: lora %.3g, lora-fa %.3g: the notes say about 3e-4 and near 0.1", l.Final.Eval, fa.Final.Eval)
	}
}

func checkVeRABudget(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	v, l := m["vera"], m["lora"]
	if v.Params.Trainable != 1280 || l.Params.Trainable != 512 {
		t.Errorf("trainable: vera %d, lora %d: the notes say 1,280 and 512", v.Params.Trainable, l.Params.Trainable)
	}
	if v.Final.Eval >= l.Final.Eval {
		t.Errorf("final eval: vera %.3g, lora %.3g: the notes say VeRA ends lower", v.Final.Eval, l.Final.Eval)
	}
	if v.Memory.Total < 3*l.Memory.Total {
		t.Errorf("memory: vera %d B, lora %d B: the notes say several times LoRA's", v.Memory.Total, l.Memory.Total)
	}
}

func checkBeyondRank(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	l, d, f := m["lora"], m["delta-lora"], m["full"]
	if l.Final.Eval < 0.02 {
		t.Errorf("lora final eval %.3g: the notes say it plateaus (rank 4 < the task's 16)", l.Final.Eval)
	}
	if d.Final.Eval < 0.95*l.Final.Eval {
		t.Errorf("delta-lora final eval %.3g vs lora %.3g: the notes say it does not get under LoRA's floor", d.Final.Eval, l.Final.Eval)
	}
	if f.Final.Eval > l.Final.Eval/5 {
		t.Errorf("full final eval %.3g vs lora %.3g: the notes say full keeps going down", f.Final.Eval, l.Final.Eval)
	}
	if d.Memory.Other <= l.Memory.Other {
		t.Errorf("delta-lora keeps the previous A and B: other memory %d vs lora %d", d.Memory.Other, l.Memory.Other)
	}
}

func checkFullVsLoRA(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	f, l := m["full"], m["lora"]
	if f.Params.Trainable != 66048 || l.Params.Trainable != 8192 {
		t.Errorf("trainable: full %d, lora %d: the notes say 66,048 and 8,192", f.Params.Trainable, l.Params.Trainable)
	}
	if ratio := float64(f.Memory.Total) / float64(l.Memory.Total); ratio < 1.8 {
		t.Errorf("memory: full %d B, lora %d B (×%.2f): the notes say about twice", f.Memory.Total, l.Memory.Total, ratio)
	}
	if f.Final.Eval > l.Final.Eval/5 || l.Final.Eval < 0.02 {
		t.Errorf("final eval: full %.3g, lora %.3g: the notes say LoRA levels off near 0.03 and full goes far lower", f.Final.Eval, l.Final.Eval)
	}
}

func (p Preset) mustSteps(t *testing.T) int {
	t.Helper()
	cfg, err := p.Config()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Steps
}
