package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap names every key binding of the lab once: its keys and its help
// text. The bindings do nothing by themselves: a KeyTable row gives one a
// handler, and the same rows dispatch keys and draw the help screen.
type KeyMap struct {
	// Global.
	Help      key.Binding
	Quit      key.Binding
	NextPane  key.Binding
	PrevPane  key.Binding
	StartStop key.Binding
	Stop      key.Binding
	Reset     key.Binding
	StepOnce  key.Binding
	Slower    key.Binding
	Faster    key.Binding
	Race      key.Binding
	Seeds     key.Binding
	Tune      key.Binding
	ClearAll  key.Binding
	StopSweep key.Binding
	Save      key.Binding
	Export    key.Binding
	Sweep     key.Binding
	Presets   key.Binding
	Explain   key.Binding
	Scale     key.Binding
	Messages  key.Binding
	Copy      key.Binding
	Theme     key.Binding

	// Chart.
	LogScale   key.Binding
	Smooth     key.Binding
	Curves     key.Binding
	Hide       key.Binding
	Solo       key.Binding
	CursorBack key.Binding
	CursorFwd  key.Binding
	CursorOff  key.Binding

	// Screen.
	Zoom key.Binding

	// Lists (methods, settings) and scrolling.
	Up    key.Binding
	Down  key.Binding
	Left  key.Binding
	Right key.Binding
	Mark  key.Binding
	All   key.Binding

	// Settings.
	Edit    key.Binding
	Cancel  key.Binding
	Apply   key.Binding
	LiveAll key.Binding

	// Long text (help, explanation, about) and dialogs (preset picker,
	// memory at scale, sweep).
	PageUp     key.Binding
	PageDown   key.Binding
	Home       key.Binding
	End        key.Binding
	Close      key.Binding
	Load       key.Binding
	Model      key.Binding
	ScaleChart key.Binding
	SweepView  key.Binding
	SweepPick  key.Binding

	// The memory-at-scale dialog's choices (M).
	ScaleTargets key.Binding
	ScaleDType   key.Binding
	ScaleBatch   key.Binding
	ScaleSeq     key.Binding
	ScaleCkpt    key.Binding
	ScaleGPU     key.Binding
	// Sweep dialog: stop the sweep, the step of "loss at step N", the
	// method whose curves are shown.
	SweepStop     key.Binding
	SweepStepBack key.Binding
	SweepStepFwd  key.Binding
	SweepMethod   key.Binding
}

