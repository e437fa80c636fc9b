package explain

import (
	"fmt"

	"github.com/loralab/loralab/lab"
)

// env is what a method's explanation is evaluated at: the resolved settings
// and one layer's shape (the lab's layers are all width × width).
type env struct {
	cfg        lab.Config
	dIn, dOut  int
	r, n, l    int // rank, batch, number of layers
	info       lab.MethodInfo
	maxIn, mxO int // largest layer dimensions (VeRA's shared pair)
}

// formula is a count stated three ways: symbols, the numbers plugged in,
// and the value per layer.
type count struct {
	what    string // e.g. "X and H" (kept for backward)
	symbols string // e.g. "r·(d_in + d_out)"
	numbers string // e.g. "8·(64 + 64)"
	value   int    // per layer
}

// spec is how one method is explained. Every count here is a formula of the
// same shapes as the method's Footprint, and the tests hold them equal.
type spec struct {
	trains    string // what trains, for the comparison table
	diagram   func(e env) diagram
	forward   func(e env) []string
	update    func(e env) []string
	trainable func(e env) count
	kept      func(e env) count // the method's own tensors kept for backward, per layer
	caveats   func(e env) []string
}

// specs holds the explanation of every method the lab ships, by flag name.
var specs = map[string]spec{
	"full": {
		trains: "W, b",
		diagram: func(e env) diagram {
			return diagram{main: []block{{[]string{fmt.Sprintf("W %d×%d, b %d", e.dOut, e.dIn, e.dOut), "trains"}}}}
		},
		forward: func(e env) []string { return []string{"Y = X·Wᵀ + b"} },
		update: func(e env) []string {
			return []string{
				"∂L/∂W = Gᵀ·X    ∂L/∂b = Σₙ G    ∂L/∂X = G·W",
				fmt.Sprintf("W, b ← AdamW step at lr = %s (weight decay %s on W)", g(e.cfg.LR), g(e.cfg.WeightDecay)),
			}
		},
		trainable: func(e env) count {
			return count{symbols: "d_out·d_in + d_out", numbers: fmt.Sprintf("%d·%d + %d", e.dOut, e.dIn, e.dOut), value: e.dOut*e.dIn + e.dOut}
		},
		kept: func(e env) count {
			return count{what: "X", symbols: "N·d_in", numbers: fmt.Sprintf("%d·%d", e.n, e.dIn), value: e.n * e.dIn}
		},
		caveats: func(e env) []string {
			return []string{fmt.Sprintf("Here that is %s numbers of weights and biases, each held four times while it trains: itself, its gradient and AdamW's m and v.", n(e.l*(e.dOut*e.dIn+e.dOut)))}
		},
	},
	"lora": {
		trains:    "A, B",
		diagram:   loraDiagram("trains", "trains"),
		forward:   loraForward,
		update:    loraUpdate("A, B ← AdamW step at lr = %s; W and b never change"),
		trainable: loraTrainable,
		kept:      loraKept,
		caveats:   rankCaveat,
	},
	"lora-plus": {
		trains:  "A, B",
		diagram: loraDiagram("trains, lr", "trains, λ·lr"),
		forward: loraForward,
		update: func(e env) []string {
			lines := loraUpdate("")(e)[:1]
			return append(lines,
				fmt.Sprintf("A ← AdamW step at lr = %s;  B ← AdamW step at λ·lr = %s × %s = %s", g(e.cfg.LR), g(e.cfg.LRRatio), g(e.cfg.LR), g(e.cfg.LRRatio*e.cfg.LR)),
				"W and b never change. Memory and compute are LoRA's: only B's step size differs.")
		},
		trainable: loraTrainable,
		kept:      loraKept,
		caveats: func(e env) []string {
			return append(rankCaveat(e), fmt.Sprintf("λ = %s here; the paper and its code recommend 16 (the README example uses 20).", g(e.cfg.LRRatio)))
		},
	},
	"lora-fa": {
		trains:  "B",
		diagram: loraDiagram("frozen", "trains"),
		forward: loraForward,
		update: func(e env) []string {
			lines := []string{
				"∂L/∂B = s·Gᵀ·H    ∂L/∂X = G·W + s·(G·B)·A    (no ∂L/∂A, so X need not be kept)",
				fmt.Sprintf("B ← AdamW step at lr = %s; A (random), W and b never change", g(e.cfg.LR)),
			}
			if e.cfg.LoRAFAProjected {
				return append(lines, "Projected gradient on: ∂L/∂B ← ∂L/∂B·(1/s²)·(A·Aᵀ + εI)⁻¹ before AdamW (PEFT's LoRA-FA optimiser).")
			}
			return append(lines, "PEFT's projected gradient ∂L/∂B·(1/s²)·(A·Aᵀ + εI)⁻¹ is off (--lorafa-projected turns it on).")
		},
		trainable: func(e env) count {
			return count{symbols: "r·d_out", numbers: fmt.Sprintf("%d·%d", e.r, e.dOut), value: e.r * e.dOut}
		},
		kept: func(e env) count {
			return count{what: "H only, not X", symbols: "N·r", numbers: fmt.Sprintf("%d·%d", e.n, e.r), value: e.n * e.r}
		},
		caveats: func(e env) []string {
			return append(rankCaveat(e), fmt.Sprintf(
				"Here A's rows span %d random directions of the %d inputs: whatever the task needs outside them, LoRA-FA cannot learn at any length of training.",
				min(e.r, e.dIn), e.dIn))
		},
	},
	"vera": {
		trains: "d, b",
		diagram: func(e env) diagram {
			return diagram{
				main: []block{{[]string{fmt.Sprintf("W %d×%d, b", e.dOut, e.dIn), "frozen"}}},
				side: []block{
					{[]string{fmt.Sprintf("A %d×%d", e.r, e.dIn), "frozen", "shared"}},
					{[]string{fmt.Sprintf("⊙ d (%d)", e.r), "trains"}},
					{[]string{fmt.Sprintf("B %d×%d", e.dOut, e.r), "frozen", "shared"}},
					{[]string{fmt.Sprintf("⊙ b (%d)", e.dOut), "trains"}},
				},
			}
		},
		forward: func(e env) []string {
			return []string{
				"U = X·Aᵀ (N × r)    V = U ⊙ d    Z = V·Bᵀ (N × d_out)",
				"Y = X·Wᵀ + bias + Z ⊙ b        ΔW = diag(b)·B·diag(d)·A, no α/r scaling",
				"A and B are slices of one random pair shared by every layer.",
			}
		},
		update: func(e env) []string {
			return []string{
				"∂L/∂b = Σₙ G ⊙ Z    G′ = G ⊙ b    dV = G′·B    ∂L/∂d = Σₙ dV ⊙ U",
				fmt.Sprintf("d, b ← AdamW step at lr = %s (no weight decay); d starts at %s, b at 0", g(e.cfg.LR), g(e.cfg.VeraDInit)),
				"The shared A and B, W and bias never change. Step 1: b = 0, so ∂L/∂d = 0.",
			}
		},
		trainable: func(e env) count {
			return count{symbols: "d_out + r", numbers: fmt.Sprintf("%d + %d", e.dOut, e.r), value: e.dOut + e.r}
		},
		kept: func(e env) count {
			return count{what: "U and Z", symbols: "N·(r + d_out)", numbers: fmt.Sprintf("%d·(%d + %d)", e.n, e.r, e.dOut), value: e.n * (e.r + e.dOut)}
		},
		caveats: func(e env) []string {
			return []string{
				fmt.Sprintf("Here the shared pair is r·(max_in + max_out) = %d·(%d + %d) = %s frozen numbers, held once for all layers.",
					e.r, e.maxIn, e.mxO, n(e.r*(e.maxIn+e.mxO))),
				"A higher rank adds only r trainable numbers per layer, but N·r kept activations and N·r of scratch per layer: memory grows with r.",
			}
		},
	},
	"delta-lora": {
		trains:  "A, B (+W)",
		diagram: loraDiagram("trains", "trains"),
		forward: loraForward,
		update: func(e env) []string {
			lines := loraUpdate("A, B ← AdamW step at lr = %s")(e)
			return append(lines,
				fmt.Sprintf("then after every step t > K = %d: W ← W + λ·s·(B′·A′ − B·A), λ = %s", e.cfg.DeltaStart, g(e.cfg.DeltaRatio)),
				"W gets no gradient, no AdamW state and no weight decay; it keeps the previous A and B.")
		},
		trainable: loraTrainable,
		kept:      loraKept,
		caveats: func(e env) []string {
			return append(rankCaveat(e), fmt.Sprintf(
				"After T steps W has moved by λ·s·(B_T·A_T − B_K·A_K): with r = %d the model's total change has rank at most %d.", e.r, 2*e.r))
		},
	},
}

