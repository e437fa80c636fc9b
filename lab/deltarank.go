package lab

import "gonum.org/v1/gonum/mat"

// RankTolerance is the relative size below which a singular value of ΔW does
// not count as a direction the weights moved in: σ_i > RankTolerance·σ_max.
const RankTolerance = 1e-6

// DeltaRank returns the numerical rank of ΔW = effective − base: the number
// of singular values above RankTolerance × the largest. LoRA's ΔW = s·B·A has
// rank at most r; Delta-LoRA's and full fine-tuning's can exceed it. It
// returns −1 if the rank cannot be computed (ΔW not finite, SVD failure).
func DeltaRank(effective, base *Mat) int {
	d := mat.NewDense(effective.Rows, effective.Cols, nil)
	for i := 0; i < effective.Rows; i++ {
		for j := 0; j < effective.Cols; j++ {
			v := effective.At(i, j) - base.At(i, j)
			if !finite(v) {
				return -1 // a diverged run: gonum's SVD panics on NaN and Inf
			}
			d.Set(i, j, v)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(d, mat.SVDNone) {
		return -1
	}
	values := svd.Values(nil)
	if len(values) == 0 || values[0] == 0 {
		return 0
	}
	rank := 0
	for _, v := range values {
		if v > RankTolerance*values[0] {
			rank++
		}
	}
	return rank
}
