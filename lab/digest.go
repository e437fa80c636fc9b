package lab

import (
	"fmt"
	"math"
)

// Digest is a running hash (FNV-1a's step, over 64-bit words rather than
// bytes, one multiply per number) of every number a run saw as data: the
// base weights, the eval set and each training batch in order. Two runs
// with equal digests trained from the same starting point on the same data
// in the same order — how a race proves it is fair.
type Digest uint64

const (
	fnvOffset Digest = 14695981039346656037
	fnvPrime  Digest = 1099511628211
)

// NewDigest returns the digest of nothing.
func NewDigest() Digest { return fnvOffset }

// AddMat folds every element of m into the digest, row by row.
func (d *Digest) AddMat(m *Mat) {
	h := *d
	for i := 0; i < m.Rows; i++ {
		for _, v := range m.Row(i) {
			h ^= Digest(math.Float64bits(v))
			h *= fnvPrime
		}
	}
	*d = h
}

// AddVec folds every element of v into the digest.
func (d *Digest) AddVec(v []float64) { d.AddMat(&Mat{Rows: 1, Cols: len(v), Stride: len(v), Data: v}) }

// String is the digest in hex.
func (d Digest) String() string { return fmt.Sprintf("%016x", uint64(d)) }

// MarshalJSON writes the digest as a hex string (JSON numbers lose 64-bit precision).
func (d Digest) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }
