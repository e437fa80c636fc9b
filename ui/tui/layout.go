package tui

// Minimum terminal size; below it the lab asks for a bigger window.
const (
	MinWidth  = 60
	MinHeight = 20
)

// The columns of the wide layout.
const (
	leftColumn = iota
	rightColumn
)

// slot is a pane's row in paneSlots: how to make it, its short name, and
// where it goes. The table's order is the tab order; in the wide layout each
// column stacks its panes in that order.
type slot struct {
	name string // short name: the narrow layout's tab list, Focused, Pane
	new  func(c *Common, o Options) Component
	// column is the wide layout's column it stacks in.
	column int
	// rows is its height in the wide layout, frame included, for a body of
	// bodyH rows; nil: it takes share percent of what the column's fixed
	// panes leave (the column's last share takes the remainder).
	rows  func(c *Common, bodyH int) int
	share int
	// pinned, if not nil, is its height in the narrow layout, where it stays
	// on top; the other panes take turns under it (tab), first the one
	// marked first.
	pinned func(c *Common) int
	first  bool
	// shown, if not nil, says whether the pane is on screen at all (in
	// either layout, and in tab's rotation): the samples pane only for a
	// task that writes text.
	shown func(c *Common) bool
}

// paneSlots is the lab's panes: a new pane is its file and one row here.
var paneSlots = []slot{
	{name: "methods", new: pane(NewMethodsPane), column: leftColumn, rows: methodsRows, pinned: methodsPinned},
	{name: "settings", new: pane(NewSettingsPane), column: leftColumn, rows: settingsRows},
	{name: "loss", new: pane(NewChartPane), column: rightColumn, share: 60, first: true},
	{name: "samples", new: pane(NewSamplesPane), column: rightColumn, rows: samplesRows, shown: samplesShown},
	{name: "memory", new: pane(NewMemoryPane), column: rightColumn, share: 40},
	{name: "board", new: pane(NewBoardPane), column: rightColumn, rows: boardRows},
	{name: "about", new: pane(NewAboutPane), column: leftColumn, share: 100},
}

// pane adapts a pane's constructor to a slot's.
func pane[T Component](f func(c *Common) T) func(*Common, Options) Component {
	return func(c *Common, _ Options) Component { return f(c) }
}

// methodsRows: one row per method, framed; with room, the cursor's
// summary under the list (+3), or each method's summary on its own line,
// while the settings keep their 17 rows and the about pane 16 or 21.
func methodsRows(c *Common, bodyH int) int {
	n := len(c.Lab.Methods)
	switch {
	case bodyH >= 2*n+40:
		return 2*n + 2
	case bodyH >= n+38:
		return n + 5
	}
	return n + 2
}

// methodsPinned: the narrow layout's methods list, in two columns (one
// per half of the methods) so that the pane under it, the loss chart above
// all, keeps the rows the lesson needs; in one column on a terminal too
// narrow for two.
func methodsPinned(c *Common) int {
	n := len(c.Lab.Methods)
	if c.Width < 2*methodColumnW {
		return n + 2
	}
	return (n+1)/2 + 2
}

// methodColumnW is the narrowest column the methods pane lists methods in
// side by side: pointer, mark, glyph, title, icon and percent.
const methodColumnW = 30

// settingsRows: settingsShown settings (the list scrolls), a blank line
// and the message line when tall; else two rows fewer, leaving room for
// the notes.
func settingsRows(_ *Common, bodyH int) int {
	if bodyH < 44 {
		return settingsShown + 2
	}
	return settingsShown + 4
}

// boardRows: a header, a row per method, the race's banner and a footer.
func boardRows(c *Common, _ int) int { return len(c.Lab.Methods) + 5 }

// layout is where every pane goes for a terminal size, from paneSlots. Two
// arrangements:
//
//   - wide (≥ 110 × 36): a left column (methods, settings, about: the
//     preset's notes are on screen without a key press) and a right one (loss
//     chart over memory over the leaderboard);
//   - narrow (anything smaller, e.g. 80 × 24): one column, the methods on
//     top and below them the focused pane (tab cycles through them).
type layout struct {
	narrow        bool
	leftW, rightW int
	bodyH         int
	h             []int  // each slot's height, frame included (wide; 0: not shown)
	hidden        []bool // slots whose shown says no: in neither layout
	pinnedH       int    // narrow: the rows of the pinned panes
	bottomH       int    // narrow: the pane under them
}

func computeLayout(c *Common, w, h int) layout {
	lo := layout{bodyH: h - 3, h: make([]int, len(paneSlots)), hidden: make([]bool, len(paneSlots))} // header, and two footer lines
	for i, s := range paneSlots {
		lo.hidden[i] = s.shown != nil && !s.shown(c)
	}
	if w < 110 || h < 36 {
		lo.narrow = true
		lo.leftW = w
		for i, s := range paneSlots {
			if s.pinned != nil {
				lo.h[i] = s.pinned(c)
				lo.pinnedH += lo.h[i]
			}
		}
		lo.bottomH = lo.bodyH - lo.pinnedH
		return lo
	}
	lo.leftW = min(max(w*36/100, 44), 62)
	lo.rightW = w - lo.leftW
	for col := range 2 {
		rest, last := lo.bodyH, -1
		for i, s := range paneSlots {
			switch {
			case s.column != col || lo.hidden[i]:
			case s.rows != nil:
				lo.h[i] = s.rows(c, lo.bodyH)
				rest -= lo.h[i]
			default:
				last = i
			}
		}
		left := rest
		for i, s := range paneSlots {
			if s.column == col && s.rows == nil && !lo.hidden[i] {
				lo.h[i] = rest * s.share / 100
				if i == last {
					lo.h[i] = left
				}
				left -= lo.h[i]
			}
		}
	}
	return lo
}

// visible reports whether slot i is on screen (the narrow layout shows
// every pane in turn).
func (lo layout) visible(i int) bool { return !lo.hidden[i] && (lo.narrow || lo.h[i] > 0) }

// width is the width of slot i's column.
func (lo layout) width(i int) int {
	if lo.narrow || paneSlots[i].column == leftColumn {
		return lo.leftW
	}
	return lo.rightW
}

// height is slot i's height, frame included.
func (lo layout) height(i int) int {
	if lo.narrow && paneSlots[i].pinned == nil {
		return lo.bottomH
	}
	return lo.h[i]
}
