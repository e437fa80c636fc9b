package scale

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/loralab/loralab/lab"
)

// GPU is a card's memory as PyTorch sees it: the total that
// torch.cuda.get_device_properties(0).total_memory reports (and its
// out-of-memory messages call "total capacity"), a little less than the
// size on the box and than nvidia-smi's total, which include what the
// driver keeps.
type GPU struct {
	Name    string   `json:"name"`              // "rtx-4090"; for a size given, the size as given ("24GB")
	Title   string   `json:"title"`             // "NVIDIA GeForce RTX 4090 (24 GB)"
	Aliases []string `json:"aliases,omitempty"` // other names ParseGPU accepts
	Memory  int64    `json:"memory"`            // bytes PyTorch sees
	Source  string   `json:"source"`            // where Memory comes from
}

// gib is a size in GiB, rounded to whole bytes.
func gib(x float64) int64 { return int64(math.Round(x * (1 << 30))) }

// cards is the catalogue of named cards, smallest memory first.
var cards = []GPU{
	{Name: "t4", Title: "NVIDIA T4 (16 GB)", Aliases: []string{"tesla-t4"}, Memory: gib(14.75),
		Source: "the total capacity PyTorch's out-of-memory messages give on a T4, on Colab"},
	{Name: "l4", Title: "NVIDIA L4 (24 GB)", Memory: gib(22.1),
		Source: "estimated from nvidia-smi's 23,034 MiB less the ~350 MiB an RTX 4090 (the same Ada generation) loses to the driver; not read from PyTorch"},
	{Name: "rtx-4090", Title: "NVIDIA GeForce RTX 4090 (24 GB)", Aliases: []string{"4090", "rtx4090"}, Memory: gib(23.64),
		Source: "the total capacity PyTorch's out-of-memory messages give on an RTX 4090; 23.61–23.68 GiB seen, by driver"},
	{Name: "rtx-3090", Title: "NVIDIA GeForce RTX 3090 (24 GB)", Aliases: []string{"3090", "rtx3090"}, Memory: gib(23.69),
		Source: "the total capacity PyTorch's out-of-memory messages give on an RTX 3090"},
	{Name: "a100-40gb", Title: "NVIDIA A100 (40 GB)", Aliases: []string{"a100-40g", "a100-40"}, Memory: gib(39.5),
		Source: "the total capacity PyTorch's out-of-memory messages give on an A100 40GB"},
	{Name: "h100", Title: "NVIDIA H100 (80 GB)", Aliases: []string{"h100-80gb", "h100-sxm"}, Memory: gib(79.11),
		Source: "the total capacity PyTorch's out-of-memory messages give on an H100 80GB"},
	{Name: "a100-80gb", Title: "NVIDIA A100 (80 GB)", Aliases: []string{"a100-80g", "a100-80"}, Memory: gib(79.25),
		Source: "the total capacity PyTorch's out-of-memory messages give on an A100 80GB; 79.25–79.35 GiB seen"},
	{Name: "h200", Title: "NVIDIA H200 (141 GB)", Aliases: []string{"h200-141gb"}, Memory: 150_109_880_320,
		Source: "150,109,880,320 bytes, PyTorch's total_memory on the H200 the calculator was measured on, in testdata/measured.json"},
}

// GPUs returns the named cards, smallest first (a copy).
func GPUs() []GPU {
	out := make([]GPU, len(cards))
	for i, g := range cards {
		g.Aliases = append([]string(nil), g.Aliases...)
		out[i] = g
	}
	return out
}

// GPUNames lists the named cards.
func GPUNames() []string {
	out := make([]string, len(cards))
	for i, g := range cards {
		out[i] = g.Name
	}
	return out
}

// Headroom is what a training process holds on the GPU besides PyTorch's
// allocations, which the peak does not count: ContextHeadroom for the CUDA
// context and WorkspaceHeadroom for cuBLAS's workspaces.
const (
	// ContextHeadroom: the CUDA context and the kernels it loads, what a
	// PyTorch process holds before its first tensor (typically 300–500
	// MiB with CUDA's lazy loading; not measured here, so the top of that).
	ContextHeadroom = 512 << 20
	// WorkspaceHeadroom: cuBLAS and cuBLASLt workspaces, allocated through
	// PyTorch once the first matrix products ran: the baseline every
	// measured step started from (64–66 MiB on the H200), which the
	// measured and the predicted peaks both leave out.
	WorkspaceHeadroom = 66 << 20
	// Headroom is the two together.
	Headroom = ContextHeadroom + WorkspaceHeadroom
	// MaxGPUMemory is the largest size ParseGPU accepts.
	MaxGPUMemory = 64 << 40
)

// Usable is what PyTorch's allocator can use on g: its memory less Headroom.
func (g GPU) Usable() int64 { return g.Memory - Headroom }

