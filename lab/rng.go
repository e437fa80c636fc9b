package lab

import "math/rand/v2"

// Independent random streams derived from one seed. Each consumer has its own
// stream, so every method in a race sees the same base weights, teacher,
// batches and eval set whatever it draws for its own initialisation.
// Tasks draw their data from their own streams; methods draw their
// initialisation from StreamAdapter (Env.Rand).
const (
	StreamBase    uint64 = iota + 1 // the base (pretrained) weights
	StreamTeacher                   // the task's target weights
	StreamBatches                   // the order of the training batches
	StreamEval                      // the held-out set
	StreamAdapter                   // the method's own initialisation
	StreamTrain                     // the training set
	StreamInputs                    // the subspace the task's inputs span, when confined
	StreamSample                    // a task's text samples (the same draws for every sample of a run)
)

// NewRand returns the generator of one stream of a seed.
func NewRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15*stream))
}

// FillUniform fills m with draws from U(−bound, +bound).
func FillUniform(m *Mat, r *rand.Rand, bound float64) {
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j := range row {
			row[j] = (2*r.Float64() - 1) * bound
		}
	}
}

// FillNormal fills m with draws from N(0, std²).
func FillNormal(m *Mat, r *rand.Rand, std float64) {
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j := range row {
			row[j] = r.NormFloat64() * std
		}
	}
}
