// Package tui is LoRA Lab's interactive face: a bubbletea program in which a
// workshop watches the fine-tuning methods train live.
//
// The root Model owns a handful of panes (methods, settings, loss chart,
// memory, leaderboard), a status bar and a help screen. Every pane implements
// Component and sizes itself from the rectangle its parent gives it; all of
// them share one Common value (terminal size, styles, key map, and the Lab:
// the runs and settings the panes show). Styles live in styles.go, key
// bindings in keys.go: the same KeyMap table dispatches keys and draws the
// help screen.
//
// Training happens in the engine's goroutines (lab.StartIn with a lab.Pool).
// A single fan-in goroutine (hub.go) merges every run's progress events into
// one message per ~40 ms, tagged with each run's id and generation, so the UI
// redraws a few dozen times a second at most and ignores late events from
// stopped runs. Views are cached and recomputed only when dirty.
package tui
