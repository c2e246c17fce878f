package fetcher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// MaxIDs bounds how many ids one --ids expression may expand to.
const MaxIDs = 10_000_000

// ParseIDs parses a comma-separated list of ids and inclusive ranges ("1-9,12,20-25").
// Ids are ≥ 1; a repeated id is kept (each listed id is one request).
func ParseIDs(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty id list")
	}
	var ids []int
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
		if len(ids)+(b-a+1) > MaxIDs {
			return nil, fmt.Errorf("more than %d ids", MaxIDs)
		}
		for id := a; id <= b; id++ {
			ids = append(ids, id)
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

// ReadIDs reads whitespace-separated ids (or ranges) from r, one or more per line.
// Errors name the line.
func ReadIDs(r io.Reader) ([]int, error) {
	var ids []int
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		for _, f := range strings.Fields(text) {
			got, err := ParseIDs(f)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if len(ids)+len(got) > MaxIDs {
				return nil, fmt.Errorf("line %d: more than %d ids", line, MaxIDs)
			}
			ids = append(ids, got...)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ids: %w", err)
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
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := CheckURL(text); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		ts = append(ts, Target{ID: trailingID(text), URL: text})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read urls: %w", err)
	}
	if len(ts) == 0 {
		return nil, errors.New("no urls read")
	}
	return ts, nil
}

// CheckURL reports whether s is an absolute http or https URL with a host.
func CheckURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("bad url %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("bad url %q: want an absolute http:// or https:// URL", s)
	}
	return nil
}

// trailingID is the last all-digit path segment of u, or 0.
func trailingID(u string) int {
	p, err := url.Parse(u)
	if err != nil {
		return 0
	}
	segs := strings.Split(strings.Trim(p.Path, "/"), "/")
	n, err := strconv.Atoi(segs[len(segs)-1])
	if err != nil || n < 0 {
		return 0
	}
	return n
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
