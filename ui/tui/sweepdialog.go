package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// SweepPane is the sweep dialog (w): pick a sweepable setting (↑/↓), type
// its values (a list like 1,2,4,8 or a range like 1e-4..1e-1:log:7, parsed
// by lab.ParseValues), and enter runs lab.Sweep's jobs for the marked
// methods that read the setting, with the current settings (the others are
// skipped, and the dialog says so); ctrl+x (or S, as on the main screen)
// stops it, and ! shows the messages in full. Below, its progress
// (runs ended, training and waiting; the time so far and left) and the
// results against the value, one series per method: the final eval loss
// (log scale, each measured value dotted; while runs train, or once the
// sweep is stopped, the latest of those without one, and the title says
// so, with how many ended), the trainable parameters and the
// memory, with the table of final losses beside them; then each run's loss
// curve, one per value (labelled 1, 2, 3 … at its end, so curves on top of
// each other stay told apart), and the eval loss at a chosen step N
// (pgup/pgdn) against the value — what a preset asks to "look early" at.
// Where they do not all fit, tab shows one view at a time. It is modal: it
// takes every key until esc closes it (the sweep goes on training). At
// several seeds (Lab.Compare.Seeds) every (method, value) runs at each
// seed: the losses shown are means over the seeds, and the table marks
// with ≈ the values whose range of final losses overlaps the best's.
type SweepPane struct {
	basePane
	names   []string
	cur     int
	input   field // the values, offered (field.Offer): typing replaces them
	errText string
	view    int // the result view shown (sweepViews, or wideViews when everything fits)
	preset  int // the preset version the dialog was last opened with
	atStep  int // the step the "loss at step N" view reads (0: a tenth of the steps)
	method  int // which of the sweep's methods the curves view shows (shift+↑/↓)
}

// sweepViews name the result views tab cycles through on small screens.
var sweepViews = []string{"final eval loss", "loss curves", "loss at step N", "trainable params", "memory", "table"}

// wideViews name the pages tab cycles through when the overview fits.
var wideViews = []string{"overview", "curves"}

// NewSweepPane returns the sweep dialog.
func NewSweepPane(c *Common) *SweepPane {
	p := &SweepPane{basePane: basePane{c: c}, names: catalog.Sweepable(), input: newField(200), preset: -1}
	p.input.Offer(c.Lab.SweepDefault(p.names[0]))
	p.input.Focus()
	k := c.Keys
	p.keys = []*KeyTable{{Title: "Sweep (w)", Rows: []KeyRow{
		row(k.SweepPick, p.pick),
		row(k.Apply, p.start),
		row(k.SweepView, func(tea.KeyMsg) { p.view++ }),
		row(k.SweepStop, func(tea.KeyMsg) { c.Lab.CancelSweep() }),
		row(k.SweepStepBack, func(tea.KeyMsg) { p.moveStep(-1) }),
		row(k.SweepStepFwd, func(tea.KeyMsg) { p.moveStep(1) }),
		row(k.SweepMethod, func(msg tea.KeyMsg) {
			if sw := c.Lab.Sweep; sw != nil {
				d := 1
				if msg.Type == tea.KeyShiftUp {
					d = -1
				}
				p.method = (p.method + d + len(sw.Methods)) % len(sw.Methods)
			}
		}),
	}}}
	return p
}

// Open implements opener: after a preset was loaded, the dialog starts
// over on the preset's sweep (or the first setting with its default values).
func (p *SweepPane) Open() tea.Cmd {
	l := p.c.Lab
	if p.preset == l.Version().Preset {
		return nil
	}
	p.preset = l.Version().Preset
	p.cur, p.errText = 0, ""
	value := ""
	if sw := l.Preset.Sweep; sw != nil {
		for i, n := range p.names {
			if n == sw.Setting {
				p.cur, value = i, strings.Join(sw.Values, ",")
			}
		}
	}
	if value == "" {
		value = l.SweepDefault(p.names[p.cur])
	}
	p.input.Offer(value)
	p.memo.drop()
	return nil
}

// moveStep moves the step the "loss at step N" view reads by a tenth of
// the sweep's steps.
func (p *SweepPane) moveStep(dir int) {
	sw := p.c.Lab.Sweep
	if sw == nil {
		return
	}
	steps := sweepSteps(sw)
	p.atStep = min(max(p.stepN(sw)+dir*max(1, steps/10), 0), steps)
}

