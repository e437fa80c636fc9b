package tui

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestRaceSeatsByMemory: a race whose runs do not fit the memory budget
// together is started with fewer seated at once and says so on the status
// line; one whose single run exceeds the budget is refused with its estimate.
func TestRaceSeatsByMemory(t *testing.T) {
	probe := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera", "full")})
	var most int64
	for _, i := range probe.lab.RaceMethods() {
		cfg, err := prepare(probe.lab.Methods[i], probe.lab.Config)
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, lab.MemoryOf(jobOf(probe.lab.Methods[i], cfg)).Total())
	}
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera", "full"), Memory: 2*most + most/2})
	m.lab.Race()
	if msg := m.lab.Message; m.lab.MessageErr || !strings.Contains(msg, "memory: 2 of 3 at a time") {
		t.Fatalf("race message %q", msg)
	}
	small := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "vera", "full"), Memory: most / 2})
	small.lab.Race()
	if msg := small.lab.Message; !small.lab.MessageErr || !strings.Contains(msg, "race refused:") || !strings.Contains(msg, "more than the memory budget of") {
		t.Fatalf("race message %q", msg)
	}
	if small.lab.Active() != 0 {
		t.Fatal("a refused race started runs")
	}
}
