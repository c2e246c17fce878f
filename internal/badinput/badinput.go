// Package badinput owns the error kind of bad input from the user (a flag's value, a
// combination, a file a flag names): the command exits 2 with its one line.
package badinput

import "fmt"

// Error is bad input from the user; its message is the whole line, naming the flag.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Errorf formats an Error as fmt.Sprintf does.
func Errorf(format string, a ...any) error { return &Error{msg: fmt.Sprintf(format, a...)} }

// FieldError is an error about one field of a library's input: Field names it as the library
// does ("report.Records"), and a front end words it as its users know it (package main: the
// flag). Arg, when not "", is the part of the field's value the error is about. Bad is set for
// bad input from the user (the command exits 2), clear for a failure with that field.
type FieldError struct {
	Field, Arg string
	Err        error
	Bad        bool
}

func (e *FieldError) Error() string {
	if e.Arg != "" {
		return e.Field + " " + e.Arg + ": " + e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

// Field is bad input in field: a *FieldError with Bad set.
func Field(field string, err error) error { return &FieldError{Field: field, Err: err, Bad: true} }
