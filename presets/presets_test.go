package presets

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

func TestBuiltIns(t *testing.T) {
	all := BuiltIn()
	want := []string{"race-five", "rank-matters", "rslora-rank", "loraplus-tuned", "frozen-a", "vera-budget", "vera-rank", "beyond-rank", "dora-vs-lora", "pissa-vs-lora", "full-vs-lora",
		"charlm-race", "charlm-forgetting", "charlm-targets", "charlm-rank"}
	if got := Names(all); !slices.Equal(got, want) {
		t.Fatalf("built-in presets %v, want %v", got, want)
	}
	if d := Default(); d.Name != "race-five" || d.Mode != Race || len(d.Methods) != 6 {
		t.Errorf("Default() = %s (%s, %v), want race-five racing all five methods and full", d.Name, d.Mode, d.Methods)
	}
	// The five of the round-1 papers and the baseline, in the registry's order
	// (DoRA and PiSSA have their own presets).
	five := slices.DeleteFunc(adapters.Names(), func(n string) bool { return n == "dora" || n == "pissa" })
	if got := Default().Methods; !slices.Equal(got, five) {
		t.Errorf("race-five methods %v, want the five and full, %v", got, five)
	}
	for _, p := range all {
		t.Run(p.Name, func(t *testing.T) {
			if p.Source != BuiltInSource || p.Title == "" || p.Notes == "" || p.Question == "" {
				t.Errorf("source %q, title %q, notes %d bytes, question %q: every built-in needs all of them", p.Source, p.Title, len(p.Notes), p.Question)
			}
			data, err := builtinFS.ReadFile("builtin/" + p.Name + ".toml")
			if err != nil {
				t.Fatalf("the file of preset %s must be builtin/%s.toml: %v", p.Name, p.Name, err)
			}
			if _, err := Parse(p.Name+".toml", data); err != nil {
				t.Fatal(err)
			}
			jobs, err := p.Jobs()
			if err != nil {
				t.Fatalf("Jobs: %v", err)
			}
			wantJobs := len(p.Methods)
			if p.Mode == Sweep {
				wantJobs *= len(p.Sweep.Values)
			}
			if len(jobs) != wantJobs {
				t.Errorf("%d jobs, want %d", len(jobs), wantJobs)
			}
			for i, j := range jobs {
				if p.JobLabel(i) == "" {
					t.Errorf("job %d has no label", i)
				}
				if j.Config.Steps > 2000 {
					t.Errorf("job %d: %d steps; keep presets short enough to show their lesson within a minute", i, j.Config.Steps)
				}
			}
			q, err := Parse("copy.toml", []byte(p.TOML()))
			if err != nil {
				t.Fatalf("Parse(TOML()): %v\n%s", err, p.TOML())
			}
			q.Source = p.Source
			if !reflect.DeepEqual(p, q) {
				t.Errorf("Parse(TOML()) differs:\n got %#v\nwant %#v", q, p)
			}
		})
	}
	// Callers get copies.
	a := BuiltIn()
	a[0].Settings["steps"] = "1"
	a[0].Methods[0] = "full"
	if b := BuiltIn(); b[0].Settings["steps"] == "1" || b[0].Methods[0] == "full" {
		t.Error("BuiltIn returns shared maps or slices")
	}
}

func TestConfigAndOverrides(t *testing.T) {
	p, err := Lookup(BuiltIn(), "vera-budget")
	if err != nil {
		t.Fatal(err)
	}
	base, err := p.Config()
	if err != nil {
		t.Fatal(err)
	}
	if base.Steps != 1000 || base.Rank != Catalog.Defaults().Rank || base.Method != "vera" {
		t.Errorf("Config: steps %d rank %d method %s; want the shared settings only, method vera", base.Steps, base.Rank, base.Method)
	}
	v, _ := p.ConfigFor("vera")
	l, _ := p.ConfigFor("lora")
	if v.Rank != 256 || l.Rank != 1 || v.Steps != 1000 || l.Steps != 1000 || v.Method != "vera" || l.Method != "lora" {
		t.Errorf("ConfigFor: vera rank %d steps %d, lora rank %d steps %d", v.Rank, v.Steps, l.Rank, l.Steps)
	}
	jobs, err := p.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	if jobs[0].Config.Rank != 256 || jobs[1].Config.Rank != 1 || jobs[0].Config.LR != 2e-2 {
		t.Errorf("jobs: ranks %d, %d; vera lr %g (want its default, 0.02)", jobs[0].Config.Rank, jobs[1].Config.Rank, jobs[0].Config.LR)
	}
	s, _ := Lookup(BuiltIn(), "rank-matters")
	jobs, err = s.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	rank, _ := Catalog.Setting("rank")
	for i, j := range jobs {
		if want := s.Sweep.Values[i]; rank.Get(j.Config) != want {
			t.Errorf("job %d rank %d, want %s", i, j.Config.Rank, want)
		}
	}
	if got := s.JobLabel(2); got != "LoRA rank=4" {
		t.Errorf("JobLabel(2) = %q", got)
	}
}