// AllocatorInfo is what the measured steps say about PyTorch's caching
// allocator: it reserves from the GPU more than the allocated peak (blocks
// rounded up, freed blocks cached, fragments), so an allocated peak just
// under the card's memory can still fail. TestAllocatorMargin recomputes
// every number from testdata/measured.json.
type AllocatorInfo struct {
	// MarginPercent is the room a fit needs above the predicted peak.
	MarginPercent int64
	// Covered: in this share of the measured steps (percent, rounded down)
	// the allocator reserved at most the peak plus MarginPercent.
	Covered int
	// Median and Max of reserved / allocated peak over the measured steps
	// (reserved less the workspaces' baseline).
	Median, Max float64
}

// Allocator is the fit rule's margin and the measurements behind it.
var Allocator = AllocatorInfo{MarginPercent: 20, Covered: 95, Median: 1.06, Max: 1.45}

// Verdict says whether a step's predicted peak fits on a GPU.
type Verdict string

// The verdicts.
const (
	// Fits: the peak plus the allocator's margin is within the usable memory.
	Fits Verdict = "fits"
	// Tight: the peak is within the usable memory, the margin is not: the
	// step may run, or fail as the allocator's cache fragments.
	Tight Verdict = "tight"
	// DoesNotFit: the peak is above the usable memory.
	DoesNotFit Verdict = "does not fit"
)

// Fit is a predicted peak against a GPU.
type Fit struct {
	GPU     GPU     `json:"gpu"`
	Usable  int64   `json:"usable"` // GPU.Usable
	Peak    int64   `json:"peak"`   // Report.Bytes.Peak
	Verdict Verdict `json:"verdict"`
	Spare   int64   `json:"spare"` // usable − peak; below 0 when the peak does not fit
}

// CheckFit is the verdict for a peak of peak bytes on g: fits when
// peak × (100 + MarginPercent) / 100 ≤ usable, tight when only peak ≤
// usable, else does not fit.
func CheckFit(peak int64, g GPU) Fit {
	f := Fit{GPU: g, Usable: g.Usable(), Peak: peak, Spare: g.Usable() - peak}
	switch {
	case peak > f.Usable:
		f.Verdict = DoesNotFit
	case peak*(100+Allocator.MarginPercent) <= f.Usable*100: // peak ≤ usable ≤ 64 TiB: no overflow
		f.Verdict = Fits
	default:
		f.Verdict = Tight
	}
	return f
}

