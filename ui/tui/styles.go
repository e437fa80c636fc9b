package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles holds every lipgloss style the TUI uses, built once for a colour
// profile. Under termenv.Ascii (NO_COLOR, --no-color) no style emits escape
// codes, so every distinction that matters is also made with characters:
// markers, glyphs and border shapes.
type Styles struct {
	Colour bool // whether colours are shown at all

	Title      Paint // the app name in the header
	Header     Paint // the rest of the header line
	Muted      Paint // secondary text
	Accent     Paint // highlighted values
	Selected   Paint // the cursor row of a list
	Error      Paint // refusals and failures
	OK         Paint // success
	Warn       Paint // paused, queued, diverged
	Key        Paint // a key in hints and help
	BorderOn   Paint // the focused pane's border
	BorderOff  Paint // other panes' borders
	PaneTitle  Paint // a pane's title
	TitleOn    Paint // the focused pane's title
	Live       Paint // the "live" tag of a setting
	Category   [7]Paint
	methodFg   map[string]Paint
	methodAnsi map[string]uint8
}

// Paint is a lipgloss style reduced to the escape codes around its text,
// measured once: applying it is a concatenation, which keeps frames cheap.
// It suits one-line text and foreground, bold and similar attributes only.
type Paint struct{ pre, post string }

// paintOf measures style's codes by rendering a marker.
func paintOf(style lipgloss.Style) Paint {
	const mark = "\x00"
	out := style.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return Paint{}
	}
	return Paint{pre: out[:i], post: out[i+len(mark):]}
}

// Render wraps s in the paint's codes (nothing under the ASCII profile).
func (p Paint) Render(s string) string {
	if p.pre == "" || s == "" {
		return s
	}
	return p.pre + s + p.post
}

// Palette colours of the chrome (methods bring their own colours).
const (
	colAccent = "#7dd3fc"
	colMuted  = "#8b93a1"
	colBorder = "#4b5563"
	colError  = "#f87171"
	colOK     = "#4ade80"
	colWarn   = "#fbbf24"
)

// categoryColours colour the memory categories, in lab.Categories order.
var categoryColours = [7]string{"#64748b", "#60a5fa", "#f472b6", "#a78bfa", "#fb923c", "#2dd4bf", "#475569"}

// NewStyles builds the styles for the given colour profile.
func NewStyles(p termenv.Profile) *Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(p)
	s := &Styles{Colour: p != termenv.Ascii, methodFg: map[string]Paint{}, methodAnsi: map[string]uint8{}}
	fgs := func(c string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(c)) }
	fg := func(c string) Paint { return paintOf(fgs(c)) }
	s.Title = paintOf(fgs(colAccent).Bold(true))
	s.Header = fg(colMuted)
	s.Muted = fg(colMuted)
	s.Accent = fg(colAccent)
	s.Selected = paintOf(r.NewStyle().Bold(true))
	s.Error = fg(colError)
	s.OK = fg(colOK)
	s.Warn = fg(colWarn)
	s.Key = paintOf(fgs(colAccent).Bold(true))
	s.BorderOn = fg(colAccent)
	s.BorderOff = fg(colBorder)
	s.PaneTitle = paintOf(r.NewStyle().Bold(true))
	s.TitleOn = paintOf(fgs(colAccent).Bold(true))
	s.Live = fg(colOK)
	for i, c := range categoryColours {
		s.Category[i] = fg(c)
	}
	for _, info := range methodInfos() {
		s.methodFg[info.Name] = fg(info.Colour)
		s.methodAnsi[info.Name] = hexToANSI256(info.Colour)
	}
	return s
}

// Method returns the foreground style of a method's colour.
func (s *Styles) Method(name string) Paint { return s.methodFg[name] }

// MethodANSI returns a method's colour as an xterm-256 index for the chart.
func (s *Styles) MethodANSI(name string) uint8 { return s.methodAnsi[name] }

// hexToANSI256 maps "#rrggbb" to the nearest colour of the xterm-256 palette
// (the 6×6×6 cube or the grey ramp). Bad input maps to 7 (silver).
func hexToANSI256(hex string) uint8 {
	if len(hex) != 7 || hex[0] != '#' {
		return 7
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return 7
	}
	r, g, b := int(v>>16&0xff), int(v>>8&0xff), int(v&0xff)
	levels := [6]int{0, 95, 135, 175, 215, 255}
	nearest := func(c int) int {
		best := 0
		for i, l := range levels {
			if abs(c-l) < abs(c-levels[best]) {
				best = i
			}
		}
		return best
	}
	ri, gi, bi := nearest(r), nearest(g), nearest(b)
	cube := 16 + 36*ri + 6*gi + bi
	cr, cg, cb := levels[ri], levels[gi], levels[bi]
	grey := (r + g + b) / 3
	gi2 := max(0, min(23, (grey-8+5)/10))
	gv := 8 + 10*gi2
	dCube := sq(r-cr) + sq(g-cg) + sq(b-cb)
	dGrey := sq(r-gv) + sq(g-gv) + sq(b-gv)
	if dGrey < dCube {
		return uint8(232 + gi2)
	}
	return uint8(cube)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sq(x int) int { return x * x }
