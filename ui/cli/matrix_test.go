package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// badValues returns, for setting s, a malformed value (one its kind cannot
// parse) and the candidate out-of-range values the lab refuses (a numeric
// setting must have at least one: every number has a range).
func badValues(t *testing.T, s lab.Setting, m lab.Method) (malformed string, outOfRange []string) {
	t.Helper()
	var candidates []string
	switch s.Kind {
	case lab.IntSetting:
		malformed, candidates = "x1", []string{"-99999999999", "99999999999"}
	case lab.FloatSetting:
		malformed, candidates = "abc", []string{"-1e300", "1e300"}
	case lab.BoolSetting:
		return "maybe", nil
	default: // text: a name that is none, an empty one, a character no vocabulary has
		for _, v := range []string{"no-such-value-zz", "", "\u2603"} {
			if refused(s, m, v) {
				return v, nil
			}
		}
		t.Errorf("%s: no bad text value is refused", s.Name)
		return "no-such-value-zz", nil
	}
	for _, v := range candidates {
		if refused(s, m, v) {
			outOfRange = append(outOfRange, v)
		}
	}
	if len(outOfRange) == 0 {
		t.Errorf("%s: neither %v is refused; a number's setting needs a range (a Check, or Validate)", s.Name, candidates)
	}
	return malformed, outOfRange
}

// methodFor is the first method that reads setting s on the default task.
func methodFor(s lab.Setting) lab.Method {
	m, _ := runFor(s)
	return m
}

// refused reports whether the lab refuses v for s (parsing it, or preparing
// a run of m on the task that reads s).
func refused(s lab.Setting, m lab.Method, v string) bool {
	_, task := runFor(s)
	cfg := catalog.DefaultsFor(task.Info().Name)
	cfg.Method = m.Info().Name
	if err := s.Set(&cfg, v); err != nil {
		return true
	}
	job, err := catalog.Job(cfg) // a method or task that is none
	if err == nil {
		_, err = lab.Prepare(job)
	}
	return err != nil
}

// runFor returns a method and a task that read s: the default task unless
// only another task reads it (charlm's text file), with the first method
// that reads s on it.
func runFor(s lab.Setting) (lab.Method, lab.Task) {
	def, _ := catalog.Task(catalog.Defaults().Task)
	tasks := append([]lab.Task{def}, catalog.Tasks...)
	for _, task := range tasks {
		for _, m := range catalog.Methods {
			if lab.Applies(s.Name, m, task) {
				return m, task
			}
		}
	}
	return catalog.Methods[0], def
}

// TestBadInputMatrix gives every setting of the settings table — every
// method's, every task's, every common one, so new ones join by being
// declared — a malformed value and, for numbers, the out-of-range values
// the lab refuses, on every command that takes it (run, race, sweep,
// explain, and memory for the methods' settings). Each must exit 2 with one
// line on stderr that names the setting, print nothing on stdout, and
// train nothing.
func TestBadInputMatrix(t *testing.T) {
	memory := map[string]bool{}
	for _, s := range memorySettings() {
		memory[s.Name] = true
	}
	cases := 0
	for _, s := range catalog.Settings() {
		m, task := runFor(s)
		name, tname := m.Info().Name, task.Info().Name
		malformed, outOfRange := badValues(t, s, m)
		values := append([]string{malformed}, outOfRange...)
		commands := map[string][]string{
			"run":     {"run", "--task", tname, "--method", name},
			"explain": {"explain", name, "--task", tname},
			"sweep":   {"sweep", "--task", tname, "--methods", name, "--vary", "seed=1,2"},
			"race":    {"race", "--task", tname, "--methods", name},
		}
		if s.Name == "seed" {
			commands["sweep"] = []string{"sweep", "--methods", name, "--vary", "lr=0.001,0.002"}
		}
		if s.Name == "method" {
			delete(commands, "race")
			delete(commands, "sweep")
			commands["run"], commands["explain"] = []string{"run"}, []string{"explain"}
		}
		if memory[s.Name] {
			commands["memory"] = []string{"memory", "--model", "llama-2-7b", "--method", name}
			if s.Name == "method" {
				commands["memory"] = []string{"memory", "--model", "llama-2-7b"}
			}
		}
		for cmd, head := range commands {
			for _, v := range values {
				args := append(append([]string(nil), head...), "--"+s.Name+"="+v)
				var stdout, stderr bytes.Buffer
				code := Main(args, &stdout, &stderr)
				cases++
				lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
				if code != exitUsage || len(lines) != 1 || lines[0] == "" || !strings.HasPrefix(lines[0], "loralab "+cmd+": ") ||
					!strings.Contains(lines[0], s.Name) || stdout.Len() != 0 {
					t.Errorf("%s: exit %d, stderr %q, stdout %d bytes; want exit 2 and one line naming %s", strings.Join(args, " "), code, stderr.String(), stdout.Len(), s.Name)
				}
			}
		}
	}
	t.Logf("%d bad inputs over %d settings", cases, len(catalog.Settings()))
}
