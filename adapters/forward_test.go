package adapters_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// deltaW returns the specification's ΔW (d_out × d_in) of one adapted layer
// whose frozen weight is w, computed with plain loops from its tensors:
// LoRA family (PiSSA too, on its residual) s·B·A; VeRA diag(b)·B·diag(d)·A
// (no scaling); DoRA m ⊙ (W + s·B·A)/‖W + s·B·A‖_row − W; full 0.
func deltaW(t *testing.T, name string, l lab.Adapted, s float64, shape lab.Shape, w *lab.Mat) *lab.Mat {
	t.Helper()
	dw := lab.NewMat(shape.DOut, shape.DIn)
	switch name {
	case "dora":
		v := matmul(param(t, l, "B").Value, param(t, l, "A").Value)
		m := param(t, l, "m").Value.Data
		for i := 0; i < v.Rows; i++ {
			norm := 0.0
			for j := 0; j < v.Cols; j++ {
				x := w.At(i, j) + s*v.At(i, j)
				v.Set(i, j, x)
				norm += x * x
			}
			for j := 0; j < v.Cols; j++ {
				dw.Set(i, j, m[i]*v.At(i, j)/math.Sqrt(norm)-w.At(i, j))
			}
		}
		return dw
	case "lora", "delta-lora", "lora-plus", "pissa":
		dw = matmul(param(t, l, "B").Value, param(t, l, "A").Value)
	case "lora-fa":
		dw = matmul(param(t, l, "B").Value, adapters.FrozenA(l))
	case "vera":
		a, b := adapters.VeRAShared(l)
		d, bv := param(t, l, "d").Value.Data, param(t, l, "b").Value.Data
		bd := lab.NewMat(b.Rows, b.Cols) // diag(b)·B·diag(d)
		for i := 0; i < b.Rows; i++ {
			for j := 0; j < b.Cols; j++ {
				bd.Set(i, j, bv[i]*b.At(i, j)*d[j])
			}
		}
		return matmul(bd, a)
	case "full":
		return dw
	default:
		t.Fatalf("no specification for method %q", name)
	}
	for i := range dw.Data {
		dw.Data[i] *= s
	}
	return dw
}

// TestForwardMatchesSpecification proves each method computes the
// specification's adapted layer, Y = X·(W + ΔW)ᵀ + b, with every adapter
// tensor random and nonzero. Together with the gradient check (which only
// proves backward is consistent with forward) this pins down the scaling:
// s = α/r (α/√r with rsLoRA) for the LoRA family, none for VeRA.
func TestForwardMatchesSpecification(t *testing.T) {
	shapes := []lab.Shape{{Name: "l1", DIn: 4, DOut: 3}, {Name: "l2", DIn: 6, DOut: 5}}
	const n = 5
	for _, m := range adapters.All() {
		for _, rs := range []bool{false, true} {
			name := m.Info().Name
			t.Run(fmt.Sprintf("%s/rslora=%v", name, rs), func(t *testing.T) {
				cfg := catalog.Defaults()
				cfg.Rank, cfg.Alpha, cfg.RSLoRA = 3, 4, rs
				cfg = with(cfg, "vera-d-init", 0.3)
				rig := buildLayers(t, m, cfg, shapes, n, 21)
				rnd := lab.NewRand(22, testStream)
				randomizeAdapters(rig.layers, rnd)
				s := 4.0 / 3
				if rs {
					s = 4 / 1.7320508075688772
				}
				for i, l := range rig.layers {
					sh := shapes[i]
					x := randomMat(n, sh.DIn, rnd, 1)
					got := lab.NewMat(n, sh.DOut)
					l.Forward(x, got)
					w := snapshot(rig.base[i].W)
					dw := deltaW(t, name, l, s, sh, w)
					if name != "full" && allZero(dw) {
						t.Fatalf("%s: ΔW is zero: the check proves nothing", sh.Name)
					}
					for j := range w.Data {
						w.Data[j] += dw.Data[j]
					}
					want := lab.NewMat(n, sh.DOut)
					for r := 0; r < n; r++ {
						for o := 0; o < sh.DOut; o++ {
							v := rig.base[i].Bias[o]
							for k := 0; k < sh.DIn; k++ {
								v += x.At(r, k) * w.At(o, k)
							}
							want.Set(r, o, v)
						}
					}
					if e := relErr(got, want); e > 1e-13 {
						t.Errorf("%s: Y differs from X·(W + ΔW)ᵀ + b by relative %g", sh.Name, e)
					}
				}
			})
		}
	}
}

