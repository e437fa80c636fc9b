package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// TestProgressBarTimeLeft: the bar gives the time so far and an estimate
// of the time left (elapsed < remaining), and fits 79 columns.
func TestProgressBarTimeLeft(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &progressBar{w: &out, single: true, now: func() time.Time { return now }}
	b.update("delta-lora", lab.Progress{Step: 0, Steps: 2000})
	now = now.Add(12 * time.Second)
	b.update("delta-lora", lab.Progress{Step: 1000, Steps: 2000, TrainLoss: 0.00031, StepsPerSec: 640})
	last := out.String()[strings.LastIndex(out.String(), "\r\x1b[K")+4:]
	if !strings.Contains(last, " 0:12 < 0:12") || !strings.Contains(last, "1,000/2,000") {
		t.Errorf("bar %q lacks the times", last)
	}
	if w := ansi.StringWidth(last); w > 79 {
		t.Errorf("bar is %d columns: %q", w, last)
	}
}

// TestProgressBarNeverWraps: at every terminal width the bar's line stays
// short of the last column (a line that wraps leaves a stale copy at every
// redraw; the bar was 79 columns wide whatever the terminal), keeping the
// bar and the percentage and dropping the details; wide enough, it shows
// the time left.
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
			if w >= 100 && !strings.Contains(line, "0:00 < 3:53:20") {
				t.Errorf("width %d: no time left in %q", w, line)
			}
		}
	}
}
