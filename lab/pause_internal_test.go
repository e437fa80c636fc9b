package lab

import (
	"context"
	"testing"
	"time"
)

// doneSignal is a context that reports every call of Done: each one means
// the caller is entering a select that waits on the context.
type doneSignal struct {
	context.Context
	calls chan struct{}
}

func (c doneSignal) Done() <-chan struct{} {
	c.calls <- struct{}{}
	return c.Context.Done()
}

// TestPausedEventSurvivesAFullChannel proves the paused state reaches the
// consumer even if an older event is still queued when the run pauses. The
// run is paused with the events channel full; once it has entered its
// paused wait (its first select on the context, which tries to report the
// pause) the consumer takes the old event, and the paused report must follow. A run that dropped it would sit
// paused forever while its consumer shows it running.
func TestPausedEventSurvivesAFullChannel(t *testing.T) {
	r := &Run{job: Job{Config: Config{Steps: 10}}, events: make(chan Progress, 1), done: make(chan struct{}), wake: make(chan struct{}, 1)}
	r.events <- Progress{Step: 1, Status: Running} // the consumer has not taken this yet
	tr := &trainer{opt: &AdamW{LR: 0.1}, status: Running, steps: 1}
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx := doneSignal{base, make(chan struct{}, 1000)}
	c := &controller{r: r, ctx: ctx, t: tr, status: Running, paused: true}
	returned := make(chan bool, 1)
	go func() {
		returned <- c.turn()
	}()
	<-ctx.calls // the paused wait: reporting the pause has been tried
	if p := <-r.events; p.Status != Running {
		t.Fatalf("queued event has status %s", p.Status)
	}
	select {
	case p := <-r.events:
		if p.Status != Paused || p.Step != 1 {
			t.Errorf("event after the queued one: %s at step %d, want paused at 1", p.Status, p.Step)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the paused state was never delivered")
	}
	r.Step()
	if !<-returned {
		t.Error("turn refused the step")
	}
	if !c.paused {
		t.Error("a single step unpaused the run")
	}
}
