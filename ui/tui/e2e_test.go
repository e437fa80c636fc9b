package tui

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildBinary builds the real loralab binary into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "loralab")
	cmd := exec.Command("go", "build", "-o", bin, "../..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBinaryRefusesWithoutTerminal: no terminal, or TERM=dumb, gives exit 2
// and a hint about the headless commands instead of drawing.
func TestBinaryRefusesWithoutTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for name, env := range map[string][]string{"pipe": {"TERM=xterm-256color"}, "dumb": {"TERM=dumb"}} {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Fatalf("%s: %v, want exit status 2", name, err)
		}
		if !strings.Contains(stderr.String(), "headless commands") || stdout.Len() != 0 {
			t.Fatalf("%s: stdout %q stderr %q", name, stdout.String(), stderr.String())
		}
	}
}

// tmuxTerm is a real terminal: a tmux server of its own running the binary.
type tmuxTerm struct {
	t    *testing.T
	sock string
	done string
}

func startTmux(t *testing.T, bin string, w, h int, env ...string) *tmuxTerm {
	t.Helper()
	tm := &tmuxTerm{t: t, sock: fmt.Sprintf("loralab-e2e-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-")), done: filepath.Join(t.TempDir(), "status")}
	script := "export TERM=xterm-256color; unset NO_COLOR; unset CI; " // termenv treats CI as "no terminal": no colour
	for _, e := range env {
		script += "export " + e + "; "
	}
	script += "'" + bin + "'; echo $? > '" + tm.done + "'; sleep 600"
	tm.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), script)
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmuxTerm) screen() string { return tm.run("capture-pane", "-p", "-t", "e2e") }

func (tm *tmuxTerm) escapes() string { return tm.run("capture-pane", "-p", "-e", "-t", "e2e") }

func (tm *tmuxTerm) keys(keys ...string) {
	for _, k := range keys {
		tm.run("send-keys", "-t", "e2e", k)
		time.Sleep(30 * time.Millisecond)
	}
}

func (tm *tmuxTerm) typeText(s string) { tm.run("send-keys", "-t", "e2e", "-l", s) }

func (tm *tmuxTerm) wait(text string, d time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(tm.screen(), text) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited %v for %q; screen:\n%s", d, text, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *tmuxTerm) resize(w, h int) {
	tm.run("resize-window", "-t", "e2e", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h))
}

