package fetcher

// This file owns the crawl's URL normalisation: the form in which a URL is fetched and
// written, one spelling per resource.

import (
	"fmt"
	"net/url"
	"strings"
)

// NormalizeURL returns the form in which an absolute http(s) URL is fetched: scheme and
// host lowercased, the scheme's default port (80, 443) dropped, an empty path made "/", the
// fragment and an empty trailing "?" dropped, percent-escaped unreserved characters decoded
// and the other escapes upper-cased (RFC 3986 §6.2.2), and dot segments resolved. Escapes are
// never escaped again ("a%20b" stays "a%20b"), and a trailing slash is kept: whether it
// counts is the identity's rule (Key), not the fetched form's. Key(NormalizeURL(u), s) is
// Key(u, s). It fails on a URL that does not parse, is not absolute http(s), has no host, or
// carries user information.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("%q: credentials in a URL are refused", redact(raw))
	}
	scheme, host, path, query := canonical(u)
	if query != "" {
		return scheme + "://" + host + path + "?" + query, nil
	}
	return scheme + "://" + host + path, nil
}
