package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/results"
	"github.com/muesli/termenv"
)

// Options configure the lab the TUI opens on.
type Options struct {
	Config     lab.Config                   // the settings (lab.Defaults() if zero)
	Marked     []string                     // methods marked for a race, by name
	Cursor     string                       // the method under the cursor, by name
	Preset     string                       // the preset's name, shown in the header ("" for none)
	Notes      string                       // the preset's notes, shown in the about pane and header
	Profile    termenv.Profile              // colour profile; termenv.Ascii draws no colour codes
	Title      string                       // the preset's title, shown in the header
	Question   string                       // the preset's question for the room
	Overrides  map[string]map[string]string // the preset's per-method settings
	ResultsDir string                       // where e saves (default results.DefaultDir())
	// SampleEvery is how often the process's memory is sampled while runs
	// train (default 250 ms).
	SampleEvery time.Duration
}

// Model is the root of the TUI: it owns the panes and the Lab, routes key
// presses to the focused pane only (then tries its global keys), lays the
// panes out for the terminal's size, and draws header, panes and footer.
type Model struct {
	c       *Common
	lab     *Lab
	opts    Options
	panes   [numFocus]Component
	focus   Focus
	bottom  Focus // narrow layout: the pane shown under the methods
	lo      layout
	help    bool
	sweep   *SweepPane // the sweep dialog
	sweepOn bool       // the dialog is open
	ticking bool
	quit    bool
	shut    bool
}

// tickMsg samples the process's memory while runs train.
type tickMsg struct{}

// New returns the root model. Call Shutdown when the program has ended (it
// is also called on quit) so that no goroutine outlives it.
func New(opts Options) *Model {
	if opts.Config == (lab.Config{}) {
		opts.Config = lab.Defaults()
	}
	if opts.SampleEvery <= 0 {
		opts.SampleEvery = 250 * time.Millisecond
	}
	if opts.ResultsDir == "" {
		opts.ResultsDir = results.DefaultDir()
	}
	l := NewLab(opts.Config)
	l.Proc.Every = opts.SampleEvery
	l.Overrides = map[string]map[string]string{}
	for m, kv := range opts.Overrides {
		l.Overrides[m] = map[string]string{}
		for k, v := range kv {
			l.Overrides[m][k] = v
		}
	}
	for _, name := range opts.Marked {
		if i := l.Index(name); i >= 0 {
			l.Marked[i] = true
		}
	}
	if i := l.Index(opts.Cursor); i >= 0 {
		l.Cursor = i
	} else if len(opts.Marked) > 0 {
		if i := l.Index(opts.Marked[0]); i >= 0 {
			l.Cursor = i
		}
	}
	c := &Common{Styles: NewStyles(opts.Profile), Keys: DefaultKeyMap(), Lab: l}
	m := &Model{c: c, lab: l, opts: opts, bottom: FocusChart}
	m.panes = [numFocus]Component{
		FocusMethods:  NewMethodsPane(c),
		FocusSettings: NewSettingsPane(c),
		FocusChart:    NewChartPane(c),
		FocusMemory:   NewMemoryPane(c),
		FocusBoard:    NewBoardPane(c),
		FocusAbout:    NewAboutPane(c, opts.Notes, opts.Question),
	}
	m.sweep = NewSweepPane(c)
	m.resize(80, 24)
	return m
}

// Lab returns the model's lab state (for tests and the quit summary).
func (m *Model) Lab() *Lab { return m.lab }

// Focused returns the pane that has the focus.
func (m *Model) Focused() Focus { return m.focus }

// Pane returns one of the panes.
func (m *Model) Pane(f Focus) Component { return m.panes[f] }

