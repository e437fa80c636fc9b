package tui

import "strings"

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
		t = fit(full, min(width(full), inner-1))
	}
	fill := inner - 1 - width(t)
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
