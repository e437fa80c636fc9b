package nn_test

import (
	"testing"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/nn"
)

// Sizes of the benchmarks and the allocation test: a candidate default of
// the charlm task (B sequences of T characters, width d in H heads, a
// vocabulary of V characters).
const (
	benchB, benchT, benchD, benchH, benchV = 32, 64, 64, 4, 103
	benchN                                 = benchB * benchT
)

// piece is one forward and backward pass of one piece on its own buffers.
type piece struct {
	name string
	step func()
}

// pieces builds every piece at the benchmark size with random inputs.
func pieces() []piece {
	l := lab.NewLedger()
	r := testRand(20)
	x := randomMat(r, benchN, benchD, 1)
	y, dx := lab.NewMat(benchN, benchD), lab.NewMat(benchN, benchD)
	g := randomMat(r, benchN, benchD, 1)
	tok := make([]int, benchN)
	for i := range tok {
		tok[i] = r.IntN(benchV)
	}
	emb := nn.NewEmbedding(l, "emb", benchV, benchT, benchD, true)
	ln := nn.NewLayerNorm(l, "ln", benchD, benchN, true)
	attn := nn.NewAttention(l, "attn", benchB, benchT, benchH, benchD/benchH)
	q, k, v := randomMat(r, benchN, benchD, 1), randomMat(r, benchN, benchD, 1), randomMat(r, benchN, benchD, 1)
	dq, dk, dv := lab.NewMat(benchN, benchD), lab.NewMat(benchN, benchD), lab.NewMat(benchN, benchD)
	u := randomMat(r, benchN, 4*benchD, 1)
	hu, du := lab.NewMat(benchN, 4*benchD), randomMat(r, benchN, 4*benchD, 1)
	ce := nn.NewCrossEntropy(l, "xent", benchN, benchV)
	z, dz := randomMat(r, benchN, benchV, 1), lab.NewMat(benchN, benchV)
	return []piece{
		{"embedding", func() { emb.Forward(tok, y); emb.Backward(tok, g) }},
		{"layernorm", func() { ln.Forward(x, y); ln.Backward(g, dx) }},
		{"attention", func() { attn.Forward(q, k, v, y); attn.Backward(q, k, v, g, dq, dk, dv) }},
		{"gelu", func() { nn.GELU{}.Forward(u, hu); nn.GELU{}.Backward(u, du, du) }},
		{"crossentropy", func() { ce.Forward(z, tok); ce.Backward(tok, dz) }},
		{"residual", func() { nn.Add(y, x); nn.Add(dx, g) }},
	}
}

// TestNoAllocations: a forward and backward pass of every piece allocates
// nothing (all buffers come from the constructors).
func TestNoAllocations(t *testing.T) {
	for _, p := range pieces() {
		if a := testing.AllocsPerRun(3, p.step); a != 0 {
			t.Errorf("%s: %v allocations per forward+backward, want 0", p.name, a)
		}
	}
}

// BenchmarkPieces times one forward and backward pass of each piece at the
// candidate default size (B=32, T=64, d=64, H=4, V=103; GELU at 4·d).
func BenchmarkPieces(b *testing.B) {
	for _, p := range pieces() {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.step()
			}
		})
	}
}
