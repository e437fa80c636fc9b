package tui

// Tests of the problems a user walkthrough of the lab found (the sweep
// presets, the sweep dialog, X, the quit summary, y), one per problem.

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/presets"
)

// oneSpace is s without styles and frames, every run of white space one
// space (text wrapped over lines reads as one line).
func oneSpace(s string) string {
	s = strings.NewReplacer("│", " ", "┃", " ").Replace(ansi.Strip(s))
	return strings.Join(strings.Fields(s), " ")
}

// TestSweepPresetSaysHowToRun: a sweep preset, opened (tui --preset) or
// loaded with the picker, says on the status line, on the empty chart and
// in the footer how to run its sweep — w, then enter — and r, which races
// its one marked method, says so too.
func TestSweepPresetSaysHowToRun(t *testing.T) {
	n := 0
	for _, p := range presets.BuiltIn() {
		if p.Mode != presets.Sweep || p.Sweep == nil {
			continue
		}
		n++
		want := "this preset is a sweep of " + p.Sweep.Setting + " over " + strings.Join(p.Sweep.Values, ",") + ": press w, then enter, to run it"
		m := presetModel(t, 80, 24, p.Name)
		if m.lab.Message != want {
			t.Errorf("%s opened: message %q, want %q", p.Name, m.lab.Message, want)
		}
		v := oneSpace(m.View())
		if !strings.Contains(v, "This preset is a sweep of "+p.Sweep.Setting) || !strings.Contains(v, "press w, then enter, to run it") ||
			!strings.Contains(v, "w, then enter, runs the preset's sweep") || strings.Contains(v, "Press enter to train") {
			t.Errorf("%s opened: the screen does not say how to run the sweep:\n%s", p.Name, m.View())
		}
		picked := newTestModel(t, 80, 24)
		if err := picked.lab.LoadPreset(p); err != nil {
			t.Fatal(err)
		}
		if msg := picked.lab.Message; msg != "preset "+p.Name+" loaded: "+want {
			t.Errorf("%s loaded: message %q", p.Name, msg)
		}
	}
	if n < 8 {
		t.Fatalf("only %d sweep presets", n)
	}
	// A race preset says nothing of the kind.
	if m := presetModel(t, 80, 24, "race-five"); strings.Contains(m.View(), "press w") || m.lab.SweepHint() != "" {
		t.Errorf("race-five speaks of a sweep:\n%s", m.View())
	}
	// r on a sweep preset races its one method and says what the preset is.
	m := presetModel(t, 80, 24, "rank-matters")
	m.lab.Config.Steps = 1_000_000
	press(m, "r")
	if !strings.Contains(m.lab.Message, "a race of one method: this preset is a sweep of rank") {
		t.Errorf("r on a sweep preset: %q", m.lab.Message)
	}
}
