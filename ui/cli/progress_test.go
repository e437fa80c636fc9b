package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// TestProgressBarNeverWraps: at every terminal width the bar's line stays
// short of the last column (a line that wraps leaves a stale copy at every
// redraw; the bar was 79 columns wide whatever the terminal), keeping the
// bar and the percentage and dropping the details; wide enough, it shows
// the ETA.
func TestProgressBarNeverWraps(t *testing.T) {
	p := lab.Progress{Step: 1_040_000, Steps: 10_000_000, TrainLoss: 0.000312, StepsPerSec: 640, Status: lab.Running}
	for _, single := range []bool{true, false} {
		for w := 2; w <= 140; w++ {
			var out bytes.Buffer
			b := &progressBar{w: &out, single: single, width: w}
			b.update("delta-lora", p)
			line := strings.TrimPrefix(out.String(), "\r\033[K")
			if n := text.Width(line); n > w-1 {
				t.Fatalf("width %d (single %v): a line of %d cells: %q", w, single, n, line)
			}
			if w >= 40 && !strings.Contains(line, "10%") {
				t.Errorf("width %d: the percentage dropped: %q", w, line)
			}
			if w >= 100 && !strings.Contains(line, "ETA 3.9 hours") {
				t.Errorf("width %d: no ETA in %q", w, line)
			}
		}
	}
}