// sweepSteps is the longest run's steps.
func sweepSteps(sw *SweepState) int {
	n := 1
	for _, r := range sw.Runs {
		n = max(n, r.Steps)
	}
	return n
}

// stepN is the step the "loss at step N" view reads: as chosen, else a
// tenth of the steps ("look early").
func (p *SweepPane) stepN(sw *SweepState) int {
	if p.atStep > 0 {
		return p.atStep
	}
	return max(1, sweepSteps(sw)/10)
}

// Title implements Component.
func (p *SweepPane) Title() string { return "Sweep" }

// Capturing implements Component: the dialog takes every key.
func (p *SweepPane) Capturing() bool { return true }

// ShortHelp implements Component: how to stop the sweep while it trains,
// and how to close the dialog, first.
func (p *SweepPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	if p.c.Lab.SweepActive() > 0 && !p.c.Lab.Sweep.Stopped {
		return []key.Binding{k.SweepStop, k.Close, k.SweepPick, k.Apply, k.SweepView, k.SweepStepFwd}
	}
	return []key.Binding{k.Close, k.SweepPick, k.Apply, k.SweepView, k.SweepStepFwd}
}

// Passes implements passer: ! shows the messages in full, as on the main
// screen (no value a sweep takes has a !).
func (p *SweepPane) Passes(msg tea.KeyMsg) bool { return key.Matches(msg, p.c.Keys.Messages) }

// HandleKey implements Component: ↑/↓ pick the setting, enter starts the
// sweep, tab shows the next result view, ctrl+x or S stops the sweep (no
// value has an S), other keys edit the values. Esc is the root's (it
// closes), and so is ! (Passes).
func (p *SweepPane) HandleKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	if ok, cmd := p.basePane.HandleKey(msg); ok {
		return true, cmd
	}
	p.memo.drop()
	return true, p.input.Update(msg)
}

// pick moves to the previous (↑) or next (↓) sweepable setting, with its
// default values.
func (p *SweepPane) pick(msg tea.KeyMsg) {
	d := 1
	if msg.Type == tea.KeyUp {
		d = -1
	}
	p.cur = (p.cur + d + len(p.names)) % len(p.names)
	p.input.Offer(p.c.Lab.SweepDefault(p.names[p.cur]))
	p.errText = ""
}

// start starts the sweep of the chosen setting over the typed values, or
// says why not.
func (p *SweepPane) start(tea.KeyMsg) {
	if err := p.c.Lab.StartSweep(p.names[p.cur], p.input.Value()); err != nil {
		p.errText = "refused: " + err.Error()
	} else {
		p.errText = ""
		p.input.Offer(p.input.Value()) // the next list typed replaces it
	}
}

// View implements Component.
func (p *SweepPane) View() string {
	l := p.c.Lab
	v := l.Version()
	return p.memo.get([8]int{p.w, p.h, v.Sweep, v.Selection, v.Config, p.view, p.atStep, p.method}, p.render)
}

