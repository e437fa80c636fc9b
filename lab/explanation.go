package lab

// Explanation is how a method is explained to people, as data in the
// method's own file. The explain package fills in the numbers and draws it:
// the per-layer counts come from the method's Footprint on one layer, never
// from a second copy of its arithmetic.
//
// Text may name values in braces, filled in when it is shown: any setting by
// its flag name ({lr}, {lr-ratio}, {rank}), the shapes of the first adapted
// layer ({d_in}, {d_out}) and of the largest ({max_in}, {max_out}), {r}
// (the rank), {N} (rows per batch), {layers} (adapted layers) and {s} (the
// scaling α/r, or α/√r with rsLoRA).
type Explanation struct {
	Trains  string   // what the optimiser updates, for the comparison table: "A, B"
	Diagram Diagram  // the adapted layer
	Legend  []string // what the diagram's marks mean beyond trains/frozen, e.g. "shared: one copy for all {layers} layers"
	Forward []string // the forward formula, line by line
	Update  []string // gradients and the update rule, line by line
	// Trainable is the per-layer trainable count in symbols, e.g.
	// "r·(d_in + d_out)"; its value is the Footprint's on one layer.
	Trainable string
	// Kept names what the method keeps for the backward pass ("X and H")
	// and KeptSymbols counts it ("N·(d_in + r)"); its value is the
	// Footprint's Activations on one layer.
	Kept, KeptSymbols string
	Caveats           []string // honest caveats, with the settings filled in
	// More, if set, adds lines that depend on the settings (an option on or
	// off) or that state a count of the method's own (its shared storage).
	More func(cfg Config, layers []Shape) (update, caveats []string)
}

// Diagram is an adapted layer drawn as two paths from X to Y: the base path
// through the Main blocks (W and b) and the adapter's Side path, joined by a
// sum; Op labels the side path's last step (e.g. "×s").
type Diagram struct {
	Main, Side []Block
	Op         string // on the side path before the sum: "×s"
	Out        string // on the sum, before Y: DoRA's "⊙ m/‖·‖"
}

// Block is one box of a diagram: its lines, e.g. {"A {r}×{d_in}", "frozen", "shared"}.
type Block []string
