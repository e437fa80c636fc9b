package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/loralab/loralab/lab"
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
	if !strings.Contains(last, " 0:12 < 0:12 ") || !strings.Contains(last, "1,000/2,000") {
		t.Errorf("bar %q lacks the times", last)
	}
	if w := ansi.StringWidth(last); w > 79 {
		t.Errorf("bar is %d columns: %q", w, last)
	}
}
