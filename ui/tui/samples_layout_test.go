package tui

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/presets"
)

// TestPresetBringsTheSamplesPane checks that loading a text task's preset
// from the picker shows the samples pane at once, and loading a shift
// preset again hides it, without a resize (the layout was computed on
// resizes only, so the samples pane of charlm-race stayed hidden).
func TestPresetBringsTheSamplesPane(t *testing.T) {
	m := newTestModel(t, 200, 60) // race-five: shift, no samples
	if strings.Contains(m.View(), "Samples") {
		t.Fatal("samples pane shown for the shift task")
	}
	for _, c := range []struct {
		preset string
		shown  bool
	}{{"charlm-race", true}, {"race-five", false}} {
		p, err := presets.Lookup(presets.BuiltIn(), c.preset)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.lab.LoadPreset(p); err != nil {
			t.Fatal(err)
		}
		m.Update(keyMsg("L")) // any message: the next frame
		if got := strings.Contains(m.View(), "╭─ Samples") || strings.Contains(m.View(), "┏━ ▸ Samples"); got != c.shown {
			t.Errorf("after %s: samples pane shown %v, want %v", c.preset, got, c.shown)
		}
	}
}
