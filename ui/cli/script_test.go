package cli

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// TestMain lets testscript run the real loralab command line as a program
// named loralab inside each script (the test binary re-executes itself).
//
// Two variables of the script's environment shape the program for fault
// tests: LORALAB_TEST_STDOUT names a file to use as stdout (/dev/full: a
// full disk) or is "closed-pipe" (stdout is a pipe nobody reads, as in
// `loralab … | true`); LORALAB_TEST_READY names a file the program writes
// its process id to once its runs have started with its stop signals
// caught, for `waitfile` and `signal`.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"loralab": func() {
			stdout := os.Stdout
			switch f := os.Getenv("LORALAB_TEST_STDOUT"); f {
			case "":
			case "closed-pipe":
				r, w, err := os.Pipe()
				if err != nil {
					panic(err)
				}
				r.Close()
				if err := unix.Dup2(int(w.Fd()), 1); err != nil { // fd 1 itself: Go's SIGPIPE rule applies to it
					panic(err)
				}
				w.Close()
			default:
				out, err := os.OpenFile(f, os.O_WRONLY, 0)
				if err != nil {
					panic(err)
				}
				stdout = out
			}
			if ready := os.Getenv("LORALAB_TEST_READY"); ready != "" {
				trainingStarted = func() {
					tmp := ready + ".tmp"
					os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644)
					os.Rename(tmp, ready) // whole or absent: waitfile never reads half of it
				}
			}
			os.Exit(Main(os.Args[1:], stdout, os.Stderr))
		},
	})
}

// TestScripts runs every testdata/script/*.txtar end to end through the binary:
// the commands' output, exit statuses and the bad-input cases.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Cmds: scriptCmds})
}

// scriptCmds are the scripts' own commands, for fault tests:
//
//	waitfile FILE        wait (up to a minute) until FILE exists
//	signal NAME PIDFILE  send SIGNAME (INT, TERM, HUP) to the process whose id PIDFILE holds
//	mkfifo FILE          make a named pipe
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 || neg {
			ts.Fatalf("usage: waitfile FILE")
		}
		file := ts.MkAbs(args[0])
		deadline := time.Now().Add(time.Minute)
		for {
			if _, err := os.Stat(file); err == nil {
				return
			}
			if time.Now().After(deadline) {
				ts.Fatalf("%s did not appear within a minute", file)
			}
			time.Sleep(10 * time.Millisecond) // polling a condition, not standing in for one
		}
	},
	"signal": func(ts *testscript.TestScript, neg bool, args []string) {
		sigs := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "HUP": syscall.SIGHUP}
		if len(args) != 2 || neg {
			ts.Fatalf("usage: signal INT|TERM|HUP PIDFILE")
		}
		sig, ok := sigs[args[0]]
		if !ok {
			ts.Fatalf("unknown signal %q", args[0])
		}
		data, err := os.ReadFile(ts.MkAbs(args[1]))
		ts.Check(err)
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		ts.Check(err)
		ts.Check(syscall.Kill(pid, sig))
	},
	"mkfifo": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 || neg {
			ts.Fatalf("usage: mkfifo FILE")
		}
		ts.Check(syscall.Mkfifo(ts.MkAbs(args[0]), 0o644))
	},
}
