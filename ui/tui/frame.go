package tui

import (
	"strings"

	"github.com/loralab/loralab/ui/text"
)

// border is the set of characters a frame is drawn with.
type border struct{ tl, tr, bl, br, h, v string }

var (
	lightBorder = border{"╭", "╮", "╰", "╯", "─", "│"}
	heavyBorder = border{"┏", "┓", "┗", "┛", "━", "┃"}
)

// frame draws a w × h box around body (clipped and padded to the inside),
// with title in the top edge. The focused pane gets a heavy border and a ▸
// marker as well as the accent colour, so focus shows without colour too.
func frame(st *Styles, title string, body string, w, h int, focused bool) []string {
	if w < 2 || h < 2 {
		return fitLines("", max(w, 0), max(h, 0))
	}
	b, bs := lightBorder, st.BorderOff
	mark := ""
	if focused {
		b, bs, mark = heavyBorder, st.BorderOn, "▸ "
	}
	inner := w - 2
	t := ""
	if title != "" && inner >= 4 {
		full := " " + mark + title + " "
		t = text.Fit(full, min(text.Width(full), inner-1))
	}
	fill := inner - 1 - text.Width(t)
	top := bs.Render(b.tl+b.h) + renderTitle(st, t, focused) + bs.Render(strings.Repeat(b.h, max(fill, 0))+b.tr)
	if t == "" {
		top = bs.Render(b.tl + strings.Repeat(b.h, inner) + b.tr)
	}
	out := make([]string, 0, h)
	out = append(out, top)
	side := bs.Render(b.v)
	for _, l := range fitLines(body, inner, h-2) {
		out = append(out, side+l+side)
	}
	out = append(out, bs.Render(b.bl+strings.Repeat(b.h, inner)+b.br))
	return out
}

func renderTitle(st *Styles, t string, focused bool) string {
	if t == "" {
		return ""
	}
	if focused {
		return st.TitleOn.Render(t)
	}
	return st.PaneTitle.Render(t)
}

// fitLines makes s exactly h lines of exactly w cells.
func fitLines(s string, w, h int) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = text.Fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return out
}

// block joins lines into one string.
func block(lines []string) string { return strings.Join(lines, "\n") }

// hjoin puts blocks of equal height side by side; each block's lines must
// already have their exact widths.
func hjoin(blocks ...[]string) []string {
	h := 0
	for _, b := range blocks {
		h = max(h, len(b))
	}
	out := make([]string, h)
	for i := range out {
		var sb strings.Builder
		for _, b := range blocks {
			if i < len(b) {
				sb.WriteString(b[i])
			}
		}
		out[i] = sb.String()
	}
	return out
}

// spread puts left and right at the two ends of a line of w cells; right
// wins when they do not both fit.
func spread(left, right string, w int) string {
	lw, rw := text.Width(left), text.Width(right)
	if lw+rw+1 > w {
		if rw >= w {
			return text.Fit(right, w)
		}
		return text.Fit(left, w-rw-1) + " " + right
	}
	return left + strings.Repeat(" ", w-lw-rw) + right
}

// wrap breaks s into at most n lines of at most w cells at spaces (its
// line breaks count as spaces); the last line ends with … if s was cut, and
// a word longer than w is clipped. It is text.Wrap and text.Clip for the
// panes' fixed rectangles.
func wrap(s string, w, n int) []string {
	s = text.OneLine(s)
	if w <= 0 || n <= 0 || s == "" {
		return nil
	}
	lines := text.Wrap(s, w)
	for i, l := range lines {
		if text.Width(l) > w {
			lines[i] = text.Fit(l, w)
		}
	}
	return text.Clip(lines, n, w)
}
