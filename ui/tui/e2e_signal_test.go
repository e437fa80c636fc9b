package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalsRestoreTheTerminal drives the real binary in tmux and sends it
// SIGHUP, SIGTERM and SIGINT while a run trains: each quits through the
// program's own path (exit 0, the summary on the normal screen), and the
// terminal's settings afterwards are the ones it had before (SIGHUP killed
// the lab and left the terminal raw).
func TestSignalsRestoreTheTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := buildBinary(t)
	for name, sig := range map[string]syscall.Signal{"HUP": syscall.SIGHUP, "TERM": syscall.SIGTERM, "INT": syscall.SIGINT} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tm := &tmuxTerm{t: t, sock: fmt.Sprintf("loralab-sig-%d-%s", os.Getpid(), name), done: filepath.Join(dir, "status")}
			before, after, pid := filepath.Join(dir, "before"), filepath.Join(dir, "after"), filepath.Join(dir, "pid")
			script := "export TERM=xterm-256color XDG_CONFIG_HOME='" + dir + "'; stty -g > '" + before + "'; " +
				"'" + bin + "' & echo $! > '" + pid + "'; wait $!; echo $? > '" + tm.done + "'; stty -g > '" + after + "'; sleep 600"
			tm.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", script)
			t.Cleanup(func() { exec.Command("tmux", "-L", tm.sock, "kill-server").Run() })
			tm.wait("Methods", 10*time.Second)
			tm.keys("Enter") // train LoRA
			tm.wait("LoRA started", 10*time.Second)
			data, err := os.ReadFile(pid)
			if err != nil {
				t.Fatal(err)
			}
			p, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(p, sig); err != nil {
				t.Fatal(err)
			}
			if st := tm.exitStatus(20 * time.Second); st != "0" {
				t.Fatalf("exit status %s after SIG%s", st, name)
			}
			tm.wait("reproduce: loralab run --method lora", 5*time.Second)
			deadline := time.Now().Add(10 * time.Second)
			var a []byte
			for len(a) == 0 && time.Now().Before(deadline) {
				a, _ = os.ReadFile(after)
				time.Sleep(20 * time.Millisecond) // polling for the file the script writes last
			}
			b, _ := os.ReadFile(before)
			if len(b) == 0 || string(a) != string(b) {
				t.Fatalf("terminal settings after SIG%s:\n%s\nbefore:\n%s", name, a, b)
			}
		})
	}
}
