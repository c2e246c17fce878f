package fetcher

// This file owns the crawl's URL normalisation: the form in which two spellings of one
// resource compare equal.

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// NormalizeURL returns the form of an absolute http(s) URL under which a crawl deduplicates
// it: scheme and host lowercased, the scheme's default port (80, 443) dropped, an empty path
// made "/", the fragment and an empty trailing "?" dropped, and dot segments resolved. The
// path and query are kept as written otherwise: a trailing slash is the dialect's to choose
// (swapi.dev's "people/1/" and swapi.tech's "people/1" are different resources), and
// percent-escapes are kept as sent. It fails on a URL that does not parse, is not absolute
// http(s), has no host, or carries user information.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("%q: credentials in a URL are refused", redact(raw))
	}
	host, port := u.Hostname(), u.Port()
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	u.Fragment, u.RawFragment = "", ""
	u.ForceQuery = false
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	} else if strings.Contains(u.Path, "/.") {
		// ResolveReference removes dot segments and keeps a trailing slash.
		u = u.ResolveReference(&url.URL{Path: u.EscapedPath(), RawQuery: u.RawQuery})
	}
	return u.String(), nil
}
