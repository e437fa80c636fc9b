package tui

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/results"
	"github.com/muesli/termenv"
)

// Options configure the lab the TUI opens on. PresetOptions gives the
// options of a preset, as `loralab tui --preset NAME` opens it.
type Options struct {
	// Preset is the preset the lab opens on: its settings, its methods
	// marked, its per-method overrides, its notes (nil: none; catalog.Defaults(),
	// nothing marked). It reaches the lab by the path the picker's presets
	// take (Lab.UsePreset).
	Preset     *presets.Preset
	Profile    termenv.Profile // colour profile; termenv.Ascii draws no colour codes
	ResultsDir string          // where e saves (default results.DefaultDir())
	Workers    int             // runs trained at once (≤ 0: one per core)
	Seats      int             // runs that hold their model and data at once, taking turns on the cores (≤ 0: lab.MaxSeated)
	Memory     int64           // bytes the seated runs may hold together (≤ 0: lab.DefaultMemoryBudget)
	// PresetDir is the user presets folder the picker (p) lists besides the
	// built-in ones (default presets.UserDir()).
	PresetDir string
	// SampleEvery is how often the process's memory is sampled while runs
	// train (default 250 ms).
	SampleEvery time.Duration
	// Theme is the palette the lab opens with (T cycles them): dark, light
	// or contrast; the command line picks it with --theme, else from
	// COLORFGBG (DetectTheme).
	Theme Theme
	// Clipboard puts text on the terminal's clipboard (y copies the
	// reproducing command line); nil: OSC 52 written to standard output,
	// which most terminals (and tmux with set-clipboard on) honour. It runs
	// in a command, off Update.
	Clipboard func(text string) error
	// Mouse: clicks focus a pane or pick a method, the wheel scrolls (off by
	// default: the terminal's own selection then works as usual; --mouse).
	Mouse bool
}

// OSC52 is the escape sequence that asks the terminal to put text on the
// system clipboard.
func OSC52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
}

// stdoutClipboard is the default Clipboard: OSC 52 on standard output. The
// renderer writes each frame in one write, so the sequence lands between
// two frames.
func stdoutClipboard(text string) error {
	_, err := os.Stdout.WriteString(OSC52(text))
	return err
}

// dialogSlot is a dialog's row in dialogSlots: a pane shown over the body
// that takes every key until it closes.
type dialogSlot struct {
	name string // what Dialog reports while it is open
	// key opens it (and closes it, unless it takes text); the "Open" key
	// table lists these in table order.
	key  func(k *KeyMap) key.Binding
	side bool // wide layout: it takes the right column, the left one stays in sight
	new  func(c *Common, o Options) Component
}

// dialogSlots is the lab's dialogs: a new dialog is its file and one row here.
var dialogSlots = []dialogSlot{
	{name: "presets", key: func(k *KeyMap) key.Binding { return k.Presets },
		new: func(c *Common, o Options) Component { return NewPresetPicker(c, o.PresetDir) }},
	{name: "explain", key: func(k *KeyMap) key.Binding { return k.Explain }, side: true, new: pane(NewExplainPane)},
	{name: "scale", key: func(k *KeyMap) key.Binding { return k.Scale }, new: pane(NewScalePane)},
	{name: "sweep", key: func(k *KeyMap) key.Binding { return k.Sweep }, new: pane(NewSweepPane)},
	{name: "messages", key: func(k *KeyMap) key.Binding { return k.Messages }, new: pane(NewMessagesPane)},
	{name: "help", key: func(k *KeyMap) key.Binding { return k.Help }, new: pane(NewHelpPane)},
}

// noDialog is the value of Model.dialog while no dialog is open.
const noDialog = -1

// opener is a dialog that prepares its content each time it opens; the
// command it may return does the reading (the preset picker's files).
type opener interface{ Open() tea.Cmd }

// passer is a dialog that takes text but lets the keys it names through
// to the root's Open table (the sweep dialog's !: no value has one).
type passer interface{ Passes(msg tea.KeyMsg) bool }