func (p *SweepPane) render() string {
	st, l := p.c.Styles, p.c.Lab
	var out []string
	// The setting picker: the chosen setting, its place and its help.
	name := p.names[p.cur]
	set, _ := catalog.Setting(name)
	out = append(out, "setting  "+st.Accent.Render("‹ "+name+" ›")+st.Muted.Render(fmt.Sprintf(" %d/%d · %s", p.cur+1, len(p.names), set.Help)))
	p.input.Width = max(10, p.w-12)
	out = append(out, "values   "+p.input.View())
	var ms []string
	for _, i := range l.RaceMethods() {
		if lab.Applies(name, l.Methods[i], taskOf(l.Config)) {
			ms = append(ms, st.Method(l.Infos[i].Name).Render(l.Infos[i].Glyph)+" "+l.Infos[i].Title)
		}
	}
	line := "methods  " + strings.Join(ms, "  ")
	if skipped := p.skipped(name); len(skipped) > 0 {
		line += " · skipped: " + strings.Join(skipped, ", ") + " (does not read " + name + ")"
	}
	for _, w := range wrap(line, p.w, 2) {
		out = append(out, w)
	}
	switch {
	case p.errText != "":
		for _, w := range wrap("✗ "+p.errText, p.w, 2) {
			out = append(out, st.Error.Render(w))
		}
	default:
		for _, w := range wrap("values: a list (1,2,4,8) or a range (1e-4..1e-1:log:7); typing replaces it · enter runs it for the marked methods · esc closes, the sweep goes on", p.w, 2) {
			out = append(out, st.Muted.Render(w))
		}
	}
	sw := l.Sweep
	if sw == nil {
		out = append(out, "", st.Muted.Render("No sweep yet."))
		return strings.Join(out, "\n")
	}
	out = append(out, "")
	W, H := p.w, p.h-len(out)-1
	tableW := p.tableWidth(sw)
	if W-tableW-2 >= 44 && H >= 20 {
		// Everything fits: the overview (the loss chart with the table
		// beside it, the trainable parameters and the memory below) and
		// the curves with the loss at step N, a page each.
		page := p.view % len(wideViews)
		tag := fmt.Sprintf(" · page %d/%d · tab: %s", page+1, len(wideViews), wideViews[(page+1)%len(wideViews)])
		out = append(out, p.status(sw, text.Width(tag))+st.Muted.Render(tag))
		if page == 0 {
			out = append(out, p.wide(sw, W, H, tableW)...)
		} else {
			left := W * 3 / 5
			out = append(out, hjoin(fitLines(strings.Join(p.curvesChart(sw, left, H), "\n"), left+2, H),
				fitLines(strings.Join(p.oneChart(sw, sweepAtStep, W-left-2, H, true), "\n"), W-left-2, H))...)
		}
		return strings.Join(out, "\n")
	}
	view := p.view % len(sweepViews)
	tag := fmt.Sprintf(" · view %d/%d · tab: %s", view+1, len(sweepViews), sweepViews[(view+1)%len(sweepViews)])
	out = append(out, p.status(sw, text.Width(tag))+st.Muted.Render(tag))
	switch view {
	case 0:
		out = append(out, p.oneChart(sw, sweepFinal, W, H, true)...)
	case 1:
		out = append(out, p.curvesChart(sw, W, H)...)
	case 2:
		out = append(out, p.oneChart(sw, sweepAtStep, W, H, true)...)
	case 3:
		out = append(out, p.oneChart(sw, sweepTrainable, W, H, true)...)
	case 4:
		out = append(out, p.oneChart(sw, sweepMemory, W, H, true)...)
	default:
		out = append(out, p.table(sw, H)...)
	}
	return strings.Join(out, "\n")
}

// skipped lists the marked methods a sweep of setting would skip: they do
// not read it.
func (p *SweepPane) skipped(setting string) []string {
	l := p.c.Lab
	var out []string
	for _, i := range l.RaceMethods() {
		if !lab.Applies(setting, l.Methods[i], taskOf(l.Config)) {
			out = append(out, l.Infos[i].Title)
		}
	}
	return out
}

// status is the sweep's progress: runs ended, training and waiting for a
// seat, the steps taken, the time so far and the time left — as much as
// fits in the dialog's width (with the view's tag, rest cells).
func (p *SweepPane) status(sw *SweepState, rest int) string {
	st := p.c.Styles
	training, waiting := sw.Training()
	parts := []string{fmt.Sprintf("sweep of %s: %s", st.Accent.Render(sw.Setting), sw.Tally())}
	if sw.Stopped {
		parts[0] = fmt.Sprintf("sweep of %s %s: %s", st.Accent.Render(sw.Setting), st.Warn.Render("stopped"), sw.Tally())
	}
	if sw.Elapsed > 0 {
		t := text.Clock(sw.Elapsed)
		if left, ok := sw.Remaining(); ok {
			t += " < " + text.Clock(left)
		}
		parts = append(parts, t)
	}
	if training > 0 {
		parts = append(parts, fmt.Sprintf("%d training", training))
	}
	if waiting > 0 {
		parts = append(parts, fmt.Sprintf("%d waiting for a seat", waiting))
	}
	done, total := sw.Progress()
	parts = append(parts, fmt.Sprintf("%s/%s steps", text.ShortCount(float64(done)), text.ShortCount(float64(total))))
	if !sw.Stopped && sw.Done() < sw.Total() {
		parts = append(parts, st.Muted.Render("ctrl+x/S stops it"))
	}
	s := parts[0]
	for _, x := range parts[1:] {
		if text.Width(s)+3+text.Width(x)+rest > p.w {
			break
		}
		s += " · " + x
	}
	return s
}

// The metrics of the sweep's charts against the value.
const (
	sweepFinal     = iota // the final eval loss
	sweepTrainable        // the trainable parameters
	sweepMemory           // the memory in bytes
	sweepAtStep           // the eval loss at step N
)

