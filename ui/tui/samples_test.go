package tui

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
)

// textTask is a preset on the first task whose model writes text.
func textTask(t *testing.T) *presets.Preset {
	for _, task := range catalog.Tasks {
		if task.Info().Samples {
			return &presets.Preset{Mode: presets.Race, Methods: []string{"lora", "vera", "full"},
				Settings: map[string]string{"task": task.Info().Name}}
		}
	}
	t.Fatal("no task writes text")
	return nil
}

// TestSamplesPane: on a task whose model writes text the samples pane is in
// the wide layout (between the loss chart and the memory) and in tab's
// rotation; before any sample it says so; samples that reach the store
// through progress and results stand side by side, each under its
// method's title and step, the prompt first, wrapped by characters with
// the line breaks kept; and on a task that writes no text there is no
// samples pane at all.
func TestSamplesPane(t *testing.T) {
	m := newTestModelWith(t, 140, 44, Options{Preset: textTask(t)})
	i := slotIndex(t, "samples")
	if !m.lo.visible(i) || m.lo.h[i] < 6 {
		t.Fatalf("samples pane not shown on a text task: height %d", m.lo.h[i])
	}
	p := paneOf[*SamplesPane](m)
	if v := p.View(); !strings.Contains(v, "No samples yet") {
		t.Errorf("empty samples pane:\n%s", v)
	}
	vi := m.lab.Index("vera")
	lora, vera := fakeRun(m, 0, 10, 100, lab.Running), fakeRun(m, vi, 10, 100, lab.Running)
	m.lab.Apply(runUpdate{ID: methodID(0), Gen: lora.Gen, HasProgress: true, Progress: lab.Progress{Step: 10, Steps: 100, Status: lab.Running, ForgetLoss: 1.5,
		Sample: lab.Sample{Step: 10, Prompt: "The", Text: " Rays of Light\n\tfunc main() {"}}})
	m.lab.Apply(runUpdate{ID: methodID(vi), Gen: vera.Gen, Result: &lab.Result{Status: lab.Done, Params: lab.Params{Total: 1},
		Samples: []lab.Sample{{Step: 0, Prompt: "The", Text: " old"}, {Step: 100, Prompt: "The", Text: " Colours are"}}}})
	if lora.Sample.Step != 10 || vera.Sample.Text != " Colours are" {
		t.Fatalf("store: lora sample %+v, vera sample %+v", lora.Sample, vera.Sample)
	}
	v := p.View()
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[0], "LoRA · step 10 · forget 1.5") || !strings.Contains(lines[0], "VeRA · step 100") {
		t.Errorf("headers side by side, want LoRA at step 10 and VeRA at 100:\n%s", v)
	}
	if !strings.Contains(lines[1], "The Rays of Light") || !strings.Contains(lines[1], "The Colours are") ||
		!strings.Contains(lines[2], "  func main() {") {
		t.Errorf("sample texts:\n%s", v)
	}
	if got := p.Title(); got != "Samples · from “The”" {
		t.Errorf("title %q", got)
	}
	for _, line := range lines {
		if w := len([]rune(line)); w > p.w {
			t.Errorf("line of %d cells in a pane of %d: %q", w, p.w, line)
		}
	}

	shift := newTestModel(t, 140, 44)
	if shift.lo.visible(i) {
		t.Error("samples pane shown on a task that writes no text")
	}
	for range paneSlots {
		press(shift, "tab")
		if shift.Focused() == "samples" {
			t.Fatal("tab reached the samples pane on a task that writes no text")
		}
	}
}

func slotIndex(t *testing.T, name string) int {
	for i, s := range paneSlots {
		if s.name == name {
			return i
		}
	}
	t.Fatalf("no slot %s", name)
	return -1
}

// TestWrapChars: a line per w characters, a new line at each line break,
// tabs as two spaces.
func TestWrapChars(t *testing.T) {
	got := wrapChars("abcdefg\n\thi", 3)
	want := []string{"abc", "def", "g", "  h", "i"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrapChars = %q, want %q", got, want)
	}
}
