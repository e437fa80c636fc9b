package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// curveNames are the choices of the c key.
var curveNames = []string{"train+eval", "eval", "train"}

// smoothings are the strengths z steps through: the weight of the previous
// value in the exponential moving average (TensorBoard's "smoothing"); 0
// is off.
var smoothings = []float64{0, 0.6, 0.8, 0.9, 0.95, 0.99}

// ChartPane overlays the train and eval loss of every run, each in its
// method's colour, over steps, with a legend giving each run's values. Log
// scale (L) is on by default; z steps the smoothing's strength (an EMA); c
// picks the curves; v hides the cursor's method and o shows it alone (the
// cursor's method is drawn on top of the others); [ and ] move a reading
// cursor whose step the legend then reads every run at (esc hides it).
// Dotted vertical lines mark where a run's learning rate was changed live,
// and a line says which curves lie on top of each other. Without colour,
// series are told apart by glyphs. A method raced at several seeds is one
// curve, the mean over its seeds (seedCurve), over a band of ░ from the
// lowest to the highest of them (on the eval curve; on the train curve
// when only train is shown); the legend gives the means.
type ChartPane struct {
	basePane
	logScale bool // plot the loss on a log scale (L; on at first)
	smooth   int  // index into smoothings (z)
	curves   int  // which curves (c): 0 train+eval, 1 eval, 2 train
	hidden   map[string]bool
	solo     bool // only the cursor's method (o)
	cursorOn bool // the reading cursor is shown ([, ])
	cursor   int  // its step
}

// NewChartPane returns the loss chart pane.
func NewChartPane(c *Common) *ChartPane {
	p := &ChartPane{basePane: basePane{c: c}, logScale: true, hidden: map[string]bool{}}
	k := c.Keys
	p.keys = []*KeyTable{{Title: "Loss chart", Global: true, Rows: []KeyRow{
		row(k.LogScale, func(tea.KeyMsg) {
			p.logScale = !p.logScale
			p.changed("log scale %s", onOff(p.logScale))
		}),
		row(k.Smooth, func(tea.KeyMsg) {
			p.smooth = (p.smooth + 1) % len(smoothings)
			if p.smooth == 0 {
				p.changed("smoothing off")
				return
			}
			p.changed("smoothing %s (EMA: each point keeps %s of the one before; z: stronger)", text.Float(smoothings[p.smooth]), text.Float(smoothings[p.smooth]))
		}),
		row(k.Curves, func(tea.KeyMsg) {
			p.curves = (p.curves + 1) % len(curveNames)
			p.changed("curves: %s", curveNames[p.curves])
		}),
		row(k.Hide, func(tea.KeyMsg) {
			info := c.Lab.Infos[c.Lab.Cursor]
			p.hidden[info.Name] = !p.hidden[info.Name]
			p.changed("%s's curves %s", info.Title, map[bool]string{true: "hidden (v shows them)", false: "shown"}[p.hidden[info.Name]])
		}),
		row(k.Solo, func(tea.KeyMsg) {
			p.solo = !p.solo
			p.changed("solo %s: %s", onOff(p.solo), map[bool]string{true: "only the cursor's method (↑/↓ in the methods pane picks it)", false: "every run"}[p.solo])
		}),
		row(k.CursorBack, func(tea.KeyMsg) { p.moveCursor(-1) }),
		row(k.CursorFwd, func(tea.KeyMsg) { p.moveCursor(1) }),
		row(k.CursorOff, func(tea.KeyMsg) {
			p.cursorOn = false
			p.memo.drop()
		}),
	}}}
	return p
}

// changed redraws the chart for new options and says what they are.
func (p *ChartPane) changed(format string, args ...any) {
	p.memo.drop()
	p.c.Lab.Say(false, format, args...)
}

// moveCursor moves the reading cursor a 40th of the steps left (dir -1) or
// right; the first press puts it at the last step reached.
func (p *ChartPane) moveCursor(dir int) {
	xmax, last := p.extent()
	step := max(1, xmax/40)
	if !p.cursorOn {
		p.cursorOn, p.cursor = true, last
	} else {
		p.cursor = min(max(0, p.cursor+dir*step), xmax)
	}
	p.memo.drop()
	p.c.Lab.Say(false, "reading step %s: the legend gives each run's values there ([ ] move, esc hides)", text.ShortCount(float64(p.cursor)))
}

