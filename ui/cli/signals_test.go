package cli

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the signal goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStopSignals: SIGTERM and SIGHUP cancel a command's context as SIGINT
// does (without being caught they would kill the test process), and a
// second signal exits at once with status 130.
func TestStopSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			exited := make(chan int, 1)
			exitNow = func(code int) { exited <- code }
			defer func() { exitNow = os.Exit }()
			var stderr syncBuffer
			ctx, stop := interruptible(&stderr, "run")
			defer stop()
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("%v did not cancel the context", sig)
			}
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case code := <-exited:
				if code != 130 {
					t.Fatalf("second %v: exit %d, want 130", sig, code)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("a second %v did not exit", sig)
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "loralab run: ") || !strings.Contains(lines[1], "quitting without saving") {
				t.Fatalf("stderr %q", stderr.String())
			}
		})
	}
}