// sizeRE reads a size: a number and a unit.
var sizeRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g|tb|tib|t)$`)

// ParseGPU reads a named card (GPUNames, or an alias) or a size with a
// unit: 24GB, 80 GiB, 24576MiB, 1.5TB. GB and GiB both mean 2³⁰ bytes (and
// MB, TB alike), as GPU memory is labelled: a "24 GB" card has 24 GiB. A
// size is taken as the memory PyTorch sees (GPU.Memory); it must be more
// than Headroom. Errors are one line naming what is allowed.
func ParseGPU(s string) (GPU, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, g := range GPUs() {
		if t == g.Name {
			return g, nil
		}
		for _, a := range g.Aliases {
			if t == a {
				return g, nil
			}
		}
	}
	m := sizeRE.FindStringSubmatch(t)
	if m == nil {
		if _, err := strconv.ParseFloat(t, 64); err == nil {
			return GPU{}, fmt.Errorf("gpu %q: give a unit (e.g. %sGB) or a card: %s", s, t, strings.Join(GPUNames(), ", "))
		}
		return GPU{}, fmt.Errorf("gpu %q: unknown; give a card (%s) or a size with a unit (24GB, 80GiB, 24576MiB)", s, strings.Join(GPUNames(), ", "))
	}
	x, _ := strconv.ParseFloat(m[1], 64)
	shift := map[byte]uint{'b': 0, 'k': 10, 'm': 20, 'g': 30, 't': 40}[m[2][0]]
	bytes := x * float64(int64(1)<<shift)
	if !(bytes > Headroom) {
		return GPU{}, fmt.Errorf("gpu %s: must be more than the %d MiB a training process holds besides PyTorch's allocations (CUDA context and workspaces)", s, Headroom>>20)
	}
	if bytes > MaxGPUMemory {
		return GPU{}, fmt.Errorf("gpu %s: must be at most %d TiB", s, MaxGPUMemory>>40)
	}
	n := int64(math.Round(bytes))
	return GPU{Name: strings.TrimSpace(s), Title: fmt.Sprintf("a GPU of %s", gibText(n)), Memory: n, Source: "given as " + strings.TrimSpace(s) + ", taken as the memory PyTorch sees"}, nil
}

// gibText writes n bytes in GiB with two decimals: "23.64 GiB".
func gibText(n int64) string { return strconv.FormatFloat(float64(n)/(1<<30), 'f', 2, 64) + " GiB" }

// FitAssumption is the sentence the tables print under a fit on g: what
// usable memory and the verdicts mean.
func FitAssumption(g GPU) string {
	return fmt.Sprintf("fit on %s: %s as PyTorch sees it (%s), less %d MiB its allocator cannot have: %d MiB for the CUDA context and its kernels (typical of a PyTorch process before its first tensor; not measured here) and %d MiB of cuBLAS workspaces (the baseline of every measured step); "+
		"fits: the peak plus %d %% is within what is left (PyTorch's caching allocator reserves more than it allocates: at most %d %% more in %d %% of the measured steps, median %.0f %%, at most %.0f %%); tight: the peak is within it, the %d %% is not (it may run, or fail as the allocator's cache fragments; PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True helps); does not fit: the peak is above it",
		g.Title, gibText(g.Memory), g.Source, Headroom>>20, ContextHeadroom>>20, WorkspaceHeadroom>>20,
		Allocator.MarginPercent, Allocator.MarginPercent, Allocator.Covered, 100*(Allocator.Median-1), 100*(Allocator.Max-1), Allocator.MarginPercent)
}

// Solvable names a setting Solve can search: the sequence length or the batch.
type Solvable string

// The settings Solve searches.
const (
	SolveSeq   Solvable = "seq"
	SolveBatch Solvable = "batch"
)

// SeqStep is the rounding of a solved sequence length: down to a multiple
// of 64 (what kernels and data pipelines use), exact below 64. A solved
// batch is exact.
const SeqStep = 64

// Solution is the largest value of a setting that fits on a GPU, the other
// options unchanged.
type Solution struct {
	Setting Solvable `json:"setting"`
	// Fits is the largest value whose verdict is fits, rounded down (see
	// SeqStep); 0 when not even 1 fits.
	Fits int `json:"fits"`
	// FitsPeak is the predicted peak at Fits (0 when Fits is 0).
	FitsPeak int64 `json:"fits_peak"`
	// Tight is the largest value whose peak is within the usable memory
	// (fits or tight), rounded alike; 0 when none.
	Tight int `json:"tight"`
	// Limit is the largest value searched: the model's position table or
	// MaxTokens over the other setting (MaxBatch for a batch).
	Limit int `json:"limit"`
	// LeastPeak is the peak at the value 1, what the smallest step needs.
	LeastPeak int64 `json:"least_peak"`
}

// Solve finds the largest value of what (the sequence length or the
// batch) whose step fits on g, with every other option as o gives it. The
// peak grows with the tokens of a step (every term is a sum of
// non-negative terms in batch and seq), so a binary search over
// Estimate finds it. An error is Estimate's (at the value 1) or an unknown
// setting.
func Solve(model Model, method lab.Method, o Options, g GPU, what Solvable) (Solution, error) {
	s := Solution{Setting: what}
	at := func(v int) Options {
		p := o
		if what == SolveSeq {
			p.Seq = v
		} else {
			p.Batch = v
		}
		return p
	}
	switch what {
	case SolveSeq:
		s.Limit = MaxTokens / max(o.Batch, 1)
		if model.Positions > 0 {
			s.Limit = min(s.Limit, model.Positions)
		}
	case SolveBatch:
		s.Limit = min(MaxBatch, MaxTokens/max(o.Seq, 1))
	default:
		return s, fmt.Errorf("solve %q: unknown; solve seq or batch", what)
	}
	if s.Limit < 1 {
		return s, fmt.Errorf("solve %s: nothing to search (the other setting is at the calculator's limit)", what)
	}
	least, err := Estimate(model, method, at(1))
	if err != nil {
		return s, err
	}
	s.LeastPeak = least.Bytes.Peak
	var failed error
	largest := func(ok func(Verdict) bool) int {
		// The largest v in [1, Limit] with ok(verdict at v), or 0: lo holds, hi+1 does not.
		if !ok(CheckFit(least.Bytes.Peak, g).Verdict) {
			return 0
		}
		lo, hi := 1, s.Limit
		for lo < hi {
			mid := lo + (hi-lo+1)/2
			r, err := Estimate(model, method, at(mid))
			if err != nil {
				failed = err
				return 0
			}
			if ok(CheckFit(r.Bytes.Peak, g).Verdict) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	round := func(v int) int {
		if what == SolveSeq && v >= SeqStep {
			return v / SeqStep * SeqStep
		}
		return v
	}
	s.Fits = round(largest(func(v Verdict) bool { return v == Fits }))
	s.Tight = round(largest(func(v Verdict) bool { return v != DoesNotFit }))
	if failed != nil {
		return s, failed
	}
	if s.Fits > 0 {
		r, err := Estimate(model, method, at(s.Fits))
		if err != nil {
			return s, err
		}
		s.FitsPeak = r.Bytes.Peak
	}
	return s, nil
}
