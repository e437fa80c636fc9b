// Package tui is LoRA Lab's interactive face: a bubbletea program in which a
// workshop watches the fine-tuning methods train live.
//
// The root Model owns a handful of panes (methods, settings, loss chart,
// memory, leaderboard, about), a status bar, and the dialogs shown over the
// body: help (?), the preset picker (p), a method's explanation (i), the
// memory-at-scale comparison (M) and the sweep dialog (w). Every pane and
// dialog implements Component and sizes itself from the rectangle its
// parent gives it; all of them share one Common value (terminal size,
// styles, key map, and the Lab: the runs, settings and preset the panes
// show). Styles live in styles.go, key bindings in keys.go: the same KeyMap
// table dispatches keys and draws the help screen and the hint line. A key
// goes to the open dialog, else to the focused pane, and only then to the
// root's global keys.
//
// Training happens in the engine's goroutines (lab.StartIn with a lab.Pool).
// A single fan-in goroutine (hub.go) merges every run's progress events into
// one message per ~40 ms, tagged with each run's id and generation, so the UI
// redraws a few dozen times a second at most and ignores late events from
// stopped runs. Views are cached and recomputed only when dirty.
//
// The lab remembers the last run, race or sweep it started as the one
// command line that reproduces it (ui/share): the about pane shows it and
// Summary ends with it, so `loralab` prints it on quit.
package tui