// curvesChart draws the eval-loss curve of every run of one of the
// sweep's methods (shift+↑/↓ picks it), one per value, in w × h: each
// labelled at its end with its value's key (1, 2, 3 …), in a colour ramp
// from the first value to the last, so curves on top of each other stay
// told apart; a key under the chart.
func (p *SweepPane) curvesChart(sw *SweepState, w, h int) []string {
	st, l := p.c.Styles, p.c.Lab
	mi := p.method % len(sw.Methods)
	info := l.Infos[sw.Methods[mi]]
	var series []Series
	var key []string
	for vi, v := range sw.Values {
		c := curveOf(sweepHists(sw.Runs[mi*len(sw.Values)+vi]))
		xs, ys := c.Steps, c.Eval
		label := valueKey(vi)
		paint := st.Ramp(vi, len(sw.Values))
		chars := asciigraph.DefaultCharSet
		if !st.Colour {
			chars = asciigraph.CreateCharSet(label)
		}
		series = append(series, Series{X: xs, Y: ys, Paint: paint, Chars: chars, End: label})
		key = append(key, paint.Render(label)+"="+v)
	}
	title := "eval loss curves of " + st.Method(info.Name).Render(info.Glyph+" "+info.Title) + ", one per " + sw.Setting
	if n := sw.Seeds(); n > 1 {
		title += fmt.Sprintf(" (means over %d seeds)", n)
	}
	if len(sw.Methods) > 1 {
		title += st.Muted.Render(" · shift+↑/↓: other method")
	}
	leg := wrap(sw.Setting+": "+strings.Join(key, "  "), w, 3)
	out := []string{text.Fit(title, w)}
	chartH := h - 1 - len(leg)
	if chartH < 4 {
		return fitLines(strings.Join(append(out, leg...), "\n"), w, min(h, 1+len(leg)))
	}
	out = append(out, drawChart(series, ChartOpts{
		Width: w, Height: chartH, XMax: sweepSteps(sw), Log: true, Colour: st.Colour,
		XLabel: "steps", YLabel: "loss", Empty: "  the curves appear as the runs train",
	})...)
	return append(out, leg...)
}

// valueKey labels value i of a sweep in the curves view: 1 … 9, then a … z.
func valueKey(i int) string {
	const keys = "123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	return string(keys[i%len(keys)])
}

// latestEval is the latest eval loss of a (method, value) that has no
// final one yet — training, or stopped before it finished — the mean over
// its seeds that have one; NaN if none has, or one diverged.
func latestEval(r *SweepRun) float64 {
	var evals []float64
	for _, x := range r.Group() {
		if x.Status == lab.Diverged || (x.Result != nil && x.Result.Status == lab.Diverged) {
			return math.NaN()
		}
		if x.Step > 0 && lab.Finite(x.Eval) {
			evals = append(evals, x.Eval)
		}
	}
	if len(evals) == 0 {
		return math.NaN()
	}
	return lab.SpreadOf(evals).Mean
}

// sweepLatest reports whether the final-loss view shows some latest eval
// losses: some (method, value) has not finished every seed, and did not
// diverge.
func sweepLatest(sw *SweepState) bool {
	for mi := range sw.Methods {
		for vi := range sw.Values {
			if !lab.Finite(sw.Final(mi, vi)) && lab.Finite(latestEval(sw.Runs[mi*len(sw.Values)+vi])) {
				return true
			}
		}
	}
	return false
}