// DefaultKeyMap returns the key bindings of the lab.
func DefaultKeyMap() *KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &KeyMap{
		Help:      b("?", "help", "?"),
		Quit:      b("q/ctrl+c", "quit (stops every run)", "q", "ctrl+c"),
		NextPane:  b("tab", "next pane", "tab"),
		PrevPane:  b("shift+tab", "previous pane", "shift+tab"),
		StartStop: b("enter/space", "start · pause · resume", "enter", " "),
		Stop:      b("s", "stop the run", "s"),
		Reset:     b("x", "reset (remove) the run", "x"),
		StepOnce:  b(".", "one step (paused run)", "."),
		Slower:    b("-", "slower (slow motion)", "-", "_"),
		Faster:    b("+", "faster", "+", "="),
		Race:      b("r", "race the marked methods", "r"),
		Seeds:     b("n", "more seeds (race/sweep)", "n"),
		Tune:      b("u", "tuned race on/off", "u"),
		ClearAll:  b("X", "clear all runs (twice)", "X"),
		StopSweep: b("S", "stop the sweep", "S"),
		Save:      b("e", "save ended runs", "e"),
		Export:    b("E", "export (PEFT, PyTorch)", "E"),
		Sweep:     b("w", "sweep a setting", "w"),
		Presets:   b("p", "choose a preset", "p"),
		Explain:   b("i", "explain the method", "i"),
		Scale:     b("M", "memory at LLM scale", "M"),
		Messages:  b("!", "messages in full", "!"),
		Copy:      b("y", "copy reproduce line", "y"),
		Theme:     b("T", "next colour theme", "T"),

		LogScale:   b("L", "log scale on/off", "L"),
		Smooth:     b("z", "smoothing: stronger/off", "z"),
		Curves:     b("c", "curves: both/eval/train", "c"),
		Hide:       b("v", "hide/show the method", "v"),
		Solo:       b("o", "solo the method", "o"),
		CursorBack: b("[", "read an earlier step", "["),
		CursorFwd:  b("]", "read a later step", "]"),
		CursorOff:  b("esc", "hide the step cursor", "esc"),

		Zoom: b("f", "maximise the pane", "f"),

		Up:    b("↑/k", "up", "up", "k"),
		Down:  b("↓/j", "down", "down", "j"),
		Left:  b("←/h", "smaller value", "left", "h"),
		Right: b("→/l", "larger value", "right", "l"),
		Mark:  b("m", "mark for a race", "m"),
		All:   b("a", "mark all / none", "a"),

		Edit:    b("enter", "type a value", "enter"),
		Cancel:  b("esc", "leave the field", "esc"),
		Apply:   b("enter", "apply · start", "enter"),
		LiveAll: b("A", "live lr: cursor's/all", "A"),

		PageUp:     b("pgup", "page up", "pgup"),
		PageDown:   b("pgdn", "page down", "pgdown"),
		Home:       b("home", "top", "home"),
		End:        b("end", "bottom", "end"),
		Close:      b("esc", "close", "esc"),
		Load:       b("enter", "load the preset", "enter"),
		Model:      b("←/→", "other model (M)", "left", "right", "h", "l"),
		ScaleChart: b("t", "total · base · peak (M)", "t"),
		SweepView:  b("tab", "next view (sweep)", "tab"),
		SweepPick:  b("↑/↓", "setting", "up", "down"),

		ScaleTargets:  b("a", "targets (M)", "a"),
		ScaleDType:    b("d", "base dtype (M)", "d"),
		ScaleBatch:    b("b/B", "batch up · down (M)", "b", "B"),
		ScaleSeq:      b("s/S", "seq up · down (M)", "s", "S"),
		ScaleCkpt:     b("c", "checkpointing (M)", "c"),
		ScaleGPU:      b("g/G", "next · previous GPU (M)", "g", "G"),
		SweepStop:     b("ctrl+x/S", "stop the sweep", "ctrl+x", "S"),
		SweepStepBack: b("pgup", "loss at earlier step", "pgup"),
		SweepStepFwd:  b("pgdn", "loss at later step", "pgdown"),
		SweepMethod:   b("shift+↑/↓", "other method's curves", "shift+up", "shift+down"),
	}
}

// KeyRow is one row of a key table: a binding and what it does. The
// handler gets the key press (one row may serve ← and →).
type KeyRow struct {
	Binding key.Binding
	Handle  func(msg tea.KeyMsg) tea.Cmd
}

// KeyTable is a titled list of rows, in the order the help screen shows
// them: the rows that dispatch a pane's keys are the rows its help lists, so
// dispatch and help cannot drift apart. A Global table works whichever pane
// has the focus (the loss chart's L, z and c); the others only while their
// pane has it.
type KeyTable struct {
	Title  string
	Global bool
	Rows   []KeyRow
}

// Handle runs the handler of the first row whose binding matches msg and
// reports whether one did.
func (t *KeyTable) Handle(msg tea.KeyMsg) (bool, tea.Cmd) {
	for _, r := range t.Rows {
		if key.Matches(msg, r.Binding) {
			return true, r.Handle(msg)
		}
	}
	return false, nil
}

// row is a KeyRow whose handler needs no command.
func row(b key.Binding, f func(tea.KeyMsg)) KeyRow {
	return KeyRow{b, func(msg tea.KeyMsg) tea.Cmd { f(msg); return nil }}
}

// handleTables offers msg to each table in order (those with Global equal
// to global) and reports whether one took it.
func handleTables(tables []*KeyTable, global bool, msg tea.KeyMsg) (bool, tea.Cmd) {
	for _, t := range tables {
		if t.Global != global {
			continue
		}
		if ok, cmd := t.Handle(msg); ok {
			return true, cmd
		}
	}
	return false, nil
}
