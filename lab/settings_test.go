package lab_test

import (
	"math"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// TestSettingsRoundTrip: every setting's Get output is accepted by Set and
// gives the same value back, so flags, presets and reproduce lines agree.
func TestSettingsRoundTrip(t *testing.T) {
	cfg := defaults()
	cfg.Rank, cfg.Alpha, cfg.LR, cfg.RSLoRA, cfg.Seed = 16, 3.5, 1.25e-3, true, 42
	cfg = with(cfg, "noise", 0.03, "lr-ratio", 4, "lorafa-projected", true)
	for _, s := range catalog.Settings() {
		var fresh lab.Config
		if err := s.Set(&fresh, s.Get(cfg)); err != nil {
			t.Errorf("%s: Set(Get()) = %v", s.Name, err)
			continue
		}
		if s.Get(fresh) != s.Get(cfg) {
			t.Errorf("%s: %q after a round trip, want %q", s.Name, s.Get(fresh), s.Get(cfg))
		}
	}
}

// TestSettingSetRefusesBadText: each kind refuses text it cannot parse, with
// the setting's name first.
func TestSettingSetRefusesBadText(t *testing.T) {
	for name, bad := range map[string]string{"rank": "x", "lr": "NaN", "alpha": "Inf", "rslora": "maybe", "seed": "-1", "steps": "1.5"} {
		s, err := catalog.Setting(name)
		if err != nil {
			t.Fatal(err)
		}
		cfg := defaults()
		before := s.Get(cfg)
		err = s.Set(&cfg, bad)
		if err == nil || !strings.HasPrefix(err.Error(), name+" ") {
			t.Errorf("%s=%q: error %v, want one naming %s", name, bad, err, name)
		}
		if s.Get(cfg) != before {
			t.Errorf("%s=%q changed the value to %s", name, bad, s.Get(cfg))
		}
	}
	if _, err := catalog.Setting("colour"); err == nil || !strings.Contains(err.Error(), "rank") {
		t.Errorf("unknown setting: %v, want an error listing the settings", err)
	}
}

// TestSettingStepWalksTheLadder: ←/→ move to the neighbouring rung, from a
// value on the ladder or between rungs, and stop at the ends.
func TestSettingStepWalksTheLadder(t *testing.T) {
	s := setting("rank")
	cfg := defaults()
	cfg.Rank = 8
	if v, ok := s.Step(cfg, +1); !ok || v != "16" {
		t.Errorf("8 up: %q %v, want 16", v, ok)
	}
	if v, ok := s.Step(cfg, -1); !ok || v != "4" {
		t.Errorf("8 down: %q %v, want 4", v, ok)
	}
	cfg.Rank = 10 // between rungs
	if v, _ := s.Step(cfg, +1); v != "16" {
		t.Errorf("10 up: %q, want 16", v)
	}
	if v, _ := s.Step(cfg, -1); v != "8" {
		t.Errorf("10 down: %q, want 8", v)
	}
	cfg.Rank = 1
	if _, ok := s.Step(cfg, -1); ok {
		t.Error("stepped below the ladder's first rung")
	}
	cfg.Rank = lab.MaxVeraRank
	if _, ok := s.Step(cfg, +1); ok {
		t.Error("stepped above the ladder's last rung")
	}
	b := setting("rslora")
	if v, ok := b.Step(cfg, +1); !ok || v != "true" {
		t.Errorf("bool step: %q %v, want true", v, ok)
	}
}

// TestDiffListsChangedSettings: Diff names exactly the settings that differ.
func TestDiffListsChangedSettings(t *testing.T) {
	a := defaults()
	b := a
	b.Rank = 4
	b = with(b, "noise", 0.2)
	d := lab.Diff(catalog.Settings(), a, b)
	if len(d) != 2 || d[0] != [2]string{"rank", "4"} || d[1] != [2]string{"noise", "0.2"} {
		t.Fatalf("Diff = %v, want rank=4 and noise=0.2", d)
	}
	if len(lab.Diff(catalog.Settings(), a, a)) != 0 {
		t.Fatal("Diff of equal configs is not empty")
	}
}

// TestParseValues: lists and ranges, and the bad ones refused.
func TestParseValues(t *testing.T) {
	good := map[string]string{
		"rank=1,2, 4":           "1 2 4",
		"lr=1e-4..1e-2:log:3":   "0.0001 0.001 0.01",
		"rank=1..16:log:5":      "1 2 4 8 16",
		"task-rank=1..4:lin:7":  "1 2 3 4", // integer values rounded, duplicates dropped
		"rank=1 .. 8 : lin : 2": "1 8",
	}
	for in, want := range good {
		name, text, _ := strings.Cut(in, "=")
		got, err := lab.ParseValues(setting(name), text)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %v %v, want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"rank=", "rank=x", "lr=1..inf:lin:3", "lr=0..1:log:3", "rank=1..1e300:lin:2",
		"rank=1..8:cubic:3", "rank=1..8:lin:1", "rank=1..8:lin:999", "nope=1,2"} {
		name, text, _ := strings.Cut(in, "=")
		s, err := catalog.Setting(name)
		if err != nil {
			continue // an unknown setting is refused by the lookup
		}
		if got, err := lab.ParseValues(s, text); err == nil {
			t.Errorf("%s accepted as %v", in, got)
		}
	}
}

// TestSweepJobs: one job per (method, value), methods outer; a value that
// Prepare would replace by a default (0) is refused, as are settings that
// cannot be swept.
func TestSweepJobs(t *testing.T) {
	base := tinyConfig()
	base.Alpha = 0 // the default: it must not follow the swept rank
	jobs, err := lab.Sweep{Setting: setting("rank"), Values: []string{"1", "2"}, Methods: []lab.Method{adapters.LoRA{}, adapters.VeRA{}}, Task: tasks.Shift{}, Base: base}.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		method string
		rank   int
	}{{"lora", 1}, {"lora", 2}, {"vera", 1}, {"vera", 2}}
	if len(jobs) != len(want) {
		t.Fatalf("%d jobs, want %d", len(jobs), len(want))
	}
	for i, w := range want {
		if jobs[i].Method.Info().Name != w.method || jobs[i].Config.Rank != w.rank || jobs[i].Config.Alpha != lab.DefaultAlpha {
			t.Errorf("job %d: %s rank %d alpha %v, want %s rank %d", i, jobs[i].Method.Info().Name, jobs[i].Config.Rank, jobs[i].Config.Alpha, w.method, w.rank)
		}
	}
	for _, bad := range []lab.Sweep{
		{Setting: setting("rank"), Values: []string{"0", "4"}},
		{Setting: setting("lr"), Values: []string{"0"}},
		{Setting: setting("steps"), Values: []string{"10", "20"}},
		{Setting: setting("rank"), Values: nil},
		{Setting: setting("rank"), Values: []string{"99"}}, // above the width for LoRA
	} {
		bad.Methods, bad.Task, bad.Base = []lab.Method{adapters.LoRA{}}, tasks.Shift{}, base
		if _, err := bad.Jobs(); err == nil {
			t.Errorf("sweep of %s over %v accepted", bad.Setting.Name, bad.Values)
		}
	}
}

