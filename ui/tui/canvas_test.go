package tui

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
	"github.com/muesli/termenv"
)

// falling is a loss curve from 0.5 to about 1e-4 over steps.
func falling(steps int, glyph string) Series {
	var s Series
	for x := 0; x <= steps; x += 10 {
		s.X = append(s.X, x)
		s.Y = append(s.Y, 1e-4+0.5*math.Exp(-8*float64(x)/float64(steps)))
	}
	s.Chars = asciigraph.CreateCharSet(glyph)
	return s
}

// TestDrawChartFits: every chart is exactly its size, whatever the data.
func TestDrawChartFits(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := map[string][]Series{
		"none": nil, "empty": {{}}, "all nan": {{X: []int{0, 1, 2}, Y: []float64{nan, nan, nan}}},
		"inf": {{X: []int{0, 1, 2, 3}, Y: []float64{1, inf, -inf, 0.5}}}, "flat": {{X: []int{0, 10}, Y: []float64{0.3, 0.3}}},
		"one point": {{X: []int{5}, Y: []float64{0.1}, Dot: "●", End: "1"}}, "negative": {{X: []int{0, 1}, Y: []float64{-1, 0}}},
		"falling": {falling(1234, "●")},
	}
	for name, s := range cases {
		for _, log := range []bool{true, false} {
			for _, sz := range [][2]int{{60, 12}, {12, 4}, {0, 0}, {200, 50}, {21, 5}} {
				lines := drawChart(s, ChartOpts{Width: sz[0], Height: sz[1], XMax: 1234, Log: log, Empty: "nothing",
					XLabel: "steps", YLabel: "loss", Marks: []ChartMark{{X: 600, Glyph: "┆"}}, CursorOn: true, Cursor: 5000})
				if len(lines) != sz[1] {
					t.Errorf("%s %v: %d lines", name, sz, len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) != sz[0] {
						t.Errorf("%s %v: line %q is %d wide", name, sz, l, ansi.StringWidth(l))
					}
				}
			}
		}
	}
}

// axisRows splits a chart into its plot rows, its axis row and its tick
// labels' row.
func axisRows(lines []string) (plot []string, axis, labels string) {
	return lines[:len(lines)-2], lines[len(lines)-2], lines[len(lines)-1]
}

// TestRoundTicks: the x ticks are round multiples of a round step, evenly
// spaced, labelled exactly; a log y axis is labelled at decades in one
// number format; the axes are named.
func TestRoundTicks(t *testing.T) {
	for _, c := range []struct {
		w, steps int
		want     []string // the x labels
	}{
		{78, 1500, []string{"0", "250", "500", "750", "1k", "1.25k", "1.5k"}},
		{78, 2000, []string{"0", "200", "400", "600", "800", "1k", "1.2k", "1.4k", "1.6k", "1.8k", "2k"}},
		{130, 1000, nil},
		{78, 1234, nil},
		{200, 100000, nil},
	} {
		lines := drawChart([]Series{falling(c.steps, "●")}, ChartOpts{Width: c.w, Height: 14, XMax: c.steps, Log: true, XLabel: "steps", YLabel: "loss"})
		plot, axis, labels := axisRows(lines)
		fields := strings.Fields(labels)
		if fields[0] != "steps" || !strings.Contains(axis, "loss └") {
			t.Errorf("%v: axes not named: %q %q", c, axis, labels)
		}
		fields = fields[1:]
		if c.want != nil && strings.Join(fields, " ") != strings.Join(c.want, " ") {
			t.Errorf("%v: x labels %v, want %v", c, fields, c.want)
		}
		// Evenly spaced ticks, and each label a multiple of the first step.
		var cols []int
		for i, r := range []rune(axis) {
			if r == '┬' {
				cols = append(cols, i)
			}
		}
		for i := 2; i < len(cols); i++ {
			if cols[i]-cols[i-1] != cols[1]-cols[0] {
				t.Errorf("%v: ticks at %v, not evenly spaced", c, cols)
				break
			}
		}
		if len(cols) != len(fields) || len(cols) < 3 {
			t.Errorf("%v: %d ticks, %d labels", c, len(cols), len(fields))
		}
		step := parseTick(t, fields[1])
		if s := step / math.Pow(10, math.Floor(math.Log10(step))); s != 1 && s != 2 && s != 2.5 && s != 5 {
			t.Errorf("%v: step %v is not round", c, step)
		}
		for i, f := range fields {
			if v := parseTick(t, f); math.Abs(v-float64(i)*step) > 1e-9 {
				t.Errorf("%v: label %d is %v, want %v", c, i, v, float64(i)*step)
			}
		}
		// y: decades only, all in one format.
		var ys []string
		for _, l := range plot {
			if head, _, ok := strings.Cut(l, "┤"); ok {
				ys = append(ys, strings.TrimSpace(head))
			}
		}
		for _, y := range ys {
			v, err := strconv.ParseFloat(y, 64)
			if err != nil || math.Abs(math.Log10(v)-math.Round(math.Log10(v))) > 1e-9 {
				t.Errorf("%v: y label %q is not a decade", c, y)
			}
		}
		if len(ys) < 3 || strings.Contains(strings.Join(ys, " "), "e") == strings.Contains(strings.Join(ys, " "), "0.") {
			t.Errorf("%v: y labels %v: too few, or two number formats", c, ys)
		}
	}
}

