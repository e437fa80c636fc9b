package tui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// The store: the Lab is the one state every pane shows, and its files
// (store*.go) are its only door. Panes read its exported fields freely and
// change it only through its methods, which bump the versions of what they
// change; no code outside the store's files writes a field of the store's
// types, uses their unexported fields or methods, or touches a version
// (TestStateHasOneDoor checks). Everything here runs on the goroutine that
// runs Update, and nothing blocks: training runs in the engine's goroutines,
// file I/O in commands.

// Versions count the changes of each part of the Lab's state. A pane stamps
// its cached view with the versions of the parts it shows (Lab.Version) and
// redraws only when one has moved; only the Lab's methods bump them.
type Versions struct {
	Runs       int // the method runs: started, reset, progress, results, controls
	Selection  int // the cursor and the marks
	Config     int // the settings and the preset's per-method overrides
	Message    int // the status line's message
	Sweep      int // the current sweep and its runs
	Preset     int // the preset loaded
	Experiment int // the last experiment started (the reproducing command)
	Memory     int // the process's memory samples
}

// Lab is the state every pane shows: the methods, the current settings, the
// runs, the sweep, the preset and the status line. It lives in the root
// model; the fields are for reading, the methods for changing.
type Lab struct {
	Methods []lab.Method
	Infos   []lab.MethodInfo
	Config  lab.Config // the settings the next run uses
	// Overrides are a preset's per-method settings (method → setting →
	// value), applied on top of Config for that method only.
	Overrides map[string]map[string]string
	Marked    []bool     // methods marked for a race
	Cursor    int        // the method under the cursor: the "selected run"
	Runs      []*RunView // one slot per method; nil if it has no run
	Speed     int        // index into speeds

	// Status line message of the last action.
	Message    string
	MessageErr bool
	// Log is the last messages, oldest first (at most LogCap): the
	// messages dialog (!) shows them in full.
	Log []LogEntry

	Proc *ProcMem // the process's memory over time

	Sweep *SweepState // the current sweep, if any

	// Preset is the preset the lab was opened on or last loaded (p).
	Preset PresetState
	// Last is the last run, race or sweep started: the reproducing command.
	Last *Experiment
	// Banner is the result of the last race once every one of its runs has
	// ended: the winner, the margin, the target reached, the wall time ("":
	// none yet, or a new experiment has started since).
	Banner string
	// LiveAll: a live setting (the learning rate) changed while runs train
	// reaches every run; else only the cursor's method's run (A toggles).
	LiveAll bool
	// Compare says at how many seeds races and sweeps run, and whether a
	// race first searches each method's learning rate (store_compare.go).
	Compare CompareSettings
	// Search is the learning-rate search of a tuned race while it runs
	// (nil: none).
	Search *SearchState

	ver     Versions
	touched map[string]bool // settings set in the settings pane since the preset was loaded

	ctx    context.Context
	cancel context.CancelFunc
	pool   *lab.Pool
	seats  int // runs the pool seats at once
	// cleared is how many runs the last UsePreset cleared.
	cleared int
	hub     *hub
	gen     int
	tune    tuneFunc // the learning-rate search (nil: lab.TuneLR; tests put a stand-in)
}

// NewLab returns a lab with every method, the given settings (UsePreset
// puts it on a preset), a pool of `workers` cores (≤ 0: one per core) that
// seats `seats` runs at once (≤ 0: lab.MaxSeated; seated runs take turns on
// the cores), and the process's memory sampled every `every` while runs
// train. Shutdown must be called to end its goroutines.
func NewLab(cfg lab.Config, workers, seats int, every time.Duration) *Lab {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Lab{
		Methods: catalog.Methods, Config: cfg,
		ctx: ctx, cancel: cancel, pool: lab.NewSeatedPool(workers, seats), hub: newHub(ctx), Proc: NewProcMem(600),
		seats: seats, Compare: CompareSettings{Seeds: 1},
	}
	if l.seats <= 0 {
		l.seats = lab.MaxSeated
	}
	l.Proc.Every = every
	l.Proc.Sample()
	for _, m := range l.Methods {
		l.Infos = append(l.Infos, m.Info())
	}
	l.Marked = make([]bool, len(l.Methods))
	l.Runs = make([]*RunView, len(l.Methods))
	return l
}