// doner is a dialog that can ask to be closed after a key (the preset
// picker, once a preset is loaded).
type doner interface{ Done() bool }

// Model is the root of the TUI: it owns the panes, the dialogs and the Lab,
// routes key presses to the open dialog or else the focused pane only (then
// tries its global keys), lays the panes out for the terminal's size, and
// draws header, panes and footer.
type Model struct {
	c       *Common
	lab     *Lab
	opts    Options
	panes   []Component // one per paneSlots row
	dialogs []Component // one per dialogSlots row
	dialog  int         // the open dialog (index in dialogSlots), or noDialog
	focus   int         // the focused pane (index in paneSlots)
	bottom  int         // narrow layout: the pane shown under the pinned ones
	lo      layout
	// The root's key tables: the runs, the dialogs to open and the screen
	// (global), the keys that work everywhere, and those of an open dialog.
	runKeys, openKeys, screenKeys, everywhere, dialogKeys *KeyTable
	ticking                                               bool
	quit                                                  bool
	shut                                                  bool
	// zoom: the focused pane takes the whole body (f: presentation mode).
	zoom bool
	// clearArmed: X was pressed once with runs on the board; the next key
	// clears them if it is X again, else keeps them (askClear).
	clearArmed bool
}

// tickMsg samples the process's memory while runs train.
type tickMsg struct{}

// New returns the root model. Call Shutdown when the program has ended (it
// is also called on quit) so that no goroutine outlives it.
func New(opts Options) *Model {
	if opts.SampleEvery <= 0 {
		opts.SampleEvery = 250 * time.Millisecond
	}
	if opts.ResultsDir == "" {
		opts.ResultsDir = results.DefaultDir()
	}
	if opts.PresetDir == "" {
		opts.PresetDir = presets.UserDir()
	}
	if opts.Clipboard == nil {
		opts.Clipboard = stdoutClipboard
	}
	l := NewLab(catalog.Defaults(), opts.Workers, opts.Seats, opts.SampleEvery)
	l.SetMemoryBudget(opts.Memory)
	if opts.Preset != nil {
		if err := l.UsePreset(*opts.Preset); err != nil {
			l.Say(true, "%v", err) // PresetOptions refuses such a preset before the lab opens
		} else if hint := l.SweepHint(); hint != "" {
			l.Say(false, "%s", hint)
		}
	}
	c := &Common{Styles: NewThemedStyles(opts.Profile, opts.Theme), Keys: DefaultKeyMap(), Lab: l}
	m := &Model{c: c, lab: l, opts: opts, dialog: noDialog}
	for i, s := range paneSlots {
		m.panes = append(m.panes, s.new(c, opts))
		if s.first {
			m.bottom = i
		}
	}
	for _, d := range dialogSlots {
		m.dialogs = append(m.dialogs, d.new(c, opts))
	}
	m.keyTables()
	c.Help = m.helpTables
	m.resize(80, 24)
	return m
}

