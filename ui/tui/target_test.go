package tui

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestBoardCountsToTheTasksTarget checks that the leaderboard counts steps
// to the target of the task its runs train: 1e-3 on shift, 3.2 nats on the
// character LM (where no run ever reaches 1e-3).
func TestBoardCountsToTheTasksTarget(t *testing.T) {
	for _, c := range []struct{ preset, want, not string }{
		{"race-five", "to 0.001", "to 3.2"},
		{"charlm-race", "to 3.2", "to 0.001"},
	} {
		m := presetModel(t, 120, 40, c.preset)
		fakeRun(m, 0, 100, 100, lab.Done)
		board := paneOf[*BoardPane](m).View()
		if !strings.Contains(board, c.want) || strings.Contains(board, c.not) {
			t.Errorf("%s: leaderboard should count steps %s, not %s:\n%s", c.preset, c.want, c.not, board)
		}
	}
}
