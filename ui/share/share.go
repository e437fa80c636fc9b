// Package share turns an experiment into the one command line that
// reproduces it exactly: like a URL for a run.
package share

import (
	"strconv"
	"strings"

	"github.com/loralab/loralab/lab"
)

// Experiment is what a reproducing command must pin down.
type Experiment struct {
	Kind    string     // "run", "race" or "sweep"
	Methods []string   // the method(s); one for a run
	Config  lab.Config // the settings as the user left them (zeros mean "default")
	Setting string     // sweeps: the varied setting
	Values  []string   // sweeps: its values
	// Preset holds the flags naming the preset the experiment started from
	// (e.g. --preset race-five); then Given, the settings given on top of it,
	// are written instead of every difference from the defaults.
	Preset []string
	Given  [][2]string
	// Extra holds further flags of the command that change its output
	// (e.g. a race's --target).
	Extra []string
}

// Command returns the loralab command line for e: the subcommand, the
// method(s), every setting of the catalog's that differs from its defaults,
// and always the seed.
func Command(cat lab.Catalog, e Experiment) string {
	args := []string{"loralab", e.Kind}
	base := cat.Defaults()
	cfg := e.Config
	switch e.Kind {
	case "run":
		if len(e.Methods) > 0 {
			cfg.Method = e.Methods[0]
		}
		args = append(args, "--method", cfg.Method)
	default:
		args = append(args, "--methods", strings.Join(e.Methods, ","))
	}
	cfg.Method, base.Method = "", ""
	all := cat.Settings()
	changed := lab.Diff(all, base, cfg)
	if e.Preset != nil {
		args = append(args, e.Preset...)
		changed = e.Given
	}
	for _, kv := range changed {
		if kv[0] == "seed" || (e.Kind == "sweep" && kv[0] == e.Setting) {
			continue
		}
		if set, _ := lab.FindSetting(all, kv[0]); set.Kind == lab.BoolSetting {
			args = append(args, "--"+kv[0]+"="+kv[1]) // a bool flag takes no separate value
			continue
		}
		args = append(args, "--"+kv[0], kv[1])
	}
	args = append(args, "--seed", strconv.FormatUint(cfg.Seed, 10))
	if e.Kind == "sweep" {
		args = append(args, "--vary", e.Setting+"="+strings.Join(e.Values, ","))
	}
	args = append(args, e.Extra...)
	for i, a := range args {
		args[i] = quote(a)
	}
	return strings.Join(args, " ")
}

// quote makes a word safe for a POSIX shell when it needs to be.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,=+:/", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
