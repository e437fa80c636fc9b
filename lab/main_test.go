package lab_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (a run's training loop,
// a timer) outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