// keyTables builds the root's key tables.
func (m *Model) keyTables() {
	k, l := m.c.Keys, m.lab
	m.runKeys = &KeyTable{Title: "Runs", Global: true, Rows: []KeyRow{
		{k.StartStop, func(tea.KeyMsg) tea.Cmd { l.Toggle(l.Cursor); return m.startTick() }},
		row(k.Stop, func(tea.KeyMsg) { l.Stop(l.Cursor) }),
		row(k.Reset, func(tea.KeyMsg) { l.Reset(l.Cursor) }),
		{k.Race, func(tea.KeyMsg) tea.Cmd { l.Race(); return m.startTick() }},
		row(k.ClearAll, func(tea.KeyMsg) { m.askClear() }),
		row(k.StopSweep, func(tea.KeyMsg) { l.CancelSweep() }),
		row(k.StepOnce, func(tea.KeyMsg) { l.StepOnce(l.Cursor) }),
		row(k.Slower, func(tea.KeyMsg) { l.SetSpeed(-1) }),
		row(k.Faster, func(tea.KeyMsg) { l.SetSpeed(1) }),
		row(k.Seeds, func(tea.KeyMsg) { l.StepSeeds() }),
		row(k.Tune, func(tea.KeyMsg) { l.ToggleTune() }),
		{k.Save, func(tea.KeyMsg) tea.Cmd { return m.save() }},
		{k.Export, func(tea.KeyMsg) tea.Cmd { return m.export() }},
	}}
	m.openKeys = &KeyTable{Title: "Open", Global: true}
	for i, d := range dialogSlots {
		m.openKeys.Rows = append(m.openKeys.Rows, KeyRow{d.key(k), func(tea.KeyMsg) tea.Cmd { return m.openDialog(i) }})
	}
	m.screenKeys = &KeyTable{Title: "Screen", Global: true, Rows: []KeyRow{
		row(k.Zoom, func(tea.KeyMsg) { m.setZoom(!m.zoom) }),
		row(k.Theme, func(tea.KeyMsg) { m.setTheme((m.c.Styles.Theme + 1) % Theme(len(ThemeNames))) }),
		{k.Copy, func(tea.KeyMsg) tea.Cmd { return m.copyLine() }},
	}}
	m.dialogKeys = &KeyTable{Title: "Dialogs", Rows: []KeyRow{
		row(k.Close, func(tea.KeyMsg) { m.dialog = noDialog }),
	}}
	m.everywhere = &KeyTable{Title: "Everywhere", Global: true, Rows: []KeyRow{
		row(k.NextPane, func(tea.KeyMsg) { m.moveFocus(1) }),
		row(k.PrevPane, func(tea.KeyMsg) { m.moveFocus(-1) }),
		{k.Quit, func(tea.KeyMsg) tea.Cmd { return m.Quit() }},
	}}
}

// helpTables lists every key table in the order the help screen shows
// them: the runs and the dialogs to open, each pane's keys in tab order,
// each dialog's, closing a dialog, and the keys that work everywhere.
func (m *Model) helpTables() []*KeyTable {
	out := []*KeyTable{m.runKeys, m.openKeys, m.screenKeys}
	for _, p := range m.panes {
		out = append(out, p.Keys()...)
	}
	for _, d := range m.dialogs {
		out = append(out, d.Keys()...)
	}
	return append(out, m.dialogKeys, m.everywhere)
}

// globalKeys lists the tables that work whichever pane has the focus: the
// root's and the panes' global ones.
func (m *Model) globalKeys() []*KeyTable {
	out := []*KeyTable{m.runKeys, m.openKeys, m.screenKeys, m.everywhere}
	for _, p := range m.panes {
		out = append(out, p.Keys()...)
	}
	return out
}

// Lab returns the model's lab state (for tests and the quit summary).
func (m *Model) Lab() *Lab { return m.lab }

// Focused returns the short name of the pane that has the focus.
func (m *Model) Focused() string { return paneSlots[m.focus].name }

// Pane returns the pane of that short name, or nil.
func (m *Model) Pane(name string) Component {
	for i, s := range paneSlots {
		if s.name == name {
			return m.panes[i]
		}
	}
	return nil
}

// Init implements tea.Model: start listening for progress (and for the
// mouse, with Options.Mouse).
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.lab.Listen()}
	if m.opts.Mouse {
		cmds = append(cmds, tea.EnableMouseCellMotion)
	}
	for _, p := range m.panes {
		cmds = append(cmds, p.Init())
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model. A pane that is shown only for some
// settings (the samples pane, for a task that writes text) comes and goes
// as they change — a preset loaded, the task switched — without a resize.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := m.update(msg)
	if m.c.Width > 0 && m.lo.hidden != nil && m.layoutStale() {
		m.resize(m.c.Width, m.c.Height)
	}
	return model, cmd
}

