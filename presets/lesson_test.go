package presets

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/scale"
)

// lessonSeeds are the seeds every claim of every built-in preset's notes is
// checked at: a claim that holds at one seed only is not a lesson.
var lessonSeeds = []uint64{1, 2, 3}

// lessonChecks holds one check per built-in preset: it gets one seed's
// results, in the preset's job order, and fails unless they show what the
// notes say.
var lessonChecks = map[string]func(t *testing.T, p Preset, rs []*lab.Result){
	"race-five":      checkRaceFive,
	"rank-matters":   checkRankMatters,
	"rslora-rank":    checkRSLoRARank,
	"loraplus-tuned": checkLoRAPlusTuned,
	"frozen-a":       checkFrozenA,
	"vera-budget":    checkVeRABudget,
	"vera-rank":      checkVeRARank,
	"beyond-rank":    checkBeyondRank,
	"dora-vs-lora":   checkDoRAVsLoRA,
	"pissa-vs-lora":  checkPiSSAVsLoRA,
	"full-vs-lora":   checkFullVsLoRA,
}

// TestBuiltInLessons runs every built-in preset headless at seeds 1, 2 and
// 3 (the lessons on the character-level model are in textLessons), the way the lab runs it (lab.ExecuteAll, two cores shared by all its
// runs), checks at every seed that it shows what its notes claim, and that a
// seed takes well under a minute. The numbers are deterministic (seeded);
// only the timings vary.
func TestBuiltInLessons(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every built-in preset; skipped with -short")
	}
	if raceEnabled {
		t.Skip("trains every built-in preset; too slow under the race detector")
	}
	for _, p := range BuiltIn() {
		t.Run(p.Name, func(t *testing.T) {
			check, ok := lessonChecks[p.Name]
			if !ok {
				check, ok = textLessons[p.Name]
			}
			if !ok {
				t.Fatalf("built-in preset %s has no lesson check", p.Name)
			}
			jobs, err := p.Jobs()
			if err != nil {
				t.Fatal(err)
			}
			var all []lab.Job
			for _, seed := range lessonSeeds {
				for _, j := range jobs {
					cfg := j.Config
					cfg.Seed = seed
					all = append(all, lab.Job{Method: j.Method, Task: j.Task, Config: cfg})
				}
			}
			start := time.Now()
			rs, err := lab.ExecuteAll(context.Background(), all, 2, nil)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			t.Logf("%s: %d runs at %d seeds in %.1f s", p.Name, len(rs), len(lessonSeeds), took.Seconds())
			if per := took / time.Duration(len(lessonSeeds)); per > time.Minute {
				t.Errorf("%s took %v a seed: a preset must show its lesson within a minute", p.Name, per)
			}
			for k, seed := range lessonSeeds {
				seedRuns := rs[k*len(jobs) : (k+1)*len(jobs)]
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					for i, r := range seedRuns {
						t.Logf("  %-26s %-8s final eval %.3g (at 10%%: %.3g) to 1e-3 at %d, forgetting %.3g, trainable %d memory %d B (activations %d B)",
							p.JobLabel(i), r.Status, r.Final.Eval, evalAt(r, r.Config.Steps/10), stepsTo(r, 1e-3), r.Final.Forget, r.Params.Trainable, r.Memory.Total, r.Memory.Activations)
					}
					check(t, p, seedRuns)
				})
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

// stepsTo returns the first step whose eval loss is at most target, or −1.
func stepsTo(r *lab.Result, target float64) int {
	for _, pt := range r.History {
		if pt.Eval <= target {
			return pt.Step
		}
	}
	return -1
}

// byMethod indexes a race's results by method name.
func byMethod(rs []*lab.Result) map[string]*lab.Result {
	m := map[string]*lab.Result{}
	for _, r := range rs {
		m[r.Method] = r
	}
	return m
}

// sweepRuns indexes a sweep's results by method and the swept setting's value.
func sweepRuns(t *testing.T, p Preset, rs []*lab.Result) map[string]map[string]*lab.Result {
	t.Helper()
	set, err := Catalog.Setting(p.Sweep.Setting)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]*lab.Result{}
	for _, r := range rs {
		if out[r.Method] == nil {
			out[r.Method] = map[string]*lab.Result{}
		}
		out[r.Method][set.Get(r.Config)] = r
	}
	return out
}

func done(t *testing.T, rs ...*lab.Result) {
	t.Helper()
	for _, r := range rs {
		if r.Status != lab.Done {
			t.Errorf("%s: status %s (%s), want done", r.Method, r.Status, r.Reason)
		}
	}
}

// within reports whether x lies in [lo, hi].
func within(x, lo, hi float64) bool { return x >= lo && x <= hi }

func checkRaceFive(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	for _, name := range []string{"lora", "lora-plus", "delta-lora"} {
		if got := m[name].Final.Eval; got > 1e-3 {
			t.Errorf("%s final eval %.3g: the notes say it ends near the noise floor, below 1e-3", name, got)
		}
	}
	if fa, l := m["lora-fa"].Final.Eval, m["lora"].Final.Eval; fa < 0.05 || fa < 100*l {
		t.Errorf("lora-fa final eval %.3g (lora %.3g): the notes say it stalls near 0.1", fa, l)
	}
	if v, fa, l := m["vera"].Final.Eval, m["lora-fa"].Final.Eval, m["lora"].Final.Eval; v >= fa || v < 100*l || v < 0.03 {
		t.Errorf("vera final eval %.3g (lora-fa %.3g, lora %.3g): the notes say VeRA stalls below LoRA-FA, far above LoRA", v, fa, l)
	}
	v, fa := m["vera"], m["lora-fa"]
	if v.Memory.Total < 3*m["full"].Memory.Total/2 || v.Params.Trainable >= m["lora"].Params.Trainable {
		t.Errorf("vera memory %d B vs full %d B, trainable %d vs lora %d: the notes say about twice full's memory here, fewer trainable than LoRA",
			v.Memory.Total, m["full"].Memory.Total, v.Params.Trainable, m["lora"].Params.Trainable)
	}
	for _, r := range rs {
		if r != fa && r.Memory.Total <= fa.Memory.Total {
			t.Errorf("%s memory %d ≤ lora-fa's %d: the notes say LoRA-FA holds the least here", r.Method, r.Memory.Total, fa.Memory.Total)
		}
	}
	raceFiveClaims(t, m)
}

func checkRankMatters(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	runs := sweepRuns(t, p, rs)["lora"]
	final := func(r string) float64 { return runs[r].Final.Eval }
	if !within(final("1"), 0.05, 0.12) || !within(final("2"), 0.02, 0.06) {
		t.Errorf("r = 1 ends at %.3g, r = 2 at %.3g: the notes say near 0.08 and 0.04", final("1"), final("2"))
	}
	for _, r := range []string{"4", "8", "16", "32"} {
		if final(r) > 3e-4 {
			t.Errorf("r = %s ends at %.3g: the notes say the noise floor, about 1e-4", r, final(r))
		}
	}
	lo, hi := math.MaxInt, 0
	for _, r := range []string{"8", "16", "32"} {
		s := stepsTo(runs[r], 1e-3)
		if s < 0 {
			t.Fatalf("r = %s never reached 1e-3", r)
		}
		lo, hi = min(lo, s), max(hi, s)
	}
	if hi > lo*5/4 {
		t.Errorf("ranks 8–32 reach 1e-3 after %d to %d steps: the notes say about the same number (with α/r)", lo, hi)
	}
	if s := runs["8"].Config; s.Alpha != lab.DefaultAlpha || s.RSLoRA {
		t.Errorf("α %g, rsLoRA %v: the notes say PEFT's α = 8 and s = α/r", s.Alpha, s.RSLoRA)
	}
}

func checkRSLoRARank(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	runs := sweepRuns(t, p, rs)["lora"]
	if f1, f2 := runs["1"].Final.Eval, runs["2"].Final.Eval; f1 < 0.05 || f2 < 0.02 {
		t.Errorf("r = 1 ends at %.3g, r = 2 at %.3g: the notes say they plateau as with α/r", f1, f2)
	}
	s8, s32 := stepsTo(runs["8"], 1e-3), stepsTo(runs["32"], 1e-3)
	if s8 < 0 || s32 < 0 || s32 >= s8*9/10 {
		t.Errorf("to 1e-3: r = 32 after %d steps, r = 8 after %d: the notes say the higher rank is now faster", s32, s8)
	}
	floor := runs["4"].Final.Eval
	for _, r := range []string{"16", "32"} {
		if f := runs[r].Final.Eval; f < 2*floor || f > 1e-3 {
			t.Errorf("r = %s ends at %.3g, r = 4 at %.3g: the notes say ranks 16 and 32 end above the floor, below 1e-3", r, f, floor)
		}
	}
	if !runs["8"].Config.RSLoRA {
		t.Error("the runs do not use rsLoRA")
	}
}

func checkLoRAPlusTuned(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	runs := sweepRuns(t, p, rs)
	lora, plus := runs["lora"], runs["lora-plus"]
	for _, lr := range []string{"0.001", "0.002"} {
		if a, b := plus[lr].Final.Eval, lora[lr].Final.Eval; a > b/3 {
			t.Errorf("at lr %s LoRA+ ends at %.3g, LoRA at %.3g: the notes say LoRA+ ends 3–5× lower at one rate below LoRA's best", lr, a, b)
		}
	}
	best := func(m map[string]*lab.Result) (steps int, lr string, final float64) {
		steps, final = math.MaxInt, math.Inf(1)
		for v, r := range m {
			if s := stepsTo(r, 1e-3); s >= 0 && s < steps {
				steps, lr = s, v
			}
			final = math.Min(final, r.Final.Eval)
		}
		return steps, lr, final
	}
	ls, llr, lf := best(lora)
	ps, plr, pf := best(plus)
	if ls > ps {
		t.Errorf("each at its best rate: LoRA reaches 1e-3 after %d steps (lr %s), LoRA+ after %d (lr %s): the notes say LoRA is no later", ls, llr, ps, plr)
	}
	if lf > 2e-4 || pf > 2e-4 {
		t.Errorf("best finals: LoRA %.3g, LoRA+ %.3g: the notes say both reach the noise floor", lf, pf)
	}
	if adapters.LRRatio.Float(plus["0.001"].Config) != 16 || plus["0.001"].Config.Schedule != lab.ScheduleCosine {
		t.Error("the notes say λ = 16 under a cosine schedule")
	}
}

func checkFrozenA(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	runs := sweepRuns(t, p, rs)
	l, fa := runs["lora"], runs["lora-fa"]
	if f := fa["0"].Final.Eval; f < 0.2 {
		t.Errorf("on isotropic inputs LoRA-FA ends at %.3g: the notes say it stalls near 0.4–0.6", f)
	}
	if f := l["0"].Final.Eval; f > 1e-3 {
		t.Errorf("on isotropic inputs LoRA ends at %.3g: the notes say about 5e-4", f)
	}
	if f, lf := fa["8"].Final.Eval, l["8"].Final.Eval; f > 5e-4 || f > 3*lf {
		t.Errorf("on 8-dimensional inputs LoRA-FA ends at %.3g (LoRA %.3g): the notes say about 2e-4, as good as LoRA", f, lf)
	}
	if fa["0"].Memory.Activations >= l["0"].Memory.Activations || 2*fa["0"].Params.Trainable != l["0"].Params.Trainable {
		t.Errorf("activations: lora-fa %d B, lora %d B; trainable %d and %d: the notes say fewer activation bytes (and half the trainable numbers)",
			fa["0"].Memory.Activations, l["0"].Memory.Activations, fa["0"].Params.Trainable, l["0"].Params.Trainable)
	}
	for _, sp := range fa["0"].Spectrum {
		if sp.TargetInRowSpace == nil || *sp.TargetInRowSpace > 0.5 {
			t.Errorf("%s: share of the target shift in A's row space %v: most of it should lie outside", sp.Layer, sp.TargetInRowSpace)
		}
	}
	o := scale.DefaultOptions()
	o.Rank, o.Batch, o.Seq = 32, 4, 768
	for method, gb := range map[string]float64{"lora": 21.2, "lora-fa": 19.0} {
		if peak := float64(llmEstimate(t, "llama-3.2-3b", method, o).Bytes.Peak) / 1e9; math.Abs(peak-gb) > 0.03*gb {
			t.Errorf("Llama-3.2-3B, %s r = 32, 4×768: the calculator says %.1f GB, the notes %.1f GB", method, peak, gb)
		}
	}
}

func checkVeRABudget(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	v, l := m["vera"], m["lora"]
	if v.Params.Trainable != 1280 || l.Params.Trainable != 512 {
		t.Errorf("trainable: vera %d, lora %d: the notes say 1,280 and 512", v.Params.Trainable, l.Params.Trainable)
	}
	if v.Final.Eval >= l.Final.Eval || !within(v.Final.Eval, 0.04, 0.08) || !within(l.Final.Eval, 0.06, 0.1) {
		t.Errorf("final eval: vera %.3g, lora %.3g: the notes say VeRA ends lower, 0.05–0.07 against 0.07–0.085", v.Final.Eval, l.Final.Eval)
	}
	if v.Memory.Total < 3*l.Memory.Total {
		t.Errorf("memory: vera %d B, lora %d B: the notes say several times LoRA's here", v.Memory.Total, l.Memory.Total)
	}
	o := scale.DefaultOptions()
	lora := llmEstimate(t, "llama-3.2-1b", "lora", o)
	o.Rank = 256
	vera := llmEstimate(t, "llama-3.2-1b", "vera", o)
	if vera.Params.Trainable != 49152 || lora.Params.Trainable != 851968 || vera.Bytes.Total >= lora.Bytes.Total || vera.Bytes.Total < lora.Bytes.Total*9/10 {
		t.Errorf("Llama-3.2-1B: VeRA r = 256 trains %d and holds %d B, LoRA r = 8 %d and %d B: the notes say 49,152 against 851,968, slightly less in total",
			vera.Params.Trainable, vera.Bytes.Total, lora.Params.Trainable, lora.Bytes.Total)
	}
}

func checkVeRARank(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	runs := sweepRuns(t, p, rs)["vera"]
	prev := math.Inf(1)
	for _, r := range []string{"16", "64", "256", "1024"} {
		f := runs[r].Final.Eval
		if f >= prev {
			t.Errorf("r = %s ends at %.3g, not below the smaller rank's %.3g: the notes say the plateau falls with r", r, f, prev)
		}
		prev = f
	}
	if f := runs["1024"].Final.Eval; f > 0.04 || runs["16"].Final.Eval < 0.09 {
		t.Errorf("r = 16 ends at %.3g, r = 1024 at %.3g: the notes say about 0.14 and 0.027", runs["16"].Final.Eval, f)
	}
	if runs["16"].Params.Trainable != 320 || runs["1024"].Params.Trainable != 4352 {
		t.Errorf("trainable %d and %d: the notes say 320 and 4,352", runs["16"].Params.Trainable, runs["1024"].Params.Trainable)
	}
	if runs["1024"].Memory.Total <= runs["16"].Memory.Total {
		t.Error("the notes say memory grows with r")
	}
}

func checkBeyondRank(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	l, d, f := m["lora"], m["delta-lora"], m["full"]
	if !within(l.Final.Eval, 0.035, 0.05) {
		t.Errorf("lora final eval %.3g: the notes say it plateaus near 0.04–0.045", l.Final.Eval)
	}
	if d.Final.Eval < l.Final.Eval || d.Final.Eval > 1.25*l.Final.Eval {
		t.Errorf("delta-lora final eval %.3g vs lora %.3g: the notes say it ends a little higher, not under LoRA's floor", d.Final.Eval, l.Final.Eval)
	}
	for _, sp := range d.Spectrum {
		if sp.Rank != 2*d.Config.Rank || sp.Energy99 > d.Config.Rank+1 {
			t.Errorf("%s: Delta-LoRA's ΔW rank %d, 99 %% of its energy in %d directions: the notes say 2r = 8, and 4 or 5", sp.Layer, sp.Rank, sp.Energy99)
		}
	}
	if f.Final.Eval > 5e-4 {
		t.Errorf("full final eval %.3g: the notes say it keeps going down, to about 6e-4", f.Final.Eval)
	}
	if d.Memory.Other <= l.Memory.Other {
		t.Errorf("delta-lora keeps the previous A and B: other memory %d vs lora %d", d.Memory.Other, l.Memory.Other)
	}
}

func checkDoRAVsLoRA(t *testing.T, p Preset, rs []*lab.Result) {
	m := byMethod(rs)
	done(t, rs...)
	l, d, f := m["lora"], m["dora"], m["full"]
	if !within(l.Final.Eval, 0.008, 0.015) {
		t.Errorf("lora final eval %.3g: the notes say it levels off near 0.01", l.Final.Eval)
	}
	if d.Final.Eval > 3e-4 || d.Final.Eval > l.Final.Eval/15 || d.Final.Eval >= f.Final.Eval {
		t.Errorf("dora %.3g, lora %.3g, full %.3g: the notes say DoRA reaches about 4e-4, below full fine-tuning", d.Final.Eval, l.Final.Eval, f.Final.Eval)
	}
	if r := float64(d.Memory.Total) / float64(l.Memory.Total); !within(r, 1.3, 1.7) {
		t.Errorf("memory: dora %d B, lora %d B (×%.2f): the notes say about 1.5×", d.Memory.Total, l.Memory.Total, r)
	}
}

func checkPiSSAVsLoRA(t *testing.T, p Preset, rs []*lab.Result) {
	done(t, rs...)
	runs := sweepRuns(t, p, rs)
	l, ps := runs["lora"], runs["pissa"]
	if f := l["random"].Final.Eval; f > 3e-4 {
		t.Errorf("random shift: LoRA ends at %.3g: the notes say the noise floor", f)
	}
	if f := ps["random"].Final.Eval; !within(f, 0.02, 0.04) {
		t.Errorf("random shift: PiSSA ends at %.3g: the notes say it levels off near 0.03", f)
	}
	if f, lf := ps["principal"].Final.Eval, l["principal"].Final.Eval; f > 4e-4 || f > 3*lf {
		t.Errorf("principal shift: PiSSA ends at %.3g, LoRA at %.3g: the notes say PiSSA fits it as LoRA does", f, lf)
	}
	if ps["random"].Speed.InitSeconds <= 0 {
		t.Error("the notes say the SVD's time is shown (init)")
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
	if !within(f.Final.Eval, 0.003, 0.006) || !within(l.Final.Eval, 0.025, 0.035) {
		t.Errorf("final eval: full %.3g, lora %.3g: the notes say LoRA levels off near 0.03 and full goes to about 0.004", f.Final.Eval, l.Final.Eval)
	}
}

// raceFiveClaims checks the race-five notes' claims about how the methods
// finish against each other, and what they say about memory at LLM scale.
func raceFiveClaims(t *testing.T, m map[string]*lab.Result) {
	l, plus, delta, full := m["lora"], m["lora-plus"], m["delta-lora"], m["full"]
	if l.Final.Eval > 2e-4 {
		t.Errorf("lora ends at %.3g: the notes say the noise floor, about 1.2e-4", l.Final.Eval)
	}
	first := stepsTo(l, 1e-3)
	for name, r := range m {
		if s := stepsTo(r, 1e-3); r != l && s >= 0 && s <= first {
			t.Errorf("%s reaches 1e-3 after %d steps, lora after %d: the notes say LoRA is first", name, s, first)
		}
	}
	if f := plus.Final.Eval; f <= l.Final.Eval || f > 2*l.Final.Eval {
		t.Errorf("lora-plus ends at %.3g, lora at %.3g: the notes say a little above LoRA", f, l.Final.Eval)
	}
	if r := delta.Final.Eval / l.Final.Eval; !within(r, 1.5, 6) {
		t.Errorf("delta-lora ends at %.3g, %.1f× lora's: the notes say 2–5×", delta.Final.Eval, r)
	}
	if f := full.Final.Eval; !within(f, 2.5e-4, 8e-4) {
		t.Errorf("full ends at %.3g: the notes say 4e-4–6e-4", f)
	}
	for _, r := range []*lab.Result{l, plus, delta} {
		if s, sf := stepsTo(r, 1e-3), stepsTo(full, 1e-3); sf >= 0 && s >= sf {
			t.Errorf("%s reaches 1e-3 after %d steps, full after %d: the notes say full is the last of the four", r.Method, s, sf)
		}
	}
	if fa, v := m["lora-fa"].Final.Eval, m["vera"].Final.Eval; !within(fa, 0.06, 0.12) || !within(v, 0.04, 0.08) {
		t.Errorf("lora-fa ends at %.3g, vera at %.3g: the notes say near 0.08–0.1 and 0.05–0.07", fa, v)
	}
	for name, r := range m {
		if name != "vera" && r.Params.Trainable <= m["vera"].Params.Trainable {
			t.Errorf("%s trains %d numbers, vera %d: the notes say VeRA trains the fewest", name, r.Params.Trainable, m["vera"].Params.Trainable)
		}
	}
	o := scale.DefaultOptions()
	lora := llmEstimate(t, "llama-3.2-3b", "lora", o).Bytes.Peak
	o.Rank = m["vera"].Config.Rank
	if vera := llmEstimate(t, "llama-3.2-3b", "vera", o).Bytes.Peak; vera >= lora {
		t.Errorf("Llama-3.2-3B: VeRA r = %d peaks at %d B, LoRA at %d B: the notes say VeRA needs less there", o.Rank, vera, lora)
	}
}

// llmEstimate returns the memory calculator's estimate for a method on a
// model, the picture every preset note about LLM-scale memory must agree with.
func llmEstimate(t *testing.T, model, method string, o scale.Options) scale.Report {
	t.Helper()
	mdl, err := scale.LookupModel(model)
	if err != nil {
		t.Fatal(err)
	}
	meth, err := Catalog.Method(method)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scale.Estimate(mdl, meth, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