// sweepSeries returns one series per method of the sweep for metric m
// (sweepFinal, sweepTrainable, sweepMemory, sweepAtStep) over the value
// indices, each measured value dotted, and the legend items. The final
// eval loss of a (method, value) still training, or stopped, is its latest
// (latestEval), so the view moves while the runs train together; the
// title says so (sweepLatest).
func (p *SweepPane) sweepSeries(sw *SweepState, m int) ([]Series, []string) {
	st, l := p.c.Styles, p.c.Lab
	xs := make([]int, len(sw.Values))
	for i := range xs {
		xs[i] = i
	}
	var series []Series
	var legend []string
	for mi, i := range sw.Methods {
		info := l.Infos[i]
		ys := make([]float64, len(sw.Values))
		best, bestV := math.Inf(1), ""
		at := p.stepN(sw)
		for vi := range sw.Values {
			r := sw.Runs[mi*len(sw.Values)+vi]
			switch m {
			case sweepFinal:
				if ys[vi] = sw.Final(mi, vi); !lab.Finite(ys[vi]) {
					ys[vi] = latestEval(r)
				}
			case sweepTrainable:
				ys[vi] = float64(r.Trainable)
			case sweepMemory:
				ys[vi] = float64(r.Memory)
			case sweepAtStep:
				ys[vi] = math.NaN()
				// The run's last eval loss at or before step N (the mean
				// over its seeds), once it has got to N.
				c := curveOf(sweepHists(r))
				if last, ok := c.last(); ok && (last.Step >= at || r.Ended()) {
					if pt, ok := c.at(at); ok {
						ys[vi] = pt.Eval
					}
				}
			}
			if (m == sweepFinal || m == sweepAtStep) && lab.Finite(ys[vi]) && ys[vi] < best {
				best, bestV = ys[vi], sw.Values[vi]
			}
		}
		chars := asciigraph.DefaultCharSet
		dot := "●"
		if !st.Colour {
			chars, dot = asciigraph.CreateCharSet("·"), info.Glyph
		}
		series = append(series, Series{X: xs, Y: ys, Paint: st.Method(info.Name), Colour: st.MethodANSI(info.Name), Chars: chars, Dot: dot})
		item := st.Method(info.Name).Render(info.Glyph + " " + info.Title)
		if m == sweepFinal || m == sweepAtStep {
			soFar := ""
			if m == sweepFinal && sweepLatest(sw) {
				soFar = " so far"
			}
			if bestV != "" {
				item += " best" + soFar + " " + sw.Setting + "=" + bestV + " (" + text.ShortLoss(best) + ")"
			} else {
				item += " " + st.Muted.Render("running")
			}
		}
		legend = append(legend, item)
	}
	return series, legend
}

// oneChart draws metric m against the value in w × h: the chart, its
// title, and (if legend) the legend under it.
func (p *SweepPane) oneChart(sw *SweepState, m, w, h int, legend bool) []string {
	st := p.c.Styles
	series, items := p.sweepSeries(sw, m)
	var leg []string
	if legend {
		leg = packLegend(items, w)
	}
	final := "final eval loss (log scale) against " + sw.Setting
	if sweepLatest(sw) {
		final = "latest eval loss (log scale) against " + sw.Setting + " · " + sw.Tally().String()
	}
	titles := []string{final,
		"trainable parameters (log scale) against " + sw.Setting,
		"memory in bytes (log scale; K/M = KiB/MiB) against " + sw.Setting,
		fmt.Sprintf("eval loss at step %s (log scale) against %s · pgup/pgdn: step", text.ShortCount(float64(p.stepN(sw))), sw.Setting)}
	formats := []func(float64) string{nil, func(v float64) string { return text.ShortCount(v) }, shortBytes, nil}
	empty := []string{"  eval loss against " + sw.Setting + ": waiting for the runs' first evaluations", "", "",
		"  eval loss at step " + text.ShortCount(float64(p.stepN(sw))) + ": waiting for the runs to get there"}
	if sw.Stopped {
		empty[0] = "  eval loss against " + sw.Setting + ": none, the sweep was stopped before a run was evaluated"
	}
	ylabels := []string{"loss", "params", "bytes", "loss"}
	chartH := h - 1 - len(leg)
	out := []string{st.Muted.Render(text.Fit(titles[m], w))}
	if chartH < 4 {
		return fitLines(strings.Join(append(out, leg...), "\n"), w, min(h, 1+len(leg)))
	}
	out = append(out, drawChart(series, ChartOpts{
		Width: w, Height: chartH, XMax: max(1, len(sw.Values)-1), Log: true, Colour: st.Colour,
		YFormat: formats[m], XTicks: xticks(sw.Values, w-16), XLabel: sw.Setting, YLabel: ylabels[m], YPow2: m == sweepMemory,
		XFormat: func(v float64) string {
			i := int(math.Round(v))
			if i < 0 || i >= len(sw.Values) {
				return ""
			}
			return sw.Values[i]
		},
		Empty: empty[m],
	})...)
	return append(out, leg...)
}

// wide lays every result out in w × h: the loss chart and the table on
// top, the trainable-parameter and memory charts side by side below, one
// legend for all.
func (p *SweepPane) wide(sw *SweepState, w, h, tableW int) []string {
	_, items := p.sweepSeries(sw, 0)
	leg := packLegend(items, w)
	avail := h - len(leg)
	topH := max(10, avail*55/100)
	botH := avail - topH
	chartW := w - tableW - 2
	out := hjoin(fitLines(strings.Join(p.oneChart(sw, sweepFinal, chartW, topH, false), "\n"), chartW+2, topH),
		fitLines(strings.Join(p.table(sw, topH), "\n"), tableW, topH))
	if botH >= 5 {
		half := (w - 2) / 2
		out = append(out, hjoin(fitLines(strings.Join(p.oneChart(sw, sweepTrainable, half, botH, false), "\n"), half+2, botH),
			fitLines(strings.Join(p.oneChart(sw, sweepMemory, w-half-2, botH, false), "\n"), w-half-2, botH))...)
	}
	return append(out, leg...)
}