// layoutStale reports whether a pane's shown now disagrees with the layout.
func (m *Model) layoutStale() bool {
	for i, s := range paneSlots {
		if s.shown != nil && m.lo.hidden[i] == s.shown(m.c) {
			return true
		}
	}
	return false
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case batchMsg:
		for _, u := range msg.Updates {
			m.lab.Apply(u)
		}
		if msg.Search != nil {
			m.lab.ApplySearch(*msg.Search)
		}
		return m, tea.Batch(m.lab.Listen(), m.startTick())
	case tickMsg:
		m.lab.SampleMemory()
		if m.busy() && !m.quit {
			return m, m.tick()
		}
		m.ticking = false
		return m, nil
	case copiedMsg:
		if msg.err != nil {
			m.lab.Say(true, "copy failed: %v", msg.err)
		} else {
			m.lab.Say(false, "copied %s to the clipboard (OSC 52; the terminal must allow it)", msg.what)
		}
		return m, nil
	case savedMsg:
		switch {
		case msg.err != nil:
			m.lab.Say(true, "save failed: %v", msg.err)
		default:
			m.lab.Say(false, "saved %s", strings.Join(msg.saved, "; "))
		}
		return m, nil
	case exportedMsg:
		if msg.err != nil {
			m.lab.Say(true, "export failed: %v", msg.err)
		} else {
			m.lab.Say(false, "exported %s to %s (peft/, torch/)", msg.method, msg.dir)
		}
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	case StopMsg:
		return m, m.Quit()
	}
	var cmds []tea.Cmd
	for _, p := range m.panes {
		cmds = append(cmds, p.Update(msg))
	}
	for _, d := range m.dialogs {
		cmds = append(cmds, d.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.opts.SampleEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

// batchTick adds a memory tick to cmd if runs have started.
func (m *Model) batchTick(cmd tea.Cmd) tea.Cmd { return tea.Batch(cmd, m.startTick()) }

// busy reports whether runs train or a learning-rate search runs: the
// memory is sampled (and the header's clocks move) only then.
func (m *Model) busy() bool {
	return m.lab.Active()+m.lab.SweepActive() > 0 || m.lab.Search != nil
}

// startTick starts sampling the process's memory if runs train and it is
// not sampling yet: no ticks at all while nothing runs.
func (m *Model) startTick() tea.Cmd {
	if m.ticking || m.quit || !m.busy() {
		return nil
	}
	m.ticking = true
	m.lab.SampleMemory()
	return m.tick()
}

// capturing reports whether every key, q included, goes to the open dialog
// or the focused pane (a text field is open).
func (m *Model) capturing() bool {
	if m.dialog != noDialog {
		return m.dialogs[m.dialog].Capturing()
	}
	return m.panes[m.focus].Capturing()
}

// openDialog shows dialog d over the body and returns its opening command.
func (m *Model) openDialog(d int) tea.Cmd {
	m.dialog = d
	m.resize(m.c.Width, m.c.Height)
	if o, ok := m.dialogs[d].(opener); ok {
		return o.Open()
	}
	return nil
}

// save starts saving what has ended (a command: Update does no I/O), or
// says there is nothing to save.
func (m *Model) save() tea.Cmd {
	bundles := m.lab.Bundles()
	if len(bundles) == 0 {
		m.lab.Say(true, "nothing to save yet: no run or sweep run has ended")
		return nil
	}
	return saveCmd(m.opts.ResultsDir, bundles)
}

// Dialog reports which dialog is open by its name in dialogSlots ("presets",
// "explain", "scale", "sweep", "messages", "help"), or "" for none.
func (m *Model) Dialog() string {
	if m.dialog == noDialog {
		return ""
	}
	return dialogSlots[m.dialog].name
}

// handleKey routes a key press: quit first; then the open dialog (esc, or
// its own key unless it takes text, closes it); else the focused pane; and
// only then the global tables.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.Keys
	if msg.Type == tea.KeyCtrlC || (key.Matches(msg, k.Quit) && !m.capturing()) {
		return m.Quit()
	}
	if m.c.Width < MinWidth || m.c.Height < MinHeight {
		return nil // nothing is on screen to act on: only quitting works
	}
	if m.clearArmed {
		m.clearArmed = false
		if m.dialog == noDialog && !m.capturing() && key.Matches(msg, k.ClearAll) {
			m.lab.ClearAll()
			return nil
		}
		m.lab.Say(false, "nothing cleared: the runs stay")
		// and the key does what it does
	}
	if m.dialog != noDialog {
		d := m.dialogs[m.dialog]
		if ok, cmd := m.dialogKeys.Handle(msg); ok {
			return cmd
		}
		if !d.Capturing() && key.Matches(msg, dialogSlots[m.dialog].key(k)) {
			m.dialog = noDialog
			return nil
		}
		if ps, ok := d.(passer); ok && ps.Passes(msg) {
			_, cmd := m.openKeys.Handle(msg)
			return cmd
		}
		_, cmd := d.HandleKey(msg)
		if dn, ok := d.(doner); ok && dn.Done() {
			m.dialog = noDialog
		}
		return m.batchTick(cmd)
	}
	pane := m.panes[m.focus]
	if pane.Capturing() {
		_, cmd := pane.HandleKey(msg)
		return cmd
	}
	if ok, cmd := pane.HandleKey(msg); ok {
		return cmd
	}
	_, cmd := handleTables(m.globalKeys(), true, msg)
	return cmd
}

// askClear is X: with runs on the board (or a sweep), it asks first —
// the next key clears them if it is X again, any other key keeps them —
// so that one slip of a finger does not lose an experiment; with none,
// it clears at once (a learning-rate search stops) or says there is
// nothing to clear.
func (m *Model) askClear() {
	l := m.lab
	n := l.RunCount()
	if n == 0 {
		l.ClearAll()
		return
	}
	m.clearArmed = true
	what := "all " + plural(n, "run")
	if n == 1 {
		what = "the run"
	}
	l.Say(true, "X again clears %s; any other key keeps them", what)
}

// setZoom maximises the focused pane (the whole body is its) or puts it
// back, and says so.
func (m *Model) setZoom(on bool) {
	m.zoom = on
	m.resize(m.c.Width, m.c.Height)
	if on {
		m.lab.Say(false, "%s maximised: f puts it back, tab maximises the next pane", paneSlots[m.focus].name)
	} else {
		m.lab.Say(false, "every pane back")
	}
}

// setTheme draws the lab in theme t from the next frame on, and says so.
func (m *Model) setTheme(t Theme) {
	m.c.Styles = NewThemedStyles(m.opts.Profile, t)
	for _, c := range append(append([]Component(nil), m.panes...), m.dialogs...) {
		if d, ok := c.(interface{ dropCache() }); ok {
			d.dropCache()
		}
	}
	if !m.c.Styles.Colour {
		m.lab.Say(false, "theme %s (no colour is drawn: NO_COLOR or --no-color)", t)
		return
	}
	m.lab.Say(false, "theme %s (T: next; --theme %s opens on it)", t, t)
}

// copiedMsg is what copyCmd reports.
type copiedMsg struct {
	what string
	err  error
}

// copyLine puts the reproducing command line on the clipboard (a command:
// Update does no I/O), or says there is none yet.
func (m *Model) copyLine() tea.Cmd {
	line := m.lab.ReproduceLine()
	if line == "" {
		m.lab.Say(true, "nothing to copy yet: start a run, race or sweep first")
		return nil
	}
	clip := m.opts.Clipboard
	return func() tea.Msg { return copiedMsg{what: "the reproduce line", err: clip(line)} }
}

// Zoomed reports whether the focused pane is maximised (f).
func (m *Model) Zoomed() bool { return m.zoom }

// moveFocus moves the focus to the next (dir 1) or previous (-1) visible pane.
func (m *Model) moveFocus(dir int) {
	n := len(paneSlots)
	f := m.focus
	for range n {
		f = (f + dir + n) % n
		if m.lo.visible(f) {
			break
		}
	}
	m.focus = f
	if paneSlots[f].pinned == nil {
		m.bottom = f
	}
	m.resize(m.c.Width, m.c.Height)
}

// Quit cancels every run and quits the program at once, showing
// "stopping…": it does not wait for the runs (a slow step would freeze the
// screen), Shutdown does, once the program has ended.
func (m *Model) Quit() tea.Cmd {
	m.quit = true
	m.lab.StopAll()
	return tea.Quit
}

// StopMsg makes the lab quit as q does: every run stopped, the terminal
// restored by the program's own path. The CLI sends it on SIGINT, SIGTERM
// and SIGHUP.
type StopMsg struct{}

// Shutdown cancels every run and waits for the lab's goroutines (as long
// as a step in progress takes); calling it again does nothing. Call it once
// the program has ended, never from Update.
func (m *Model) Shutdown() {
	if m.shut {
		return
	}
	m.shut = true
	m.lab.Shutdown()
}

// resize lays the panes and dialogs out for a w × h terminal.
func (m *Model) resize(w, h int) {
	m.c.Width, m.c.Height = w, h
	m.lo = computeLayout(m.c, w, h)
	if !m.lo.visible(m.focus) {
		m.focus = 0
	}
	lo := m.lo
	inner := func(c Component, ww, hh int) { c.SetSize(max(ww-2, 0), max(hh-2, 0)) }
	for d, s := range dialogSlots {
		if s.side && !lo.narrow {
			inner(m.dialogs[d], lo.rightW, lo.bodyH)
		} else {
			inner(m.dialogs[d], w, lo.bodyH)
		}
	}
	for i, p := range m.panes {
		if m.zoom && i == m.focus {
			inner(p, w, lo.bodyH)
			continue
		}
		inner(p, lo.width(i), lo.height(i))
	}
}

// View implements tea.Model: exactly Height lines of at most Width cells.
func (m *Model) View() string {
	w, h := m.c.Width, m.c.Height
	if m.quit { // the last frame, until the terminal is restored
		return block(fitLines(strings.Repeat("\n", max(0, (h-1)/2))+" stopping…", w, h))
	}
	if w < MinWidth || h < MinHeight {
		return block(fitLines(m.tooSmall(), w, h))
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.header())
	switch {
	case m.dialog != noDialog && dialogSlots[m.dialog].side && !m.lo.narrow:
		d := m.dialogs[m.dialog]
		right := frame(m.c.Styles, d.Title(), d.View(), m.lo.rightW, m.lo.bodyH, true)
		lines = append(lines, hjoin(m.column(leftColumn), right)...)
	case m.dialog != noDialog:
		d := m.dialogs[m.dialog]
		lines = append(lines, frame(m.c.Styles, d.Title(), d.View(), w, m.lo.bodyH, true)...)
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

// framed draws pane f in a ww × hh frame; it looks focused only while no
// dialog is open.
func (m *Model) framed(f, ww, hh int) []string {
	return frame(m.c.Styles, m.panes[f].Title(), m.panes[f].View(), ww, hh, m.focus == f && m.dialog == noDialog)
}

// body draws the panes. Narrow: the pinned ones, then the bottom one, its
// title listing the others tab reaches. Wide: the two columns.
func (m *Model) body() []string {
	lo, w := m.lo, m.c.Width
	if m.zoom {
		return m.framed(m.focus, w, lo.bodyH)
	}
	if !lo.narrow {
		return hjoin(m.column(leftColumn), m.column(rightColumn))
	}
	var out []string
	for i, s := range paneSlots {
		if s.pinned != nil {
			out = append(out, m.framed(i, w, lo.h[i])...)
		}
	}
	f := m.bottom
	title := m.panes[f].Title() + " │ tab:"
	for g, s := range paneSlots {
		if g != f && s.pinned == nil && lo.visible(g) {
			title += " " + s.name
		}
	}
	return append(out, frame(m.c.Styles, title, m.panes[f].View(), w, lo.bottomH, m.focus == f)...)
}

// column draws one column of the wide layout: its panes, in table order.
func (m *Model) column(col int) []string {
	lo := m.lo
	colW := lo.leftW
	if col == rightColumn {
		colW = lo.rightW
	}
	out := make([]string, 0, lo.bodyH)
	for i, s := range paneSlots {
		if s.column == col && lo.h[i] > 0 {
			out = append(out, m.framed(i, colW, lo.h[i])...)
		}
	}
	return fitLines(block(out), colW, lo.bodyH)
}
