package lab_test

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/lab"
)

// FuzzParseValues feeds the sweep-value parser arbitrary text for every
// sweepable setting. It must never panic; its errors are one line naming
// the setting or the range; what it accepts is 1 to MaxSweepValues values,
// each one the setting accepts, no two the same value. Seeds:
// testdata/fuzz/FuzzParseValues.
//
//	go test -run '^$' -fuzz FuzzParseValues ./lab
func FuzzParseValues(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, text string) {
		set, err := catalog.Setting(name)
		if err != nil || !set.Sweepable {
			set = lab.RankSetting
		}
		values, err := lab.ParseValues(set, text)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error %q: want one line", msg)
			}
			return
		}
		if len(values) == 0 || len(values) > lab.MaxSweepValues {
			t.Fatalf("%q: %d values", text, len(values))
		}
		seen := map[string]bool{}
		for _, v := range values {
			var c lab.Config
			if err := set.Set(&c, v); err != nil {
				t.Fatalf("%q gave %q, which %s refuses: %v", text, v, set.Name, err)
			}
			if seen[set.Get(c)] {
				t.Fatalf("%q gave %s twice: %v", text, set.Get(c), values)
			}
			seen[set.Get(c)] = true
		}
	})
}

// TestSweepValuesListedTwiceAreRefused: a list naming one value twice would
// train the same run twice; a range of an integer setting drops the
// duplicates its rounding makes; Sweep.Jobs refuses duplicates too (a
// preset's values list).
func TestSweepValuesListedTwiceAreRefused(t *testing.T) {
	for text, want := range map[string]string{
		"1,1":   "sweep of rank: 1 is listed twice; list each value once",
		"1, 01": "sweep of rank: 1 and 01 are the same value; list each value once",
	} {
		if _, err := lab.ParseValues(lab.RankSetting, text); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
	if v, err := lab.ParseValues(lab.RankSetting, "1..3:lin:5"); err != nil || strings.Join(v, ",") != "1,2,3" {
		t.Errorf("1..3:lin:5: %v %v", v, err)
	}
	_, err := lab.Sweep{Setting: lab.RankSetting, Values: []string{"2", "2"}, Methods: catalog.Methods[:1], Task: catalog.Tasks[0], Base: defaults()}.Jobs()
	if err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("Jobs: %v", err)
	}
}
