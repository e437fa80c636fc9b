package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestTaskRowSwitchesTheTask checks the settings pane's task row: → moves
// the lab to the character LM as a new experiment — its defaults (fewer
// steps, a smaller batch), the earlier runs cleared, the marks and the
// cursor kept, its own settings (targets) in the pane and the samples pane
// on screen — and ← back to shift undoes all of it.
func TestTaskRowSwitchesTheTask(t *testing.T) {
	m := newTestModel(t, 200, 60)
	marked := slices.Clone(m.lab.Marked)
	cursor := m.lab.Cursor
	fakeRun(m, 0, 100, 100, lab.Done)
	press(m, "tab")
	toSetting(t, m, "task")
	press(m, "right")
	want := catalog.DefaultsFor("charlm")
	if c := m.lab.Config; c.Task != "charlm" || c.Steps != want.Steps || c.Batch != want.Batch {
		t.Fatalf("after →: task %s, steps %d, batch %d; want charlm's defaults (%d, %d)", c.Task, c.Steps, c.Batch, want.Steps, want.Batch)
	}
	if m.lab.AnyRun() || !slices.Equal(m.lab.Marked, marked) || m.lab.Cursor != cursor {
		t.Errorf("runs kept %v, marks %v (were %v), cursor %d (was %d)", m.lab.AnyRun(), m.lab.Marked, marked, m.lab.Cursor, cursor)
	}
	if !strings.Contains(m.lab.Message, "task charlm: a new experiment on its defaults") || !strings.Contains(m.lab.Message, "the earlier 1 run cleared") {
		t.Errorf("message: %q", m.lab.Message)
	}
	v := m.View()
	sp := paneOf[*SettingsPane](m)
	if !slices.ContainsFunc(sp.rows, func(r settingRow) bool { return r.name == "targets" }) || !strings.Contains(v, "Samples") {
		t.Errorf("charlm's settings (targets) or the samples pane missing:\n%s", v)
	}
	press(m, "left")
	if c := m.lab.Config; c.Task != "shift" || c.Steps != catalog.Defaults().Steps {
		t.Fatalf("after ←: task %s, steps %d", c.Task, c.Steps)
	}
	if strings.Contains(m.View(), "╭─ Samples") || slices.ContainsFunc(sp.rows, func(r settingRow) bool { return r.name == "targets" }) {
		t.Error("the samples pane or charlm's settings stayed for the shift task")
	}
}

// TestLongValueSurvivesAnEdit checks that a value longer than the settings
// field's 24 characters is offered whole, so moving the cursor in it and
// pressing enter keeps all of it (the field cut it, and the edit saved the
// cut list: 0.1 silently dropped from this grid).
func TestLongValueSurvivesAnEdit(t *testing.T) {
	m := newTestModel(t, 120, 40)
	press(m, "tab")
	toSetting(t, m, "lr-grid")
	long := "0.0001,0.0003,0.001,0.01,0.1"
	press(m, "enter", "ctrl+u")
	m.Update(keyMsg(long))
	press(m, "enter")
	if got := gridText(m.lab.Compare.Rates()); got != long {
		t.Fatalf("typed %q, the grid is %q (%s)", long, got, paneOf[*SettingsPane](m).Err())
	}
	press(m, "enter", "left", "right", "enter")
	if got, err := gridText(m.lab.Compare.Rates()), paneOf[*SettingsPane](m).Err(); got != long || err != "" {
		t.Errorf("after enter ← → enter the grid is %q (error %q), want %q", got, err, long)
	}
}
