package tui

import (
	"fmt"
	"math"
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
	Colour bool  // whether colours are shown at all
	Theme  Theme // the palette

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
	ramp       []Paint // a sweep's values, first to last (Ramp)
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

// Theme is a palette of the lab: dark (for a dark terminal, the
// default), light (for a light one: every colour darkened until it reads
// on white) and contrast (darker still, and no grey text: a projector in a
// bright room).
type Theme int

// The themes, in the order T cycles through them.
const (
	ThemeDark Theme = iota
	ThemeLight
	ThemeContrast
)

// ThemeNames are the themes' names, as --theme takes them.
var ThemeNames = []string{"dark", "light", "contrast"}

// String is the theme's name.
func (t Theme) String() string { return ThemeNames[t] }

// ParseTheme returns the theme called name, or an error listing them.
func ParseTheme(name string) (Theme, error) {
	for i, n := range ThemeNames {
		if n == name {
			return Theme(i), nil
		}
	}
	return ThemeDark, fmt.Errorf("theme %q: unknown; choose one of: %s", name, strings.Join(ThemeNames, ", "))
}

// DetectTheme reads the terminal's background from COLORFGBG ("15;0":
// foreground 15 on background 0), as rxvt, Konsole and others set it: a
// light background (7, or 9 to 15) gives the light theme; anything else,
// or no COLORFGBG, the dark one.
func DetectTheme(getenv func(string) string) Theme {
	v := getenv("COLORFGBG")
	if v == "" {
		return ThemeDark
	}
	fields := strings.Split(v, ";")
	bg, err := strconv.Atoi(strings.TrimSpace(fields[len(fields)-1]))
	if err != nil {
		return ThemeDark
	}
	if bg == 7 || (bg >= 9 && bg <= 15) {
		return ThemeLight
	}
	return ThemeDark
}

// palette is a theme's chrome colours.
type palette struct {
	accent, muted, border, err, ok, warn string
	// ink is the most luminance (0 … 1, relative) a colour may have to
	// read on the background (1: any; the dark theme keeps every colour).
	ink float64
}

var palettes = [...]palette{
	ThemeDark:     {colAccent, colMuted, colBorder, colError, colOK, colWarn, 1},
	ThemeLight:    {"#0369a1", "#4b5563", "#9ca3af", "#b91c1c", "#15803d", "#a16207", 0.18},
	ThemeContrast: {"#1e3a8a", "#111827", "#111827", "#991b1b", "#14532d", "#713f12", 0.09},
}

// NewStyles builds the dark theme's styles for the given colour profile.
func NewStyles(p termenv.Profile) *Styles { return NewThemedStyles(p, ThemeDark) }

// NewThemedStyles builds theme t's styles for the given colour profile.
func NewThemedStyles(p termenv.Profile, t Theme) *Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(p)
	pal := palettes[t]
	s := &Styles{Colour: p != termenv.Ascii, Theme: t, methodFg: map[string]Paint{}, methodAnsi: map[string]uint8{}}
	ink := func(c string) string { return darken(c, pal.ink) }
	fgs := func(c string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(ink(c))) }
	fg := func(c string) Paint { return paintOf(fgs(c)) }
	s.Title = paintOf(fgs(pal.accent).Bold(true))
	s.Header = fg(pal.muted)
	s.Muted = fg(pal.muted)
	s.Accent = fg(pal.accent)
	s.Selected = paintOf(r.NewStyle().Bold(true))
	s.Error = fg(pal.err)
	s.OK = fg(pal.ok)
	s.Warn = fg(pal.warn)
	s.Key = paintOf(fgs(pal.accent).Bold(true))
	s.BorderOn = fg(pal.accent)
	s.BorderOff = fg(pal.border)
	s.PaneTitle = paintOf(r.NewStyle().Bold(true))
	s.TitleOn = paintOf(fgs(pal.accent).Bold(true))
	s.Live = fg(pal.ok)
	for i, c := range categoryColours {
		s.Category[i] = fg(c)
	}
	for _, c := range rampColours {
		s.ramp = append(s.ramp, fg(c))
	}
	for _, info := range methodInfos() {
		s.methodFg[info.Name] = fg(info.Colour)
		s.methodAnsi[info.Name] = hexToANSI256(ink(info.Colour))
	}
	return s
}

// darken scales "#rrggbb" towards black, keeping its hue and saturation,
// until its relative luminance is at most ink (WCAG's: 0.18 reads on white
// at a contrast of 4.5:1, 0.09 at 7:1). Bad input comes back as it is.
func darken(hex string, ink float64) string {
	if ink >= 1 || len(hex) != 7 || hex[0] != '#' {
		return hex
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return hex
	}
	lin := func(c uint64) float64 {
		x := float64(c) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	enc := func(x float64) int {
		if x <= 0.0031308 {
			x *= 12.92
		} else {
			x = 1.055*math.Pow(x, 1/2.4) - 0.055
		}
		return int(math.Round(math.Min(1, math.Max(0, x)) * 255))
	}
	r, g, b := lin(v>>16&0xff), lin(v>>8&0xff), lin(v&0xff)
	if y := 0.2126*r + 0.7152*g + 0.0722*b; y > ink {
		f := ink / y
		r, g, b = r*f, g*f, b*f
	}
	return fmt.Sprintf("#%02x%02x%02x", enc(r), enc(g), enc(b))
}

// rampColours run from cool to warm: the colours of a sweep's values.
var rampColours = []string{"#6366f1", "#3b82f6", "#06b6d4", "#14b8a6", "#22c55e", "#84cc16", "#eab308", "#f97316", "#ef4444", "#ec4899"}

// Ramp is the colour of value i of n in a sweep: evenly along a ramp from
// cool (the first value) to warm (the last).
func (s *Styles) Ramp(i, n int) Paint {
	if len(s.ramp) == 0 {
		return Paint{}
	}
	if n <= 1 {
		return s.ramp[0]
	}
	return s.ramp[i*(len(s.ramp)-1)/(n-1)]
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
