package fetcher

// This file owns the scope rule: the hosts a run may send requests to, checked on every
// request and every redirect, and on every URL pushed into a Frontier.

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ErrOutOfScope is wrapped by the error of a request, redirect or push whose URL is not on
// one of the hosts of the run's Scope, or whose scheme is not http(s).
var ErrOutOfScope = errors.New("outside the hosts you named")

// ErrNoAnswer is wrapped by the error of work built on requests (a discovery, say) that
// failed because a request got no answer at all: the server could not be reached, as opposed
// to an answer that was an error or not what was expected.
var ErrNoAnswer = errors.New("no answer")

// Scope is the set of hosts (host and port as written; http and https alike) a run may send
// requests to: the hosts the user named (base URL, URL template, URL list). The zero value
// names no host and allows any http(s) URL; Schedule then scopes the run to the hosts of its
// source's base targets, when it has any. A Scope is never modified once built and is safe for concurrent use.
type Scope struct {
	hosts map[string]bool // "127.0.0.1:8080", "swapi.dev"
}

// NewScope is the scope of the hosts of urls; a URL that does not parse adds nothing.
func NewScope(urls ...string) Scope {
	s := Scope{hosts: map[string]bool{}}
	for _, u := range urls {
		if k, ok := hostKey(u); ok {
			s.hosts[k] = true
		}
	}
	return s
}

// ScopeOf is the scope of the hosts of every target of t. A URL template whose {id} is not in
// its host costs one look, however many ids it has.
func ScopeOf(t Targets) Scope {
	if tt, ok := t.(*Templated); ok {
		one, _ := hostKey(strings.ReplaceAll(tt.tmpl, "{id}", "1"))
		two, _ := hostKey(strings.ReplaceAll(tt.tmpl, "{id}", "2"))
		if one == two {
			return NewScope(strings.ReplaceAll(tt.tmpl, "{id}", "1"))
		}
	}
	s := Scope{hosts: map[string]bool{}}
	for i := range t.Len() {
		if k, ok := hostKey(t.At(i).URL); ok {
			s.hosts[k] = true
		}
	}
	return s
}

// IsZero reports whether s names no host (and so allows any http(s) host).
func (s Scope) IsZero() bool { return len(s.hosts) == 0 }

// Check returns nil when u may be requested: an http(s) URL on one of s's hosts (any host
// when s is zero). Otherwise its error wraps ErrOutOfScope and names u's host.
func (s Scope) Check(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("%s: %w", redact(u), ErrOutOfScope)
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return fmt.Errorf("%q: not an http(s) URL, %w", redact(u), ErrOutOfScope)
	}
	k, _ := hostKey(u)
	if s.IsZero() || s.hosts[k] {
		return nil
	}
	return fmt.Errorf("host %s is %w (%s)", p.Host, ErrOutOfScope, s)
}

// Hosts lists s's hosts (host and port as written, lowercased), sorted; NewScope of
// "http://"+host for each gives s back.
func (s Scope) Hosts() []string {
	keys := make([]string, 0, len(s.hosts))
	for k := range s.hosts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// String lists s's hosts, sorted: "127.0.0.1:8080, swapi.dev".
func (s Scope) String() string { return strings.Join(s.Hosts(), ", ") }

// hostKey is u's host and port as written, lowercased: http and https on one host are one
// host (a redirect to https stays in scope).
func hostKey(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	return strings.ToLower(p.Host), true
}