// parseTick reads a tick label: 250, 1.25k, 1M.
func parseTick(t *testing.T, s string) float64 {
	t.Helper()
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		s, mult = strings.TrimSuffix(s, "k"), 1e3
	case strings.HasSuffix(s, "M"):
		s, mult = strings.TrimSuffix(s, "M"), 1e6
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("tick label %q", s)
	}
	return v * mult
}

// TestYTicks: decades, 1-2-5 steps within a decade, powers of two for
// bytes, round multiples on a linear axis; one format for all.
func TestYTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		log    bool
		pow2   bool
		want   string
	}{
		{math.Log10(1e-4), math.Log10(0.5), true, false, "0.0001 0.001 0.01 0.1"},
		{math.Log10(0.003), math.Log10(0.04), true, false, "0.005 0.01 0.02"},
		{math.Log10(1 << 17), math.Log10(1 << 21), true, true, "131072 262144 524288 1.048576e+06 2.097152e+06"},
		{0.03, 0.47, false, false, "0.1 0.2 0.3 0.4"},
	} {
		var got []string
		for _, v := range yTicks(c.lo, c.hi, c.log, 6, 0, c.pow2) {
			got = append(got, strconv.FormatFloat(v, 'g', -1, 64))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v: ticks %v, want %s", c, got, c.want)
		}
	}
	if got := strings.Join(yTickTexts([]float64{1e-4, 1e-3, 0.01}, nil), " "); got != "1e-4 1e-3 1e-2" {
		t.Errorf("scientific labels: %s", got)
	}
	if got := strings.Join(yTickTexts([]float64{0.001, 0.01, 0.1}, nil), " "); got != "0.001 0.01 0.1" {
		t.Errorf("plain labels: %s", got)
	}
	// A loss in nats (charlm) between 2 and 5 on a log axis: 4.64, not 4.6e0.
	if got := strings.Join(yTickTexts([]float64{math.Pow(10, 1.0/3), math.Pow(10, 2.0/3), 5}, nil), " "); got != "2.15 4.64 5" {
		t.Errorf("labels between 1 and 10: %s", got)
	}
}

