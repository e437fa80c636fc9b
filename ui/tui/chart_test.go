package tui

import (
	"math"
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
