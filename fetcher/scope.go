package fetcher

// This file owns the scope rule: the hosts a run may send requests to, checked on every
// request and every redirect, and on every URL pushed into a Frontier.

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"
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
	// domains are registrable domains (any port, any subdomain): "swapi.dev", "127.0.0.1".
	domains map[string]bool
	// prefixes are host keys with a path prefix: "127.0.0.1:8080/docs/". With prefixes the
	// hosts map is empty and every URL must fall under one of them.
	prefixes []string
}

// ScopeMode says how far a Scope built from seed URLs reaches (NewScopeMode).
type ScopeMode string

// The scope modes of a crawl.
const (
	ScopeHost   ScopeMode = "host"   // the seeds' hosts (host and port as written)
	ScopeDomain ScopeMode = "domain" // the seeds' registrable domains: every subdomain and port (an IP or localhost seed: its host and port)
	ScopePrefix ScopeMode = "prefix" // the seeds' hosts, under the seeds' paths up to their last "/"
)

// ScopeModes lists the modes for help texts.
var ScopeModes = []string{string(ScopeHost), string(ScopeDomain), string(ScopePrefix)}

// NewScopeMode is the scope of urls in mode: NewScope's for ScopeHost; for ScopeDomain each
// URL's registrable domain (public suffix plus one label, or the host itself for a
// single-label name), every subdomain and port, except that a URL whose host is an IP
// address or localhost (or under .localhost) adds only its host and port, as ScopeHost does:
// another port there is another server, and an address has no subdomains. For ScopePrefix
// each URL's host and its path up to and including its last "/". A URL that does not parse
// adds nothing.
func NewScopeMode(mode ScopeMode, urls ...string) (Scope, error) {
	switch mode {
	case ScopeHost, "":
		return NewScope(urls...), nil
	case ScopeDomain:
		s := Scope{hosts: map[string]bool{}, domains: map[string]bool{}}
		for _, u := range urls {
			p, err := url.Parse(u)
			if err != nil || p.Host == "" {
				continue
			}
			if k, ok := hostKey(u); ok && isLocalOrIP(p.Hostname()) {
				s.hosts[k] = true
				continue
			}
			s.domains[domainOf(p.Hostname())] = true
		}
		return s, nil
	case ScopePrefix:
		var s Scope
		for _, u := range urls {
			if k, ok := hostKey(u); ok {
				p, _ := url.Parse(u)
				path := p.EscapedPath()
				path = path[:strings.LastIndexByte(path, '/')+1]
				if path == "" {
					path = "/"
				}
				s.prefixes = append(s.prefixes, k+path)
			}
		}
		return s, nil
	}
	return Scope{}, fmt.Errorf("unknown scope %q (want host, domain or prefix)", string(mode))
}

// Hosts is the host scope of s: the hosts of its prefixes for a prefix scope, s itself
// otherwise. A crawl in a prefix scope may request robots.txt at a host's root.
func (s Scope) Hosts() Scope {
	if len(s.prefixes) == 0 {
		return s
	}
	h := Scope{hosts: map[string]bool{}}
	for _, p := range s.prefixes {
		k, _, _ := strings.Cut(p, "/")
		h.hosts[k] = true
	}
	return h
}

// isLocalOrIP reports whether host is an IP address or names the local machine (localhost,
// *.localhost: RFC 6761 §6.3), where a domain scope keeps to the one host and port.
func isLocalOrIP(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// domainOf is host's registrable domain, or host itself when it has none.
func domainOf(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return host
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
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
func (s Scope) IsZero() bool { return len(s.hosts) == 0 && len(s.domains) == 0 && len(s.prefixes) == 0 }

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
	if len(s.domains) > 0 {
		h := strings.ToLower(strings.TrimSuffix(p.Hostname(), "."))
		for d := range s.domains {
			if h == d || strings.HasSuffix(h, "."+d) {
				return nil
			}
		}
	}
	if len(s.prefixes) > 0 {
		path := p.EscapedPath()
		if path == "" {
			path = "/"
		}
		for _, pre := range s.prefixes {
			if strings.HasPrefix(k+path, pre) {
				return nil
			}
		}
	}
	if len(s.prefixes) > 0 {
		return fmt.Errorf("%s is %w (%s)", redact(u), ErrOutOfScope, s)
	}
	return fmt.Errorf("host %s is %w (%s)", p.Host, ErrOutOfScope, s)
}

// HostList lists s's hosts (host and port as written, lowercased), then its domains as
// "*.domain" and its prefixes, sorted; for a host scope, NewScope of "http://"+host for each
// gives s back.
func (s Scope) HostList() []string {
	keys := make([]string, 0, len(s.hosts))
	for k := range s.hosts {
		keys = append(keys, k)
	}
	for d := range s.domains {
		keys = append(keys, "*."+d)
	}
	keys = append(keys, s.prefixes...)
	slices.Sort(keys)
	return keys
}

// String lists s's hosts, domains ("*.swapi.dev") and prefixes, sorted: "127.0.0.1:8080, swapi.dev".
func (s Scope) String() string { return strings.Join(s.HostList(), ", ") }

// hostKey is u's host and port as written, lowercased: http and https on one host are one
// host (a redirect to https stays in scope).
func hostKey(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	return strings.ToLower(p.Host), true
}
