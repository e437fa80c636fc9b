package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/loralab/loralab/lab"
	"github.com/loralab/loralab/presets"
)

const presetsIntro = `usage: loralab presets [list]
       loralab presets show NAME
       loralab presets check FILE...

list (the default) prints every preset: name, mode and title. The built-in
presets come first, then every *.toml file in the user presets folder
(%s); a user preset with a built-in's name replaces it.
show prints one preset in the file format, to copy and edit:
  loralab presets show rank-matters > %s/my-ranks.toml
check validates preset files and prints what is wrong, with the line.
Exit status: 0 ok, 1 a user preset file is bad, 2 bad arguments.`

// runPresets is `loralab presets`.
func runPresets(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loralab presets", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := presets.UserDir()
	shown := dir
	if shown == "" {
		shown = "no config folder is known on this system"
	}
	intro := fmt.Sprintf(presetsIntro, shown, orPlaceholder(dir))
	// Flags may come before or after the subcommand and its arguments.
	var pos []string
	for rest := args; ; {
		err := parseFlags(fs, rest)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, intro)
			return exitOK
		}
		if err != nil {
			return usageError(stderr, "presets", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	sub := "list"
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	switch sub {
	case "list":
		if len(pos) > 0 {
			return usageError(stderr, "presets", fmt.Errorf("list takes no arguments, got %q; to see one preset: loralab presets show NAME", pos[0]))
		}
		return listPresets(dir, stdout, stderr)
	case "show":
		all, errs := presets.All(dir)
		if len(pos) != 1 {
			return usageError(stderr, "presets", fmt.Errorf("show needs one preset name; the presets are: %s", strings.Join(presets.Names(all), ", ")))
		}
		p, err := presets.Lookup(all, pos[0])
		if err != nil {
			for _, e := range errs { // the preset asked for may be in a bad file
				fmt.Fprintf(stderr, "loralab presets: %s\n", oneLine(e.Error()))
			}
			return usageError(stderr, "presets", err)
		}
		fmt.Fprint(stdout, p.TOML())
		return exitOK
	case "check":
		if len(pos) == 0 {
			return usageError(stderr, "presets", errors.New("check needs one or more preset files, e.g. loralab presets check my.toml"))
		}
		code := exitOK
		for _, file := range pos {
			p, err := presets.Load(file)
			if err != nil {
				fmt.Fprintf(stderr, "loralab presets: %s\n", oneLine(err.Error()))
				code = exitFailed
				continue
			}
			fmt.Fprintf(stdout, "%s: ok: preset %s (%s of %s)\n", file, p.Name, p.Mode, strings.Join(p.Methods, ", "))
		}
		return code
	}
	return usageError(stderr, "presets", fmt.Errorf("unknown subcommand %q; use list, show NAME or check FILE", sub))
}

// listPresets prints the table of presets; bad user files are reported on
// stderr (one line each) and make the exit status 1, but the others list.
func listPresets(dir string, stdout, stderr io.Writer) int {
	all, errs := presets.All(dir)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tMODE\tTITLE\tSOURCE")
	for _, p := range all {
		src := lab.Printable(p.Source, false) // a user file's name may hold control characters
		if p.Name == presets.DefaultName && p.Source == presets.BuiltInSource {
			src += " (default)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Mode, p.Title, src)
	}
	tw.Flush()
	for _, e := range errs {
		fmt.Fprintf(stderr, "loralab presets: %s\n", oneLine(e.Error()))
	}
	if len(errs) > 0 {
		return exitFailed
	}
	return exitOK
}

func orPlaceholder(dir string) string {
	if dir == "" {
		return "DIR"
	}
	return dir
}