// extent is the chart's x range (the longest run's steps) and the last
// step any run has reached.
func (p *ChartPane) extent() (xmax, last int) {
	for _, g := range p.c.Lab.Runs {
		for _, r := range g.Group() {
			xmax = max(xmax, r.Steps)
			if pt, ok := r.Hist.Last(); ok {
				last = max(last, pt.Step)
			}
		}
	}
	return max(xmax, 1), last
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Title implements Component: the name, the options in force, and the key
// of the curves in brackets.
func (p *ChartPane) Title() string {
	opts := "linear"
	if p.logScale {
		opts = "log"
	}
	if s := smoothings[p.smooth]; s > 0 {
		opts += ", EMA " + text.Float(s)
	}
	evalMark, trainMark := "─", "·"
	if !p.c.Styles.Colour {
		evalMark, trainMark = "●", "○"
	}
	var key []string
	if p.curves != 2 {
		key = append(key, evalMark+" eval")
	}
	if p.curves != 1 {
		key = append(key, trainMark+" train")
	}
	t := "Loss (" + opts + ") [" + strings.Join(key, " ") + "]"
	if p.solo {
		t += " solo " + p.c.Lab.Infos[p.c.Lab.Cursor].Title
	}
	return t
}

// ShortHelp implements Component.
func (p *ChartPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.Zoom, k.Smooth, k.Solo, k.Hide, k.CursorFwd, k.LogScale, k.Curves}
}

// View implements Component.
func (p *ChartPane) View() string {
	v := p.c.Lab.Version()
	sel := 0
	if p.solo || len(p.hidden) > 0 {
		sel = v.Selection // the cursor's method decides what is drawn
	}
	return p.memo.get([8]int{p.w, p.h, v.Runs, sel, p.c.Lab.Cursor, v.Preset, v.Sweep}, p.render)
}

// shown lists the runs the chart draws, in drawing order: the cursor's
// method last, on top.
func (p *ChartPane) shown() []*RunView {
	l := p.c.Lab
	var out []*RunView
	var top *RunView
	for i, r := range l.Runs {
		if r == nil || p.hidden[r.Info.Name] || (p.solo && i != l.Cursor) {
			continue
		}
		if i == l.Cursor {
			top = r
			continue
		}
		out = append(out, r)
	}
	if top != nil {
		out = append(out, top)
	}
	return out
}

