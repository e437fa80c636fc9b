package tui

import (
	"math"
	"strconv"
	"strings"

	"github.com/guptarohit/asciigraph"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// drawChart is the lab's own chart: the loss chart, the sweep's curves and
// charts and the process's heap are drawn with it (the memory-at-scale
// dialog still uses plotChart). Over plotChart it has round ticks (0, 250,
// 500 … on x; decades, or 1-2-5 steps, on a log y axis; one number format
// per axis), axis names, vertical markers (a setting changed live), a
// reading cursor, dots on measured points, and each series in a Paint of its
// own, so a curve is exactly its legend's colour. It returns exactly
// o.Height lines of exactly o.Width cells.
func drawChart(series []Series, o ChartOpts) []string {
	lines, _ := drawChartGeom(series, o)
	return lines
}

// ChartMark is a vertical marker of a chart at step X: drawn with Glyph on
// the cells no curve takes.
type ChartMark struct {
	X     int
	Glyph string
	Paint Paint
}

// chartGeom is where drawChart put things: the plot's columns and rows and,
// per series (in the order given), the row of each column (-1: no value),
// counted from the bottom. The loss chart reads it to tell curves that lie
// on top of each other.
type chartGeom struct {
	cols, plotH int
	rows        [][]int
	// drawn counts the cells each series drew, shown those still its once
	// every series is drawn (later ones cover earlier ones), and cover[i][j]
	// the cells of series i that series j drew over (nil: none).
	drawn, shown []int
	cover        [][]int
}

// bandGlyph fills a series' band (Series.Lo … Hi).
const bandGlyph = "░"

// Layout of drawChart's lines: a gutter of y labels, the axis, the plot,
// a right margin for the last x label.
const (
	gutterW     = labelWidth + 1 // " " + a 7-cell label + " "
	rightMargin = 3
)

// ansiPaint is the paint of an xterm-256 colour, for series given by index.
var ansiPaint = func() (out [256]Paint) {
	for i := range out {
		out[i] = Paint{pre: "\x1b[38;5;" + strconv.Itoa(i) + "m", post: "\x1b[0m"}
	}
	return out
}()

// cell is one character of the plot, the index of its paint (-1: none)
// and the series that drew it (-1: none, or a marker).
type cell struct {
	ch    string
	p     int16
	owner int16
}

// drawChartGeom is drawChart, also returning where it drew each series
// (nil when it drew only o.Empty).
func drawChartGeom(series []Series, o ChartOpts) ([]string, *chartGeom) {
	return prepChart(series, o).draw(o.Height)
}

// chartPrep is a chart's data fitted to its width — the x axis and every
// series bucketed into the plot's columns, the y range — ready to be drawn
// at any height: a pane that needs two heights buckets once.
type chartPrep struct {
	series         []Series
	o              ChartOpts
	avail          int // columns the plot may take
	xmax           int
	cols           int // columns it takes
	xt             []int
	data           [][]float64
	bandLo, bandHi [][]float64 // each series' band per column (nil: none)
	lo, hi         float64
	ok             bool // something to plot
}

// prepChart fits series to o.Width (o.Height is ignored).
func prepChart(series []Series, o ChartOpts) *chartPrep {
	cp := &chartPrep{series: series, o: o, avail: o.Width - gutterW - 1 - rightMargin}
	if cp.avail < 8 {
		return cp
	}
	cp.xmax, cp.cols, cp.xt = xAxis(max(o.XMax, 1), cp.avail, o)
	cp.data = make([][]float64, len(series))
	cp.bandLo, cp.bandHi = make([][]float64, len(series)), make([][]float64, len(series))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range series {
		col := bucket(s, cp.cols, cp.xmax, o.Log)
		cp.data[i] = col
		for _, v := range col {
			if !math.IsNaN(v) {
				lo, hi, cp.ok = math.Min(lo, v), math.Max(hi, v), true
			}
		}
		if s.Lo == nil || s.Hi == nil || col == nil {
			continue
		}
		// The band per column: the lowest low and highest high of the
		// column's bucket (bucket keeps a bucket's min and max in its two
		// columns), so it spans the range wherever the points fall.
		bl, bh := bucket(Series{X: s.X, Y: s.Lo}, cp.cols, cp.xmax, o.Log), bucket(Series{X: s.X, Y: s.Hi}, cp.cols, cp.xmax, o.Log)
		if bl == nil || bh == nil {
			continue
		}
		cl, ch := make([]float64, cp.cols), make([]float64, cp.cols)
		for c := range cl {
			a, b := c&^1, min(c|1, cp.cols-1)
			cl[c], ch[c] = math.Min(bl[a], bl[b]), math.Max(bh[a], bh[b])
			if math.IsNaN(bl[a]) || math.IsNaN(bh[a]) { // past the band's last point
				cl[c], ch[c] = math.NaN(), math.NaN()
			}
			if !math.IsNaN(cl[c]) && !math.IsNaN(ch[c]) {
				lo, hi = math.Min(lo, cl[c]), math.Max(hi, ch[c])
			}
		}
		cp.bandLo[i], cp.bandHi[i] = cl, ch
	}
	if hi-lo < 1e-9 {
		pad := 0.5
		if !o.Log {
			pad = math.Max(math.Abs(hi)*0.1, 1e-9)
		}
		lo, hi = lo-pad, hi+pad
	}
	cp.lo, cp.hi = lo, hi
	return cp
}

// draw draws the prepared chart in exactly height lines of o.Width cells,
// and says where it drew each series (nil when it drew only o.Empty).
func (cp *chartPrep) draw(height int) ([]string, *chartGeom) {
	o, series, data := cp.o, cp.series, cp.data
	o.Height = height
	plotH := height - 2
	if !cp.ok || plotH < 2 {
		return fitLines(o.Empty, o.Width, o.Height), nil
	}
	cols, xmax, xt, lo, hi, avail := cp.cols, cp.xmax, cp.xt, cp.lo, cp.hi, cp.avail
	rowOf := func(v float64) int {
		return min(plotH-1, max(0, int(math.Round((v-lo)/(hi-lo)*float64(plotH-1)))))
	}
	// The paints: none without colour; else each series', then the marks'.
	var paints []Paint
	paintOf := func(p Paint) int16 {
		if !o.Colour || p.pre == "" {
			return -1
		}
		paints = append(paints, p)
		return int16(len(paints) - 1)
	}
	grid := make([]cell, plotH*cols)
	for i := range grid {
		grid[i] = cell{" ", -1, -1}
	}
	owner := int16(-1)
	geom := &chartGeom{cols: cols, plotH: plotH, rows: make([][]int, len(series)),
		drawn: make([]int, len(series)), shown: make([]int, len(series)), cover: make([][]int, len(series))}
	coverAll := make([]int, len(series)*len(series)) // cover's rows, in one
	set := func(r, c int, ch string, p int16) {
		g := &grid[(plotH-1-r)*cols+c]
		if owner >= 0 && g.owner != owner {
			geom.drawn[owner]++
			if g.owner >= 0 {
				if geom.cover[g.owner] == nil {
					geom.cover[g.owner] = coverAll[int(g.owner)*len(series) : int(g.owner+1)*len(series)]
				}
				geom.cover[g.owner][owner]++
			}
		}
		*g = cell{ch, p, owner}
	}
	blank := func(r, c int) bool { ch := grid[(plotH-1-r)*cols+c].ch; return ch == " " || ch == bandGlyph }
	// The bands first, on cells of their own: every curve is drawn over them.
	for i, s := range series {
		if cp.bandLo[i] == nil {
			continue
		}
		p := s.Paint
		if p.pre == "" {
			p = ansiPaint[s.Colour]
		}
		pi := paintOf(p)
		for c := 0; c < cols; c++ {
			l, h := cp.bandLo[i][c], cp.bandHi[i][c]
			if math.IsNaN(l) || math.IsNaN(h) {
				continue
			}
			for r := rowOf(l); r <= rowOf(h); r++ {
				grid[(plotH-1-r)*cols+c] = cell{bandGlyph, pi, -1}
			}
		}
	}
	nb := max(cols/2, 1)
	colOf := func(x int) int { return min(cols-1, 2*int(int64(min(max(x, 0), xmax))*int64(nb-1)/int64(xmax))) }
	for i, s := range series {
		owner = int16(i)
		p := s.Paint
		if p.pre == "" {
			p = ansiPaint[s.Colour]
		}
		pi := paintOf(p)
		cs := s.Chars
		if cs.Horizontal == "" {
			cs = asciigraph.DefaultCharSet
		}
		col := data[i]
		rows := make([]int, cols)
		for c := range rows {
			rows[c] = -1
		}
		if col == nil {
			geom.rows[i] = rows
			continue
		}
		for c := 0; c < cols; c++ {
			if math.IsNaN(col[c]) {
				continue
			}
			r0 := rowOf(col[c])
			rows[c] = r0
			if c+1 >= cols || math.IsNaN(col[c+1]) {
				set(r0, c, cs.Horizontal, pi)
				continue
			}
			r1 := rowOf(col[c+1])
			switch {
			case r0 == r1:
				set(r0, c, cs.Horizontal, pi)
			case r0 > r1: // falling: in at r0, down to r1
				set(r0, c, cs.ArcDownLeft, pi)
				set(r1, c, cs.ArcUpRight, pi)
				for y := r1 + 1; y < r0; y++ {
					set(y, c, cs.VerticalLine, pi)
				}
			default: // rising
				set(r0, c, cs.ArcUpLeft, pi)
				set(r1, c, cs.ArcDownRight, pi)
				for y := r0 + 1; y < r1; y++ {
					set(y, c, cs.VerticalLine, pi)
				}
			}
		}
		if s.Dot != "" {
			for k, x := range s.X {
				if k >= len(s.Y) || !lab.Finite(s.Y[k]) || (o.Log && s.Y[k] <= 0) {
					continue
				}
				if c := colOf(x); !math.IsNaN(col[c]) {
					set(rowOf(col[c]), c, s.Dot, pi)
				}
			}
		}
		geom.rows[i] = rows
	}
	// Every series' end label, over all the curves; one that would land on
	// another's moves to the nearest free row, so curves that end together
	// stay told apart.
	ends := map[[2]int]bool{}
	for i, s := range series {
		if s.End == "" || data[i] == nil {
			continue
		}
		owner = int16(i)
		for c := cols - 1; c >= 0; c-- {
			if math.IsNaN(data[i][c]) {
				continue
			}
			p := s.Paint
			if p.pre == "" {
				p = ansiPaint[s.Colour]
			}
			r0 := rowOf(data[i][c])
			for d := 0; d < 2*plotH; d++ {
				r := r0 + (d+1)/2*(1-2*(d%2)) // r0, r0+1, r0-1, r0+2, …
				if r >= 0 && r < plotH && !ends[[2]int{r, c}] {
					ends[[2]int{r, c}] = true
					set(r, c, s.End, paintOf(p))
					break
				}
			}
			break
		}
	}
	// What is left of each series once the later ones are drawn.
	for _, cl := range grid {
		if cl.owner >= 0 {
			geom.shown[cl.owner]++
		}
	}
	owner = -1
	// Markers and the cursor: vertical lines on the cells no curve took.
	vertical := func(x int, glyph string, p Paint) {
		c, pi := colOf(x), paintOf(p)
		for r := 0; r < plotH; r++ {
			if blank(r, c) {
				set(r, c, glyph, pi)
			}
		}
	}
	for _, mk := range o.Marks {
		vertical(mk.X, mk.Glyph, mk.Paint)
	}
	if o.CursorOn {
		vertical(o.Cursor, "│", o.CursorPaint)
	}
	// The y axis: a label on the row nearest each round value.
	ticks := yTicks(lo, hi, o.Log, max(2, (plotH+1)/2), o.YUnit, o.YPow2)
	labels := make([]string, plotH)
	texts := yTickTexts(ticks, o.YFormat)
	for k, t := range ticks {
		v := t
		if o.Log {
			v = math.Log10(t)
		}
		if r := rowOf(v); labels[r] == "" {
			labels[r] = texts[k]
		}
	}
	out := make([]string, 0, o.Height)
	// Each line is built to exactly o.Width cells: the gutter and axis (10),
	// the plot's columns, spaces to the edge.
	tail := strings.Repeat(" ", max(0, o.Width-10-cols))
	var sb strings.Builder
	for i := 0; i < plotH; i++ {
		r := plotH - 1 - i
		sb.Reset()
		sb.Grow(4*cols + 64)
		axis := "│"
		if labels[r] != "" {
			axis = "┤"
		}
		sb.WriteString(" " + text.Fit(text.PadLeft(labels[r], labelWidth-1), labelWidth-1) + " " + axis)
		cur := int16(-1)
		for _, cl := range grid[i*cols : (i+1)*cols] {
			if cl.p != cur {
				if cur >= 0 {
					sb.WriteString(paints[cur].post)
				}
				if cl.p >= 0 {
					sb.WriteString(paints[cl.p].pre)
				}
				cur = cl.p
			}
			sb.WriteString(cl.ch)
		}
		if cur >= 0 {
			sb.WriteString(paints[cur].post)
		}
		sb.WriteString(tail)
		out = append(out, sb.String())
	}
	// The x axis: round ticks, their labels, the axis names.
	axisRow := []rune(strings.Repeat("─", cols))
	for _, t := range xt {
		axisRow[colOf(t)] = '┬'
	}
	out = append(out, " "+text.Fit(text.PadLeft(o.YLabel, labelWidth-1), labelWidth-1)+" └"+string(axisRow)+tail)
	labelRow := []rune(strings.Repeat(" ", avail+rightMargin+1))
	next := 0
	xfmt := o.XFormat
	if xfmt == nil {
		xfmt = fmtTick
	}
	for _, t := range xt {
		label := []rune(xfmt(float64(t)))
		start := 1 + colOf(t) - len(label)/2
		if t == 0 {
			start = 1 + colOf(t)
		}
		if start < next || start+len(label) > len(labelRow) {
			continue
		}
		copy(labelRow[start:], label)
		next = start + len(label) + 1
	}
	out = append(out, text.Fit(" "+text.Fit(text.PadLeft(o.XLabel, labelWidth-1), labelWidth-1)+" "+string(labelRow), o.Width))
	return out, geom
}

// niceSteps are the mantissas of a round tick step.
var niceSteps = []float64{1, 2, 2.5, 5, 10}

// niceStep is the smallest round step (1, 2, 2.5 or 5 × 10^k) of at least x.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range niceSteps {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// xAxis chooses the x axis for a plot of at most avail columns over 0 …
// xmax: the ticks (o.XTicks evenly spaced ones if set — a sweep's values —
// else round multiples of a round step, as many as their labels fit), the
// axis's end (xmax rounded up to the last tick) and the plot's columns, so
// that every tick falls on a column of its own and the ticks are evenly
// spaced: the plot has k columns pairs per interval (bucket draws two
// columns per bucket). Of the round steps, the one that leaves the fewest
// columns unused wins (then the one with more ticks).
func xAxis(xmax, avail int, o ChartOpts) (xEnd, cols int, ticks []int) {
	xfmt := o.XFormat
	if xfmt == nil {
		xfmt = fmtTick
	}
	pairs := avail / 2
	if o.XTicks > 1 {
		n := o.XTicks - 1
		k := max(1, (pairs-1)/n)
		for i := 0; i <= n; i++ {
			ticks = append(ticks, int(math.Round(float64(i)*float64(xmax)/float64(n))))
		}
		return xmax, min(avail, 2*(n*k+1)), ticks
	}
	type choice struct{ step, n, used, k int }
	var all []choice
	// Steps from about a 40th of xmax (the most ticks) to xmax.
	for p := max(0, int(math.Log10(float64(xmax)/40))); p <= int(math.Log10(float64(xmax)))+1; p++ {
		for _, m := range []int{10, 20, 25, 50} {
			step := m * pow10(p) / 10
			if step < 1 || (m == 25 && p == 0) {
				continue
			}
			n := (xmax + step - 1) / step
			if n < 1 || n > 40 || (n < 3 && xmax >= 3*step/2) {
				continue
			}
			k := (pairs - 1) / n
			labelW := 0 // the last labels are the widest (1.25k, 1.5k)
			for i := max(0, n-2); i <= n; i++ {
				labelW = max(labelW, text.Width(xfmt(float64(i*step))))
			}
			if 2*k < labelW+2 {
				continue // the labels would collide
			}
			all = append(all, choice{step, n, 2 * (n*k + 1), k})
		}
	}
	// The most columns of data (the plot's columns up to xmax; ticks more
	// than 20 columns apart count 8 % less), and among choices within 3 %
	// of it, the most ticks.
	data := func(c choice) float64 {
		d := float64(c.used) * float64(xmax) / float64(c.n*c.step)
		if 2*c.k > 20 {
			d *= 0.92
		}
		return d
	}
	bestData := 0.0
	for _, c := range all {
		bestData = math.Max(bestData, data(c))
	}
	var best *choice
	for i, c := range all {
		if data(c) >= 0.97*bestData && (best == nil || c.n > best.n) {
			best = &all[i]
		}
	}
	if best == nil { // no room for round ticks: the ends only
		return xmax, avail &^ 1, []int{0, xmax}
	}
	for i := 0; i <= best.n; i++ {
		ticks = append(ticks, i*best.step)
	}
	return best.n * best.step, best.used, ticks
}

// pow10 is 10^p for small p.
func pow10(p int) int {
	n := 1
	for range p {
		n *= 10
	}
	return n
}

// yTicks are round values between lo and hi (log10 of the values on a log
// scale), at most n of them and at least two: decades on a log scale, then
// 1-2-5 steps or every digit if there are fewer than two decades (powers
// of two first, with pow2: bytes); round
// multiples of a round step (of unit, if set) on a linear one. When no two
// round values fall in range, the two ends.
func yTicks(lo, hi float64, log bool, n int, unit float64, pow2 bool) []float64 {
	if log && pow2 {
		var out []float64
		for k := math.Floor(lo / math.Log10(2)); k <= math.Ceil(hi/math.Log10(2)); k++ {
			if lv := k * math.Log10(2); lv >= lo-1e-9 && lv <= hi+1e-9 {
				out = append(out, math.Pow(2, k))
			}
		}
		if len(out) >= 2 {
			return thin(out, n)
		}
	}
	if log {
		for _, tier := range [][]float64{{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}} {
			var out []float64
			for k := math.Floor(lo) - 1; k <= math.Ceil(hi); k++ {
				for _, m := range tier {
					v := m * math.Pow(10, k)
					if lv := math.Log10(v); lv >= lo-1e-9 && lv <= hi+1e-9 {
						out = append(out, v)
					}
				}
			}
			if len(out) >= 2 {
				return thin(clean(out), n)
			}
		}
		return []float64{math.Pow(10, lo), math.Pow(10, hi)}
	}
	if unit <= 0 {
		unit = 1
	}
	// The largest round step that gives at least two ticks.
	units := niceStep((hi - lo) / float64(max(n-1, 1)) / unit)
	var out []float64
	for try := 0; try < 8 && len(out) < 2; try++ {
		step := units * unit
		out = out[:0]
		for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
			out = append(out, k*step)
		}
		units = niceStep(units * 0.99 / 2) // the next round step down: 5 → 2.5 → 2 → 1
	}
	if len(out) < 2 {
		return []float64{lo, hi}
	}
	return thin(clean(out), n)
}

