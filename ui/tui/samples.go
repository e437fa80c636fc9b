package tui

import (
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// SamplesPane shows the latest text sample of every run side by side, for
// a task whose models write text (lab.TaskInfo.Samples): each run's glyph,
// title, the step of its sample and its last forgetting loss (the loss on
// the pretraining text, Progress.ForgetLoss) over what its model wrote
// after the prompt (the prompt dimmed), wrapped character by character to
// its column as the model wrote it, line breaks kept. Every run samples from the same
// prompt with the same draws, so the columns differ only by what each
// method has learnt: the base model's style at step 0, the fine-tuning
// text's as it takes over.
type SamplesPane struct {
	basePane
}

// NewSamplesPane returns the samples pane.
func NewSamplesPane(c *Common) *SamplesPane { return &SamplesPane{basePane{c: c}} }

// Title implements Component.
func (p *SamplesPane) Title() string {
	for _, r := range p.c.Lab.Runs {
		if r != nil && r.Sample.Prompt != "" {
			return "Samples · from “" + text.OneLine(r.Sample.Prompt) + "”"
		}
	}
	return "Samples"
}

// View implements Component.
func (p *SamplesPane) View() string {
	return p.memo.get([8]int{p.w, p.h, p.c.Lab.Version().Runs}, p.render)
}

// samplesShown: the pane is on screen when the current task writes text
// or a run has a sample.
func samplesShown(c *Common) bool {
	return taskOf(c.Lab.Config).Info().Samples || hasSamples(c.Lab)
}

// samplesRows is the pane's height in the wide layout: a third of the
// body, 6 to 14 rows, frame included.
func samplesRows(_ *Common, bodyH int) int { return min(max(bodyH/3, 6), 14) }

func hasSamples(l *Lab) bool {
	for _, r := range l.Runs {
		if r != nil && r.Sample != (lab.Sample{}) {
			return true
		}
	}
	return false
}

// sampleColumn is the narrowest column a sample gets before the pane puts
// fewer side by side.
const sampleColumn = 22

func (p *SamplesPane) render() string {
	l, st := p.c.Lab, p.c.Styles
	var runs []*RunView
	for _, r := range l.Runs {
		if r != nil && r.Sample != (lab.Sample{}) {
			runs = append(runs, r)
		}
	}
	if len(runs) == 0 {
		return "\n  No samples yet: once a run starts, what its model\n  writes after the prompt appears here, every\n  sample-every steps, side by side."
	}
	if p.w < 4 || p.h < 2 {
		return ""
	}
	const gap = 2
	cols := max(1, min(len(runs), (p.w+gap)/(sampleColumn+gap)))
	rows := (len(runs) + cols - 1) / cols
	for rows > 1 && p.h/rows < 2 && cols < len(runs) { // two lines a cell at least: more columns
		cols++
		rows = (len(runs) + cols - 1) / cols
	}
	colW := (p.w - gap*(cols-1)) / cols
	cellH := max(2, p.h/rows)
	var out []string
	for g := 0; g < len(runs); g += cols {
		cells := make([][]string, 0, cols)
		for k, r := range runs[g:min(g+cols, len(runs))] {
			cell := sampleCell(st, r, colW, cellH)
			if k > 0 {
				for i := range cell {
					cell[i] = strings.Repeat(" ", gap) + cell[i]
				}
			}
			cells = append(cells, cell)
		}
		out = append(out, hjoin(cells...)...)
	}
	return strings.Join(out, "\n")
}

// sampleCell is one run's sample: a header line and the text, exactly h
// lines of exactly w cells.
func sampleCell(st *Styles, r *RunView, w, h int) []string {
	s := r.Sample
	name := st.Method(r.Info.Name).Render(r.Info.Glyph) + " " + r.Info.Title
	meta := " · step " + text.ShortCount(float64(s.Step))
	if full := meta + " · forget " + text.ShortLoss(r.Forget); r.Forget != 0 && text.Width(name+full) <= w {
		meta = full // the forgetting loss when it fits
	}
	head := name + st.Muted.Render(meta)
	lines := []string{text.Fit(head, w)}
	prompt := len([]rune(strings.ReplaceAll(s.Prompt, "\t", "  ")))
	body := wrapChars(s.Prompt+s.Text, w)
	for _, line := range body {
		if len(lines) == h {
			break
		}
		runes := []rune(line)
		if prompt > 0 { // the prompt's characters, dimmed
			n := min(prompt, len(runes))
			line = st.Muted.Render(string(runes[:n])) + string(runes[n:])
			prompt -= n
		}
		lines = append(lines, text.Fit(line, w))
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return lines
}

// wrapChars breaks s into lines of at most w characters, at any character
// (a character model's text is its characters), starting a new line at
// every line break and writing a tab as two spaces.
func wrapChars(s string, w int) []string {
	w = max(w, 1)
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\t", "  "), "\n") {
		rs := []rune(para)
		for len(rs) > w {
			out = append(out, string(rs[:w]))
			rs = rs[w:]
		}
		out = append(out, string(rs))
	}
	return out
}
