package cli

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real loralab command line as a program
// named loralab inside each script (the test binary re-executes itself).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"loralab": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs every testdata/script/*.txtar end to end through the binary:
// the commands' output, exit statuses and the bad-input cases.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