// clean rounds each value to 12 significant digits: 3 × 0.1 is 0.3.
func clean(vs []float64) []float64 {
	for i, v := range vs {
		vs[i], _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	}
	return vs
}

// thin keeps every k-th of vs so at most n remain.
func thin(vs []float64, n int) []float64 {
	if len(vs) <= n {
		return vs
	}
	k := (len(vs) + n - 1) / n
	var out []float64
	for i := 0; i < len(vs); i += k {
		out = append(out, vs[i])
	}
	return out
}

// yTickTexts formats the y ticks: with f if given, else in one number
// format for all: plain decimals (0.001, 0.01, 0.5) when every tick has
// one of at most 7 cells, three significant digits (4.64, 2.15) when the
// ticks lie in 1e-3 … 1e6 but some decimals are longer, else scientific
// (1e-4, 2.5e-5).
func yTickTexts(ts []float64, f func(float64) string) []string {
	out := make([]string, len(ts))
	if f != nil {
		for i, t := range ts {
			out[i] = f(t)
		}
		return out
	}
	plain, short := true, true
	for i, t := range ts {
		out[i] = strconv.FormatFloat(t, 'f', -1, 64)
		if t != 0 && (math.Abs(t) < 1e-3 || math.Abs(t) >= 1e6) {
			plain, short = false, false
		}
		if len(out[i]) > labelWidth-1 {
			plain = false
		}
	}
	if plain {
		return out
	}
	if short { // decimals too long for the gutter (4.6415…): three digits, 4.64
		for i, t := range ts {
			out[i] = strconv.FormatFloat(t, 'g', 3, 64)
			short = short && len(out[i]) <= labelWidth-1 && !strings.Contains(out[i], "e")
		}
		if short {
			return out
		}
	}
	for i, t := range ts {
		out[i] = sci(t)
	}
	return out
}

// sci formats x as 1e-4 or 2.5e-5: the shortest mantissa, the exponent
// without padding.
func sci(x float64) string {
	if x == 0 {
		return "0"
	}
	s := strconv.FormatFloat(x, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if len(mant) > 3 {
		mant = strconv.FormatFloat(x/math.Pow(10, math.Floor(math.Log10(math.Abs(x)))), 'g', 2, 64)
	}
	e, _ := strconv.Atoi(exp)
	return mant + "e" + strconv.Itoa(e)
}

// fmtTick formats a round tick exactly and compactly: 250, 1.25k, 2k, 1.5M.
func fmtTick(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
