package tui

import (
	"strings"
	"testing"
)

// TestSameReasonEverywhere: rank = 0 and lr = -0.1 are refused for the
// setting's own reason in a preset file the picker lists and in the
// settings pane, as the command line's flags refuse them.
func TestSameReasonEverywhere(t *testing.T) {
	dir := t.TempDir()
	writePreset(t, dir, "r0.toml", "name = \"r0\"\nmode = \"race\"\nmethods = [\"lora\", \"vera\"]\n[settings]\nrank = 0\n")
	writePreset(t, dir, "lrneg.toml", "name = \"lrneg\"\nmode = \"race\"\nmethods = [\"lora\", \"vera\"]\n[settings]\nlr = -0.1\n")
	m := newTestModelWith(t, 120, 40, Options{PresetDir: dir})
	pressRun(m, "p")
	errs := strings.Join(paneOf[*PresetPicker](m).Errors(), "\n")
	for _, want := range []string{"rank 0: must be at least 1", "lr -0.1: must be a finite number above 0"} {
		if !strings.Contains(errs, want) {
			t.Errorf("picker errors lack %q:\n%s", want, errs)
		}
	}
	press(m, "esc")
	sp := paneOf[*SettingsPane](m)
	for _, c := range [][3]string{{"rank", "0", "rank 0: must be at least 1"}, {"lr", "-0.1", "lr -0.1: must be a finite number above 0"}} {
		m.focus = 1
		for sp.Current() != c[0] {
			press(m, "down")
		}
		press(m, "enter")
		sp.input.SetValue(c[1])
		press(m, "enter")
		if !strings.Contains(sp.Err(), c[2]) {
			t.Errorf("settings pane: %s = %s refused with %q, want %q", c[0], c[1], sp.Err(), c[2])
		}
		press(m, "esc")
	}
}