// methodInfos lists the registry's metadata in display order.
func methodInfos() []lab.MethodInfo {
	var out []lab.MethodInfo
	for _, m := range adapters.All() {
		out = append(out, m.Info())
	}
	return out
}

// Version returns the versions of the Lab's parts, for stamping views.
func (l *Lab) Version() Versions { return l.ver }

// SetMemoryBudget sets the bytes the runs seated at once may hold together
// (≤ 0: lab.DefaultMemoryBudget); runs beyond it wait, queued.
func (l *Lab) SetMemoryBudget(bytes int64) { l.pool.SetBudget(bytes) }

// Workers is the number of runs trained at once (the pool's size).
func (l *Lab) Workers() int { return l.pool.Size() }

// Seats is the number of runs that hold their model and data at once; the
// others wait, queued, for one of them to end.
func (l *Lab) Seats() int { return l.seats }

// Listen is the command that waits for the next batch of progress from the
// runs (a batchMsg for Apply); the root re-arms it after every batch.
func (l *Lab) Listen() tea.Cmd { return l.hub.listen() }

// Index returns the position of the method called name, or -1.
func (l *Lab) Index(name string) int {
	for i, info := range l.Infos {
		if info.Name == name {
			return i
		}
	}
	return -1
}

// LogEntry is one message of the status line, as Say set it.
type LogEntry struct {
	Text string
	Err  bool
}

// LogCap bounds the messages the lab keeps.
const LogCap = 100

// Say sets the status line message, and logs it.
func (l *Lab) Say(err bool, format string, args ...any) {
	l.Message, l.MessageErr = fmt.Sprintf(format, args...), err
	if n := len(l.Log); n > 0 && l.Log[n-1].Text == l.Message {
		l.ver.Message++
		return // the same again (a toggle pressed twice): logged once
	}
	if len(l.Log) == LogCap {
		l.Log = append(l.Log[:0], l.Log[1:]...)
	}
	l.Log = append(l.Log, LogEntry{l.Message, err})
	l.ver.Message++
}

// AnyRun reports whether some method has a run.
func (l *Lab) AnyRun() bool {
	for _, r := range l.Runs {
		if r != nil {
			return true
		}
	}
	return false
}

// RunCount counts the runs there are: the methods' and the sweep's.
func (l *Lab) RunCount() int {
	n := len(l.allRuns())
	if l.Sweep != nil {
		n += l.Sweep.Total()
	}
	return n
}

// SampleMemory records a sample of the process's memory.
func (l *Lab) SampleMemory() {
	l.Proc.Sample()
	l.ver.Memory++
}

// StopAll cancels every run without waiting for it (quitting): each stops
// after its current step, its goroutines end on their own, and Shutdown
// waits for them. The status line says "stopping…".
func (l *Lab) StopAll() {
	l.cancel()
	l.Say(false, "stopping…")
}

// Shutdown cancels every run and waits until every goroutine the lab
// started has ended (a step in progress ends first). Never call it from
// Update: it can wait as long as a step takes.
func (l *Lab) Shutdown() {
	l.cancel()
	l.hub.wait()
}

// MoveCursor moves the cursor d methods down (up if negative), round the list.
func (l *Lab) MoveCursor(d int) { l.SetCursor(l.Cursor + d) }

// SetCursor puts the cursor on method i (modulo the number of methods).
func (l *Lab) SetCursor(i int) {
	n := len(l.Methods)
	l.Cursor = ((i % n) + n) % n
	l.ver.Selection++
}

// Mark marks method i for a race, or unmarks it.
func (l *Lab) Mark(i int, on bool) {
	l.Marked[i] = on
	l.ver.Selection++
}

