package targets

// This file owns reading targets: id lists, URL lists and a SWAPI resource's URL template.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/swapi"
)

// MaxIDs bounds how many ids one --ids expression may expand to.
const MaxIDs = 10_000_000

// parseIDList parses a comma-separated list of ids and inclusive ranges ("1-9,12,20-25").
// Ids are ≥ 1; a repeated id is kept (each listed id is one request). It fails, before
// expanding anything, when the list would hold more than MaxIDs ids.
func parseIDList(s string) ([]int, error) {
	return appendIDs(nil, s)
}

// appendIDs appends the ids of the list s to ids, failing when there would be more than
// MaxIDs in all.
func appendIDs(ids []int, s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty id list")
	}
	type span struct{ lo, n int }
	var spans []span
	total := len(ids)
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := parseID(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = parseID(hi); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("range %q runs backwards", part)
			}
		}
		// b-a cannot overflow (1 ≤ a ≤ b), and total stays ≤ MaxIDs.
		if b-a >= MaxIDs-total {
			return nil, fmt.Errorf("more than %d ids", MaxIDs)
		}
		spans = append(spans, span{a, b - a + 1})
		total += b - a + 1
	}
	ids = slices.Grow(ids, total-len(ids))
	for _, sp := range spans {
		for k := range sp.n {
			ids = append(ids, sp.lo+k)
		}
	}
	return ids, nil
}

func parseID(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("missing id")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("bad id %q: want a whole number ≥ 1", s)
	}
	return n, nil
}

// maxLine is the longest line readIDs and readURLList accept.
const maxLine = 1 << 20

// scanLines calls fn with each line of r and its 1-based number until fn fails. Every error
// names its line: fn's, a line longer than maxLine, or a failed read.
func scanLines(r io.Reader, fn func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	line := 1
	for ; sc.Scan(); line++ {
		if err := fn(line, sc.Text()); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return fmt.Errorf("line %d: longer than %d bytes", line, maxLine)
	case err != nil:
		return fmt.Errorf("line %d: %w", line, err)
	}
	return nil
}

// readIDs reads whitespace-separated ids (or ranges) from r, one or more per line; # starts
// a comment. Errors name the line.
func readIDs(r io.Reader) ([]int, error) {
	var ids []int
	err := scanLines(r, func(_ int, text string) error {
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		for _, f := range strings.Fields(text) {
			var err error
			if ids, err = appendIDs(ids, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("no ids read")
	}
	return ids, nil
}

// readURLList reads one absolute http(s) URL per line; blank lines and lines starting with # are
// skipped. Errors name the line.
func readURLList(r io.Reader) (fetcher.TargetList, error) {
	var ts fetcher.TargetList
	err := scanLines(r, func(_ int, text string) error {
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			return nil
		}
		if err := fetcher.CheckURL(text); err != nil {
			return err
		}
		ts = append(ts, fetcher.Target{ID: swapi.TrailingID(text), URL: text})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, errors.New("no urls read")
	}
	return ts, nil
}

// resourceTemplate is the URL template of a SWAPI resource's detail documents under base
// ("https://swapi.dev/api/") in dialect d's URL shape.
func resourceTemplate(d *swapi.Dialect, base, resource string) (string, error) {
	if err := swapi.CheckResource(resource); err != nil {
		return "", err
	}
	if err := fetcher.CheckURL(base); err != nil {
		return "", err
	}
	if err := swapi.CheckBaseURL(base); err != nil {
		return "", err
	}
	return d.Template(base, resource), nil
}