func TestLookup(t *testing.T) {
	_, err := Lookup(BuiltIn(), "nope")
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "race-five, rank-matters") {
		t.Errorf("Lookup(nope) = %v; want an error listing the presets", err)
	}
}

const good = `name = "mine"
title = "My race"
mode = "race"
methods = ["lora", "vera"]
question = "Which?"
notes = """
First paragraph,
wrapped.

Second one.
"""

[settings]
steps = 300
lr = 2e-3
rslora = true
activation = "relu"

[overrides.vera]
rank = 128
`

func TestParseGood(t *testing.T) {
	p, err := Parse("dir/mine.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := Preset{
		Name: "mine", Title: "My race", Mode: Race, Methods: []string{"lora", "vera"}, Question: "Which?",
		Notes:     "First paragraph, wrapped.\n\nSecond one.",
		Settings:  map[string]string{"steps": "300", "lr": "0.002", "rslora": "true", "activation": "relu"},
		Overrides: map[string]map[string]string{"vera": {"rank": "128"}},
		Source:    "dir/mine.toml",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %#v\nwant %#v", p, want)
	}
	// The name defaults to the file's; the title to the name.
	p, err = Parse("/x/my-sweep.toml", []byte("mode = \"sweep\"\nmethods = [\"lora\"]\n[sweep]\nsetting = \"lr\"\nvalues = \"1e-3..1e-2:log:3\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "my-sweep" || p.Title != "my-sweep" || !slices.Equal(p.Sweep.Values, []string{"0.001", "0.003162", "0.01"}) {
		t.Errorf("got name %q title %q values %v", p.Name, p.Title, p.Sweep.Values)
	}
}

func TestParseErrors(t *testing.T) {
	head := "mode = \"race\"\nmethods = [\"lora\", \"vera\"]\n"
	sweep := "mode = \"sweep\"\nmethods = [\"lora\"]\n[sweep]\nsetting = \"rank\"\n"
	cases := []struct {
		name, text string
		line       int
		field      string
		says       []string // substrings of the message: what is wrong and what is allowed
	}{
		{"syntax", "mode = \"race\nmethods = []\n", 1, "mode", []string{"not valid TOML"}},
		{"unknown key", head + "colour = \"red\"\n", 3, "colour", []string{"unknown key", "name, title, mode"}},
		{"unknown dotted key", head + "\nn.x = 1\n", 4, "n", []string{"unknown key"}},
		{"unknown dotted setting", head + "settings.ranks.x = 1\n", 3, "settings.ranks", []string{"unknown setting"}},
		{"unknown key in a table", head + "[settings]\nsteps = 10\nranks = 4\n", 5, "settings.ranks", []string{"unknown setting", "rank, alpha"}},
		{"method as a setting", head + "[settings]\nmethod = \"full\"\n", 4, "settings.method", []string{"methods = ["}},
		{"no mode", "methods = [\"lora\"]\n", 0, "mode", []string{"missing", "single", "race", "sweep"}},
		{"bad mode", "mode = \"racing\"\nmethods = [\"lora\"]\n", 1, "mode", []string{`"racing"`, "single, race, sweep"}},
		{"mode type", "mode = 3\nmethods = [\"lora\"]\n", 1, "mode", []string{"string"}},
		{"unknown method", "mode = \"race\"\nmethods = [\"lora\", \"adalora\"]\n", 2, "methods", []string{`"adalora"`, "lora, lora-fa, vera"}},
		{"methods not a list", "mode = \"single\"\nmethods = \"lora\"\n", 2, "methods", []string{"list"}},
		{"twice", "mode = \"race\"\nmethods = [\"lora\", \"lora\"]\n", 2, "methods", []string{"twice"}},
		{"single with two", "mode = \"single\"\nmethods = [\"lora\", \"vera\"]\n", 2, "methods", []string{"exactly one"}},
		{"race with one", "mode = \"race\"\nmethods = [\"lora\"]\n", 2, "methods", []string{"at least two"}},
		{"bad name", "name = \"My Preset\"\n" + head, 1, "name", []string{"lower-case"}},
		{"bad value", head + "[settings]\nrank = \"abc\"\n", 4, "settings.rank", []string{`"abc"`, "whole number", "adapter rank"}},
		{"float for int", head + "\n\n[settings]\nsteps = 2.5\n", 6, "settings.steps", []string{"whole number"}},
		{"table value", head + "[settings]\nlr = [1, 2]\n", 4, "settings.lr", []string{"finite number", "a list"}},
		{"nan", head + "[settings]\nlr = nan\n", 4, "settings.lr", []string{"finite number"}},
		{"rank 0", head + "[settings]\nrank = 0\n", 4, "settings.rank", []string{"rank 0: must be at least 1"}},
		{"negative lr", head + "[settings]\nlr = -0.1\n", 4, "settings.lr", []string{"lr -0.1: must be a finite number above 0"}},
		{"sweep value 0", sweep + "values = [0, 2]\n", 5, "sweep.values", []string{"rank 0: must be at least 1"}},
		{"out of range", head + "[settings]\nbatch = 0\n", 4, "settings.batch", []string{"batch 0", "between 1 and"}},
		{"prepare per method", head + "[settings]\nrank = 100\n", 4, "settings.rank", []string{"lora", "rank 100", "between 1 and 64"}},
		{"override for another method", head + "[overrides.full]\nrank = 2\n", 3, "overrides.full", []string{"not in methods"}},
		{"override of an unknown method", head + "[overrides.adalora]\nrank = 2\n", 3, "overrides.adalora", []string{"unknown", "lora, lora-fa"}},
		{"override value", head + "[overrides.lora]\nrank = 100\n", 4, "overrides.lora.rank", []string{"rank 100"}},
		{"sweep in a race", head + "[sweep]\nsetting = \"rank\"\nvalues = [1]\n", 3, "sweep", []string{"only for mode = \"sweep\""}},
		{"sweep missing", "mode = \"sweep\"\nmethods = [\"lora\"]\n", 0, "sweep", []string{"missing", "[sweep]"}},
		{"not sweepable", "mode = \"sweep\"\nmethods = [\"lora\"]\n[sweep]\nsetting = \"steps\"\nvalues = [1]\n", 4, "sweep.setting", []string{`"steps"`, "rank, alpha, lr"}},
		{"sweep key", sweep + "values = [1]\nvalue = 2\n", 6, "sweep.value", []string{"setting, values"}},
		{"sweep values syntax", sweep + "values = \"1..8:cubic:3\"\n", 5, "sweep.values", []string{"from..to:log:n"}},
		{"sweep value type", sweep + "values = [1, 2.5]\n", 5, "sweep.values", []string{`"2.5"`, "whole number"}},
		{"sweep value invalid", sweep + "values = [4, 100]\n", 5, "sweep.values", []string{"rank = 100", "between 1 and 64"}},
		{"swept setting also set", sweep + "values = [1, 2]\n[settings]\nrank = 4\n", 7, "settings.rank", []string{"swept"}},
		{"too many values", sweep + "values = \"1..64:lin:64\"\n[settings]\nsteps = 1\n", 0, "", nil}, // 64 values: allowed
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(c.text))
			if c.says == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if pe.File != "bad.toml" || pe.Line != c.line || pe.Field != c.field {
				t.Errorf("error at %s:%d field %q, want bad.toml:%d field %q (%v)", pe.File, pe.Line, pe.Field, c.line, c.field, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if !strings.HasPrefix(msg, "bad.toml") {
				t.Errorf("error %q does not start with the file", msg)
			}
			for _, s := range c.says {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not say %q", msg, s)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.toml")
	if err := os.WriteFile(file, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(file)
	if err != nil || p.Source != file || p.Name != "mine" {
		t.Fatalf("Load = %+v, %v", p, err)
	}
	_, err = Load(filepath.Join(dir, "missing.toml"))
	if err == nil || !strings.Contains(err.Error(), "missing.toml") || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestAll(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-mine.toml", good)
	write("b-broken.toml", "mode = \"race\"\nmethods = [\"lora\", \"vera\"]\n[settings]\nrank = \"x\"\n")
	write("c-dup.toml", strings.Replace(good, "My race", "Another", 1))
	write("frozen-a.toml", "mode = \"single\"\nmethods = [\"lora-fa\"]\ntitle = \"my frozen A\"\n")
	write("notes.txt", "not a preset")
	if err := os.Mkdir(filepath.Join(dir, "sub.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	all, errs := All(dir)
	if len(errs) != 2 {
		t.Fatalf("errors %v, want the broken file and the duplicate", errs)
	}
	if msg := errs[0].Error(); !strings.Contains(msg, "b-broken.toml:4: settings.rank") {
		t.Errorf("error %q should name the file, line 4 and settings.rank", msg)
	}
	if msg := errs[1].Error(); !strings.Contains(msg, "c-dup.toml:1: name") || !strings.Contains(msg, "a-mine.toml") {
		t.Errorf("error %q should name the duplicate's file and line, and the first file", msg)
	}
	names := Names(all)
	if len(all) != len(BuiltIn())+1 || names[0] != "race-five" || names[len(names)-1] != "mine" {
		t.Errorf("presets %v: want the built-ins, then mine", names)
	}
	fa, _ := Lookup(all, "frozen-a")
	if fa.Title != "my frozen A" || fa.Source != filepath.Join(dir, "frozen-a.toml") {
		t.Errorf("a user frozen-a should replace the built-in: %+v", fa)
	}
	if all, errs := All(filepath.Join(dir, "missing")); len(errs) != 0 || len(all) != len(BuiltIn()) {
		t.Errorf("missing dir: %d presets, errors %v", len(all), errs)
	}
	if all, errs := All(""); len(errs) != 0 || len(all) != len(BuiltIn()) {
		t.Errorf("no dir: %d presets, errors %v", len(all), errs)
	}
}

func TestUserDir(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg")
	if got := UserDir(); got != filepath.Join("/tmp/cfg", "loralab", "presets") {
		t.Errorf("UserDir() = %q", got)
	}
}

func TestTOMLQuoting(t *testing.T) {
	p, err := Parse("q.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	p.Title = "quotes \" and \\ and \t tab and \x01 control"
	p.Question = strings.Repeat("a long question ", 20) + "\"\"\" end"
	p.Settings["seed"] = "18446744073709551615" // a uint64 TOML cannot hold as an integer
	q, err := Parse("q.toml", []byte(p.TOML()))
	if err != nil {
		t.Fatalf("%v\n%s", err, p.TOML())
	}
	want := p
	want.Title = lab.Printable(strings.Join(strings.Fields(p.Title), " "), false) // a control character comes back escaped
	want.Question = Reflow(p.Question)
	if q.Title != want.Title || q.Question != want.Question || q.Settings["seed"] != p.Settings["seed"] {
		t.Errorf("round trip: title %q question %q seed %q", q.Title, q.Question, q.Settings["seed"])
	}
}

func TestReflowAndWrap(t *testing.T) {
	if got := Reflow("  a\n b  c\n\n\n d \n"); got != "a b c\n\nd" {
		t.Errorf("Reflow = %q", got)
	}
	if got := quoteMulti("aaa bbb ccc dddddddddd e " + strings.Repeat("x ", 50)); !strings.HasPrefix(got, "\"\"\"\naaa bbb ccc dddddddddd e x") || strings.Count(got, "\n") < 3 {
		t.Errorf("quoteMulti = %q: want the paragraph wrapped at %d cells", got, wrapWidth)
	}
}
