package fetcher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fetchbench/fetchbench/swapi"
)

// MaxIDs bounds how many ids one --ids expression may expand to.
const MaxIDs = 10_000_000

// ParseIDs parses a comma-separated list of ids and inclusive ranges ("1-9,12,20-25").
// Ids are ≥ 1; a repeated id is kept (each listed id is one request). It fails, before
// expanding anything, when the list would hold more than MaxIDs ids.
func ParseIDs(s string) ([]int, error) {
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

// maxLine is the longest line ReadIDs and ReadURLs accept.
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

// ReadIDs reads whitespace-separated ids (or ranges) from r, one or more per line; # starts
// a comment. Errors name the line.
func ReadIDs(r io.Reader) ([]int, error) {
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

// ReadURLs reads one absolute http(s) URL per line; blank lines and lines starting with # are
// skipped. Errors name the line.
func ReadURLs(r io.Reader) (TargetList, error) {
	var ts TargetList
	err := scanLines(r, func(_ int, text string) error {
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			return nil
		}
		if err := CheckURL(text); err != nil {
			return err
		}
		ts = append(ts, Target{ID: swapi.TrailingID(text), URL: text})
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

// CheckURL reports whether s is an absolute http or https URL with a host and, if it has
// one, a port from 1 to 65535. Its errors show s with any password masked.
func CheckURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("bad url %q: %w", redact(s), errors.Unwrap(err))
	}
	shown := redact(s)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("bad url %q: want an absolute http:// or https:// URL", shown)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("bad url %q: port %s is not between 1 and 65535", shown, p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("bad url %q: empty port", shown)
	}
	return nil
}

// redact masks the password of URL text as url.URL.Redacted does, keeping the rest as written
// (url.Parse may reject it): whatever lies between "://"
// and the last "@" before the next "/" is cut down to its user name.
func redact(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	host := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host = rest[:i]
	}
	at := strings.LastIndexByte(host, '@')
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(host[:at], ":")
	if !hasPass {
		return s
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// Targets is an indexed, read-only list of targets. Implementations are safe for concurrent reads.
type Targets interface {
	Len() int
	At(i int) Target
}

// TargetList is a Targets held in memory.
type TargetList []Target

// Len is the number of targets.
func (l TargetList) Len() int { return len(l) }

// At returns target i.
func (l TargetList) At(i int) Target { return l[i] }

// Templated is a Targets that builds each URL from a template containing {id} when asked,
// so a million targets cost only their ids.
type Templated struct {
	tmpl string
	ids  []int // nil: the ids are 1..n
	n    int
}

// TemplateTargets returns the targets of a URL template containing {id}, one per id.
func TemplateTargets(tmpl string, ids []int) (*Templated, error) {
	if !strings.Contains(tmpl, "{id}") {
		return nil, fmt.Errorf("url template %q has no {id}", tmpl)
	}
	if err := CheckURL(strings.ReplaceAll(tmpl, "{id}", "1")); err != nil {
		return nil, err
	}
	return &Templated{tmpl: tmpl, ids: ids, n: len(ids)}, nil
}

// RangeTargets is TemplateTargets for the ids 1..n, without storing them.
func RangeTargets(tmpl string, n int) (*Templated, error) {
	t, err := TemplateTargets(tmpl, nil)
	if err != nil {
		return nil, err
	}
	t.n = max(n, 0)
	return t, nil
}

// Len is the number of ids.
func (t *Templated) Len() int { return t.n }

// At returns the target of the i-th id.
func (t *Templated) At(i int) Target {
	id := i + 1
	if t.ids != nil {
		id = t.ids[i]
	}
	return Target{ID: id, URL: strings.ReplaceAll(t.tmpl, "{id}", strconv.Itoa(id))}
}
