package fetcher

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/fetchbench/fetchbench/internal/textsafe"
)

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

// redact masks the password of URL text (textsafe.RedactURL).
func redact(s string) string { return textsafe.RedactURL(s) }

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