// TestLeaderboard: ranked by eval loss, diverged and cancelled last, a run
// without history shows no loss, steps to target from the history, and a
// winner only once every run has ended.
func TestLeaderboard(t *testing.T) {
	hist := func(evals ...float64) []lab.Point {
		var h []lab.Point
		for i, e := range evals {
			h = append(h, lab.Point{Step: 10 * i, Eval: e})
		}
		return h
	}
	res := func(method string, st lab.Status, h []lab.Point) *lab.Result {
		r := &lab.Result{Method: method, Status: st, History: h}
		if len(h) > 0 {
			r.Final = h[len(h)-1]
		}
		return r
	}
	results := []*lab.Result{
		res("diverged", lab.Diverged, hist(1, math.NaN())),
		res("slow", lab.Done, hist(1, 0.5, 0.1)),
		res("queued-cancel", lab.Cancelled, nil),
		res("fast", lab.Done, hist(1, 0.05, 0.01)),
	}
	board := lab.Leaderboard(results, 0.06)
	order := []string{"fast", "slow", "diverged", "queued-cancel"}
	for i, s := range board {
		if s.Method != order[i] || s.Place != i+1 {
			t.Fatalf("place %d: %s, want %s (board %+v)", i+1, s.Method, order[i], board)
		}
	}
	if !board[0].Winner || board[1].Winner {
		t.Error("the best finished run is not the only winner")
	}
	if board[0].StepsToTarget != 10 || board[1].StepsToTarget != -1 {
		t.Errorf("steps to 0.06: fast %d (want 10), slow %d (want -1)", board[0].StepsToTarget, board[1].StepsToTarget)
	}
	if !math.IsNaN(board[3].EvalLoss) {
		t.Errorf("a run with no history shows eval loss %v, want NaN (none)", board[3].EvalLoss)
	}
	results[1].Status = lab.Running
	if lab.Leaderboard(results, 0.06)[0].Winner {
		t.Error("a winner while a run is still running")
	}
}

// TestSettingAppliesTo: method settings mean something only for their
// method; rank only for methods with one; the rest for all.
func TestSettingAppliesTo(t *testing.T) {
	for _, c := range []struct {
		setting, method string
		want            bool
	}{
		{"lr-ratio", "lora-plus", true}, {"lr-ratio", "lora", false},
		{"vera-d-init", "vera", true}, {"vera-d-init", "lora", false},
		{"delta-start", "delta-lora", true}, {"delta-ratio", "full", false},
		{"lorafa-projected", "lora-fa", true}, {"lorafa-projected", "lora", false},
		{"rank", "vera", true}, {"rank", "full", false}, {"alpha", "full", false},
		{"lr", "full", true}, {"steps", "vera", true},
	} {
		m, _ := adapters.Lookup(c.method)
		if got := lab.Applies(c.setting, m, tasks.Shift{}); got != c.want {
			t.Errorf("%s applies to %s: %v, want %v", c.setting, c.method, got, c.want)
		}
	}
}
