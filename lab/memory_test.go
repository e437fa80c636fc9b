package lab_test

import (
	"context"
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// TestMemoryOfCountsTheMethodAndTheData: the estimate's ledger part is what
// the run's ledger measures, for every method; VeRA's rank and full
// fine-tuning cost what their formulas say (the per-run guard once counted
// neither); the data part grows with the task's data.
func TestMemoryOfCountsTheMethodAndTheData(t *testing.T) {
	for _, m := range catalog.Methods {
		j, err := lab.Prepare(job(m, tinyConfig()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := lab.Execute(context.Background(), j, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := lab.MemoryOf(j); got.Ledger != res.Memory.Total || got.Data <= 0 {
			t.Errorf("%s: estimate %+v, ledger measured %d", m.Info().Name, got, res.Memory.Total)
		}
	}
	small := lab.MemoryOf(job(adapters.VeRA{}, with(defaults(), "rank", 16)))
	large := lab.MemoryOf(job(adapters.VeRA{}, with(defaults(), "rank", 4096)))
	if shared := int64(4096-16) * (64 + 64) * 8; large.Ledger-small.Ledger < shared { // A (r × d_in) and B (d_out × r) alone
		t.Errorf("VeRA at rank 4096 holds %d bytes, at 16 %d: its shared matrices are not counted", large.Ledger, small.Ledger)
	}
	moreData := lab.MemoryOf(job(adapters.LoRA{}, with(defaults(), "train-size", 100000)))
	if base := lab.MemoryOf(job(adapters.LoRA{}, defaults())); moreData.Data-base.Data != int64(100000-4096)*64*2*8 {
		t.Errorf("data %d → %d for 95,904 more examples of 64 inputs and 64 targets", base.Data, moreData.Data)
	}
}

// TestPrepareRefusesARunTooLargeForItsMethod: VeRA at rank 4096 on wide,
// deep layers with a large batch held 4.5 GiB while passing the old guard,
// which counted only the task's data; it is refused now, with the estimate.
func TestPrepareRefusesARunTooLargeForItsMethod(t *testing.T) {
	cfg := with(defaults(), "rank", 4096, "width", 1024, "depth", 16, "batch", 4096, "train-size", 4096)
	_, err := lab.Prepare(job(adapters.VeRA{}, cfg))
	if err == nil || !strings.Contains(err.Error(), "the run would hold about") || !strings.Contains(err.Error(), "more than the 2 GiB one run may hold") {
		t.Fatalf("error %v", err)
	}
	cfg = with(cfg, "rank", 16, "batch", 64)
	if _, err := lab.Prepare(job(adapters.VeRA{}, cfg)); err != nil {
		t.Fatalf("the same layers at rank 16, batch 64: %v", err)
	}
}

// TestAdmissionByMemory: a pool whose budget holds two runs seats two of
// four at once and says so; a run larger than the budget is refused with
// its estimate; the results do not depend on the budget.
func TestAdmissionByMemory(t *testing.T) {
	var jobs []lab.Job
	for _, m := range []lab.Method{adapters.LoRA{}, adapters.VeRA{}, adapters.LoRAFA{}, adapters.Full{}} {
		j, err := lab.Prepare(job(m, tinyConfig()))
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	var most int64
	for _, j := range jobs {
		most = max(most, lab.MemoryOf(j).Total())
	}
	pool := lab.NewPool(2)
	pool.SetBudget(2*most + most/2)
	a, err := pool.Admit(jobs)
	if err != nil {
		t.Fatal(err)
	}
	if a.AtOnce != 2 || !a.ByMemory || !strings.Contains(a.Note(), "; 2 at a time hold their memory") {
		t.Fatalf("admission %+v: %q", a, a.Note())
	}
	tight, err := lab.ExecuteIn(context.Background(), pool, append([]lab.Job(nil), jobs...), nil)
	if err != nil {
		t.Fatal(err)
	}
	free, err := lab.ExecuteAll(context.Background(), append([]lab.Job(nil), jobs...), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		if tight[i].Final != free[i].Final || tight[i].DataDigest != free[i].DataDigest {
			t.Errorf("%s: %+v within the budget, %+v without", jobs[i].Method.Info().Name, tight[i].Final, free[i].Final)
		}
	}
	unlimited := lab.NewPool(2)
	if a, _ := unlimited.Admit(jobs); a.ByMemory || a.AtOnce != 4 || a.Note() != "" {
		t.Errorf("default budget: %+v", a)
	}
	pool.SetBudget(most / 2)
	if _, err := pool.Admit(jobs); err == nil || !strings.Contains(err.Error(), "more than the memory budget of") {
		t.Fatalf("a budget below one run: %v", err)
	}
	if _, err := lab.StartIn(context.Background(), pool, jobs[0]); err == nil {
		t.Fatal("StartIn seated a run larger than the budget")
	}
}
