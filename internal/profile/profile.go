// Package profile owns the hidden --cpuprofile: a CPU profile of the run written to a file.
package profile

import (
	"os"
	"runtime/pprof"

	"github.com/fetchbench/fetchbench/internal/badinput"
)

// Start creates path and starts a CPU profile into it; stop ends it and closes the file.
// A file that cannot be created is bad input in field "profile.Path" (badinput.FieldError).
func Start(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, badinput.Field("profile.Path", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, &badinput.FieldError{Field: "profile.Path", Err: err}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
