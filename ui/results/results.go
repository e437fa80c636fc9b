// Package results writes what runs produced — JSON and CSV — for the headless
// commands and the TUI alike, atomically and never over an existing file.
package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/loralab/loralab/lab"
)

// Kind says which experiment produced a Bundle.
type Kind string

// The kinds of experiments.
const (
	Single Kind = "run"
	Race   Kind = "race"
	Sweep  Kind = "sweep"
)

// SweepRow is one (method, value) cell of a sweep's result table. At
// several seeds the losses are means over the seeds, and EvalMin, EvalMax
// give the spread of the final eval loss.
type SweepRow struct {
	Method      string     `json:"method"`
	Value       string     `json:"value"`
	Status      lab.Status `json:"status"` // at several seeds: done only if every seed is
	FinalTrain  *float64   `json:"final_train_loss"`
	FinalEval   *float64   `json:"final_eval_loss"`
	Trainable   int        `json:"trainable_params"`
	MemoryTotal int64      `json:"memory_total"`
	Seeds       int        `json:"seeds,omitempty"`
	EvalMin     *float64   `json:"final_eval_loss_min,omitempty"`
	EvalMax     *float64   `json:"final_eval_loss_max,omitempty"`
}

// Bundle is the outcome of one experiment.
type Bundle struct {
	Kind        Kind
	Runs        []*lab.Result
	Leaderboard []lab.Standing     // races
	SeedBoard   []lab.SeedStanding // races at several seeds: one row per method over its seeds
	Tuning      []lab.Tuning       // races with --tune-lr: each method's learning-rate search
	Setting     string             // sweeps: the varied setting
	Values      []string           // sweeps: its values
	Table       []SweepRow         // sweeps: one row per run, in run order
}

// SweepTable builds a sweep's rows from its results (method-major order, as
// lab.Sweep.Jobs makes them, each job at `seeds` consecutive seeds).
func SweepTable(set lab.Setting, values []string, runs []*lab.Result, seeds int) []SweepRow {
	seeds = max(seeds, 1)
	rows := make([]SweepRow, 0, len(runs)/seeds)
	for i := 0; i+seeds <= len(runs); i += seeds {
		group := runs[i : i+seeds]
		r := group[0]
		row := SweepRow{Method: r.Method, Value: set.Get(r.Config), Status: r.Status, Trainable: r.Params.Trainable, MemoryTotal: r.Memory.Total}
		var train, eval []float64
		for _, g := range group {
			train, eval = append(train, g.Final.Train), append(eval, g.Final.Eval)
			if g.Status != lab.Done {
				row.Status = g.Status
			}
		}
		t, e := lab.SpreadOf(train), lab.SpreadOf(eval)
		if t.Lost == 0 {
			row.FinalTrain = orNull(t.Mean)
		}
		if e.Lost == 0 {
			row.FinalEval = orNull(e.Mean)
		}
		if seeds > 1 {
			row.Seeds, row.EvalMin, row.EvalMax = seeds, orNull(e.Min), orNull(e.Max)
		}
		rows = append(rows, row)
	}
	return rows
}

// orNull is x as a JSON value: nil (null) unless x is finite.
func orNull(x float64) *float64 {
	if !lab.Finite(x) {
		return nil
	}
	return &x
}