func (p *ChartPane) render() string {
	l, st := p.c.Lab, p.c.Styles
	var series []Series
	var first []int // the index of each shown run's first series
	var marks []ChartMark
	xmax, _ := p.extent()
	runs := p.shown()
	a := smoothings[p.smooth]
	curves := map[int]seedCurve{} // each method's curve over its seeds
	seeds := 1
	for _, r := range l.Runs {
		if r != nil {
			curves[r.ID] = curveOf(runHists(r))
			seeds = max(seeds, r.Seeds())
		}
	}
	for _, r := range runs {
		c := curves[r.ID]
		xs, train, eval := c.Steps, c.Train, c.Eval
		lo, hi := c.band(p.curves == 2)
		if a > 0 {
			train, eval = ema(train, 1-a), ema(eval, 1-a)
			if lo != nil {
				lo, hi = ema(lo, 1-a), ema(hi, 1-a)
			}
		}
		evalChars, trainChars := asciigraph.DefaultCharSet, asciigraph.CreateCharSet("·")
		if !st.Colour {
			evalChars = asciigraph.CreateCharSet(r.Info.Glyph)
			trainChars = asciigraph.CreateCharSet(r.Info.Hollow) // the outlined twin: the train curve without colour
		}
		paint := st.Method(r.Info.Name)
		first = append(first, len(series))
		if p.curves != 1 {
			s := Series{X: xs, Y: train, Paint: paint, Colour: st.MethodANSI(r.Info.Name), Chars: trainChars}
			if p.curves == 2 {
				s.Lo, s.Hi = lo, hi
			}
			series = append(series, s)
		}
		if p.curves != 2 {
			series = append(series, Series{X: xs, Y: eval, Paint: paint, Colour: st.MethodANSI(r.Info.Name), Chars: evalChars, Lo: lo, Hi: hi})
		}
		for _, ch := range r.LRChanges {
			marks = append(marks, ChartMark{X: ch.Step, Glyph: "┆", Paint: paint})
		}
	}
	var legend []string
	if p.cursorOn {
		legend = append(legend, st.Accent.Render("│ step "+text.ShortCount(float64(p.cursor))))
	}
	// The legend: each run's values (compact when short of rows); when
	// even that takes more than a quarter of the pane and the reading cursor
	// is off, only the key (the values are on the leaderboard).
	items := func(mode int) []string {
		out := append([]string(nil), legend...)
		for _, r := range l.Runs {
			if r != nil {
				out = append(out, p.legendItem(r, mode, curves[r.ID]))
			}
		}
		return out
	}
	// The full items when they fit in 3 lines or the pane is tall; else the
	// compact ones (the title, then the values with the method's glyphs)
	// fit more to a line; else the key. At most two of them are built.
	var legendLines []string
	if p.h < 24 {
		legendLines = packLegend(items(legendCompact), p.w)
		if len(legendLines) <= 3 {
			if full := packLegend(items(legendFull), p.w); len(full) <= 3 {
				legendLines = full
			}
		}
	} else {
		legendLines = packLegend(items(legendFull), p.w)
	}
	if 4*len(legendLines) > p.h && !p.cursorOn {
		legendLines = packLegend(items(legendKey), p.w)
	}
	room := max(0, p.h-7) // the chart keeps 7 rows
	// Notes under the legend: live changes, curves on top of each other.
	var notes []string
	if len(marks) > 0 {
		notes = append(notes, st.Muted.Render("┆ learning rate changed live (✎ on the board)"))
	}
	if seeds > 1 {
		curve := "eval"
		if p.curves == 2 {
			curve = "train"
		}
		notes = append(notes, st.Muted.Render(text.Fit(fmt.Sprintf("each curve: the mean over %d seeds · %s min…max of the %s loss", seeds, bandGlyph, curve), p.w)))
	}
	empty := "\n  No runs yet.\n\n  Press enter to train the method under the cursor,\n  or r to race the marked methods."
	switch hint := l.SweepHint(); {
	case l.Sweep != nil:
		empty = "\n  No runs yet on this chart.\n\n  " + strings.Join(wrap("The sweep's runs are in the sweep dialog: w shows them.", max(p.w-4, 20), 3), "\n  ")
	case hint != "":
		empty = "\n  No runs yet.\n\n  " + strings.Join(wrap(strings.ToUpper(hint[:1])+hint[1:]+".", max(p.w-4, 20), 4), "\n  ")
	}
	if l.Search != nil {
		empty = "\n  A tuned race: each method's learning rate is searched\n  first (the board says how far it is); the race starts\n  when the search is over. s stops it."
	}
	opts := ChartOpts{
		Width: p.w, XMax: xmax, Log: p.logScale, Colour: st.Colour, Empty: empty,
		XLabel: "steps", YLabel: "loss", Marks: marks, CursorOn: p.cursorOn, Cursor: p.cursor, CursorPaint: st.Accent,
	}
	// With two runs or more, a line under the legend says which curves lie
	// under others at this size — or, when none does, how to look at them
	// one by one — so the chart keeps its height whatever the curves do.
	if len(runs) > 1 {
		notes = append(notes, "")
	}
	chart, geom := prepChart(series, opts).draw(p.h - min(len(legendLines)+len(notes), room))
	if len(runs) > 1 {
		line := st.Muted.Render("o solos the cursor's method, v hides it, [ ] read a step")
		if same := coinciding(geom, first, runs); len(same) > 0 {
			line = st.Warn.Render("≡ ") + strings.Join(same, "; ") + st.Muted.Render(" (o solos the cursor's, v hides it)")
		}
		notes[len(notes)-1] = text.Fit(line, p.w)
	}
	under := append(legendLines, notes...)
	if len(under) > room {
		under = under[:room]
	}
	return strings.Join(append(chart, under...), "\n")
}

