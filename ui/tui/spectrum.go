package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/ui/text"
)

// sparkBlocks draw a singular value against the largest, one cell each.
var sparkBlocks = []string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// spectrumLines say what run r changed in each adapted layer, once it has
// ended: ΔW = W_eff − W0's numerical rank, the directions that hold 90 % and
// 99 % of ‖ΔW‖² (its energy ranks: a rank of 16 with 99 % in 4 directions is
// a rank-4 change with a tail), its largest singular values as a sparkline
// (in ASCII, their ratios to the largest as digits 0–9), and for LoRA-FA the
// share of the task's target shift its frozen A can reach. Nil if r has no
// spectrum. The explanation pane shows them below the method's text.
func spectrumLines(r *RunView, w int, ascii bool) []string {
	if r == nil || r.Result == nil || len(r.Result.Spectrum) == 0 {
		return nil
	}
	res := r.Result
	out := []string{
		"This run: what ΔW = W_eff − W0 became",
		"",
	}
	out = append(out, text.Wrap(fmt.Sprintf("%s at step %s, seed %d; its adapters took %s to initialise. Per layer: the numerical rank of ΔW (σ > 1e-6·σ_max), the fewest directions holding 90 and 99 per cent of ‖ΔW‖², and its largest singular values against the largest.",
		r.Info.Title, text.Count(int64(res.Final.Step)), res.Config.Seed, text.Short(res.Speed.InitSeconds)), w)...)
	out = append(out, "")
	cells := max(4, min(32, w-40))
	for _, s := range res.Spectrum {
		head := fmt.Sprintf("%-10s rank %3d  90 %%: %3d  99 %%: %3d  ", text.Fit(s.Layer, 10), s.Rank, s.Energy90, s.Energy99)
		out = append(out, text.Fit(head+spark(s.Singular, cells, ascii), w))
		if s.TargetInRowSpace != nil {
			out = append(out, text.Fit(fmt.Sprintf("           %s of the task's target shift lies in A's row space", text.Percent(int64(1e6**s.TargetInRowSpace), 1e6)), w))
		}
	}
	return out
}

// spark draws the first n of the singular values sv (largest first), each
// against sv[0]: a block per value, or a digit 0–9 in ASCII; a value below
// the rank tolerance (a direction ΔW does not use) is a dot, and the dots
// stop after four.
func spark(sv []float64, n int, ascii bool) string {
	if len(sv) == 0 || !(sv[0] > 0) {
		return "—"
	}
	var b strings.Builder
	zeros := 0
	for _, s := range sv[:min(n, len(sv))] {
		x := math.Max(0, math.Min(1, s/sv[0]))
		if !(s > lab.RankTolerance*sv[0]) {
			if zeros++; zeros > 4 {
				break
			}
			b.WriteByte('.')
			continue
		}
		if ascii {
			b.WriteByte('0' + byte(math.Round(9*x)))
			continue
		}
		b.WriteString(sparkBlocks[int(math.Round(float64(len(sparkBlocks)-1)*x))])
	}
	if len(sv) > n && zeros == 0 {
		b.WriteString("…")
	}
	return b.String()
}
