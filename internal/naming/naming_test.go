package naming_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fetchbench/fetchbench/internal/naming"
)

var flags = naming.Namer(func(field string) string {
	return map[string]string{"pkg.Config.Repeat": "--repeat"}[field]
})

func TestOption(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		n          naming.Namer
		field, arg string
		want       string
	}{
		{"named with arg", flags, "pkg.Config.Repeat", "3", "--repeat 3"},
		{"named without arg", flags, "pkg.Config.Repeat", "", "--repeat"},
		{"field without a name", flags, "pkg.Config.Other", "3", "3 repetitions"},
		{"nil namer", nil, "pkg.Config.Repeat", "3", "3 repetitions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.n.Option(tc.field, tc.arg, "3 repetitions"); got != tc.want {
				t.Errorf("Option(%q, %q) = %q, want %q", tc.field, tc.arg, got, tc.want)
			}
		})
	}
}

// repeatError is a Worded error naming the repeat option.
type repeatError struct{}

func (repeatError) Error() string { return "rerun with 3 repetitions" }

func (repeatError) Word(n naming.Namer) string {
	return "rerun with " + n.Option("pkg.Config.Repeat", "3", "3 repetitions")
}

func TestText(t *testing.T) {
	t.Parallel()
	plain := errors.New("plain")
	for _, tc := range []struct {
		name string
		err  error
		n    naming.Namer
		want string
	}{
		{"nil error", nil, flags, ""},
		{"not worded", fmt.Errorf("run: %w", plain), flags, "run: plain"},
		{"worded", repeatError{}, flags, "rerun with --repeat 3"},
		{"wrapped, words kept around it", fmt.Errorf("run: %w; records written", repeatError{}), flags, "run: rerun with --repeat 3; records written"},
		{"nil namer", fmt.Errorf("run: %w", repeatError{}), nil, "run: rerun with 3 repetitions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := naming.Text(tc.err, tc.n); got != tc.want {
				t.Errorf("Text() = %q, want %q", got, tc.want)
			}
		})
	}
}
