package tui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// TestBoardShowsThePaceInSlowMotion checks that while slow motion paces the
// runs, the leaderboard's steps/s is the pace they move at (at most the
// header's 10 steps/s), not the engine's speed between the waits (a room
// saw "speed 10 steps/s" in the header and 1.7k on the board).
func TestBoardShowsThePaceInSlowMotion(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "full"), Workers: 2})
	m.lab.Config.Steps = 100_000
	board := paneOf[*BoardPane](m)
	press(m, "r")
	drive(t, m, 60*time.Second, func() bool { return m.lab.Runs[0].StepsPerSec > 20 })
	// stepsPerSec is the last cell of LoRA's row on the board.
	stepsPerSec := func() string {
		for _, line := range strings.Split(ansi.Strip(board.View()), "\n") {
			if f := strings.Fields(line); len(f) > 3 && strings.Contains(line, "● LoRA") {
				return f[len(f)-1]
			}
		}
		t.Fatalf("no LoRA row on the board:\n%s", board.View())
		return ""
	}
	if v := stepsPerSec(); v == "10" || v == "—" {
		t.Fatalf("at full speed LoRA's steps/s is %s", v)
	}
	press(m, "-", "-", "-", "-") // max → 1000 → 200 → 50 → 10 steps/s
	got := stepsPerSec()
	if x, err := strconv.ParseFloat(got, 64); err != nil || x > 10 {
		t.Errorf("slowed to %s, the board says LoRA trains at %s steps/s:\n%s", SpeedLabel(m.lab.Speed), got, board.View())
	}
	// The status line's chips say the same (they said 1.7k/s).
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if chips := strings.Join(lines[len(lines)-2:], "\n"); strings.Contains(chips, "k/s") {
		t.Errorf("slowed to %s, the status line shows thousands of steps a second:\n%s", SpeedLabel(m.lab.Speed), chips)
	}
}

// TestSlowMotionPacesSweeps checks that slow motion paces a sweep's runs as
// it paces a race's (a room could not watch a sweep's chart move: it was
// over in two seconds at "speed 10 steps/s"), both for a sweep started slow
// and when the speed changes while it trains.
func TestSlowMotionPacesSweeps(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora")})
	m.lab.Config.Steps = 300
	press(m, "-", "-", "-", "-") // 10 steps a second
	start := time.Now()
	if err := m.lab.StartSweep("rank", "1,2"); err != nil {
		t.Fatal(err)
	}
	sw := m.lab.Sweep
	drive(t, m, 30*time.Second, func() bool { return sw.Runs[0].Step > 0 && sw.Runs[1].Step > 0 })
	limit := 10*time.Since(start).Seconds() + 10
	for _, r := range sw.Runs {
		if r.Status.Final() || float64(r.Step) > limit {
			t.Fatalf("at 10 steps/s, rank %s is at step %d (%s) %.1f s in", r.Value, r.Step, r.Status, time.Since(start).Seconds())
		}
	}
	press(m, "+", "+", "+", "+") // back to full speed: 300 steps take a fraction of a second
	drive(t, m, 20*time.Second, func() bool { return sw.Done() == len(sw.Runs) })
}
