package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the one table of key bindings. The root and the panes dispatch
// with key.Matches against these bindings, and the help screen and the hint
// line are drawn from the same bindings, so they cannot disagree.
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
	Save      key.Binding
	Sweep     key.Binding
	Presets   key.Binding
	Explain   key.Binding
	Scale     key.Binding

	// Chart.
	LogScale key.Binding
	Smooth   key.Binding
	Curves   key.Binding

	// Lists (methods, settings) and scrolling.
	Up    key.Binding
	Down  key.Binding
	Left  key.Binding
	Right key.Binding
	Mark  key.Binding
	All   key.Binding

	// Settings.
	Edit   key.Binding
	Cancel key.Binding
	Apply  key.Binding

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
		Save:      b("e", "save ended runs", "e"),
		Sweep:     b("w", "sweep a setting", "w"),
		Presets:   b("p", "choose a preset", "p"),
		Explain:   b("i", "explain the method", "i"),
		Scale:     b("M", "memory at LLM scale", "M"),

		LogScale: b("L", "log scale on/off", "L"),
		Smooth:   b("z", "smoothing (EMA) on/off", "z"),
		Curves:   b("c", "curves: both/eval/train", "c"),

		Up:    b("↑/k", "up", "up", "k"),
		Down:  b("↓/j", "down", "down", "j"),
		Left:  b("←/h", "smaller value", "left", "h"),
		Right: b("→/l", "larger value", "right", "l"),
		Mark:  b("m", "mark for a race", "m"),
		All:   b("a", "mark all / none", "a"),

		Edit:   b("enter", "type a value", "enter"),
		Cancel: b("esc", "leave the field", "esc"),
		Apply:  b("enter", "apply · start", "enter"),

		PageUp:     b("pgup", "page up", "pgup"),
		PageDown:   b("pgdn", "page down", "pgdown"),
		Home:       b("home", "top", "home"),
		End:        b("end", "bottom", "end"),
		Close:      b("esc", "close", "esc"),
		Load:       b("enter", "load the preset", "enter"),
		Model:      b("←/→", "other model (M)", "left", "right", "h", "l"),
		ScaleChart: b("t", "total · above base (M)", "t"),
		SweepView:  b("tab", "next view (sweep)", "tab"),
	}
}

// KeyGroup is a titled group of bindings on the help screen.
type KeyGroup struct {
	Title    string
	Bindings []key.Binding
}

// Groups lists every binding, grouped, in the order the help screen shows them.
func (k *KeyMap) Groups() []KeyGroup {
	return []KeyGroup{
		{"Runs", []key.Binding{k.StartStop, k.Stop, k.Reset, k.Race, k.StepOnce, k.Slower, k.Faster, k.Save}},
		{"Open", []key.Binding{k.Presets, k.Explain, k.Scale, k.Sweep, k.Help}},
		{"Move and scroll", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}},
		{"Methods pane", []key.Binding{k.Mark, k.All}},
		{"Settings pane", []key.Binding{k.Left, k.Right, k.Edit, k.Cancel}},
		{"Loss chart", []key.Binding{k.LogScale, k.Smooth, k.Curves}},
		{"Dialogs", []key.Binding{k.Load, k.Model, k.ScaleChart, k.SweepView, k.Close}},
		{"Everywhere", []key.Binding{k.NextPane, k.PrevPane, k.Quit}},
	}
}
