package cli

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
	"github.com/loralab/loralab/ui/tui"
	"github.com/muesli/termenv"
)

// tuiDriver runs a tui.Model without a terminal: it feeds key presses to
// Update, runs the commands Update returns in goroutines (as bubbletea
// does) and feeds their messages back, all Updates on the test's goroutine.
type tuiDriver struct {
	t    *testing.T
	m    *tui.Model
	msgs chan tea.Msg
	done chan struct{}
}

func newTUIDriver(t *testing.T, m *tui.Model) *tuiDriver {
	d := &tuiDriver{t: t, m: m, msgs: make(chan tea.Msg, 64), done: make(chan struct{})}
	t.Cleanup(func() { close(d.done); m.Shutdown() })
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.run(m.Init())
	return d
}

func (d *tuiDriver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}

func (d *tuiDriver) update(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	}
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

// keys presses keys by name: enter, esc, tab, shift+tab, up, down, ctrl+u,
// or text typed as runes.
func (d *tuiDriver) keys(keys ...string) {
	types := map[string]tea.KeyType{"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "ctrl+u": tea.KeyCtrlU}
	for _, k := range keys {
		if ty, ok := types[k]; ok {
			d.update(tea.KeyMsg{Type: ty})
			continue
		}
		d.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
}

// until handles messages until cond holds.
func (d *tuiDriver) until(timeout time.Duration, cond func() bool) {
	d.t.Helper()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.update(msg)
		case <-deadline:
			d.t.Fatalf("timed out; screen:\n%s", d.m.View())
		}
	}
}

// setting types value into row `row` of the settings pane (rank is 0,
// steps 8, seed 10, noise 12), starting and ending on the methods pane.
func (d *tuiDriver) setting(name, value string) {
	d.keys("tab")
	sp := d.m.Pane("settings").(*tui.SettingsPane)
	for i := 0; sp.Current() != name; i++ {
		if i > 64 {
			d.t.Fatalf("the settings pane has no %s", name)
		}
		d.keys("down")
	}
	d.keys("enter", "ctrl+u", value, "enter", "shift+tab")
}

// tuiLab opens the lab on a preset exactly as `loralab tui --preset NAME` does.
func tuiLab(t *testing.T, name string) *tui.Model {
	t.Helper()
	all, _ := presets.All(presets.UserDir())
	p, err := presets.Lookup(all, name)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := tui.PresetOptions(p)
	if err != nil {
		t.Fatal(err)
	}
	opts.Profile, opts.ResultsDir = termenv.Ascii, t.TempDir()
	return tui.New(opts)
}

