package tui

// Minimum terminal size; below it the lab asks for a bigger window.
const (
	MinWidth  = 60
	MinHeight = 20
)

// layout is where every pane goes for a terminal size. Two arrangements:
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
	methodsH      int
	settingsH     int
	aboutH        int // left column
	chartH, memH  int // right column
	boardH        int // right column, under the memory
	bottomH       int // narrow: the pane under the methods
	visible       [numFocus]bool
}

func computeLayout(w, h int) layout {
	var lo layout
	lo.bodyH = h - 3 // header, and two footer lines
	for i := range lo.visible {
		lo.visible[i] = true
	}
	if w < 110 || h < 36 {
		lo.narrow = true
		lo.leftW = w
		lo.methodsH = 8
		lo.bottomH = lo.bodyH - lo.methodsH
		return lo
	}
	lo.leftW = min(max(w*36/100, 44), 62)
	lo.rightW = w - lo.leftW
	lo.methodsH = 8
	switch {
	case lo.bodyH >= 52:
		lo.methodsH = 14 // each method's summary on its own line
	case lo.bodyH >= 44:
		lo.methodsH = 11 // the cursor's summary under the list
	}
	lo.settingsH = 17
	if lo.bodyH < 44 {
		lo.settingsH = 15 // 12 of the 13 settings show (the list scrolls): room for the notes
	}
	lo.aboutH = lo.bodyH - lo.methodsH - lo.settingsH // ≥ 10 at 110 × 36
	lo.boardH = 10                                    // a header, six runs, a footer
	rest := lo.bodyH - lo.boardH
	lo.chartH = rest * 60 / 100
	lo.memH = rest - lo.chartH
	return lo
}
