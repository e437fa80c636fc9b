package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/guptarohit/asciigraph"
)

// curveNames are the choices of the c key.
var curveNames = []string{"train+eval", "eval", "train"}

// ChartPane overlays the train and eval loss of every run, each in its
// method's colour, over steps, with a legend giving each run's current
// values. Log scale (L) is on by default; z smooths with an EMA; c picks the
// curves. Without colour, series are told apart by glyphs.
type ChartPane struct {
	basePane
	logScale bool // plot the loss on a log scale (L; on at first)
	smooth   bool // smooth the curves with an EMA (z)
	curves   int  // which curves (c): 0 train+eval, 1 eval, 2 train
}

// NewChartPane returns the loss chart pane.
func NewChartPane(c *Common) *ChartPane {
	p := &ChartPane{basePane: basePane{c: c}, logScale: true}
	k := c.Keys
	p.keys = []*KeyTable{{Title: "Loss chart", Global: true, Rows: []KeyRow{
		row(k.LogScale, func(tea.KeyMsg) {
			p.logScale = !p.logScale
			p.changed("log scale %s", onOff(p.logScale))
		}),
		row(k.Smooth, func(tea.KeyMsg) {
			p.smooth = !p.smooth
			p.changed("smoothing (EMA) %s", onOff(p.smooth))
		}),
		row(k.Curves, func(tea.KeyMsg) {
			p.curves = (p.curves + 1) % len(curveNames)
			p.changed("curves: %s", curveNames[p.curves])
		}),
	}}}
	return p
}

// changed redraws the chart for new options and says what they are.
func (p *ChartPane) changed(format string, args ...any) {
	p.memo.drop()
	p.c.Lab.Say(false, format, args...)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Title implements Component: the name and the options in force.
func (p *ChartPane) Title() string {
	scale := "linear"
	if p.logScale {
		scale = "log"
	}
	evalMark, trainMark := "─", "·"
	if !p.c.Styles.Colour {
		evalMark, trainMark = "●", "○"
	}
	t := "Loss (" + scale
	if p.smooth {
		t += ", EMA"
	}
	t += ")"
	if p.curves != 2 {
		t += " " + evalMark + " eval"
	}
	if p.curves != 1 {
		t += " " + trainMark + " train"
	}
	return t
}

// ShortHelp implements Component.
func (p *ChartPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{k.LogScale, k.Smooth, k.Curves}
}

// View implements Component.
func (p *ChartPane) View() string {
	return p.memo.get([8]int{p.w, p.h, p.c.Lab.Version().Runs}, p.render)
}

func (p *ChartPane) render() string {
	l, st := p.c.Lab, p.c.Styles
	var series []Series
	var legend []string
	xmax := 0
	for _, r := range l.Runs {
		if r == nil {
			continue
		}
		xmax = max(xmax, r.Steps)
		pts := r.Hist.Points()
		xs := make([]int, len(pts))
		train := make([]float64, len(pts))
		eval := make([]float64, len(pts))
		for i, pt := range pts {
			xs[i], train[i], eval[i] = pt.Step, pt.Train, pt.Eval
		}
		if p.smooth {
			train, eval = ema(train, 0.15), ema(eval, 0.15)
		}
		glyph := r.Info.Glyph
		evalChars, trainChars := asciigraph.DefaultCharSet, asciigraph.CreateCharSet("·")
		if !st.Colour {
			evalChars = asciigraph.CreateCharSet(glyph)
			trainChars = asciigraph.CreateCharSet(r.Info.Hollow) // the outlined twin: the train curve without colour
		}
		colour := st.MethodANSI(r.Info.Name)
		if p.curves != 1 {
			series = append(series, Series{X: xs, Y: train, Colour: colour, Chars: trainChars})
		}
		if p.curves != 2 {
			series = append(series, Series{X: xs, Y: eval, Colour: colour, Chars: evalChars})
		}
		legend = append(legend, p.legendItem(r))
	}
	legendLines := packLegend(legend, p.w)
	if len(legendLines) > max(0, p.h-5) {
		legendLines = legendLines[:max(0, p.h-5)]
	}
	empty := "\n  No runs yet.\n\n  Press enter to train the method under the cursor,\n  or r to race the marked methods."
	chart := plotChart(series, ChartOpts{
		Width: p.w, Height: p.h - len(legendLines), XMax: xmax, Log: p.logScale,
		Colour: st.Colour, Empty: empty,
	})
	return strings.Join(append(chart, legendLines...), "\n")
}

// legendItem is "● LoRA ─ 1.2e-03 · 2.3e-03": glyph and title in the
// method's colour, then the current eval and train loss (eval drawn as a
// line, train as dots; without colour, as solid and hollow glyphs).
func (p *ChartPane) legendItem(r *RunView) string {
	st := p.c.Styles
	ms := st.Method(r.Info.Name)
	evalMark, trainMark := "─", "·"
	if !st.Colour {
		evalMark, trainMark = r.Info.Glyph, r.Info.Hollow
	}
	train, eval := r.Train, r.Eval
	if last, ok := r.Hist.Last(); ok {
		train, eval = last.Train, last.Eval
	}
	if r.Hist.Len() == 0 {
		train, eval = nan(), nan()
	}
	s := ms.Render(r.Info.Glyph+" "+r.Info.Title) + " " + statusStyle(st, r).Render(statusIcon(r))
	if r.Hist.Len() == 0 {
		return s + " " + st.Muted.Render(statusWord(r))
	}
	if p.curves != 2 {
		s += " " + ms.Render(evalMark) + fmtLoss(eval)
	}
	if p.curves != 1 {
		s += " " + ms.Render(trainMark) + fmtLoss(train)
	}
	return s
}

// packLegend lays legend items out in as few lines of w cells as they fit.
func packLegend(items []string, w int) []string {
	if len(items) == 0 {
		return nil
	}
	colW := 0
	for _, it := range items {
		colW = max(colW, width(it))
	}
	colW += 2
	per := max(1, w/colW)
	var lines []string
	for i := 0; i < len(items); i += per {
		var sb strings.Builder
		for j := i; j < min(i+per, len(items)); j++ {
			sb.WriteString(fit(items[j], colW))
		}
		lines = append(lines, fit(sb.String(), w))
	}
	return lines
}
