package explain

import (
	"strings"

	"github.com/loralab/loralab/ui/text"
)

// block is one box of a layer diagram: a tensor or an operation.
type block struct {
	lines []string // 1 to 3 lines: name and shape, then its state
}

// diagram is a layer drawn as two paths from X to Y: the base path through
// the main blocks (W and b), and, for adapters, a side path through the
// adapter's blocks, joined by a sum. op labels the side path's last step
// (e.g. "×s").
type diagram struct {
	main []block
	side []block
	op   string // on the side path, before the sum
	out  string // on the sum, before Y
}

// canvas is a grid of cells to draw on.
type canvas struct{ rows [][]rune }

func (c *canvas) ensure(r, col int) {
	for len(c.rows) <= r {
		c.rows = append(c.rows, nil)
	}
	for len(c.rows[r]) <= col {
		c.rows[r] = append(c.rows[r], ' ')
	}
}

func (c *canvas) set(r, col int, ch rune) {
	c.ensure(r, col)
	c.rows[r][col] = ch
}

func (c *canvas) text(r, col int, s string) int {
	for _, ch := range s {
		c.set(r, col, ch)
		col++
	}
	return col
}

func (c *canvas) hline(r, from, to int) {
	for col := from; col <= to; col++ {
		c.set(r, col, '─')
	}
}

func (c *canvas) vline(col, from, to int) {
	for r := from; r <= to; r++ {
		c.set(r, col, '│')
	}
}

// box draws b with its top-left corner at (r, col), its middle line at r+1
// (boxes are three rows tall; a third text line makes them four) and
// returns the column after it.
func (c *canvas) box(r, col int, b block) int {
	w := 0
	for _, l := range b.lines {
		w = max(w, width(l))
	}
	inner := w + 2
	c.set(r, col, '┌')
	c.hline(r, col+1, col+inner)
	c.set(r, col+inner+1, '┐')
	for i, l := range b.lines {
		c.set(r+1+i, col, '│')
		c.text(r+1+i, col+1, " "+text.Pad(l, w)+" ")
		c.set(r+1+i, col+inner+1, '│')
	}
	bottom := r + 1 + len(b.lines)
	c.set(bottom, col, '└')
	c.hline(bottom, col+1, col+inner)
	c.set(bottom, col+inner+1, '┘')
	return col + inner + 2
}

func (c *canvas) String() string {
	lines := make([]string, len(c.rows))
	for i, r := range c.rows {
		lines[i] = strings.TrimRight(string(r), " ")
	}
	return strings.Join(lines, "\n")
}

func (c *canvas) width() int {
	w := 0
	for _, r := range c.rows {
		w = max(w, width(strings.TrimRight(string(r), " ")))
	}
	return w
}

func height(bs []block) int {
	h := 0
	for _, b := range bs {
		h = max(h, len(b.lines)+2)
	}
	return h
}

// draw lays the diagram out:
//
//	            ┌──────────┐
//	X ──┬──────▶│ W 64×64  │──────────────────────▶ ⊕ ──▶ Y
//	    │       │ frozen   │                        ▲
//	    │       └──────────┘                        │
//	    │       ┌────────┐    ┌────────┐            │
//	    └──────▶│ A 8×64 │───▶│ B 64×8 │──▶ ×s ─────┘
//	            └────────┘    └────────┘
func (d diagram) draw() *canvas {
	c := &canvas{}
	const mid = 1 // the main path runs through row 1 of the main boxes
	const junction = 4
	c.text(mid, 0, "X")
	c.hline(mid, 2, junction+3)
	col := junction + 4
	for i, b := range d.main {
		if i > 0 {
			c.hline(mid, col, col+2)
			col += 3
		}
		c.set(mid, col-1, '▶')
		col = c.box(0, col, b)
	}
	mainEnd := col
	if len(d.side) == 0 {
		c.hline(mid, col, col+1)
		c.text(mid, col+2, "▶ Y")
		return c
	}
	c.set(mid, junction, '┬')
	top := height(d.main) + 1 // a blank row between the paths
	side := top + 1
	c.vline(junction, mid+1, side-1)
	c.set(side, junction, '└')
	c.hline(side, junction+1, junction+3)
	col = junction + 4
	for i, b := range d.side {
		if i > 0 {
			c.hline(side, col, col+2)
			col += 3
		}
		c.set(side, col-1, '▶')
		col = c.box(top, col, b)
	}
	if d.op != "" {
		c.hline(side, col, col+1)
		c.set(side, col+2, '▶')
		col = c.text(side, col+4, d.op) + 1
	}
	sum := max(mainEnd, col) + 3
	c.hline(mid, mainEnd, sum-3)
	c.set(mid, sum-2, '▶')
	c.set(mid, sum, '⊕')
	c.hline(mid, sum+2, sum+3)
	end := sum + 4
	if d.out != "" {
		c.set(mid, end, '▶')
		end = c.text(mid, end+2, d.out) + 1
		c.hline(mid, end, end+1)
		end += 2
	}
	c.text(mid, end, "▶ Y")
	c.hline(side, col, sum-1)
	c.set(side, sum, '┘')
	c.vline(sum, mid+2, side-1)
	c.set(mid+1, sum, '▲')
	return c
}

// list is the diagram as lines of text, for panes too narrow to draw it.
func (d diagram) list() string {
	var b strings.Builder
	name := func(bl block) string { return strings.Join(bl.lines, ", ") }
	b.WriteString("X ─▶ ")
	for i, bl := range d.main {
		if i > 0 {
			b.WriteString(" ─▶ ")
		}
		b.WriteString("[" + name(bl) + "]")
	}
	b.WriteString(" ─▶ Y")
	if len(d.side) > 0 {
		b.WriteString("\n  + X ─▶ ")
		for i, bl := range d.side {
			if i > 0 {
				b.WriteString(" ─▶ ")
			}
			b.WriteString("[" + name(bl) + "]")
		}
		if d.op != "" {
			b.WriteString(" ─▶ " + d.op)
		}
	}
	if d.out != "" {
		b.WriteString("\n  then the sum ─▶ " + d.out + " ─▶ Y")
	}
	return b.String()
}
