package charlm

import (
	"fmt"
	"math/rand/v2"
)

// Split is one part of a text, train or held-out: disjoint runs of
// consecutive characters. A window (context plus its next characters) never
// crosses the edge of a segment, so no window mixes train and held-out text.
type Split struct {
	Segments []Segment
}

// Segment is a run of the text: Tokens = text.Tokens[Start : Start+len(Tokens)].
type Segment struct {
	Start  int   // offset of the first character in the whole text
	Tokens []int // shares the text's storage
}

// Chars is the number of characters in the split.
func (s Split) Chars() int {
	n := 0
	for _, g := range s.Segments {
		n += len(g.Tokens)
	}
	return n
}

// Windows is the number of distinct windows of t inputs and t targets (t+1
// consecutive characters) inside the split's segments.
func (s Split) Windows(t int) int {
	n := 0
	for _, g := range s.Segments {
		n += max(0, len(g.Tokens)-t)
	}
	return n
}

// Split sizes. A text is cut into a multiple of ten blocks of about
// splitBlock characters; every tenth block (the 10th, 20th, …, so always the
// last) is held out. Interleaving keeps the held-out text representative of
// the whole (Opticks' last pages are its speculative Queries, nothing like
// its first); blocks of thousands of characters keep windows whole.
const (
	splitBlock = 4096
	splitEvery = 10 // one block in splitEvery is held out
)

// SplitTokens cuts ids into its train and held-out splits, deterministically
// (the rule above; nothing random). Consecutive train blocks form one segment.
func SplitTokens(ids []int) (train, held Split) {
	blocks := splitEvery * max(1, len(ids)/(splitEvery*splitBlock))
	start := 0
	for i := 0; i < blocks; i++ {
		end := (i + 1) * len(ids) / blocks
		seg := Segment{Start: start, Tokens: ids[start:end:end]}
		switch {
		case i%splitEvery == splitEvery-1:
			held.Segments = append(held.Segments, seg)
		case i%splitEvery == 0:
			train.Segments = append(train.Segments, seg)
		default: // continues the train segment of the previous block
			last := &train.Segments[len(train.Segments)-1]
			last.Tokens = ids[last.Start:end:end]
		}
		start = end
	}
	return train, held
}

// MinChars is the shortest text whose held-out split holds at least one
// window of context t: a tenth of it is held out and needs t+1 characters.
func MinChars(t int) int { return splitEvery * (t + 1) }

// CheckContext returns a one-line error unless both splits of the text hold
// at least one window of context t.
func (x *Text) CheckContext(t int) error {
	if t < 1 {
		return fmt.Errorf("context %d: must be at least 1", t)
	}
	if x.Train.Windows(t) < 1 || x.Held.Windows(t) < 1 {
		return fmt.Errorf("context %d is too long for %s (%d characters): a text needs at least %d characters (a tenth is held out and must hold %d)", t, x.Name, len(x.Tokens), MinChars(t), t+1)
	}
	return nil
}

// Batch fills inputs and targets (B·t ids each, sequence-major) with B
// windows drawn uniformly, with replacement, from all windows of the split:
// sequence b's inputs are t consecutive characters and its targets the same
// characters shifted by one (targets[b·t + i] follows inputs[b·t + i]).
// Only r decides which windows: the same seed gives the same batches.
// It panics if len(inputs) is not a multiple of t or the split has no window.
func (s Split) Batch(r *rand.Rand, t int, inputs, targets []int) {
	s.BatchStarts(r, t, inputs, targets, nil)
}

// BatchStarts is Batch that also writes where each window lies in the
// split's Concat: sequence b is Concat()[starts[b] : starts[b]+t+1] (its
// inputs, then its last target). starts holds B numbers, or is nil. It
// draws the same windows as Batch from the same r.
func (s Split) BatchStarts(r *rand.Rand, t int, inputs, targets, starts []int) {
	total := s.mustWindows(t, inputs, targets)
	if starts != nil && len(starts) != len(inputs)/t {
		panic(fmt.Sprintf("charlm: %d starts for %d windows", len(starts), len(inputs)/t))
	}
	for b := 0; b < len(inputs)/t; b++ {
		at := s.window(r.IntN(total), t, inputs[b*t:(b+1)*t], targets[b*t:(b+1)*t])
		if starts != nil {
			starts[b] = at
		}
	}
}

// Concat is the split's characters, its segments one after the other (a
// new slice). A window of the split never crosses from one segment to the
// next in it: BatchStarts' offsets point inside one segment.
func (s Split) Concat() []int {
	out := make([]int, 0, s.Chars())
	for _, g := range s.Segments {
		out = append(out, g.Tokens...)
	}
	return out
}

// Eval fills inputs and targets with B fixed windows spread evenly over the
// split (window k starts at the k·W/B-th of its W windows): the same numbers
// on every call, for a held-out loss that changes only when the model does.
func (s Split) Eval(t int, inputs, targets []int) {
	total := s.mustWindows(t, inputs, targets)
	count := len(inputs) / t
	for b := 0; b < count; b++ {
		s.window(b*total/count, t, inputs[b*t:(b+1)*t], targets[b*t:(b+1)*t])
	}
}

func (s Split) mustWindows(t int, inputs, targets []int) int {
	if t < 1 || len(inputs)%t != 0 || len(targets) != len(inputs) {
		panic(fmt.Sprintf("charlm: batch of %d inputs, %d targets for context %d", len(inputs), len(targets), t))
	}
	total := s.Windows(t)
	if total < 1 {
		panic(fmt.Sprintf("charlm: no window of context %d in the split", t))
	}
	return total
}

// window copies the k-th window of the split (0 ≤ k < Windows(t)) and
// returns where its first character lies in Concat.
func (s Split) window(k, t int, in, out []int) int {
	offset := 0
	for _, g := range s.Segments {
		n := len(g.Tokens) - t
		if k < n {
			copy(in, g.Tokens[k:k+t])
			copy(out, g.Tokens[k+1:k+t+1])
			return offset + k
		}
		k -= max(0, n)
		offset += len(g.Tokens)
	}
	panic("charlm: window index out of range")
}
