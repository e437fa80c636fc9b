package presets

import (
	"context"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestBuiltInLessonsDefaultLRs checks what lab.MethodInfo.DefaultLR claims:
// each method's default learning rate is the best (within 1 %) of its grid
// neighbours, by the mean final eval loss of seeds 1, 2 and 3 on the default
// shift task at race-five's 1,500 steps. The neighbours are the rate ×2/3 and
// ×3/2, so a default that is not at the search's optimum fails here.
func TestBuiltInLessonsDefaultLRs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every method at three rates and three seeds; skipped with -short")
	}
	if raceEnabled {
		t.Skip("too slow under the race detector")
	}
	factors := []float64{1, 2.0 / 3, 3.0 / 2}
	var jobs []lab.Job
	for _, name := range Catalog.MethodNames() {
		m, err := Catalog.Method(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range factors {
			for _, seed := range lessonSeeds {
				cfg := Catalog.Defaults()
				cfg.Method, cfg.Steps, cfg.Seed, cfg.LR = name, 1500, seed, f*m.Info().DefaultLR
				job, err := Catalog.Job(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if job, err = lab.Prepare(job); err != nil {
					t.Fatal(err)
				}
				jobs = append(jobs, job)
			}
		}
	}
	rs, err := lab.ExecuteAll(context.Background(), jobs, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	per := len(factors) * len(lessonSeeds)
	for i, name := range Catalog.MethodNames() {
		mean := make([]float64, len(factors))
		for k, r := range rs[i*per : (i+1)*per] {
			if r.Status != lab.Done {
				t.Errorf("%s at lr %g seed %d: %s (%s)", name, r.Config.LR, r.Config.Seed, r.Status, r.Reason)
			}
			mean[k/len(lessonSeeds)] += r.Final.Eval / float64(len(lessonSeeds))
		}
		t.Logf("%-10s lr %-7g mean final eval %.4g  (×2/3: %.4g, ×3/2: %.4g)", name, rs[i*per].Config.LR, mean[0], mean[1], mean[2])
		for k := 1; k < len(factors); k++ {
			if mean[0] > 1.01*mean[k] {
				t.Errorf("%s: the default lr %g ends at %.4g, lr %g at %.4g: the default is not the search's best",
					name, rs[i*per].Config.LR, mean[0], rs[i*per+k*len(lessonSeeds)].Config.LR, mean[k])
			}
		}
	}
}
