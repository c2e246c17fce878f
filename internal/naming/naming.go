// Package naming lets a library refer to one of its options in text it writes itself (a
// line, a record's error, an error's message) as its front end names that option.
package naming

import (
	"errors"
	"strings"
)

// Namer names the option that sets a library's field, keyed as the library spells the field
// ("crawl.Job.Depth", "redispool.WorkerConfig.AllowHosts"), the way the front end's users know
// it (a command line: "--depth"); "" when the front end has no name for it. A nil Namer names
// nothing.
type Namer func(field string) string

// Option is how text refers to the option setting field, with arg ("" for none) the value
// or placeholder that follows its name: n's name and arg ("--repeat 3"), or words ("3
// repetitions") when n is nil or has no name for field.
func (n Namer) Option(field, arg, words string) string {
	if n == nil {
		return words
	}
	name := n(field)
	switch {
	case name == "":
		return words
	case arg != "":
		return name + " " + arg
	}
	return name
}

// Worded is an error whose message refers to options: Error words them for a front end with
// no names (as a nil Namer does), Word with n's names.
type Worded interface {
	error
	Word(n Namer) string
}

// Text is err's message with the first Worded error in its chain worded by n, whatever
// wraps it keeping its words around it; err's message when there is none. A nil err is "".
func Text(err error, n Namer) string {
	if err == nil {
		return ""
	}
	var w Worded
	if !errors.As(err, &w) {
		return err.Error()
	}
	return strings.Replace(err.Error(), w.Error(), w.Word(n), 1)
}