// MarkAll marks every method, or none if every one is marked.
func (l *Lab) MarkAll() {
	all := true
	for _, m := range l.Marked {
		all = all && m
	}
	for i := range l.Marked {
		l.Marked[i] = !all
	}
	l.ver.Selection++
}

// SettingChange is what SetSetting did.
type SettingChange struct {
	Value  string // the setting's value now, as text
	Active int    // the runs that have not ended
	// Live counts, of those, the ones that got the value while training (a
	// live setting): every one with LiveAll, else the cursor's method's.
	Live    int
	LiveTo  string   // with LiveAll off, the title of the run that got it ("" if it has none that trains)
	Dropped []string // titles of the methods whose preset value for the setting was dropped
}

// SetSetting sets setting s to text v for every method's next run, if the
// result is valid for every method it concerns (the marked ones and the
// cursor's, with their overrides); a preset's per-method values of s are
// dropped, and a live setting (the learning rate) reaches the cursor's
// method's run if it trains — every run that has not ended with LiveAll.
// It refuses, changing nothing, with the reason.
func (l *Lab) SetSetting(s lab.Setting, v string) (SettingChange, error) {
	cfg := l.Config
	if err := s.Set(&cfg, v); err != nil {
		return SettingChange{}, err
	}
	if err := l.Check(cfg, s.Name); err != nil {
		return SettingChange{}, err
	}
	l.Config = cfg
	l.touch(s.Name)
	ch := SettingChange{Value: s.Get(cfg), Dropped: l.dropOverrides(s.Name), Active: l.Active()}
	if s.Live && ch.Active > 0 {
		if l.LiveAll {
			ch.Live = l.SetLiveLR(s.Value(cfg))
		} else if r := l.Runs[l.Cursor]; r.Active() {
			ch.Live, ch.LiveTo = l.sendLR(r, s.Value(cfg)), r.Info.Title
		}
	}
	l.ver.Config++
	return ch, nil
}

// SetLiveAll says whether a live change reaches every run (on) or only the
// cursor's method's run (off), and says so.
func (l *Lab) SetLiveAll(on bool) {
	l.LiveAll = on
	if on {
		l.Say(false, "live changes (the learning rate) now reach every run that trains")
	} else {
		l.Say(false, "live changes (the learning rate) now reach only the cursor's method's run")
	}
	l.ver.Config++
}

// Targets lists the methods a settings change must be valid for: the marked
// ones and the one under the cursor.
func (l *Lab) Targets() []int {
	var out []int
	for i := range l.Methods {
		if l.Marked[i] || i == l.Cursor {
			out = append(out, i)
		}
	}
	return out
}

// Check validates cfg for every target method (with its overrides, except
// those of setting `dropping`, which the change will drop) and returns the
// first error.
func (l *Lab) Check(cfg lab.Config, dropping string) error {
	for _, i := range l.Targets() {
		c, err := l.withOverrides(i, cfg, dropping)
		if err == nil {
			_, err = prepare(l.Methods[i], c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ConfigFor is the settings method i trains with: Config and its overrides.
func (l *Lab) ConfigFor(i int) (lab.Config, error) { return l.withOverrides(i, l.Config, "") }

func (l *Lab) withOverrides(i int, cfg lab.Config, skip string) (lab.Config, error) {
	for name, v := range l.Overrides[l.Infos[i].Name] {
		if name == skip {
			continue
		}
		s, err := catalog.Setting(name)
		if err != nil {
			return cfg, err
		}
		if err := s.Set(&cfg, v); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// Override returns the preset's value of setting name for method i, if any.
func (l *Lab) Override(i int, name string) (string, bool) {
	v, ok := l.Overrides[l.Infos[i].Name][name]
	return v, ok
}

// dropOverrides forgets every method's override of setting name (the user
// has set it for all) and returns the methods that had one.
func (l *Lab) dropOverrides(name string) []string {
	var out []string
	for _, info := range l.Infos {
		if _, ok := l.Overrides[info.Name][name]; ok {
			delete(l.Overrides[info.Name], name)
			out = append(out, info.Title)
		}
	}
	return out
}
