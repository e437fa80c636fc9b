package lab

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// RankTolerance is the relative size below which a singular value of ΔW does
// not count as a direction the weights moved in: σ_i > RankTolerance·σ_max.
const RankTolerance = 1e-6

// Spectrum is how one layer's weights moved: the singular values of
// ΔW = W_eff − W0, and how many directions hold its energy. LoRA's ΔW = s·B·A
// has at most r nonzero singular values; Delta-LoRA's and full fine-tuning's
// can have more, but a numerical rank counts every direction above a tiny
// tolerance, however little of the change it carries: the energy ranks say
// in how many directions the change really lies.
type Spectrum struct {
	Layer    string    `json:"layer"`
	Singular []float64 `json:"singular_values"` // of ΔW, largest first; nil if ΔW is not finite
	Rank     int       `json:"rank"`            // numerical: σ > RankTolerance·σ_max (−1: not computable)
	Energy90 int       `json:"energy90"`        // fewest directions holding 90 % of ‖ΔW‖²_F = Σσ²
	Energy99 int       `json:"energy99"`        // … 99 %
	// TargetInRowSpace, for a method whose update can only use a fixed set
	// of input directions (LoRA-FA's frozen A), is the share of the task's
	// target shift ΔW* (when the task has one) that lies in them:
	// ‖ΔW*·Q·Qᵀ‖²_F / ‖ΔW*‖²_F with Q an orthonormal basis of A's rows.
	TargetInRowSpace *float64 `json:"target_in_row_space,omitempty"`
}

// DeltaSpectrum measures ΔW = effective − base.
func DeltaSpectrum(name string, effective, base *Mat) Spectrum {
	sp := Spectrum{Layer: name, Rank: -1, Energy90: -1, Energy99: -1}
	d := mat.NewDense(effective.Rows, effective.Cols, nil)
	for i := 0; i < effective.Rows; i++ {
		for j := 0; j < effective.Cols; j++ {
			v := effective.At(i, j) - base.At(i, j)
			if !finite(v) {
				return sp // a diverged run: gonum's SVD panics on NaN and Inf
			}
			d.Set(i, j, v)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(d, mat.SVDNone) {
		return sp
	}
	sp.Singular = svd.Values(nil)
	sp.Rank, sp.Energy90, sp.Energy99 = 0, 0, 0
	if len(sp.Singular) == 0 || sp.Singular[0] == 0 {
		return sp
	}
	total := 0.0
	for _, v := range sp.Singular {
		if v > RankTolerance*sp.Singular[0] {
			sp.Rank++
		}
		total += v * v
	}
	sum := 0.0
	for i, v := range sp.Singular {
		sum += v * v
		if sp.Energy90 == 0 && sum >= 0.9*total {
			sp.Energy90 = i + 1
		}
		if sp.Energy99 == 0 && sum >= 0.99*total*(1-1e-12) {
			sp.Energy99 = i + 1
		}
	}
	return sp
}

// DeltaRank returns the numerical rank of ΔW = effective − base: the number
// of singular values above RankTolerance × the largest, or −1 if it cannot be
// computed (ΔW not finite, SVD failure).
func DeltaRank(effective, base *Mat) int { return DeltaSpectrum("", effective, base).Rank }

// RowSpaceShare is ‖T·Q·Qᵀ‖²_F / ‖T‖²_F, with Q an orthonormal basis of the
// rows of a (r × d_in): the share of target T (d_out × d_in) that lies in
// a's row space. It is NaN when T is zero.
func RowSpaceShare(target, a *Mat) float64 {
	at := mat.NewDense(a.Cols, a.Rows, nil) // Aᵀ: its columns span A's row space
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			at.Set(j, i, a.At(i, j))
		}
	}
	var qr mat.QR
	qr.Factorize(at)
	var q mat.Dense
	qr.QTo(&q)
	k := min(a.Rows, a.Cols)
	inside, total := 0.0, 0.0
	for i := 0; i < target.Rows; i++ {
		row := target.Row(i)
		for _, v := range row {
			total += v * v
		}
		for c := 0; c < k; c++ { // (T·Q)_{ic}
			p := 0.0
			for j, v := range row {
				p += v * q.At(j, c)
			}
			inside += p * p
		}
	}
	if total == 0 {
		return math.NaN()
	}
	return inside / total
}
