package cli

import (
	"strings"
	"testing"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab/tasks"
	"github.com/loralab/loralab/ui/explain"
)

func TestExplainMethod(t *testing.T) {
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_CTYPE", "")
	t.Setenv("COLUMNS", "")
	code, out, errOut := capture(runExplain, "lora", "--rank", "4", "--width", "32", "--depth", "2", "--batch", "16")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	cfg := catalog.Defaults()
	cfg.Rank, cfg.Batch = 4, 16
	cfg = cfg.With("width", 32).With("depth", 2)
	if want := explain.Method(adapters.LoRA{}, tasks.Shift{}, cfg, explain.Options{}); out != want {
		t.Errorf("the flags did not reach the explanation:\n%s\nwant\n%s", out, want)
	}
	flat := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(flat, "r·(d_in + d_out) = 4·(32 + 32) = 256 per layer × 2 layers = 512") || !strings.Contains(out, "┌") {
		t.Errorf("explanation:\n%s", out)
	}
	// The method may follow the flags, or come as --method.
	for _, args := range [][]string{{"--rank", "4", "vera"}, {"--method", "vera", "--rank", "4"}, {"vera", "--method", "vera", "--rank", "4"}} {
		code, out, _ := capture(runExplain, args...)
		if code != exitOK || !strings.HasPrefix(out, "VeRA") {
			t.Errorf("explain %v: exit %d, %.40q", args, code, out)
		}
	}
}

func TestExplainCompare(t *testing.T) {
	t.Setenv("LANG", "C.UTF-8")
	t.Setenv("LC_ALL", "")
	code, out, errOut := capture(runExplain, "--rank", "16")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, m := range adapters.All() {
		if !strings.Contains(out, "\n"+m.Info().Title+" ") {
			t.Errorf("the table lacks %s:\n%s", m.Info().Title, out)
		}
	}
	if !strings.Contains(out, "r = 16") {
		t.Errorf("--rank did not reach the table:\n%s", out)
	}
	// A rank only VeRA allows is not a usage error for the table.
	if code, out, _ := capture(runExplain, "--rank", "256"); code != exitOK || !strings.Contains(out, "would not run") {
		t.Errorf("--rank 256: exit %d\n%s", code, out)
	}
}

func TestExplainASCII(t *testing.T) {
	nonASCII := func(s string) bool { return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }) }
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_CTYPE", "")
	t.Setenv("LANG", "en_US.UTF-8")
	for _, args := range [][]string{{"lora-fa", "--ascii"}, {"--ascii"}} {
		if _, out, _ := capture(runExplain, args...); nonASCII(out) {
			t.Errorf("explain %v printed non-ASCII:\n%s", args, out)
		}
	}
	t.Setenv("LANG", "C") // a locale without UTF-8: ASCII automatically
	if _, out, _ := capture(runExplain, "delta-lora"); nonASCII(out) || !strings.Contains(out, "+--") {
		t.Errorf("LANG=C printed non-ASCII or no ASCII boxes:\n%s", out)
	}
	t.Setenv("LC_ALL", "C.UTF-8")
	if _, out, _ := capture(runExplain, "delta-lora"); !nonASCII(out) {
		t.Errorf("LC_ALL=C.UTF-8 should allow box drawing:\n%s", out)
	}
}

func TestExplainColumns(t *testing.T) {
	t.Setenv("LANG", "C.UTF-8")
	t.Setenv("LC_ALL", "")
	for _, args := range [][]string{{"vera", "--columns", "50"}, {"vera"}} {
		if len(args) == 1 {
			t.Setenv("COLUMNS", "50")
		}
		_, out, _ := capture(runExplain, args...)
		for _, line := range strings.Split(out, "\n") {
			if n := len([]rune(line)); n > 50 {
				t.Errorf("explain %v: line of %d columns: %q", args, n, line)
			}
		}
	}
}

func TestExplainUsage(t *testing.T) {
	for _, h := range []string{"-h", "--help"} {
		code, out, errOut := capture(runExplain, h)
		if code != exitOK || errOut != "" || !strings.HasPrefix(out, "usage: loralab explain") || !strings.Contains(out, "--rank") || !strings.Contains(out, "--ascii") {
			t.Errorf("%s: exit %d, stderr %q, stdout:\n%s", h, code, errOut, out)
		}
	}
	for _, c := range []struct {
		args []string
		says []string
	}{
		{[]string{"adalora"}, []string{`"adalora"`, "lora, lora-fa, vera, delta-lora, lora-plus, dora, pissa, full"}},
		{[]string{"--method", "adalora"}, []string{`"adalora"`, "the methods are"}},
		{[]string{"lora", "vera"}, []string{"one method at a time"}},
		{[]string{"lora", "--method", "vera"}, []string{"disagree"}},
		{[]string{"lora", "--rank", "abc"}, []string{"rank", "whole number"}},
		{[]string{"lora", "--rank", "100"}, []string{"rank 100", "between 1 and 64"}},
		{[]string{"--depth", "0"}, []string{"depth 0", "between 1 and"}},
		{[]string{"--bogus"}, []string{"bogus", "--help"}},
		{[]string{"--columns", "-3"}, []string{"--columns"}},
	} {
		code, out, errOut := capture(runExplain, c.args...)
		checkUsageLine(t, "explain", code, out, errOut, c.says...)
	}
}

// TestCharLMExplanationPointsAtARealModel checks that a method's
// explanation on the character LM names the command that sizes the same
// shape as a Llama-style model, and that the command runs: the bridge from
// the toy transformer to loralab memory.
func TestCharLMExplanationPointsAtARealModel(t *testing.T) {
	code, out, errOut := capture(runExplain, "lora", "--task", "charlm")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	flat := strings.Join(strings.Fields(out), " ")
	_, after, ok := strings.Cut(flat, "loralab memory ")
	cmd, _, ends := strings.Cut(after, " sizes this shape")
	if !ok || !ends || !strings.Contains(cmd, "--layers 2") {
		t.Fatalf("no loralab memory command for the shape in:\n%s", out)
	}
	code, mem, errOut := capture(runMemory, strings.Fields(cmd)...)
	if code != exitOK || !strings.Contains(mem, "trainable parameters") {
		t.Errorf("loralab memory %s: exit %d, stderr %q\n%s", cmd, code, errOut, mem)
	}
}
