package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// progressBar draws one line on a terminal's stderr, rewritten in place:
//
//	lora       [██████████░░░░░░░░░░]  52%  1,040/2,000 steps  loss 0.00031  640/s
//
// It redraws at most every 100 ms and clears itself when done.
type progressBar struct {
	w      io.Writer
	single bool // one run: show its loss and speed too
	last   time.Time
	shown  bool
}

const barWidth = 20

// update redraws the bar for one run's progress.
func (b *progressBar) update(label string, p lab.Progress) {
	if time.Since(b.last) < 100*time.Millisecond && !p.Status.Final() {
		return
	}
	b.last = time.Now()
	frac := 0.0
	if p.Steps > 0 {
		frac = float64(p.Step) / float64(p.Steps)
	}
	filled := int(frac * barWidth)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled)
	line := fmt.Sprintf("%-10s [%s] %3.0f%%  %s/%s steps", label, bar, 100*frac, text.Count(int64(p.Step)), text.Count(int64(p.Steps)))
	if b.single { // one run: its loss and speed mean something
		line += fmt.Sprintf("  loss %s  %.0f/s", text.Loss(p.TrainLoss), p.StepsPerSec)
	}
	fmt.Fprintf(b.w, "\r\033[K%s", line) // at most 79 columns: no wrapping on an 80-column terminal
	b.shown = true
}

// clear erases the bar so the result starts on a clean line.
func (b *progressBar) clear() {
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
		b.shown = false
	}
}