// coinciding names the shown runs whose curves are (almost) all drawn
// over by later ones — at this size, they lie on top of each other —
// and the run that covers the most of each: "▼ Delta-LoRA under ● LoRA".
// first[i] is run i's first series and series of a run are consecutive.
func coinciding(g *chartGeom, first []int, runs []*RunView) []string {
	if g == nil {
		return nil
	}
	runOf := func(s int) int {
		r := 0
		for r+1 < len(first) && first[r+1] <= s {
			r++
		}
		return r
	}
	var out []string
	for i := range runs {
		end := len(g.drawn)
		if i+1 < len(first) {
			end = first[i+1]
		}
		drawn, shown := 0, 0
		by := make([]int, len(runs))
		for s := first[i]; s < end; s++ {
			drawn += g.drawn[s]
			shown += g.shown[s]
			for t, n := range g.cover[s] {
				if j := runOf(t); j != i {
					by[j] += n
				}
			}
		}
		if drawn < 6 || shown*10 > drawn {
			continue
		}
		top := 0
		for j, n := range by {
			if n > by[top] {
				top = j
			}
		}
		out = append(out, fmt.Sprintf("%s %s is under %s %s", runs[i].Info.Glyph, runs[i].Info.Title, runs[top].Info.Glyph, runs[top].Info.Title))
	}
	return out
}

// legendItem is "● LoRA ─ 1.2e-03 · 2.3e-03": glyph and title in the
// method's colour, then the eval and train loss (eval drawn as a line,
// train as dots; without colour, as solid and hollow glyphs) — the latest,
// or at the reading cursor's step. A hidden run says so; ✎ marks a run
// whose learning rate changed while it trained. The compact item leaves
// out the glyph before the title and the state's icon; the key item is the
// glyph, title and icon only.
func (p *ChartPane) legendItem(r *RunView, mode int, c seedCurve) string {
	st := p.c.Styles
	ms := st.Method(r.Info.Name)
	evalMark, trainMark := "─", "·"
	if !st.Colour {
		evalMark, trainMark = r.Info.Glyph, r.Info.Hollow
	}
	s := ms.Render(r.Info.Glyph+" "+r.Info.Title) + " " + statusStyle(st, r).Render(statusIcon(r))
	compact := mode == legendCompact
	if compact {
		s = ms.Render(r.Info.Title)
	}
	if r.LiveChanged() {
		s += st.Live.Render("✎")
	}
	if p.hidden[r.Info.Name] || (p.solo && r.ID != p.c.Lab.Cursor) {
		return s + " " + st.Muted.Render("hidden")
	}
	if mode == legendKey {
		if !st.Colour { // the key names both curves' glyphs: eval, train
			s = r.Info.Glyph + r.Info.Hollow + " " + r.Info.Title + " " + statusIcon(r)
			if r.LiveChanged() {
				s += "✎"
			}
		}
		return s
	}
	pt, ok := c.last()
	if p.cursorOn {
		pt, ok = c.at(p.cursor)
	}
	if !ok {
		if len(c.Steps) == 0 {
			return s + " " + st.Muted.Render(statusWord(r))
		}
		return s + " " + st.Muted.Render("—")
	}
	format := text.ShortLoss
	if compact {
		format = shortLoss
	}
	if p.curves != 2 {
		s += " " + ms.Render(evalMark) + format(pt.Eval)
	}
	if p.curves != 1 {
		s += " " + ms.Render(trainMark) + format(pt.Train)
	}
	return s
}

// shortLoss formats a loss in at most 6 cells: 0.501, 0.0269, 3.8e-3.
func shortLoss(x float64) string {
	if !lab.Finite(x) || x == 0 || (math.Abs(x) >= 0.01 && math.Abs(x) < 1000) {
		return text.ShortLoss(x)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'e', 1, 64), 64)
	return sci(r)
}

// The legend's forms: every run's values; the same, compact; the key only.
const (
	legendFull = iota
	legendCompact
	legendKey
)

// pointAt is the last point of h at or before step.
func pointAt(h *lab.History, step int) (lab.Point, bool) {
	pts := h.Points()
	var out lab.Point
	ok := false
	for _, pt := range pts {
		if pt.Step > step {
			break
		}
		out, ok = pt, true
	}
	return out, ok
}

// packLegend lays legend items out in as few lines of w cells as they fit.
func packLegend(items []string, w int) []string {
	if len(items) == 0 {
		return nil
	}
	colW := 0
	for _, it := range items {
		colW = max(colW, text.Width(it))
	}
	colW += 2
	per := max(1, w/colW)
	var lines []string
	for i := 0; i < len(items); i += per {
		var sb strings.Builder
		for j := i; j < min(i+per, len(items)); j++ {
			sb.WriteString(text.Fit(items[j], colW))
		}
		lines = append(lines, text.Fit(sb.String(), w))
	}
	return lines
}