// JSON encodes the bundle: a run is its lab.Result object; a race is
// {"runs": [...], "leaderboard": [...]}; a sweep is {"setting", "values",
// "runs", "table"}.
func (b Bundle) JSON() ([]byte, error) {
	var v any
	switch b.Kind {
	case Single:
		if len(b.Runs) != 1 {
			return nil, fmt.Errorf("results: a single run bundle holds %d runs", len(b.Runs))
		}
		v = b.Runs[0]
	case Race:
		v = struct {
			Runs        []*lab.Result      `json:"runs"`
			Leaderboard []lab.Standing     `json:"leaderboard"`
			SeedBoard   []lab.SeedStanding `json:"seed_leaderboard,omitempty"`
			Tuning      []lab.Tuning       `json:"lr_search,omitempty"`
		}{b.Runs, b.Leaderboard, b.SeedBoard, b.Tuning}
	case Sweep:
		v = struct {
			Setting string        `json:"setting"`
			Values  []string      `json:"values"`
			Runs    []*lab.Result `json:"runs"`
			Table   []SweepRow    `json:"table"`
		}{b.Setting, b.Values, b.Runs, b.Table}
	default:
		return nil, fmt.Errorf("results: unknown kind %q", b.Kind)
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// CSV encodes the loss histories, one row per history point:
// method,step,train_loss,eval_loss,train_loss_min,train_loss_max; sweeps add
// the varied setting's value after the method. A single run omits the method.
func (b Bundle) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"step", "train_loss", "eval_loss", "train_loss_min", "train_loss_max"}
	switch b.Kind {
	case Race:
		head = append([]string{"method"}, head...)
	case Sweep:
		head = append([]string{"method", b.Setting}, head...)
	}
	w.Write(head)
	for i, r := range b.Runs {
		value := "" // a sweep's value of the varied setting, from its table
		if i < len(b.Table) {
			value = b.Table[i].Value
		}
		for _, p := range r.History {
			row := []string{strconv.Itoa(p.Step), num(p.Train), num(p.Eval), num(p.TrainMin), num(p.TrainMax)}
			switch b.Kind {
			case Race:
				row = append([]string{r.Method}, row...)
			case Sweep:
				row = append([]string{r.Method, value}, row...)
			}
			w.Write(row)
		}
	}
	w.Flush()
	return buf.Bytes()
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// MaxNameBytes is the longest file name (one path element) SaveAs and
// WriteNew accept: the NAME_MAX of Linux and macOS file systems.
const MaxNameBytes = 255

// The file system calls saving makes, replaced by tests to simulate a full
// disk or a failing link.
var (
	writeData = func(f *os.File, data []byte) (int, error) { return f.Write(data) }
	linkFile  = os.Link
)

// tempPrefix starts every temporary file's name: short, so that the
// temporary name of a file whose own name is MaxNameBytes long still fits.
const tempPrefix = ".loralab-"

// writeTemp writes data to a new temporary file in dir, synced and readable
// by all (results are for sharing), and returns its name.
func writeTemp(dir string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(dir, tempPrefix+"*.tmp")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(name)
		return "", err
	}
	if _, err := writeData(tmp, data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// linkNew gives the temporary file tmp the name path, failing if path
// exists (even as a dangling symbolic link): nothing is ever overwritten.
func linkNew(tmp, path string) error {
	if err := linkFile(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; not overwriting it", path)
		}
		return unwrapLink(err)
	}
	return nil
}

// unwrapLink drops the "link OLD NEW:" prefix of a link error, whose first
// name is a temporary file the user never sees.
func unwrapLink(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.New, le.Err)
	}
	return err
}

// checkName refuses a file name longer than MaxNameBytes.
func checkName(path string) error {
	if n := len(filepath.Base(path)); n > MaxNameBytes {
		return fmt.Errorf("%s: the file name is %d bytes long; at most %d", path, n, MaxNameBytes)
	}
	return nil
}

