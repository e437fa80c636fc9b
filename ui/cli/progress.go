package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// progressBar draws one line on a terminal's stderr, rewritten in place,
// with the time so far and the time left as LlamaBoard shows them:
//
//	lora       [██████████░░░░░░░░░░]  52%  1,040/2,000 steps  loss 0.00031  640/s  0:12 < 0:11
//
// It redraws at most every 100 ms and clears itself when done. The line
// never reaches the terminal's last column (a line that wraps leaves a stale
// copy at every redraw): on a narrow terminal it drops the speed, the
// loss, the step counts and the times, in that order, then shortens the bar.
type progressBar struct {
	w      io.Writer
	single bool // one run: show its loss and speed too
	width  int  // the terminal's columns (0: ask it, else $COLUMNS, else 80)
	last   time.Time
	shown  bool
	start  time.Time        // the first update
	now    func() time.Time // the clock (nil: time.Now)
}

const barWidth = 20

// columns is the width the bar may use: the terminal's, less one column.
func (b *progressBar) columns() int {
	if b.width == 0 {
		b.width = 80
		if f, ok := fileOf(b.w); ok {
			if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
				b.width = w
			}
		} else if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
			b.width = c
		}
	}
	return max(b.width-1, 1)
}

// update redraws the bar for one run's progress (or the sum of several
// runs': Step, Steps and StepsPerSec of them all).
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
	fmt.Fprintf(b.w, "\r\033[K%s", b.line(label, p, t.Sub(b.start)))
	b.shown = true
}

// line is the bar's text for progress p after elapsed, at most columns()
// cells wide.
func (b *progressBar) line(label string, p lab.Progress, elapsed time.Duration) string {
	frac := 0.0
	if p.Steps > 0 {
		frac = min(1, float64(p.Step)/float64(p.Steps))
	}
	eta := text.Clock(elapsed) // the time so far, then the time left
	switch {
	case frac >= 1:
	case frac > 0 && elapsed > 0:
		eta += " < " + text.Clock(time.Duration(float64(elapsed)*(1-frac)/frac))
	case p.StepsPerSec > 0:
		eta += " < " + text.Clock(time.Duration(float64(p.Steps-p.Step)/p.StepsPerSec*float64(time.Second)))
	}
	steps := fmt.Sprintf("%s/%s steps", text.Count(int64(p.Step)), text.Count(int64(p.Steps)))
	loss, speed := "", ""
	if b.single { // one run: its loss and speed mean something
		loss, speed = "loss "+text.Loss(p.TrainLoss), fmt.Sprintf("%.0f/s", p.StepsPerSec)
	}
	draw := func(bar int, parts ...string) string {
		filled := int(frac * float64(bar))
		out := []string{fmt.Sprintf("%-10s [%s%s] %3.0f%%", label, strings.Repeat("█", filled), strings.Repeat("░", bar-filled), 100*frac)}
		for _, s := range parts {
			if s != "" {
				out = append(out, s)
			}
		}
		return strings.Join(out, "  ")
	}
	cols := b.columns()
	for _, l := range []string{
		draw(barWidth, steps, loss, speed, eta), draw(barWidth, steps, loss, eta), draw(barWidth, steps, eta),
		draw(barWidth, eta), draw(barWidth), draw(10), draw(5),
	} {
		if text.Width(l) <= cols {
			return l
		}
	}
	return strings.TrimRight(text.Fit(draw(5), cols), " ")
}

// longRunNote is the one line said before training when the runs of jobs,
// sharing cores cores, may take longer than lab.LongRun (estimated from
// their products at this machine's measured speed), or "".
func longRunNote(jobs []lab.Job, cores int) string {
	var total time.Duration
	for _, j := range jobs {
		total += lab.EstimateDuration(j)
	}
	if n := min(max(cores, 1), len(jobs)); n > 1 {
		total /= time.Duration(n)
	}
	if total <= lab.LongRun {
		return ""
	}
	if len(jobs) == 1 {
		return fmt.Sprintf("this run may take about %s at this machine's measured speed; ctrl+c stops it and keeps what it reached", text.Duration(total))
	}
	return fmt.Sprintf("these %d runs may take about %s at this machine's measured speed; ctrl+c stops them and keeps what they reached", len(jobs), text.Duration(total))
}

// clear erases the bar so the result starts on a clean line.
func (b *progressBar) clear() {
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
		b.shown = false
	}
}
