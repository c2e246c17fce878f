// Package badinput owns the error kind of bad input from the user (a flag's value, a
// combination, a file a flag names): the command exits 2 with its one line.
package badinput

import "fmt"

// Error is bad input from the user; its message is the whole line, naming the flag.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Errorf formats an Error as fmt.Sprintf does.
func Errorf(format string, a ...any) error { return &Error{msg: fmt.Sprintf(format, a...)} }
