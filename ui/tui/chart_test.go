package tui

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
)

func TestPlotChartSanitises(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := map[string][]Series{
		"none":      nil,
		"empty":     {{}},
		"all nan":   {{X: []int{0, 1, 2}, Y: []float64{nan, nan, nan}}},
		"inf":       {{X: []int{0, 1, 2, 3}, Y: []float64{1, inf, -inf, 0.5}}},
		"flat":      {{X: []int{0, 10}, Y: []float64{0.3, 0.3}}},
		"one point": {{X: []int{5}, Y: []float64{0.1}}},
		"negative":  {{X: []int{0, 1}, Y: []float64{-1, 0}}},
		"short y":   {{X: []int{0, 1, 2}, Y: []float64{1}}},
	}
	for name, s := range cases {
		for _, log := range []bool{true, false} {
			for _, sz := range [][2]int{{60, 12}, {12, 4}, {0, 0}, {200, 50}} {
				lines := plotChart(s, ChartOpts{Width: sz[0], Height: sz[1], XMax: 10, Log: log, Empty: "nothing"})
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

func TestBucketKeepsSpikes(t *testing.T) {
	n := 10000
	s := Series{X: make([]int, n), Y: make([]float64, n)}
	for i := range s.X {
		s.X[i], s.Y[i] = i, 1
	}
	s.Y[5003] = 1000 // one spike among 10,000 points
	col := bucket(s, 40, n-1, false)
	found := false
	for _, v := range col {
		found = found || v == 1000
	}
	if !found {
		t.Fatalf("spike lost: %v", col)
	}
}

func TestChartColourOnlyWhenAsked(t *testing.T) {
	s := []Series{{X: []int{0, 5, 10}, Y: []float64{1, 0.1, 0.01}, Colour: 75, Chars: asciigraph.DefaultCharSet}}
	plain := strings.Join(plotChart(s, ChartOpts{Width: 40, Height: 10, XMax: 10, Log: true}), "\n")
	if strings.Contains(plain, "\x1b") {
		t.Fatalf("escape codes without colour: %q", plain)
	}
	col := strings.Join(plotChart(s, ChartOpts{Width: 40, Height: 10, XMax: 10, Log: true, Colour: true}), "\n")
	if !strings.Contains(col, "\x1b[38;5;75m") {
		t.Fatalf("no series colour: %q", col)
	}
	// Log scale labels show real values.
	if !strings.Contains(plain, "0.01") || !strings.Contains(plain, "1") {
		t.Fatalf("labels: %s", plain)
	}
}

func TestHexToANSI256(t *testing.T) {
	for hex, want := range map[string]uint8{"#000000": 16, "#ffffff": 231, "#ff0000": 196, "#808080": 244, "bad": 7} {
		if got := hexToANSI256(hex); got != want {
			t.Errorf("%s: %d, want %d", hex, got, want)
		}
	}
}

// TestChartDrawsValuesOnTheirLabelledRow: a flat series is drawn on the row
// whose label is nearest its value (asciigraph's double rounding used to put
// LoRA-FA's 0.0991 on the 0.208 row, as if it had not learned at all).
func TestChartDrawsValuesOnTheirLabelledRow(t *testing.T) {
	flat := asciigraph.CharSet{Horizontal: "@", VerticalLine: "@", ArcDownRight: "@", ArcDownLeft: "@", ArcUpRight: "@", ArcUpLeft: "@", EndCap: "@"}
	for _, c := range []struct {
		value  float64
		height int
	}{{0.0991, 14}, {0.0991, 9}, {0.003, 20}, {0.05, 11}} {
		fall := Series{X: []int{0, 500, 1000}, Y: []float64{0.208, 0.01, 1e-4}, Chars: asciigraph.DefaultCharSet}
		level := Series{X: []int{0, 1000}, Y: []float64{c.value, c.value}, Chars: flat}
		lines := plotChart([]Series{fall, level}, ChartOpts{Width: 78, Height: c.height, XMax: 1000, Log: true})
		var labels []float64
		row := -1
		for _, l := range lines {
			head, _, ok := strings.Cut(l, "┤")
			if !ok {
				head, _, ok = strings.Cut(l, "┼")
			}
			if !ok {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(head), 64)
			if err != nil {
				continue
			}
			labels = append(labels, v)
			if strings.Count(l, "@") > 20 {
				row = len(labels) - 1
			}
		}
		if row < 0 {
			t.Fatalf("%v: the flat series is not drawn:\n%s", c, strings.Join(lines, "\n"))
		}
		best := 0
		for i, v := range labels {
			if math.Abs(math.Log10(v)-math.Log10(c.value)) < math.Abs(math.Log10(labels[best])-math.Log10(c.value)) {
				best = i
			}
		}
		if best != row {
			t.Errorf("%v: drawn on the row labelled %v, nearest label is %v:\n%s", c, labels[row], labels[best], strings.Join(lines, "\n"))
		}
	}
}
