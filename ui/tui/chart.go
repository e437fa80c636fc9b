package tui

import (
	"math"
	"strings"

	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// Series is one curve of a chart: values at increasing x positions (steps).
type Series struct {
	X      []int     // x positions, increasing
	Y      []float64 // values; NaN and ±Inf are gaps
	Colour uint8     // xterm-256 colour, used when the chart has colour
	Chars  asciigraph.CharSet
	// Paint, if set, colours the series instead of Colour (drawChart only):
	// the method's own style, so the curve is its legend's colour.
	Paint Paint
	// Dot, if set, marks each of the series' own points (drawChart only):
	// a sweep's measured values among the lines between them.
	Dot string
	// End, if set, labels the series' last point, drawn over every curve
	// (drawChart only): curves on top of each other stay told apart.
	End string
	// Lo and Hi, if set (one per X, like Y), are a band drawn under every
	// curve in the series' paint with ░ on the cells between them
	// (drawChart only): the min … max over seeds around a mean.
	Lo, Hi []float64
}

// ChartOpts says how to draw a chart.
type ChartOpts struct {
	Width, Height int                  // the whole chart, axes and labels included
	XMax          int                  // the x axis spans 0 … XMax
	Log           bool                 // plot log10 of the values, label the real values
	Colour        bool                 // colour the series (false under NO_COLOR)
	YFormat       func(float64) string // y labels (default text.ShortLoss), at most 7 cells
	XFormat       func(float64) string // x labels (default text.ShortCount)
	XTicks        int                  // x ticks (0: about one per 12 columns)
	Empty         string               // shown when there is nothing to plot

	// drawChart only.
	XLabel, YLabel string      // the axes' names: x heads the tick labels' row, y sits in the axis row's gutter
	Marks          []ChartMark // vertical markers (a setting changed live)
	CursorOn       bool        // draw the reading cursor at step Cursor
	Cursor         int
	CursorPaint    Paint
	YUnit          float64 // a linear y axis ticks at round multiples of YUnit (default 1)
	YPow2          bool    // a log y axis ticks at powers of two (bytes: 256K, 512K, 1M)
}

// labelWidth is the width of the y labels: text.ShortLoss and text.Bytes fit in it.
const labelWidth = 8

// plotChart draws series with asciigraph into exactly o.Height lines of
// exactly o.Width cells. It does what asciigraph does not: drops NaN and
// ±Inf, downsamples each series to the plot's columns with min/max buckets
// (so spikes survive), plots log10 for a log scale with real-valued labels,
// fixes the height, and colours only when asked.
func plotChart(series []Series, o ChartOpts) []string {
	leftPad := 2 + labelWidth
	cols := o.Width - leftPad - 3
	plotH := o.Height - 2
	if cols < 8 || plotH < 2 {
		return fitLines(o.Empty, o.Width, o.Height)
	}
	xmax := max(o.XMax, 1)
	var data [][]float64
	var colours []asciigraph.AnsiColor
	var chars []asciigraph.CharSet
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		col := bucket(s, cols, xmax, o.Log)
		if col == nil {
			continue
		}
		for _, v := range col {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		data = append(data, col)
		colours = append(colours, asciigraph.AnsiColor(s.Colour))
		chars = append(chars, s.Chars)
	}
	if len(data) == 0 || math.IsInf(lo, 1) {
		return fitLines(o.Empty, o.Width, o.Height)
	}
	yfmt := o.YFormat
	if yfmt == nil {
		yfmt = text.ShortLoss
	}
	ticks := max(2, min(8, cols/12))
	if o.XTicks > 0 {
		ticks = o.XTicks
	}
	xfmt := o.XFormat
	if xfmt == nil {
		xfmt = text.ShortCount
	}
	pad := 0.0
	if hi-lo < 1e-9 {
		pad = 0.5
		if !o.Log {
			pad = math.Max(math.Abs(hi)*0.1, 1e-9)
		}
	}
	// asciigraph rounds v·ratio and min·ratio separately, which can put a
	// value a whole row off its label. Plotting v − min (so the lower bound
	// is exactly 0) removes the second rounding; labels add min back.
	base := lo - pad
	for _, col := range data {
		for i := range col {
			col[i] -= base // NaN stays NaN: a gap
		}
	}
	label := func(v float64) string {
		v += base
		if o.Log {
			v = math.Pow(10, v)
		}
		return text.Fit(yfmt(v), labelWidth-1)
	}
	opts := []asciigraph.Option{
		asciigraph.Height(plotH - 1), asciigraph.Offset(2),
		asciigraph.LowerBound(0), asciigraph.UpperBound(hi + pad - base),
		asciigraph.YAxisValueFormatter(label),
		asciigraph.XAxisRange(0, float64(xmax)),
		asciigraph.XAxisTickCount(ticks),
		asciigraph.XAxisValueFormatter(xfmt),
		asciigraph.SeriesChars(chars...),
	}
	if o.Colour {
		opts = append(opts, asciigraph.SeriesColors(colours...))
	}
	lines := strings.Split(asciigraph.PlotMany(data, opts...), "\n")
	// asciigraph makes Height+1 plot rows, give or take one: keep the axis.
	axis := lines[max(0, len(lines)-2):]
	body := lines[:max(0, len(lines)-2)]
	if len(body) > plotH {
		body = body[len(body)-plotH:]
	}
	out := make([]string, 0, o.Height)
	for i := 0; i < plotH-len(body); i++ {
		out = append(out, "")
	}
	out = append(out, body...)
	out = append(out, axis...)
	return fitLines(strings.Join(out, "\n"), o.Width, o.Height)
}

// bucket resamples s to cols columns over x in 0 … xmax. Each pair of
// columns is one bucket holding its points' minimum and maximum, in the
// order they occur, so a spike shows however many points share a column.
// Columns between points are interpolated; columns past the last point are
// NaN (the run has not got there). It returns nil if s has no finite value.
func bucket(s Series, cols, xmax int, log bool) []float64 {
	out := make([]float64, cols)
	for i := range out {
		out[i] = math.NaN()
	}
	nb := max(cols/2, 1)
	type mm struct {
		lo, hi     float64
		loAt, hiAt int
		n          int
	}
	bs := make([]mm, nb)
	any := false
	for i, x := range s.X {
		if i >= len(s.Y) {
			break
		}
		v := s.Y[i]
		if !lab.Finite(v) {
			continue
		}
		if log {
			if v <= 0 {
				continue // no place on a log scale
			}
			v = math.Log10(v)
		}
		b := int(int64(max(x, 0)) * int64(nb-1) / int64(xmax))
		b = min(max(b, 0), nb-1)
		m := &bs[b]
		if m.n == 0 || v < m.lo {
			m.lo, m.loAt = v, i
		}
		if m.n == 0 || v > m.hi {
			m.hi, m.hiAt = v, i
		}
		m.n++
		any = true
	}
	if !any {
		return nil
	}
	for b, m := range bs {
		if m.n == 0 {
			continue
		}
		c := b * 2
		first, second := m.lo, m.hi
		if m.hiAt < m.loAt {
			first, second = m.hi, m.lo
		}
		if c < cols {
			out[c] = first
		}
		if c+1 < cols {
			out[c+1] = second
		}
	}
	interpolate(out)
	return out
}

// interpolate fills NaN gaps between known values linearly.
func interpolate(v []float64) {
	last := -1
	for i, x := range v {
		if math.IsNaN(x) {
			continue
		}
		if last >= 0 && i-last > 1 {
			for j := last + 1; j < i; j++ {
				f := float64(j-last) / float64(i-last)
				v[j] = v[last] + f*(x-v[last])
			}
		}
		last = i
	}
}

// ema smooths values with an exponential moving average of weight a on the
// new value; non-finite values pass through and restart the average.
func ema(values []float64, a float64) []float64 {
	out := make([]float64, len(values))
	var acc float64
	started := false
	for i, v := range values {
		if !lab.Finite(v) {
			out[i], started = v, false
			continue
		}
		if !started {
			acc, started = v, true
		} else {
			acc = a*v + (1-a)*acc
		}
		out[i] = acc
	}
	return out
}
