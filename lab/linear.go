package lab

import "github.com/loralab/loralab/lab/kernel"

// linearPacks is what a Linear keeps for fast products: copies of W laid
// out for the kernel (a frozen weight is packed once, not at every product)
// and the Team its products may be split over. The packs are the engine's
// working copies, not numbers of the model: no ledger counts them.
type linearPacks struct {
	wT   kernel.Packed // Wᵀ (d_in × d_out), the B of Y = X·Wᵀ
	w    kernel.Packed // W (d_out × d_in), the B of ∂L/∂X = G·W
	team *kernel.Team  // nil: products run on the calling goroutine
}

// Forward computes Y = X·Wᵀ + b, X (N × d_in) into Y (N × d_out), with the
// packed copy of W.
func (l *Linear) Forward(x, y *Mat) {
	l.ready()
	m, _ := gemmShape(x, NoT, l.W, T, y)
	l.packs.team.GemmPacked(false, m, 1, x.Data, x.Stride, &l.packs.wT, 0, y.Data, y.Stride) // Y = X·Wᵀ
	AddRowVector(y, l.Bias)                                                                  //   + b
}

// InputGrad computes ∂L/∂X = G·W, G (N × d_out) into dx (N × d_in), with
// the packed copy of W. What dx held is ignored.
func (l *Linear) InputGrad(g, dx *Mat) {
	l.ready()
	m, _ := gemmShape(g, NoT, l.W, NoT, dx)
	l.packs.team.GemmPacked(false, m, 1, g.Data, g.Stride, &l.packs.w, 0, dx.Data, dx.Stride) // ∂L/∂X = G·W
}

// Gemm is the package's Gemm on the layer's cores (see UseCores): for
// the products a method computes with W as it is now (full fine-tuning's,
// whose W changes every step) or with other large operands.
func (l *Linear) Gemm(alpha float64, a *Mat, ta bool, b *Mat, tb bool, beta float64, c *Mat) {
	gemmOn(l.packs.team, alpha, a, ta, b, tb, beta, c)
}

// Repack copies W into the layer's packed copies. Forward and InputGrad
// read the copies, not W: a method that changes W (Delta-LoRA's update)
// must call Repack after each change. It allocates only the first time.
func (l *Linear) Repack() {
	l.packs.wT.Pack(true, l.DIn, l.DOut, l.W.Data, l.W.Stride)
	l.packs.w.Pack(false, l.DOut, l.DIn, l.W.Data, l.W.Stride)
}

// PacksMatch reports whether the packed copies hold W as it is now, bit
// for bit (or nothing is packed yet): the check behind the tests that no
// method leaves a stale pack. It reads all of W; Forward never checks.
func (l *Linear) PacksMatch() bool {
	return !l.packs.wT.Stale() && !l.packs.w.Stale()
}

// ready packs W on first use (or if W was replaced by another matrix).
func (l *Linear) ready() {
	if l.packs.wT.Empty() || !l.packs.wT.Of(l.W.Data) {
		l.Repack()
	}
}

// Cores lets the products of a run's layers split over two cores: a helper
// goroutine takes part of each large product (kernel.Team). Results are
// bit-identical with and without it; only the speed changes. It is for a
// run that has the machine to itself at width ≥ 256 (below, handing work
// over costs about what it saves); races and sweeps, which already run one
// run per core, should not use it. Between products the helper spins for at
// most kernel.SpinTime, then sleeps. A nil *Cores means one core.
type Cores struct{ team *kernel.Team }

// NewCores returns Cores for n cores: nil (one core) for n < 2, else a
// helper goroutine the owner must stop with Close.
func NewCores(n int) *Cores {
	if n < 2 {
		return nil
	}
	return &Cores{team: kernel.NewTeam()}
}

// N is the number of cores: 1 for nil, else 2.
func (c *Cores) N() int {
	if c == nil {
		return 1
	}
	return 2
}

// Close stops the helper goroutine; the layers using c go on on one core.
// Closing nil or twice does nothing.
func (c *Cores) Close() {
	if c != nil {
		c.team.Close()
	}
}

// UseCores makes the layer's Forward, InputGrad and Gemm split their
// products over c (nil: one core). Call it between steps.
func (l *Linear) UseCores(c *Cores) {
	l.packs.team = nil
	if c != nil {
		l.packs.team = c.team
	}
}
