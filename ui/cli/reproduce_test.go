package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// call runs the command line in-process and returns stdout, failing on a
// non-zero status.
func call(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := Main(args, &out, &errOut); code != 0 {
		t.Fatalf("loralab %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

// reproduceLine extracts the "reproduce: loralab ..." line of a table.
func reproduceLine(t *testing.T, table string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if rest, ok := strings.CutPrefix(line, "reproduce: loralab "); ok {
			if strings.ContainsAny(rest, `'"\`) {
				t.Fatalf("reproduce line needs a shell to split: %q", rest)
			}
			return strings.Fields(rest)
		}
	}
	t.Fatalf("no reproduce line in:\n%s", table)
	return nil
}

// withoutTimings decodes JSON and drops the fields that measure time.
func withoutTimings(t *testing.T, data string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, data)
	}
	var strip func(any)
	strip = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			delete(x, "speed")
			delete(x, "steps_per_second")
			for _, v := range x {
				strip(v)
			}
		case []any:
			for _, v := range x {
				strip(v)
			}
		}
	}
	strip(v)
	return v
}

// TestReproduceLineGivesIdenticalNumbers runs experiments with non-default
// settings, then runs the command line they print, and compares the JSON of
// both (all but the timings).
func TestReproduceLineGivesIdenticalNumbers(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--method", "lora-plus", "--rank", "4", "--lr-ratio", "8", "--steps", "60", "--seed", "7", "--noise", "0.05", "--quiet"},
		{"race", "--methods", "lora,vera,delta-lora", "--rank", "2", "--delta-start", "10", "--steps", "40", "--width", "32", "--quiet"},
		{"sweep", "--vary", "alpha=1,16", "--methods", "lora,lora-fa", "--steps", "30", "--task-rank", "2", "--rslora", "--quiet"},
		{"race", "--preset", "vera-budget", "--steps", "40", "--quiet"}, // per-method overrides
		{"run", "--preset", "frozen-a", "--steps", "30", "--seed", "3", "--quiet"},
	} {
		t.Run(args[0], func(t *testing.T) {
			line := reproduceLine(t, call(t, args...))
			want := withoutTimings(t, call(t, append(args, "--json")...))
			got := withoutTimings(t, call(t, append(line, "--json", "--quiet")...))
			if !reflect.DeepEqual(want, got) {
				t.Errorf("loralab %s does not reproduce loralab %s", strings.Join(line, " "), strings.Join(args, " "))
			}
		})
	}
}
