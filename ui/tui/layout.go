package tui

// Minimum terminal size; below it the lab asks for a bigger window.
const (
	MinWidth  = 60
	MinHeight = 20
)

// layout is where every pane goes for a terminal size. Two arrangements:
//
//   - wide (≥ 110 × 36): a left column (methods, settings, leaderboard, about)
//     and a right one (loss chart over memory);
//   - narrow (anything smaller, e.g. 80 × 24): one column, the methods on
//     top and below them the focused pane (tab cycles through them).
type layout struct {
	narrow         bool
	leftW, rightW  int
	bodyH          int
	methodsH       int
	settingsH      int
	boardH, aboutH int // left column; 0 when absent
	chartH, memH   int // right column
	boardRight     int // leaderboard height in the right column (0: absent)
	bottomH        int // narrow: the pane under the methods
	visible        [numFocus]bool
}

func computeLayout(w, h int) layout {
	var lo layout
	lo.bodyH = h - 3 // header, and two footer lines
	if w < 110 || h < 36 {
		lo.narrow = true
		lo.leftW = w
		lo.methodsH = 8
		lo.bottomH = lo.bodyH - lo.methodsH
		for i := range lo.visible {
			lo.visible[i] = true
		}
		return lo
	}
	lo.leftW = min(max(w*36/100, 44), 62)
	lo.rightW = w - lo.leftW
	lo.methodsH = 8
	switch {
	case lo.bodyH >= 52:
		lo.methodsH = 14 // each method's summary on its own line
	case lo.bodyH >= 36:
		lo.methodsH = 11 // the cursor's summary under the list
	}
	lo.settingsH = 17
	left := lo.bodyH - lo.methodsH - lo.settingsH
	if left < 9 && left >= 3 {
		steal := min(9-left, 3)
		lo.settingsH -= steal
		left += steal
	}
	lo.chartH = lo.bodyH * 55 / 100
	lo.memH = lo.bodyH - lo.chartH
	if left >= 8 {
		lo.boardH = min(left, 10)
		left -= lo.boardH
	} else {
		lo.boardRight = 10
		lo.chartH = lo.bodyH - lo.memH - lo.boardRight
		if lo.chartH < 10 {
			lo.memH -= 10 - lo.chartH
			lo.chartH = 10
		}
	}
	if left >= 5 {
		lo.aboutH = left
	} else {
		lo.settingsH += max(left, 0)
	}
	lo.visible = [numFocus]bool{true, true, true, true, true, lo.aboutH > 0}
	return lo
}
