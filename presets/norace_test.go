//go:build !race

package presets

const raceEnabled = false