// tableWidth is the width of the results table: the value, then a column
// per method.
func (p *SweepPane) tableWidth(sw *SweepState) int { return max(9+10*len(sw.Methods), 36) }

// table is the final eval loss of every (value, method): a row per value,
// a column per method (progress or state while it runs), the best value of
// each method marked *; then each method's trainable parameters and memory
// at the first and last values.
func (p *SweepPane) table(sw *SweepState, h int) []string {
	st, l := p.c.Styles, p.c.Lab
	head := fmt.Sprintf("%-9s", text.Fit(sw.Setting, 8))
	for _, i := range sw.Methods {
		info := l.Infos[i]
		head += st.Method(info.Name).Render(fmt.Sprintf("%10s", info.Glyph+" "+shortTitle(info.Title)))
	}
	out := []string{head}
	best := make([]int, len(sw.Methods))
	for mi := range sw.Methods {
		best[mi] = -1
		for vi := range sw.Values {
			if v := sw.Final(mi, vi); lab.Finite(v) && (best[mi] < 0 || v < sw.Final(mi, best[mi])) {
				best[mi] = vi
			}
		}
	}
	seeds := sw.Seeds()
	for vi, v := range sw.Values {
		line := fmt.Sprintf("%-9s", text.Fit(v, 8))
		for mi := range sw.Methods {
			r := sw.Runs[mi*len(sw.Values)+vi]
			cell := statusIcon(&RunView{Status: r.Status})
			step, steps, running := 0, 0, false
			for _, x := range r.Group() {
				step, steps = step+x.Step, steps+x.Steps
				running = running || x.Status == lab.Running
			}
			switch {
			case seeds > 1 && lab.Finite(sw.Final(mi, vi)):
				cell = text.ShortLoss(sw.Final(mi, vi))
				switch {
				case vi == best[mi]:
					cell += "*"
				case best[mi] >= 0 && r.Spread().Overlaps(sw.Runs[mi*len(sw.Values)+best[mi]].Spread()):
					cell += "≈"
				default:
					cell += " "
				}
			case seeds == 1 && r.Result != nil && r.Result.Status == lab.Done:
				cell = text.ShortLoss(r.Result.Final.Eval)
				if vi == best[mi] {
					cell += "*"
				} else {
					cell += " "
				}
			case running && steps > 0:
				cell = fmt.Sprintf("%d%% ", step*100/steps)
			default:
				cell += " "
			}
			line += fmt.Sprintf("%10s", cell)
		}
		out = append(out, line)
	}
	if seeds > 1 {
		out = append(out, st.Muted.Render(fmt.Sprintf("mean final eval loss of %d seeds;", seeds)), st.Muted.Render("* best per method, ≈ in its spread"))
	} else {
		out = append(out, st.Muted.Render("final eval loss; * best per method"))
	}
	// Trainable parameters and memory at each value, if there is room.
	if h-len(out) >= 2*(len(sw.Values)+1)+2 {
		for _, m := range []struct {
			name string
			cell func(r *SweepRun) string
		}{{"trainable", func(r *SweepRun) string { return text.ShortCount(float64(r.Trainable)) }},
			{"memory", func(r *SweepRun) string { return text.Bytes(r.Memory) }}} {
			out = append(out, "", st.Muted.Render(m.name))
			for vi, v := range sw.Values {
				line := fmt.Sprintf("%-9s", text.Fit(v, 8))
				for mi := range sw.Methods {
					line += fmt.Sprintf("%10s", m.cell(sw.Runs[mi*len(sw.Values)+vi]))
				}
				out = append(out, line)
			}
		}
	}
	if len(out) > h && h > 0 {
		out = out[:h]
	}
	return out
}

// xticks puts a tick on every one of the labels when there is room for
// each in cols columns, else lets the chart choose.
func xticks(labels []string, cols int) int {
	n, w := len(labels), 0
	for _, l := range labels {
		w = max(w, text.Width(l))
	}
	if n >= 2 && cols/n >= w+1 {
		return n
	}
	return 0
}