// TestEffectiveWeight proves each method's EffectiveWeight (what the lab
// measures ΔW's rank from) is W + ΔW of the specification, with every
// adapter tensor random and nonzero.
func TestEffectiveWeight(t *testing.T) {
	shapes := []lab.Shape{{Name: "l1", DIn: 4, DOut: 3}, {Name: "l2", DIn: 6, DOut: 5}}
	for _, m := range adapters.All() {
		name := m.Info().Name
		t.Run(name, func(t *testing.T) {
			cfg := catalog.Defaults()
			cfg.Rank, cfg.Alpha = 3, 4
			cfg = with(cfg, "vera-d-init", 0.3)
			rig := buildLayers(t, m, cfg, shapes, 2, 31)
			randomizeAdapters(rig.layers, lab.NewRand(32, testStream))
			for i, l := range rig.layers {
				got := lab.NewMat(shapes[i].DOut, shapes[i].DIn)
				l.EffectiveWeight(got)
				want := deltaW(t, name, l, 4.0/3, shapes[i], rig.base[i].W)
				for j := range want.Data {
					want.Data[j] += rig.base[i].W.Data[j]
				}
				if e := relErr(got, want); e > 1e-14 {
					t.Errorf("%s: EffectiveWeight differs from W + ΔW by relative %g", shapes[i].Name, e)
				}
			}
		})
	}
}

// TestDeltaRankBounds proves the rank the lab reports for each layer's
// ΔW = W_eff − W0 after a real run respects each method's structure: at most
// r for LoRA, LoRA+, LoRA-FA and VeRA; above r and at most 2r for Delta-LoRA
// with K > 0 (its deltas telescope to λ·s·(B_T·A_T − B_K·A_K)); at most 2r
// for PiSSA (it starts at B_0·A_0 ≠ 0); above r for full fine-tuning and
// DoRA, which are not low-rank. Every trained layer has moved (rank ≥ 1).
func TestDeltaRankBounds(t *testing.T) {
	for _, m := range adapters.All() {
		name := m.Info().Name
		t.Run(name, func(t *testing.T) {
			cfg := smallConfig()
			cfg.Rank, cfg.Steps = 2, 80
			cfg = with(cfg, "width", 12, "delta-start", 20)
			res := execute(t, m, cfg)
			if len(res.DeltaRank) != get(cfg, "depth") {
				t.Fatalf("%d ranks for %d layers", len(res.DeltaRank), get(cfg, "depth"))
			}
			lo, hi := 1, cfg.Rank
			switch name {
			case "delta-lora":
				// With K > 0 the change exceeds r (the paper's claim), bounded by 2r.
				lo, hi = cfg.Rank+1, 2*cfg.Rank
			case "full", "dora":
				// Not low-rank: full fine-tuning moves every weight; DoRA's
				// magnitude rescales every row of W.
				lo, hi = cfg.Rank+1, get(cfg, "width")
			case "pissa":
				// s·(B_T·A_T − B_0·A_0): both ends nonzero, so up to 2r.
				hi = 2 * cfg.Rank
			}
			for i, r := range res.DeltaRank {
				if r < lo || r > hi {
					t.Errorf("layer %d: ΔW rank %d, want %d … %d", i+1, r, lo, hi)
				}
			}
			t.Logf("ranks %v", res.DeltaRank)
		})
	}
}