func loraDiagram(aState, bState string) func(e env) diagram {
	return func(e env) diagram {
		main := "frozen"
		if e.info.Name == "delta-lora" {
			main = "frozen*"
		}
		return diagram{
			main: []block{{[]string{fmt.Sprintf("W %d×%d, b", e.dOut, e.dIn), main}}},
			side: []block{
				{[]string{fmt.Sprintf("A %d×%d", e.r, e.dIn), aState}},
				{[]string{fmt.Sprintf("B %d×%d", e.dOut, e.r), bState}},
			},
			op: "×s",
		}
	}
}

func loraForward(e env) []string {
	scale := fmt.Sprintf("s = α/r = %s/%d = %s", g(e.cfg.Alpha), e.r, g(lab.Scale(e.cfg)))
	if e.cfg.RSLoRA {
		scale = fmt.Sprintf("s = α/√r = %s/√%d = %s (rsLoRA)", g(e.cfg.Alpha), e.r, g(lab.Scale(e.cfg)))
	}
	return []string{
		"H = X·Aᵀ                   (N × r)",
		"Y = X·Wᵀ + b + s·H·Bᵀ      (N × d_out)    ΔW = s·B·A",
		scale,
	}
}

func loraUpdate(step string) func(e env) []string {
	return func(e env) []string {
		return []string{
			"∂L/∂B = s·Gᵀ·H    U = G·B    ∂L/∂A = s·Uᵀ·X    ∂L/∂X = G·W + s·U·A",
			fmt.Sprintf(step, g(e.cfg.LR)) + ". Step 1: B = 0, so ∂L/∂A = 0.",
		}
	}
}

func loraTrainable(e env) count {
	return count{symbols: "r·(d_in + d_out)", numbers: fmt.Sprintf("%d·(%d + %d)", e.r, e.dIn, e.dOut), value: e.r * (e.dIn + e.dOut)}
}

func loraKept(e env) count {
	return count{what: "X and H", symbols: "N·(d_in + r)", numbers: fmt.Sprintf("%d·(%d + %d)", e.n, e.dIn, e.r), value: e.n * (e.dIn + e.r)}
}

func rankCaveat(e env) []string {
	k := e.cfg.TaskRank
	if k > e.r {
		return []string{fmt.Sprintf("Here r = %d and the task's shift has rank %d per layer: expect a plateau above the noise.", e.r, k)}
	}
	return []string{fmt.Sprintf("Here r = %d and the task's shift has rank %d per layer, so rank is not the limit.", e.r, k)}
}