// WriteNew writes data to path atomically and never over an existing file:
// it writes a temporary file in the same directory, syncs it, and links it to
// path (which fails if path exists), then removes the temporary name.
func WriteNew(path string, data []byte) error {
	if err := checkName(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return linkNew(tmp, path)
}

// SaveError is a save that failed: what stopped it, and the files that
// were saved all the same (none, unless removing one failed too).
type SaveError struct {
	Err   error
	Saved []string
}

// Error says what failed and exactly what was saved.
func (e *SaveError) Error() string {
	if len(e.Saved) == 0 {
		return e.Err.Error() + "; nothing was saved"
	}
	return fmt.Sprintf("%v; only %s was saved", e.Err, strings.Join(e.Saved, " and "))
}

// Unwrap returns the error that stopped the save.
func (e *SaveError) Unwrap() error { return e.Err }

// SaveAs writes the bundle as path (JSON) and the same name with .csv, both
// new files, as a pair: both are written to temporary files first, and only
// once both are on disk do they take their names, so that a full disk saves
// neither (and a re-run is not refused). It returns the two paths; an error
// is a *SaveError saying what, if anything, was saved.
func SaveAs(path string, b Bundle) (jsonPath, csvPath string, err error) {
	data, err := b.JSON()
	if err != nil {
		return "", "", &SaveError{Err: err}
	}
	jsonPath, csvPath = Paths(path)
	for _, p := range []string{jsonPath, csvPath} {
		if err := checkName(p); err != nil {
			return "", "", &SaveError{Err: err}
		}
		if _, err := os.Lstat(p); err == nil {
			return "", "", &SaveError{Err: fmt.Errorf("%s already exists; not overwriting it", p)}
		}
	}
	dir := filepath.Dir(jsonPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", &SaveError{Err: err}
	}
	jt, err := writeTemp(dir, data)
	if err != nil {
		return "", "", &SaveError{Err: fmt.Errorf("writing %s: %w", jsonPath, unwrapPath(err))}
	}
	defer os.Remove(jt)
	ct, err := writeTemp(dir, b.CSV())
	if err != nil {
		return "", "", &SaveError{Err: fmt.Errorf("writing %s: %w", csvPath, unwrapPath(err))}
	}
	defer os.Remove(ct)
	if err := linkNew(jt, jsonPath); err != nil {
		return "", "", &SaveError{Err: err}
	}
	if err := linkNew(ct, csvPath); err != nil {
		if rmErr := os.Remove(jsonPath); rmErr != nil {
			return jsonPath, "", &SaveError{Err: err, Saved: []string{jsonPath}}
		}
		return "", "", &SaveError{Err: err}
	}
	return jsonPath, csvPath, nil
}

// unwrapPath drops the temporary file's name from a *fs.PathError.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Paths returns the JSON and CSV file names SaveAs writes for path: path
// itself (or path.json if it ends in .csv, or has no extension) and the
// same name with .csv.
func Paths(path string) (jsonPath, csvPath string) {
	jsonPath, csvPath = path, trimExt(path)+".csv"
	if jsonPath == csvPath || filepath.Ext(path) == "" {
		jsonPath = trimExt(path) + ".json"
	}
	return jsonPath, csvPath
}

func trimExt(p string) string { return p[:len(p)-len(filepath.Ext(p))] }

// Save writes the bundle into dir (made if missing) under a new name made
// of its kind and the time, e.g. race-20261128-184512.json (with -2, -3…
// if taken). A dir that cannot be made or read says why.
func Save(dir string, b Bundle, now time.Time) (jsonPath, csvPath string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", &SaveError{Err: fmt.Errorf("results folder %s: %w", dir, unwrapPath(err))}
	}
	stem := filepath.Join(dir, fmt.Sprintf("%s-%s", b.Kind, now.Format("20060102-150405")))
	for i := 1; i <= maxTries; i++ {
		name := stem
		if i > 1 {
			name = fmt.Sprintf("%s-%d", stem, i)
		}
		free := true
		for _, p := range []string{name + ".json", name + ".csv"} {
			_, err := os.Lstat(p)
			switch {
			case err == nil:
				free = false
			case !errors.Is(err, fs.ErrNotExist):
				return "", "", &SaveError{Err: fmt.Errorf("results folder %s: %w", dir, unwrapPath(err))}
			}
		}
		if free {
			return SaveAs(name+".json", b)
		}
	}
	return "", "", &SaveError{Err: fmt.Errorf("no free file name in %s: %s-1 to -%d are taken", dir, stem, maxTries)}
}

// maxTries bounds the names Save tries in one second.
const maxTries = 1000

// DefaultDir is where results go unless a setting says otherwise:
// $XDG_DATA_HOME/loralab/results, else ~/.local/share/loralab/results.
func DefaultDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "loralab", "results")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "loralab", "results")
	}
	return filepath.Join(os.TempDir(), "loralab", "results")
}
