package lab

import (
	"fmt"
	"strings"
)

// Catalog is what the program offers: its methods (package adapters) and its
// tasks (package lab/tasks), and so every setting a run may read. The engine
// never names a method or a task; the faces (presets, the CLI, the TUI) build
// one Catalog from the two registries and look things up in it.
type Catalog struct {
	Methods []Method
	Tasks   []Task
}

// DefaultsFor returns the default settings for the catalog's first method
// on the task called name, with the task's own core defaults
// (TaskInfo.Defaults) applied; an unknown name gives Defaults.
func (c Catalog) DefaultsFor(name string) Config {
	cfg := c.Defaults()
	t, err := c.Task(name)
	if err != nil {
		return cfg
	}
	cfg.Task = name
	for setting, v := range t.Info().Defaults {
		if s, ok := FindSetting(Common, setting); ok {
			s.Set(&cfg, v) // a registry test checks every task's defaults parse
		}
	}
	return cfg
}

// Method returns the method called name, or an error listing the methods.
func (c Catalog) Method(name string) (Method, error) {
	for _, m := range c.Methods {
		if m.Info().Name == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("method %q: unknown; the methods are: %s", name, strings.Join(c.MethodNames(), ", "))
}

// Task returns the task called name, or an error listing the tasks.
func (c Catalog) Task(name string) (Task, error) {
	for _, t := range c.Tasks {
		if t.Info().Name == name {
			return t, nil
		}
	}
	return nil, fmt.Errorf("task %q: unknown; the tasks are: %s", name, strings.Join(c.TaskNames(), ", "))
}

// MethodNames lists the methods' flag names in display order.
func (c Catalog) MethodNames() []string {
	out := make([]string, len(c.Methods))
	for i, m := range c.Methods {
		out[i] = m.Info().Name
	}
	return out
}

// TaskNames lists the tasks' names in display order.
func (c Catalog) TaskNames() []string {
	out := make([]string, len(c.Tasks))
	for i, t := range c.Tasks {
		out[i] = t.Info().Name
	}
	return out
}

// Settings lists every setting of every method and task once, in display
// order (the order of SettingsFor, over the registries in order).
func (c Catalog) Settings() []Setting {
	var ms, ts []Setting
	for _, m := range c.Methods {
		ms = append(ms, m.Info().Settings...)
	}
	for _, t := range c.Tasks {
		ts = append(ts, t.Info().Settings...)
	}
	return ordered(ms, ts)
}

// Setting returns the setting called name, or an error listing the settings.
func (c Catalog) Setting(name string) (Setting, error) {
	all := c.Settings()
	if s, ok := FindSetting(all, name); ok {
		return s, nil
	}
	return Setting{}, fmt.Errorf("setting %q: unknown; the settings are: %s", name, strings.Join(Names(all), ", "))
}

// Sweepable lists the settings a sweep may vary.
func (c Catalog) Sweepable() []string {
	var names []string
	for _, s := range c.Settings() {
		if s.Sweepable {
			names = append(names, s.Name)
		}
	}
	return names
}

// Job returns the job of cfg: its method and task looked up by name.
func (c Catalog) Job(cfg Config) (Job, error) {
	m, err := c.Method(cfg.Method)
	if err != nil {
		return Job{}, err
	}
	t, err := c.Task(cfg.Task)
	if err != nil {
		return Job{}, err
	}
	return Job{Method: m, Task: t, Config: cfg}, nil
}
