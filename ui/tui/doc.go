// Package tui is LoRA Lab's interactive face: a bubbletea program in which a
// workshop watches the fine-tuning methods train live.
//
// The root Model owns the panes (methods, settings, loss chart, memory,
// leaderboard, about), a status bar, and the dialogs shown over the body:
// the preset picker (p), a method's explanation (i), the memory-at-scale
// comparison (M), the sweep dialog (w), the messages in full (!) and help
// (?). f maximises the focused pane (a projector), T cycles the themes
// (dark, light, contrast), y copies the reproducing command line (OSC 52);
// with Options.Mouse, clicks focus panes and pick methods. Two tables say what
// they are: paneSlots (layout.go) gives each pane's constructor, short name,
// column and height, and its order is the tab order; dialogSlots (model.go)
// gives each dialog's key and constructor. Every pane and dialog implements
// Component, embedding basePane for the methods it need not write, and
// sizes itself from the rectangle its parent gives it.
//
// State: the Lab (store*.go) is the one state every pane shows (runs,
// settings, marks, cursor, sweep, preset, status line). Panes read its
// fields and change it only through its methods, which bump the versions
// (Lab.Version) that panes stamp their cached views with; a pane's own view
// state (a cursor in its list, the chart's options) stays in the pane.
// TestStateHasOneDoor checks, with go/types, that nothing outside the
// store's files writes its state or touches its versions.
//
// Keys: KeyMap (keys.go) names every binding once; each pane, each dialog
// and the root hold KeyTables of {binding, handler} rows, and the help
// screen is drawn from the same rows, so dispatch and help cannot drift
// apart. A key goes to the open dialog, else to the focused pane, and only
// then to the global tables (the root's and the loss chart's).
//
// Training happens in the engine's goroutines (lab.StartIn with a lab.Pool).
// A single fan-in goroutine (hub.go) merges every run's progress events into
// one message per ~40 ms, tagged with each run's id (method run or sweep run)
// and generation, so the UI redraws a few dozen times a second at most and
// ignores late events from stopped runs. File I/O (saving results, reading
// preset files) runs in commands (commands.go) that report back with a
// message: Update never blocks on a disk or a run.
//
// Fair comparisons (store_compare.go): races and sweeps run every
// configuration at Lab.Compare's seeds (n, or the settings pane's last
// rows): a method's slot holds its first seed's run, the others in
// RunView.Reps, and the board ranks by lab.SeedLeaderboard's mean, with
// the min … max and ≈ where a difference is within the seed noise, while
// the loss chart draws each method's mean over a band (seedCurve). A tuned
// race (u) first runs lab.TuneLR in the hub's goroutines (its progress
// comes in the batches, like the runs'), then races each method at the
// rate its search chose; s, X or a new preset stop the search.
//
// The lab remembers the last run, race or sweep it started as the one
// command line that reproduces it (ui/share): the about pane shows it and
// Summary ends with it, so `loralab` prints it on quit. A preset starts a
// new experiment (the runs there are are cleared); when the last race's
// runs have all ended, a banner names the winner.
//
// Charts: drawChart (canvas.go) draws the loss chart, the sweep's charts
// and the heap chart on a grid of its own — round ticks, axis names, each
// curve in its legend's paint, markers, a reading cursor — and reports
// which curves it drew over which; plotChart (chart.go, asciigraph) still
// draws the memory-at-scale dialog's.
package tui
