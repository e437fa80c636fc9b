package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestExplainShowsTheRunsSpectrum checks that once a method's run has
// ended, its explanation (i) adds what the run changed: for every layer the
// numerical and energy ranks of ΔW from the run's result, and for LoRA-FA
// the share of the target shift its frozen A reaches; and that a run ending
// while the explanation is open adds them in place.
func TestExplainShowsTheRunsSpectrum(t *testing.T) {
	m := newTestModel(t, 120, 40)
	i := m.lab.Index("lora-fa")
	m.lab.Cursor = i
	press(m, "i")
	ep := paneOf[*ExplainPane](m)
	if strings.Contains(ep.Text(), "This run") {
		t.Fatalf("explanation shows a run before there is one:\n%s", ep.Text())
	}
	cfg, err := m.lab.ConfigFor(i)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Steps, cfg.EvalEvery = 30, 10
	job, err := lab.Prepare(jobOf(m.lab.Methods[i], cfg))
	if err != nil {
		t.Fatal(err)
	}
	res, err := lab.Execute(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := fakeRun(m, i, 30, 30, lab.Done)
	r.Result = res
	m.lab.setRun(i, r) // the result arrives while the explanation is open
	m.View()
	text := ep.Text()
	if !strings.Contains(text, "This run: what ΔW = W_eff − W0 became") {
		t.Fatalf("explanation lacks the run's section after it ended:\n%s", text)
	}
	if len(res.Spectrum) == 0 {
		t.Fatal("the run has no spectrum")
	}
	for _, s := range res.Spectrum {
		want := fmt.Sprintf("rank %3d  90 %%: %3d  99 %%: %3d", s.Rank, s.Energy90, s.Energy99)
		if !strings.Contains(text, want) {
			t.Errorf("layer %s: explanation lacks %q:\n%s", s.Layer, want, text)
		}
	}
	if !strings.Contains(text, "of the task's target shift lies in A's row space") {
		t.Errorf("LoRA-FA's row-space share is missing:\n%s", text)
	}
}
