// Command kernelname prints the kernel variant the lab would use on this
// machine (for benchmark reports).
package main

import (
	"fmt"

	"github.com/loralab/loralab/lab/kernel"
)

func main() { fmt.Println(kernel.Name(), "of", kernel.Available()) }
