package lab

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Sweep varies one setting over a list of values for one or more methods
// on one task.
type Sweep struct {
	Setting Setting  // the varied setting, e.g. RankSetting
	Values  []string // the values, as text the setting parses
	Methods []Method
	Task    Task
	Base    Config // every other setting
}

// MaxSweepValues bounds the values of one sweep.
const MaxSweepValues = 64

// Jobs returns one job per (method, value), methods outer, values inner,
// every one validated. Errors name the offending value.
func (s Sweep) Jobs() ([]Job, error) {
	set := s.Setting
	if !set.Sweepable {
		return nil, fmt.Errorf("setting %q cannot be swept", set.Name)
	}
	if len(s.Values) == 0 || len(s.Values) > MaxSweepValues {
		return nil, fmt.Errorf("sweep of %s: needs 1 to %d values, got %d", set.Name, MaxSweepValues, len(s.Values))
	}
	if err := distinctValues(set, s.Values); err != nil {
		return nil, err
	}
	var jobs []Job
	for _, m := range s.Methods {
		for _, v := range s.Values {
			cfg := s.Base
			if err := set.Set(&cfg, v); err != nil {
				return nil, err
			}
			job, err := Prepare(Job{Method: m, Task: s.Task, Config: cfg})
			if err != nil {
				return nil, fmt.Errorf("%s with %s=%s: %w", m.Info().Name, set.Name, v, err)
			}
			jobs = append(jobs, job)
		}
	}
	return jobs, nil
}

// ParseValues reads a sweep's values: a comma-separated list ("1,2,4,8") or a
// range "from..to:log:n" or "from..to:lin:n" (n values, both ends included).
// Integer settings round range values and drop duplicates; a list that
// names a value twice ("1,1", "1,01") is refused: it would train the same
// run twice.
func ParseValues(set Setting, text string) ([]string, error) {
	setting := set.Name
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("sweep of %s: no values; give a list like 1,2,4 or a range like 1e-4..1e-1:log:7", setting)
	}
	if !strings.Contains(text, "..") {
		var out []string
		for _, v := range strings.Split(text, ",") {
			v = strings.TrimSpace(v)
			var probe Config
			if err := set.Set(&probe, v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if len(out) > MaxSweepValues {
			return nil, fmt.Errorf("sweep of %s: %d values; at most %d", setting, len(out), MaxSweepValues)
		}
		if err := distinctValues(set, out); err != nil {
			return nil, err
		}
		return out, nil
	}
	bad := fmt.Errorf("sweep range %q: want from..to:log:n or from..to:lin:n, e.g. 1e-4..1e-1:log:7", text)
	ends, rest, ok := strings.Cut(text, ":")
	from, to, ok2 := strings.Cut(ends, "..")
	scale, count, ok3 := strings.Cut(rest, ":")
	if !ok || !ok2 || !ok3 {
		return nil, bad
	}
	scale = strings.TrimSpace(scale)
	a, err1 := strconv.ParseFloat(strings.TrimSpace(from), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(to), 64)
	n, err3 := strconv.Atoi(strings.TrimSpace(count))
	if err1 != nil || err2 != nil || err3 != nil || n < 2 || n > MaxSweepValues || !finite(a) || !finite(b) ||
		math.Abs(a) > 1e15 || math.Abs(b) > 1e15 {
		return nil, fmt.Errorf("sweep range %q: ends must be finite numbers (at most 1e15) and n between 2 and %d", text, MaxSweepValues)
	}
	if scale == "log" && (a <= 0 || b <= 0) {
		return nil, fmt.Errorf("sweep range %q: a log range needs ends above 0", text)
	}
	if scale != "log" && scale != "lin" {
		return nil, bad
	}
	var out []string
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		f := float64(i) / float64(n-1)
		x := a + f*(b-a)
		if scale == "log" {
			x = math.Exp(math.Log(a) + f*(math.Log(b)-math.Log(a)))
		}
		var v string
		if set.Kind == IntSetting {
			v = strconv.Itoa(int(math.Round(x)))
		} else {
			v = strconv.FormatFloat(x, 'g', 4, 64)
		}
		var probe Config
		if err := set.Set(&probe, v); err != nil {
			return nil, err
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// distinctValues refuses a value listed twice, compared as the setting
// reads them (for rank, "1" and "01" are the same value).
func distinctValues(set Setting, values []string) error {
	seen := map[string]string{}
	for _, v := range values {
		var probe Config
		if err := set.Set(&probe, v); err != nil {
			return err
		}
		c := set.Get(probe)
		if first, ok := seen[c]; ok {
			if first == v {
				return fmt.Errorf("sweep of %s: %s is listed twice; list each value once", set.Name, v)
			}
			return fmt.Errorf("sweep of %s: %s and %s are the same value; list each value once", set.Name, first, v)
		}
		seen[c] = v
	}
	return nil
}
