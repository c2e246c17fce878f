package fetcher

import (
	"errors"
	"testing"
)

func TestScopeModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mode  ScopeMode
		seeds []string
		in    []string
		out   []string
	}{
		{
			name: "host", mode: ScopeHost, seeds: []string{"http://127.0.0.1:8080/docs/index.html"},
			in:  []string{"http://127.0.0.1:8080/", "https://127.0.0.1:8080/other"},
			out: []string{"http://127.0.0.1:8081/", "http://localhost:8080/", "ftp://127.0.0.1:8080/"},
		},
		{
			name: "domain", mode: ScopeDomain, seeds: []string{"https://www.swapi.dev/api/"},
			in:  []string{"https://swapi.dev/", "http://api.swapi.dev:8080/x", "https://WWW.SWAPI.DEV/api/people/"},
			out: []string{"https://notswapi.dev/", "https://swapi.dev.evil.com/", "https://dev/"},
		},
		{
			name: "domain of a public suffix host", mode: ScopeDomain, seeds: []string{"https://a.github.io/"},
			in:  []string{"https://a.github.io/x", "https://b.a.github.io/"},
			out: []string{"https://b.github.io/"},
		},
		{
			name: "domain of an address is its host and port", mode: ScopeDomain, seeds: []string{"http://127.0.0.1:8080/"},
			in:  []string{"http://127.0.0.1:8080/x", "https://127.0.0.1:8080/"},
			out: []string{"http://127.0.0.1:9/x", "http://127.0.0.1/", "http://127.0.0.2:8080/", "http://evil.127.0.0.1:8080/", "http://evil.127.0.0.1/"},
		},
		{
			name: "domain of an IPv6 address is its host and port", mode: ScopeDomain, seeds: []string{"http://[::1]:8080/"},
			in:  []string{"http://[::1]:8080/x"},
			out: []string{"http://[::1]:8081/", "http://[::2]:8080/"},
		},
		{
			name: "domain of localhost is its host and port", mode: ScopeDomain, seeds: []string{"http://localhost:8080/", "http://App.localhost:9000/"},
			in:  []string{"http://LOCALHOST:8080/a", "http://app.localhost:9000/"},
			out: []string{"http://localhost:8081/", "http://a.localhost:8080/", "http://x.app.localhost:9000/", "http://app.localhost:9001/"},
		},
		{
			name: "an address seed beside a domain seed", mode: ScopeDomain, seeds: []string{"http://127.0.0.1:8080/", "https://swapi.dev/"},
			in:  []string{"http://127.0.0.1:8080/", "https://www.swapi.dev:8443/"},
			out: []string{"http://127.0.0.1:8081/", "http://127.0.0.1.swapi.dev.evil/"},
		},
		{
			name: "prefix", mode: ScopePrefix, seeds: []string{"http://127.0.0.1:8080/docs/index.html", "http://h/api/"},
			in:  []string{"http://127.0.0.1:8080/docs/", "https://127.0.0.1:8080/docs/a/b", "http://h/api/people/1/"},
			out: []string{"http://127.0.0.1:8080/doc", "http://127.0.0.1:8080/robots.txt", "http://h/apiary", "http://other/docs/"},
		},
		{
			name: "prefix of a bare host", mode: ScopePrefix, seeds: []string{"http://h"},
			in:  []string{"http://h/", "http://h/anything"},
			out: []string{"http://g/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewScopeMode(tt.mode, tt.seeds...)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range tt.in {
				if err := s.Check(u); err != nil {
					t.Errorf("Check(%q) = %v, want in scope (%s)", u, err, s)
				}
			}
			for _, u := range tt.out {
				if err := s.Check(u); !errors.Is(err, ErrOutOfScope) {
					t.Errorf("Check(%q) = %v, want out of scope (%s)", u, err, s)
				}
			}
		})
	}
	if _, err := NewScopeMode("planet", "http://h/"); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestScopeHostsOfPrefix(t *testing.T) {
	t.Parallel()
	s, _ := NewScopeMode(ScopePrefix, "http://127.0.0.1:8080/docs/")
	if err := s.Hosts().Check("http://127.0.0.1:8080/robots.txt"); err != nil {
		t.Errorf("robots.txt outside the prefix's host scope: %v", err)
	}
	if err := s.Hosts().Check("http://127.0.0.1:8081/"); err == nil {
		t.Error("another port in the prefix's host scope")
	}
}
