//go:build !amd64 || purego

package kernel

// available is gonum only: no assembly for this architecture or build.
func available() []*variant { return []*variant{gonumVariant} }

// tiles is never reached without assembly kernels.
func (j *job) tiles(r0, r1, p0, p1 int, s *scratch) {
	panic("kernel: no assembly kernels in this build")
}

// repackTiles is never reached without assembly kernels.
func (p *Packed) repackTiles(v *variant) { panic("kernel: no assembly kernels in this build") }

// spinPause stands in for the PAUSE instruction.
func spinPause(int) {}

// tanhVec is never reached without assembly kernels.
func tanhVec(v *variant, dst, src []float64) { panic("kernel: no assembly kernels in this build") }
