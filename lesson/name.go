package lesson

import (
	"slices"

	"github.com/fetchbench/fetchbench/internal/badinput"
)

// CheckName checks the lesson command's name: one of Names, given; its errors are bad input
// after "lesson: ".
func CheckName(name string) error {
	switch {
	case name == "":
		return badinput.Errorf("lesson: name one of restaurant, gather or workers")
	case !slices.Contains(Names, name):
		return badinput.Errorf("lesson: unknown lesson %q (want restaurant, gather or workers)", name)
	}
	return nil
}