// printedLine is the reproducing command the TUI prints on quit, split
// into arguments (after "loralab").
func printedLine(t *testing.T, m *tui.Model) []string {
	t.Helper()
	for _, line := range strings.Split(m.Summary(), "\n") {
		if rest, ok := strings.CutPrefix(line, "reproduce: loralab "); ok {
			if strings.ContainsAny(rest, `'"\`) {
				t.Fatalf("reproduce line needs a shell to split: %q", rest)
			}
			return strings.Fields(rest)
		}
	}
	t.Fatalf("no reproduce line in the summary:\n%s", m.Summary())
	return nil
}

// headlessRun is one run of the command's --json output.
type headlessRun struct {
	Method string          `json:"method"`
	Status string          `json:"status"`
	Config json.RawMessage `json:"config"`
	Digest json.RawMessage `json:"data_digest"`
	Final  struct {
		Train *float64 `json:"train_loss"`
		Eval  *float64 `json:"eval_loss"`
	} `json:"final"`
}

// sameJSON reports whether a and b encode the same value.
func sameJSON(t *testing.T, a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("bad JSON: %s / %s", a, b)
	}
	return reflect.DeepEqual(x, y)
}

// checkSame compares a run the TUI finished with the command's run.
func checkSame(t *testing.T, label string, res *lab.Result, got headlessRun) {
	t.Helper()
	if res == nil || res.Status != lab.Done {
		t.Fatalf("%s: the TUI's run did not finish: %+v", label, res)
	}
	if got.Method != res.Method || got.Final.Eval == nil || got.Final.Train == nil {
		t.Fatalf("%s: command ran %q with final %+v", label, got.Method, got.Final)
	}
	if *got.Final.Eval != res.Final.Eval || *got.Final.Train != res.Final.Train {
		t.Errorf("%s: final eval loss TUI %v, command %v (train %v, %v)", label, res.Final.Eval, *got.Final.Eval, res.Final.Train, *got.Final.Train)
	}
	cfg, _ := json.Marshal(res.Config)
	if !sameJSON(t, cfg, got.Config) {
		t.Errorf("%s: configs differ:\nTUI     %s\ncommand %s", label, cfg, got.Config)
	}
	digest, _ := json.Marshal(res.DataDigest)
	if !sameJSON(t, digest, got.Digest) {
		t.Errorf("%s: data digests differ", label)
	}
	if math.IsNaN(res.Final.Eval) {
		t.Errorf("%s: NaN eval loss", label)
	}
}

// TestTUIShareLineReproduces drives the interactive lab as a user would:
// it opens a preset, changes settings in the settings pane, starts a race,
// a run or a sweep and lets it finish; then it takes the "reproduce:
// loralab …" line the lab prints on quit, runs that line through Main with
// --json, and checks the command trains the same runs: the same final eval
// (and train) losses, settings and data.
func TestTUIShareLineReproduces(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user presets
	cases := []struct {
		name, preset string
		do           func(d *tuiDriver)
		kind         string
	}{
		{"race, preset with settings changed", "race-five", func(d *tuiDriver) {
			d.setting("steps", "40")
			d.setting("rank", "4") // for every method
			d.setting("noise", "0.05")
			d.keys("r")
		}, "race"},
		{"race, preset with per-method overrides", "vera-budget", func(d *tuiDriver) {
			d.setting("steps", "30")
			d.setting("seed", "3")
			d.keys("r")
		}, "race"},
		{"race, overrides replaced in the settings pane", "vera-budget", func(d *tuiDriver) {
			d.setting("rank", "2") // drops vera's 256 and lora's 1
			d.setting("steps", "40")
			d.keys("r")
		}, "race"},
		{"single run", "frozen-a", func(d *tuiDriver) {
			d.setting("steps", "40")
			d.keys("down", "enter") // the second method, alone
		}, "run"},
		{"sweep", "rank-matters", func(d *tuiDriver) {
			d.setting("steps", "30")
			d.keys("w", "ctrl+u", "1,4", "enter", "esc")
		}, "sweep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := tuiLab(t, c.preset)
			d := newTUIDriver(t, m)
			c.do(d)
			l := m.Lab()
			if l.Last == nil || l.Last.Kind != c.kind {
				t.Fatalf("no %s started: %s", c.kind, l.Message)
			}
			d.until(60*time.Second, func() bool {
				if c.kind == "sweep" {
					return l.Sweep.Done() == len(l.Sweep.Runs)
				}
				for _, r := range l.Runs {
					if r != nil && r.Result == nil {
						return false
					}
				}
				return true
			})
			d.keys("q")
			args := printedLine(t, m)
			if args[0] != c.kind || !strings.Contains(strings.Join(args, " "), "--preset "+c.preset) {
				t.Fatalf("printed line: loralab %s", strings.Join(args, " "))
			}
			out := call(t, append(args, "--json", "--quiet")...)
			t.Logf("loralab %s", strings.Join(args, " "))
			switch c.kind {
			case "run":
				var got headlessRun
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatal(err)
				}
				var res *lab.Result
				for _, r := range l.Runs {
					if r != nil {
						res = r.Result
					}
				}
				checkSame(t, "run", res, got)
			case "race":
				var got struct{ Runs []headlessRun }
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, r := range l.Runs {
					if r == nil {
						continue
					}
					n++
					found := false
					for _, g := range got.Runs {
						if g.Method == r.Info.Name {
							checkSame(t, r.Info.Title, r.Result, g)
							found = true
						}
					}
					if !found {
						t.Errorf("the command did not run %s", r.Info.Name)
					}
				}
				if n != len(got.Runs) || n == 0 {
					t.Errorf("TUI raced %d methods, the command %d", n, len(got.Runs))
				}
			case "sweep":
				var got struct{ Runs []headlessRun }
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatal(err)
				}
				if len(got.Runs) != len(l.Sweep.Runs) {
					t.Fatalf("TUI swept %d runs, the command %d", len(l.Sweep.Runs), len(got.Runs))
				}
				for k, r := range l.Sweep.Runs {
					checkSame(t, r.Value, r.Result, got.Runs[k])
				}
			}
		})
	}
}
