package lab

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refDigest is AddMat written the slow, obvious way: number i of m (row-major)
// goes to stream i mod 4.
func refDigest(d Digest, m *Mat) Digest {
	h := [4]Digest{d, d ^ 1, d ^ 2, d ^ 3}
	idx := 0
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			h[idx%4] = (h[idx%4] ^ Digest(math.Float64bits(v))) * fnvPrime
			idx++
		}
	}
	out := h[0]
	for _, s := range h[1:] {
		out = (out ^ s) * fnvPrime
	}
	return out
}

// TestDigestStreams checks AddMat against the obvious version on every row
// length from 0 to 9 and on strided views, and that the digest sees a change
// of one number, a swap of two numbers and the order of two matrices.
func TestDigestStreams(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for rows := 0; rows <= 5; rows++ {
		for cols := 0; cols <= 9; cols++ {
			big := NewMat(rows, cols+3)
			FillNormal(big, r, 1)
			for _, m := range []*Mat{big, {Rows: rows, Cols: cols, Stride: cols + 3, Data: big.Data}} {
				d := NewDigest()
				d.AddMat(m)
				if want := refDigest(NewDigest(), m); d != want {
					t.Fatalf("%d × %d (stride %d): AddMat %v, the obvious version %v", m.Rows, m.Cols, m.Stride, d, want)
				}
			}
		}
	}
	m := NewMat(3, 7)
	FillNormal(m, r, 1)
	digest := func(ms ...*Mat) Digest {
		d := NewDigest()
		for _, x := range ms {
			d.AddMat(x)
		}
		return d
	}
	base := digest(m)
	changed := m.Clone()
	changed.Data[5] += 1e-12
	swapped := m.Clone()
	swapped.Data[0], swapped.Data[1] = swapped.Data[1], swapped.Data[0]
	sameLane := m.Clone() // numbers 0 and 4 share a stream
	sameLane.Data[0], sameLane.Data[4] = sameLane.Data[4], sameLane.Data[0]
	other := NewMat(2, 2)
	FillNormal(other, r, 1)
	for name, d := range map[string]Digest{"one number changed": digest(changed), "two numbers swapped": digest(swapped),
		"two numbers of one stream swapped": digest(sameLane), "another matrix after it": digest(m, other)} {
		if d == base {
			t.Errorf("%s: same digest", name)
		}
	}
	if digest(m, other) == digest(other, m) {
		t.Error("the digest does not see the order of two matrices")
	}
}