// TestChartMarksAndDots: markers and the reading cursor are drawn on the
// cells no curve takes; dots mark a series' measured points; end labels
// of curves ending on the same cell move apart; a series takes its paint
// (the legend's colour), with colour only when asked.
func TestChartMarksAndDots(t *testing.T) {
	s := falling(1000, "●")
	plain := strings.Join(drawChart([]Series{s}, ChartOpts{Width: 60, Height: 12, XMax: 1000, Log: true,
		Marks: []ChartMark{{X: 500, Glyph: "┆"}}, CursorOn: true, Cursor: 750}), "\n")
	if strings.Count(plain, "┆") < 5 || strings.Count(plain, "│") < 5+9 {
		t.Errorf("marker or cursor missing:\n%s", plain)
	}
	dots := Series{X: []int{0, 1, 2, 3}, Y: []float64{0.4, 0.2, 0.1, 0.05}, Chars: asciigraph.CreateCharSet("·"), Dot: "◆"}
	if got := strings.Count(strings.Join(drawChart([]Series{dots}, ChartOpts{Width: 60, Height: 12, XMax: 3, Log: true}), "\n"), "◆"); got != 4 {
		t.Errorf("%d dots for 4 measured points", got)
	}
	a, b := falling(1000, "a"), falling(1000, "b")
	a.End, b.End = "1", "2"
	ends := strings.Join(drawChart([]Series{a, b}, ChartOpts{Width: 60, Height: 12, XMax: 1000, Log: true}), "\n")
	if !strings.Contains(ends, "1") || !strings.Contains(ends, "2") {
		t.Errorf("coinciding curves' end labels:\n%s", ends)
	}
	st := NewStyles(termenv.TrueColor)
	s.Paint = st.Method("full")
	col := strings.Join(drawChart([]Series{s}, ChartOpts{Width: 60, Height: 12, XMax: 1000, Log: true, Colour: true}), "\n")
	if !strings.Contains(col, st.Method("full").pre) {
		t.Errorf("the curve is not drawn in its legend's colour")
	}
	if strings.Contains(strings.Join(drawChart([]Series{s}, ChartOpts{Width: 60, Height: 12, XMax: 1000, Log: true}), "\n"), "\x1b") {
		t.Errorf("escape codes without colour")
	}
}

// TestChartValuesOnTheirRow: a flat series is drawn on the row nearest its
// value (rows are linear in log10 between the data's ends), and every label
// is on the row nearest its value.
func TestChartValuesOnTheirRow(t *testing.T) {
	for _, c := range []struct {
		value  float64
		height int
	}{{0.0991, 14}, {0.0991, 9}, {0.003, 20}, {0.05, 11}} {
		fall := Series{X: []int{0, 500, 1000}, Y: []float64{0.208, 0.01, 1e-4}, Chars: asciigraph.DefaultCharSet}
		level := Series{X: []int{0, 1000}, Y: []float64{c.value, c.value}, Chars: asciigraph.CreateCharSet("@")}
		lines := drawChart([]Series{fall, level}, ChartOpts{Width: 78, Height: c.height, XMax: 1000, Log: true})
		plot, _, _ := axisRows(lines)
		lo, hi := math.Log10(1e-4), math.Log10(0.208)
		nearest := func(v float64) int { // from the top
			return len(plot) - 1 - int(math.Round((math.Log10(v)-lo)/(hi-lo)*float64(len(plot)-1)))
		}
		row := -1
		for i, l := range plot {
			if strings.Count(l, "@") > 20 {
				row = i
			}
			if head, _, ok := strings.Cut(l, "┤"); ok {
				v, err := strconv.ParseFloat(strings.TrimSpace(head), 64)
				if err != nil {
					t.Fatalf("label %q", head)
				}
				if nearest(v) != i {
					t.Errorf("%v: label %v on row %d, nearest row %d", c, v, i, nearest(v))
				}
			}
		}
		if row != nearest(c.value) {
			t.Errorf("%v: the flat series on row %d, nearest row %d:\n%s", c, row, nearest(c.value), strings.Join(lines, "\n"))
		}
	}
}

// TestLinearTicksOnANarrowRange: a range a first round step misses still
// gets two round ticks from a smaller step (a heap from 0.8 to 73 MiB).
func TestLinearTicksOnANarrowRange(t *testing.T) {
	mib := float64(1 << 20)
	ticks := yTicks(0.77*mib, 72.8*mib, false, 3, mib, false)
	if len(ticks) < 2 {
		t.Fatalf("ticks %v", ticks)
	}
	step := (ticks[1] - ticks[0]) / mib
	if niceStep(step) != step {
		t.Errorf("step %v MiB is not round", step)
	}
	for _, v := range ticks {
		if r := v / mib / step; math.Abs(r-math.Round(r)) > 1e-9 {
			t.Errorf("tick %v MiB is not a multiple of %v MiB", v/mib, step)
		}
	}
}
