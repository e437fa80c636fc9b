// Command loralab is LoRA Lab: a terminal lab to learn and compare the LoRA
// family of fine-tuning methods by running them. main only wires: every face
// the program shows lives in ui/, the engine in lab/, the methods in adapters/.
package main

import (
	"os"

	"github.com/loralab/loralab/ui/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
