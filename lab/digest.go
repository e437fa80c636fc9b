package lab

import (
	"fmt"
	"math"
)

// Digest is a running hash of every number a run saw as data: the base
// weights, the eval set and each training batch in order. Two runs with
// equal digests trained from the same starting point on the same data in
// the same order — how a race proves it is fair.
//
// Each AddMat hashes the matrix's numbers, row-major, in four interleaved
// FNV-1a streams (over 64-bit words rather than bytes, one multiply per
// number): number i goes to stream i mod 4, so the four multiply chains run
// in parallel instead of one after another. The streams start from the
// digest so far (each made distinct) and are folded back into it, in
// order, at the end.
type Digest uint64

const (
	fnvOffset Digest = 14695981039346656037
	fnvPrime  Digest = 1099511628211
)

// NewDigest returns the digest of nothing.
func NewDigest() Digest { return fnvOffset }

// AddMat folds every element of m into the digest, row by row.
func (d *Digest) AddMat(m *Mat) {
	h := [4]Digest{*d, *d ^ 1, *d ^ 2, *d ^ 3} // the four streams
	lane := 0                                  // the stream of the next number: its index in m, mod 4
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for ; lane != 0 && len(row) > 0; row = row[1:] { // finish the group of four begun on the last row
			h[lane] = (h[lane] ^ Digest(math.Float64bits(row[0]))) * fnvPrime
			lane = (lane + 1) % 4
		}
		for len(row) >= 4 {
			h[0] = (h[0] ^ Digest(math.Float64bits(row[0]))) * fnvPrime
			h[1] = (h[1] ^ Digest(math.Float64bits(row[1]))) * fnvPrime
			h[2] = (h[2] ^ Digest(math.Float64bits(row[2]))) * fnvPrime
			h[3] = (h[3] ^ Digest(math.Float64bits(row[3]))) * fnvPrime
			row = row[4:]
		}
		for _, v := range row { // lane is 0 here: the rest start a group
			h[lane] = (h[lane] ^ Digest(math.Float64bits(v))) * fnvPrime
			lane++
		}
	}
	out := h[0]
	for _, s := range h[1:] {
		out = (out ^ s) * fnvPrime
	}
	*d = out
}

// AddVec folds every element of v into the digest.
func (d *Digest) AddVec(v []float64) { d.AddMat(&Mat{Rows: 1, Cols: len(v), Stride: len(v), Data: v}) }

// String is the digest in hex.
func (d Digest) String() string { return fmt.Sprintf("%016x", uint64(d)) }

// MarshalJSON writes the digest as a hex string (JSON numbers lose 64-bit precision).
func (d Digest) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }
