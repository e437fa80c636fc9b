package adapters_test

import (
	"math"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/lab/tasks"
)

// buildNonSquare adapts two layers of different, non-square shapes, so a
// d_in/d_out or max_in/max_out mix-up in an initialisation shows.
func buildNonSquare(t *testing.T, m lab.Method, rank int) ([]*lab.Linear, []lab.Adapted, lab.Config) {
	t.Helper()
	cfg := catalog.Defaults()
	cfg.Rank = rank
	cfg = with(cfg, "vera-d-init", 0.37)
	cfg = cfg.Resolve(m, tasks.Shift{})
	ledger := lab.NewLedger()
	var layers []*lab.Linear
	for _, s := range []lab.Shape{{Name: "a", DIn: 40, DOut: 5}, {Name: "b", DIn: 30, DOut: 9}} {
		layers = append(layers, &lab.Linear{Shape: s, W: ledger.Mat(lab.Frozen, s.Name+".W", s.DOut, s.DIn), Bias: ledger.Vec(lab.Frozen, s.Name+".bias", s.DOut)})
	}
	env := &lab.Env{Ledger: ledger, Rand: lab.NewRand(3, 9), Config: cfg, N: 4}
	return layers, m.Build(env, layers), cfg
}

// checkUniform asserts m's values lie in ±bound and reach above 0.8·bound
// (with 100+ draws a narrower distribution would show).
func checkUniform(t *testing.T, what string, m *lab.Mat, bound float64) {
	t.Helper()
	if got := maxAbs(m); got > bound || got < 0.8*bound {
		t.Errorf("%s: max |value| %.4f, want within ±%.4f and near it (uniform on ±bound)", what, got, bound)
	}
}

// TestLoRAFamilyInitialisation: A uniform on ±1/√d_in (PyTorch's
// kaiming_uniform with a = √5), B = 0, for every method with a LoRA pair.
func TestLoRAFamilyInitialisation(t *testing.T) {
	for _, m := range []lab.Method{adapters.LoRA{}, adapters.LoRAPlus{}, adapters.DeltaLoRA{}, adapters.LoRAFA{}, adapters.DoRA{}} {
		layers, adapted, _ := buildNonSquare(t, m, 4)
		for i, a := range adapted {
			var A, B *lab.Mat
			for _, p := range a.Params() {
				switch p.Role {
				case "A":
					A = p.Value
				case "B":
					B = p.Value
				}
			}
			if A == nil {
				A = adapters.FrozenA(a)
			}
			name := m.Info().Name + "/" + layers[i].Name
			checkUniform(t, name+" A", A, 1/math.Sqrt(float64(layers[i].DIn)))
			if maxAbs(B) != 0 {
				t.Errorf("%s: B starts at max |value| %v, want 0", name, maxAbs(B))
			}
			if A.Rows != 4 || A.Cols != layers[i].DIn || B.Rows != layers[i].DOut || B.Cols != 4 {
				t.Errorf("%s: A %dx%d, B %dx%d; want r×d_in and d_out×r", name, A.Rows, A.Cols, B.Rows, B.Cols)
			}
		}
	}
}

// TestVeRAInitialisation: the shared A_sh uniform on ±√(6/max_in), B_sh on
// ±√(6/r), d = d_init, b = 0.
func TestVeRAInitialisation(t *testing.T) {
	const r = 12
	layers, adapted, cfg := buildNonSquare(t, adapters.VeRA{}, r)
	maxIn := 40
	A, _ := adapters.VeRAShared(adapted[0]) // layer a has d_in = max_in
	checkUniform(t, "A_sh", A, math.Sqrt(6/float64(maxIn)))
	_, B := adapters.VeRAShared(adapted[1]) // layer b has d_out = max_out
	checkUniform(t, "B_sh", B, math.Sqrt(6/float64(r)))
	for i, a := range adapted {
		for _, p := range a.Params() {
			for _, v := range p.Value.Data {
				if d := adapters.DInit.Float(cfg); (p.Role == "d" && v != d) || (p.Role == "b" && v != 0) {
					t.Fatalf("%s.%s starts with %v; want d = d_init (%v), b = 0", layers[i].Name, p.Role, v, d)
				}
			}
		}
	}
}
