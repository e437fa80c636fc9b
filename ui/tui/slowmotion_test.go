package tui

import (
	"strings"
	"testing"
	"time"
)

// TestBoardSaysSlowMotionPacesTheRuns checks that while slow motion paces
// the runs, the leaderboard says so, since its steps/s column is the
// engine's speed between the waits (a room saw "speed 10 steps/s" in the
// header and 1.7k steps/s on the board); at full speed it says nothing.
func TestBoardSaysSlowMotionPacesTheRuns(t *testing.T) {
	m := newTestModelWith(t, 120, 40, Options{Preset: marks("lora", "full"), Workers: 2})
	m.lab.Config.Steps = 100_000
	board := paneOf[*BoardPane](m)
	press(m, "r")
	drive(t, m, 60*time.Second, func() bool { return m.lab.Runs[0].Step > 0 && m.lab.Runs[m.lab.Index("full")].Step > 0 })
	if v := board.View(); strings.Contains(v, "slow motion") {
		t.Errorf("at full speed the board speaks of slow motion:\n%s", v)
	}
	press(m, "-", "-", "-", "-") // max → 1000 → 200 → 50 → 10 steps/s
	if v := board.View(); !strings.Contains(v, "slow motion: each run takes 10 steps/s") {
		t.Errorf("slowed to %s, the board does not say so:\n%s", SpeedLabel(m.lab.Speed), v)
	}
}