func (tm *tmuxTerm) exitStatus(d time.Duration) string {
	tm.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if b, err := os.ReadFile(tm.done); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the program did not exit within %v; screen:\n%s", d, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// colourSGR matches an escape sequence that sets a colour.
var colourSGR = regexp.MustCompile(`\x1b\[([0-9;]*;)?(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

// TestEndToEnd drives the real binary in tmux: start, set a short run, run
// LoRA to completion, resize small and back, help, quit; with colour and
// under NO_COLOR=1 (where no colour code may reach the screen).
func TestEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed; CI needs it for the end-to-end test (apt-get install -y tmux)")
		}
		t.Skip("tmux is not installed and CI is unset: skipping the end-to-end test")
	}
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := buildBinary(t)
	for _, noColour := range []bool{false, true} {
		name := "colour"
		var env []string
		if noColour {
			name, env = "NO_COLOR", []string{"NO_COLOR=1"}
		}
		t.Run(name, func(t *testing.T) {
			tm := startTmux(t, bin, 80, 24, append(env, "XDG_CONFIG_HOME="+t.TempDir())...)
			tm.wait("Methods", 10*time.Second) // the first frame: raw mode is on
			// Settings: steps = 200.
			tm.keys("Tab", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Enter", "C-u") // rank … weight-decay, steps
			tm.typeText("200")
			tm.keys("Enter")
			tm.wait("steps = 200", 5*time.Second)
			// Back to the methods; LoRA is under the cursor: train it.
			tm.keys("BTab", "Enter")
			tm.wait("✓ done", 60*time.Second)
			tm.wait("LoRA done", 5*time.Second)
			esc := tm.escapes()
			if noColour && colourSGR.MatchString(esc) {
				t.Fatalf("colour codes under NO_COLOR=1: %q", colourSGR.FindString(esc))
			}
			if !noColour && !colourSGR.MatchString(esc) {
				t.Fatalf("no colour codes with colour on")
			}
			if !strings.Contains(tm.screen(), "┏━ ▸ Methods") {
				t.Fatalf("focus not visible:\n%s", tm.screen())
			}
			// Resize small, then too small, then back.
			tm.resize(60, 20)
			tm.wait("Methods", 5*time.Second)
			tm.resize(50, 15)
			tm.wait("terminal too small: 50x15", 5*time.Second)
			tm.resize(80, 24)
			tm.wait("Methods", 5*time.Second)
			// Help and back.
			tm.keys("?")
			tm.wait("closes this help", 5*time.Second)
			tm.keys("?")
			tm.wait("Methods", 5*time.Second)
			// The dialogs: explanation, memory at scale, presets; esc closes each.
			for _, d := range [][2]string{{"i", "Explain LoRA"}, {"M", "Memory at LLM scale"}, {"p", "rank-matters"}} {
				tm.keys(d[0])
				tm.wait(d[1], 5*time.Second)
				if noColour && colourSGR.MatchString(tm.escapes()) {
					t.Fatalf("%s: colour codes under NO_COLOR=1", d[0])
				}
				tm.keys("Escape")
				tm.wait("Methods", 5*time.Second)
			}
			// Quit: exit status 0, and the summary stays on the normal screen.
			tm.keys("q")
			if st := tm.exitStatus(10 * time.Second); st != "0" {
				t.Fatalf("exit status %s", st)
			}
			tm.wait("LoRA Lab: LoRA done after 200 steps", 5*time.Second)
			tm.wait("reproduce: loralab run --method lora --preset race-five --steps 200 --seed 1", 5*time.Second)
		})
	}
}

// TestEndToEndRace drives a whole race in a real terminal at 80×24, with
// colour and under NO_COLOR=1: every run moves from the start, the race
// ends with its banner, y copies the reproduce line (OSC 52, which tmux
// takes into its paste buffer), f maximises the chart, X clears the runs,
// and at 200×60 the board shows the banner.
func TestEndToEndRace(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := buildBinary(t)
	for _, noColour := range []bool{false, true} {
		name := "colour"
		env := []string{"XDG_CONFIG_HOME=" + t.TempDir()}
		if noColour {
			name, env = "NO_COLOR", append(env, "NO_COLOR=1")
		}
		t.Run(name, func(t *testing.T) {
			tm := startTmux(t, bin, 80, 24, env...)
			tm.run("set-option", "-g", "set-clipboard", "on")
			tm.wait("Methods", 10*time.Second)
			tm.keys("Tab", "Down", "Down", "Down", "Down", "Down", "Down", "Down", "Enter", "C-u") // steps
			tm.typeText("300")
			tm.keys("Enter")
			tm.wait("steps = 300", 5*time.Second)
			tm.keys("BTab", "r")
			tm.wait("race over", 120*time.Second)
			tm.keys("!") // the messages in full: how the race trained
			tm.wait("all 6 train together,", 5*time.Second)
			tm.wait("taking turns on", 5*time.Second)
			tm.keys("Escape")
			if noColour && colourSGR.MatchString(tm.escapes()) {
				t.Fatalf("colour codes under NO_COLOR=1")
			}
			tm.keys("y")
			tm.wait("copied the reproduce line", 5*time.Second)
			if buf := tm.run("show-buffer"); !strings.HasPrefix(buf, "loralab race --methods lora,lora-fa,vera,delta-lora,lora-plus,full --preset race-five --steps 300") {
				t.Errorf("the clipboard holds %q", buf)
			}
			tm.keys("Tab", "Tab", "f")
			tm.wait("loss maximised", 5*time.Second)
			if s := tm.screen(); strings.Contains(s, "[x]") || !strings.Contains(s, "steps") {
				t.Fatalf("f did not maximise the chart:\n%s", s)
			}
			tm.keys("f")
			tm.resize(200, 60)
			tm.wait("★ race over", 5*time.Second)
			tm.keys("X", "X")
			tm.wait("cleared 6 runs", 5*time.Second)
			tm.wait("No runs yet", 5*time.Second)
			tm.keys("q")
			if st := tm.exitStatus(10 * time.Second); st != "0" {
				t.Fatalf("exit status %s", st)
			}
		})
	}
}
