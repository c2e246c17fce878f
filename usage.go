package main

// This file owns the commands' usage texts, kept as text in usage/ (the flags follow them).

import "embed"

//go:embed usage/*.txt
var usageTexts embed.FS

// usage is the usage text of command name, usage/NAME.txt ("" for a name without one).
func usage(name string) string {
	b, _ := usageTexts.ReadFile("usage/" + name + ".txt")
	return string(b)
}
