package fetcher

// This file owns URLKey, the form URLs are told apart by when work is deduplicated.

import (
	"net"
	"net/url"
	"strings"
)

// URLKey is the form URLs are told apart by: two URLs with one key name one resource, and
// are fetched once. It lower-cases the scheme and host, reads localhost as 127.0.0.1, drops
// a trailing dot of the host, a default port (80 for http, 443 for https), the fragment and
// an empty query's "?", resolves "." and ".." segments, decodes percent-escaped unreserved
// characters and upper-cases the remaining escapes, reads an empty path as "/" and ignores a
// trailing slash (planets/1/ is planets/1). What is fetched is the URL itself, never its key.
// A string that does not parse as an absolute URL is its own key.
func URLKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return raw
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" {
		host = "127.0.0.1"
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		host = "[" + host + "]"
	}
	p := u.ResolveReference(&url.URL{}).EscapedPath() // resolves dot segments
	p = strings.TrimSuffix(unescapeUnreserved(p), "/")
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	var b strings.Builder
	b.WriteString(scheme + "://")
	if u.User != nil {
		b.WriteString(u.User.String() + "@")
	}
	b.WriteString(host + p)
	if u.RawQuery != "" {
		b.WriteString("?" + unescapeUnreserved(u.RawQuery))
	}
	return b.String()
}

// unescapeUnreserved decodes the escapes of unreserved characters in s (RFC 3986 2.3: letters,
// digits, "-", ".", "_", "~") and upper-cases the hex digits of the others.
func unescapeUnreserved(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			b.WriteByte(s[i])
			continue
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if isUnreserved(c) {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(s[i+1:i+3]))
		}
		i += 2
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
