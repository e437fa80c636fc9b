package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals are the signals that stop a command as ctrl+c does: SIGINT,
// SIGTERM (kill, systemd, a container stopping) and SIGHUP (the terminal
// went away). The first one stops the runs and saves what they reached; a
// second one exits at once.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// exitNow ends the process on a second stop signal (tests replace it).
var exitNow = os.Exit

// exitSignalled is the status of a process stopped by a second signal, as
// shells report a process killed by SIGINT.
const exitSignalled = 130

// trainingStarted is called once a command's runs have started, with its
// stop signals caught (tests use it to know when to send a signal).
var trainingStarted = func() {}

// interruptible returns a context that the first stop signal cancels, saying
// so on stderr on one line; a second signal exits at once with status 130.
// Call stop when the command no longer trains: from then on signals have
// their default effect again.
func interruptible(stderr io.Writer, cmd string) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "loralab %s: %s: stopping after the current step and saving what the runs reached (again to quit at once)\n", cmd, signalName(s))
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "loralab %s: %s again: quitting without saving\n", cmd, signalName(s))
			exitNow(exitSignalled)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		<-ended
		cancel()
	}
}

// signalName names a stop signal as people know it.
func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "interrupted"
	case syscall.SIGTERM:
		return "terminated"
	case syscall.SIGHUP:
		return "hung up"
	}
	return s.String()
}