// Init implements tea.Model: start listening for progress.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.lab.hub.listen()}
	for _, p := range m.panes {
		cmds = append(cmds, p.Init())
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case batchMsg:
		for _, u := range msg.Updates {
			m.lab.Apply(u)
		}
		return m, tea.Batch(m.lab.hub.listen(), m.startTick())
	case tickMsg:
		m.lab.Proc.Sample()
		if m.lab.Active()+m.lab.SweepActive() > 0 && !m.quit {
			return m, m.tick()
		}
		m.ticking = false
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	}
	var cmds []tea.Cmd
	for _, p := range m.panes {
		cmds = append(cmds, p.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.opts.SampleEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

// batchTick adds a memory tick to cmd if runs have started.
func (m *Model) batchTick(cmd tea.Cmd) tea.Cmd { return tea.Batch(cmd, m.startTick()) }

// startTick starts sampling the process's memory if runs train and it is
// not sampling yet: no ticks at all while nothing runs.
func (m *Model) startTick() tea.Cmd {
	if m.ticking || m.quit || m.lab.Active()+m.lab.SweepActive() == 0 {
		return nil
	}
	m.ticking = true
	m.lab.Proc.Sample()
	return m.tick()
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.Keys
	pane := m.panes[m.focus]
	if msg.Type == tea.KeyCtrlC || (key.Matches(msg, k.Quit) && !pane.Capturing() && !m.sweepOn) {
		return m.Quit()
	}
	if m.help {
		if key.Matches(msg, k.Help) || msg.Type == tea.KeyEsc {
			m.help = false
		}
		return nil
	}
	if m.sweepOn {
		if msg.Type == tea.KeyEsc {
			m.sweepOn = false
			return nil
		}
		_, cmd := m.sweep.HandleKey(msg)
		return m.batchTick(cmd)
	}
	if pane.Capturing() {
		_, cmd := pane.HandleKey(msg)
		return cmd
	}
	if ok, cmd := pane.HandleKey(msg); ok {
		return cmd
	}
	l := m.lab
	switch {
	case key.Matches(msg, k.Help):
		m.help = true
	case key.Matches(msg, k.NextPane):
		m.moveFocus(1)
	case key.Matches(msg, k.PrevPane):
		m.moveFocus(-1)
	case key.Matches(msg, k.StartStop):
		l.Toggle(l.Cursor)
		return m.startTick()
	case key.Matches(msg, k.Stop):
		l.Stop(l.Cursor)
	case key.Matches(msg, k.Reset):
		l.Reset(l.Cursor)
	case key.Matches(msg, k.StepOnce):
		l.StepOnce(l.Cursor)
	case key.Matches(msg, k.Slower):
		l.SetSpeed(-1)
	case key.Matches(msg, k.Faster):
		l.SetSpeed(1)
	case key.Matches(msg, k.Sweep):
		m.sweepOn = true
	case key.Matches(msg, k.Save):
		l.Save(m.opts.ResultsDir)
	case key.Matches(msg, k.Race):
		l.Race()
		return m.startTick()
	case key.Matches(msg, k.LogScale):
		l.LogScale = !l.LogScale
		l.ChartVer++
		l.Say(false, "log scale %s", onOff(l.LogScale))
	case key.Matches(msg, k.Smooth):
		l.Smooth = !l.Smooth
		l.ChartVer++
		l.Say(false, "smoothing (EMA) %s", onOff(l.Smooth))
	case key.Matches(msg, k.Curves):
		l.Curves = (l.Curves + 1) % len(curveNames)
		l.ChartVer++
		l.Say(false, "curves: %s", curveNames[l.Curves])
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// moveFocus moves the focus to the next (dir 1) or previous (-1) visible pane.
func (m *Model) moveFocus(dir int) {
	f := m.focus
	for range numFocus {
		f = (f + Focus(dir) + numFocus) % numFocus
		if m.lo.visible[f] {
			break
		}
	}
	m.focus = f
	if f != FocusMethods {
		m.bottom = f
	}
	m.resize(m.c.Width, m.c.Height)
}

// Quit cancels every run, waits for every goroutine of the lab to end, and
// quits the program.
func (m *Model) Quit() tea.Cmd {
	m.quit = true
	m.Shutdown()
	return tea.Quit
}

// Shutdown cancels every run and waits for the lab's goroutines; calling it
// again does nothing.
func (m *Model) Shutdown() {
	if m.shut {
		return
	}
	m.shut = true
	m.lab.Shutdown()
}

// resize lays the panes out for a w × h terminal.
func (m *Model) resize(w, h int) {
	m.c.Width, m.c.Height = w, h
	m.lo = computeLayout(w, h)
	if !m.lo.visible[m.focus] {
		m.focus = FocusMethods
	}
	lo := m.lo
	if lo.narrow {
		m.panes[FocusMethods].SetSize(w-2, lo.methodsH-2)
		for f := FocusSettings; f < numFocus; f++ {
			m.panes[f].SetSize(w-2, lo.bottomH-2)
		}
		return
	}
	inner := func(f Focus, ww, hh int) { m.panes[f].SetSize(max(ww-2, 0), max(hh-2, 0)) }
	inner(FocusMethods, lo.leftW, lo.methodsH)
	inner(FocusSettings, lo.leftW, lo.settingsH)
	inner(FocusAbout, lo.leftW, lo.aboutH)
	inner(FocusChart, lo.rightW, lo.chartH)
	inner(FocusMemory, lo.rightW, lo.memH)
	if lo.boardH > 0 {
		inner(FocusBoard, lo.leftW, lo.boardH)
	} else {
		inner(FocusBoard, lo.rightW, lo.boardRight)
	}
}

// View implements tea.Model: exactly Height lines of at most Width cells.
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	if m.quit {
		return ""
	}
	if w < MinWidth || h < MinHeight {
		return block(fitLines(m.tooSmall(), w, h))
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.header())
	switch {
	case m.help:
		lines = append(lines, frame(m.c.Styles, "Keys", m.helpView(w-2, m.lo.bodyH-2), w, m.lo.bodyH, true)...)
	case m.sweepOn:
		m.sweep.SetSize(w-2, m.lo.bodyH-2)
		lines = append(lines, frame(m.c.Styles, "Sweep", m.sweep.View(), w, m.lo.bodyH, true)...)
	default:
		lines = append(lines, m.body()...)
	}
	lines = append(lines, m.footer()...)
	return block(fitLines(block(lines), w, h))
}

func (m *Model) tooSmall() string {
	msg := fmt.Sprintf("terminal too small: %dx%d (need %dx%d)", m.c.Width, m.c.Height, MinWidth, MinHeight)
	pad := max(0, (m.c.Height-1)/2)
	return strings.Repeat("\n", pad) + " " + msg
}

// framed draws pane f in a ww × hh frame.
func (m *Model) framed(f Focus, ww, hh int) []string {
	return frame(m.c.Styles, m.panes[f].Title(), m.panes[f].View(), ww, hh, m.focus == f)
}

func (m *Model) body() []string {
	lo, w := m.lo, m.c.Width
	if lo.narrow {
		out := m.framed(FocusMethods, w, lo.methodsH)
		f := m.bottom
		title := m.panes[f].Title() + " │ tab:"
		for g := FocusSettings; g < numFocus; g++ {
			if g != f {
				title += " " + shortName(g)
			}
		}
		out = append(out, frame(m.c.Styles, title, m.panes[f].View(), w, lo.bottomH, m.focus == f)...)
		return out
	}
	left := m.framed(FocusMethods, lo.leftW, lo.methodsH)
	left = append(left, m.framed(FocusSettings, lo.leftW, lo.settingsH)...)
	if lo.boardH > 0 {
		left = append(left, m.framed(FocusBoard, lo.leftW, lo.boardH)...)
	}
	if lo.aboutH > 0 {
		left = append(left, m.framed(FocusAbout, lo.leftW, lo.aboutH)...)
	}
	right := m.framed(FocusChart, lo.rightW, lo.chartH)
	right = append(right, m.framed(FocusMemory, lo.rightW, lo.memH)...)
	if lo.boardRight > 0 {
		right = append(right, m.framed(FocusBoard, lo.rightW, lo.boardRight)...)
	}
	left = fitLines(block(left), lo.leftW, lo.bodyH)
	right = fitLines(block(right), lo.rightW, lo.bodyH)
	return hjoin(left, right)
}

// shortName names a pane in the narrow layout's tab list.
func shortName(f Focus) string {
	return [...]string{"methods", "settings", "loss", "memory", "board", "about"}[f]
}
