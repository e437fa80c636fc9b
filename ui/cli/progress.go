package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// progressBar draws one line on a terminal's stderr, rewritten in place,
// with the time so far and the time left as LlamaBoard shows them:
//
//	lora       [████████░░░░░░░░]  52% 1,040/2,000 0:12 < 0:11 loss 0.00031 640/s
//
// It redraws at most every 100 ms and clears itself when done.
type progressBar struct {
	w      io.Writer
	single bool // one run: show its loss and speed too
	last   time.Time
	shown  bool
	start  time.Time        // the first update
	now    func() time.Time // the clock (nil: time.Now)
}

const barWidth = 16

// update redraws the bar for one run's progress.
func (b *progressBar) update(label string, p lab.Progress) {
	now := time.Now
	if b.now != nil {
		now = b.now
	}
	t := now()
	if b.start.IsZero() {
		b.start = t
	}
	if t.Sub(b.last) < 100*time.Millisecond && !p.Status.Final() {
		return
	}
	b.last = t
	frac := 0.0
	if p.Steps > 0 {
		frac = float64(p.Step) / float64(p.Steps)
	}
	filled := min(barWidth, int(frac*barWidth))
	bar := strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled)
	line := fmt.Sprintf("%-10s [%s] %3.0f%% %s/%s", label, bar, 100*frac, text.Count(int64(p.Step)), text.Count(int64(p.Steps)))
	elapsed := t.Sub(b.start)
	line += " " + clock(elapsed)
	if frac > 0 && frac < 1 {
		line += " < " + clock(time.Duration(float64(elapsed)*(1-frac)/frac))
	}
	if b.single { // one run: its loss and speed mean something
		line += fmt.Sprintf(" loss %s %.0f/s", text.Loss(p.TrainLoss), p.StepsPerSec)
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

// clock formats a duration as m:ss (or h:mm:ss).
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
