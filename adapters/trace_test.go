package adapters_test

import (
	"context"
	"testing"

	"github.com/loralab/loralab/lab"
)

// TestTraceIsTheRun: for every method, lab.Trace records the same losses as
// lab.Execute (bit for bit), and the tensors and batches it exports are the
// numbers the run saw: the data digest rebuilt from the snapshot alone (the
// pretrained weights, the biases, the held-out set, then every batch from
// its rows of the training set) equals the run's.
func TestTraceIsTheRun(t *testing.T) {
	base := with(catalog.Defaults(), "width", 8, "depth", 2, "task-rank", 2, "batch", 4, "steps", 12,
		"eval-every", 1, "eval-size", 8, "train-size", 32, "schedule", "cosine", "warmup", 3, "weight-decay", 0.01)
	for _, m := range catalog.Methods {
		info := m.Info()
		t.Run(info.Name, func(t *testing.T) {
			cfg := base
			cfg.Method = info.Name
			if info.UsesRank() {
				cfg.Rank = 2
			}
			job, err := catalog.Job(cfg)
			if err != nil {
				t.Fatal(err)
			}
			snap, err := lab.Trace(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			res, err := lab.Execute(context.Background(), job, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Train) != 12 || len(res.History) != 13 {
				t.Fatalf("%d traced steps, %d history points; want 12 and 13", len(snap.Train), len(res.History))
			}
			if snap.Train[0] != res.History[0].Train || snap.Eval[0] != (lab.EvalPoint{Step: 0, Loss: res.History[0].Eval}) {
				t.Errorf("step 0: trace %v, %v; run %+v", snap.Train[0], snap.Eval[0], res.History[0])
			}
			for k := 1; k <= 12; k++ {
				if p := res.History[k]; snap.Train[k-1] != p.Train || snap.Eval[k] != (lab.EvalPoint{Step: k, Loss: p.Eval}) {
					t.Errorf("step %d: trace train %v eval %+v; run %+v", k, snap.Train[k-1], snap.Eval[k], p)
				}
			}
			if snap.Status != lab.Done {
				t.Errorf("status %v", snap.Status)
			}

			tensors := map[string]*lab.Mat{}
			for _, x := range snap.Data {
				tensors[x.Name] = x.Mat
			}
			for _, x := range snap.Base {
				tensors[x.Name] = x.Mat
			}
			d := lab.NewDigest()
			for _, s := range snap.Layers {
				d.AddMat(tensors[s.Name+".W0"])
				d.AddMat(tensors[s.Name+".bias"])
			}
			d.AddMat(tensors["eval.X"])
			d.AddMat(tensors["eval.Y"])
			trainX, trainY := tensors["train.X"], tensors["train.Y"]
			if len(snap.Batches) != 12 {
				t.Fatalf("%d batches", len(snap.Batches))
			}
			for _, rows := range snap.Batches {
				bx, by := lab.NewMat(len(rows), trainX.Cols), lab.NewMat(len(rows), trainY.Cols)
				for i, r := range rows {
					copy(bx.Row(i), trainX.Row(r))
					copy(by.Row(i), trainY.Row(r))
				}
				d.AddMat(bx)
				d.AddMat(by)
			}
			if d != res.DataDigest {
				t.Errorf("digest rebuilt from the snapshot %v; the run's %v", d, res.DataDigest)
			}

			// The initial values are the method's: B = 0 where LoRA starts
			// it there, VeRA's b = 0; PiSSA's principal part and residual add
			// up to W0.
			trainable := 0
			for _, p := range snap.Params {
				trainable += p.Mat.Len()
				zeroStart := (p.Role == "B" && info.Name != "pissa") || (p.Role == "b" && info.Name == "vera")
				if zeroStart && maxAbs(p.Mat) != 0 {
					t.Errorf("%s starts at %v, not 0", p.Name, maxAbs(p.Mat))
				}
			}
			if info.Name == "pissa" {
				for i, s := range snap.Layers {
					w := tensors[s.Name+".W"].Clone()
					a, b := snap.Params[2*i], snap.Params[2*i+1]
					lab.Gemm(lab.Scale(snap.Job.Config), b.Mat, lab.NoT, a.Mat, lab.NoT, 1, w)
					if e := maxAbsDiff(w, tensors[s.Name+".W0"]); e > 1e-12 {
						t.Errorf("%s: residual + s·B·A − W0 = %g", s.Name, e)
					}
				}
			}
			if trainable != res.Params.Trainable {
				t.Errorf("the snapshot's parameters hold %d numbers; the run trains %d", trainable, res.Params.Trainable)
			}
		})
	}
}
