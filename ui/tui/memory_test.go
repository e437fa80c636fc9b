package tui

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestMemoryNotesUnderBars checks that a method whose toy memory misleads at
// LLM scale (LoRA-FA, VeRA) gets its note under the bars, once, that a method
// without one gets none, and that the notes give way when the pane is short.
func TestMemoryNotesUnderBars(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "lora-fa")})
	p := paneOf[*MemoryPane](m)
	var fa, lora lab.MethodInfo
	for _, info := range m.lab.Infos {
		switch info.Name {
		case "lora-fa":
			fa = info
		case "lora":
			lora = info
		}
	}
	if fa.MemoryNote == "" || lora.MemoryNote != "" {
		t.Fatalf("LoRA-FA note %q, LoRA note %q: want one and none", fa.MemoryNote, lora.MemoryNote)
	}
	p.SetSize(110, 30)
	got := p.render()
	if n := strings.Count(got, fa.MemoryNote); n != 1 {
		t.Errorf("LoRA-FA's note shown %d times, want once:\n%s", n, got)
	}
	if strings.Contains(got, "LoRA: ") {
		t.Errorf("LoRA has no note but one is shown:\n%s", got)
	}
	p.SetSize(110, 4) // legend, two bars: no row to spare
	if got := p.render(); strings.Contains(got, fa.MemoryNote) {
		t.Errorf("note shown in a pane without room for it:\n%s", got)
	}
}
