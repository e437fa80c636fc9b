package lab

import "testing"

// admitted reports whether s has been seated.
func admitted(s *seat) bool {
	select {
	case <-s.admitted:
		return true
	default:
		return false
	}
}

// TestSeatsFollowTheMemoryBudget: runs are seated, first come first
// served, while the bytes seated stay within the budget; one leaving
// seats those that fit then; a run alone is seated whatever its size (the
// line always moves); the head of the line is not overtaken by a smaller
// run; leaving the line lets the next one in.
func TestSeatsFollowTheMemoryBudget(t *testing.T) {
	p := &Pool{cores: 1, maxSeated: MaxSeated, budget: 100}
	a, b, c := p.enqueue(40), p.enqueue(40), p.enqueue(40)
	if !admitted(a) || !admitted(b) || admitted(c) || p.seatedBytes != 80 {
		t.Fatalf("seated %v %v %v with %d bytes, want the first two (80 bytes)", admitted(a), admitted(b), admitted(c), p.seatedBytes)
	}
	big, small := p.enqueue(90), p.enqueue(5)
	if admitted(big) || admitted(small) {
		t.Fatal("a later, smaller run overtook the line")
	}
	p.leave(a)
	if !admitted(c) || admitted(big) {
		t.Fatal("after one left: want the third seated, the 90-byte run still waiting")
	}
	p.leave(b)
	p.leave(c)
	if !admitted(big) || !admitted(small) || p.seatedBytes != 95 {
		t.Fatalf("with the pool empty: %v %v, %d bytes", admitted(big), admitted(small), p.seatedBytes)
	}
	p.leave(big)
	p.leave(small)
	p.leave(small) // a second leave does nothing
	if p.seated != 0 || p.seatedBytes != 0 {
		t.Fatalf("empty pool holds %d runs, %d bytes", p.seated, p.seatedBytes)
	}
	huge := p.enqueue(1000)
	if !admitted(huge) {
		t.Fatal("a run alone must be seated whatever its size")
	}
	x, y := p.enqueue(10), p.enqueue(10)
	p.leave(x) // x leaves the line: y, behind it, still does not fit beside huge
	if admitted(y) {
		t.Fatal("y seated beside a run over the budget")
	}
	p.leave(huge)
	if !admitted(y) {
		t.Fatal("y not seated once the pool emptied")
	}
}

// TestSeatsStillBoundedByCount: within the budget, MaxSeated (or the
// pool's seats) still bounds the runs seated.
func TestSeatsStillBoundedByCount(t *testing.T) {
	p := &Pool{cores: 1, maxSeated: 2, budget: 1 << 40}
	a, b, c := p.enqueue(1), p.enqueue(1), p.enqueue(1)
	if !admitted(a) || !admitted(b) || admitted(c) {
		t.Fatal("want two seated")
	}
	p.leave(b)
	if !admitted(c) {
		t.Fatal("the third not seated when a seat freed")
	}
}
