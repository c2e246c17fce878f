package fetcher

// This file owns the one URL identity: the form two spellings of a resource compare equal
// in, with the trailing-slash rule as its parameter.

import (
	"net"
	"net/url"
	"strings"
)

// Slash is how a URL's identity counts a trailing slash of its path.
type Slash uint8

const (
	// SlashCounts tells "a/" and "a" apart: the web's rule, where they may be two resources;
	// a crawl's.
	SlashCounts Slash = iota
	// SlashIgnored makes "people/1/" and "people/1" one resource: every SWAPI dialect's
	// (swapi.dev and py4e answer the bare form with a redirect to the slash, tech and info
	// answer both); a Frontier's.
	SlashIgnored
)

// Key is the identity of a URL under the trailing-slash rule slash: two URLs with one key
// name one resource, and are fetched once. It lower-cases the scheme and host, reads
// localhost as 127.0.0.1, drops a trailing dot of the host, a default port (80 for http, 443
// for https), the fragment and an empty query's "?", decodes percent-escaped unreserved
// characters (RFC 3986 §6.2.2.2: "%73ame" is "same") and upper-cases the remaining escapes,
// then resolves "." and ".." segments and reads an empty path as "/"; with SlashIgnored it
// also drops a trailing slash. What is fetched is the URL itself (or NormalizeURL's form),
// never its key. A string that does not parse as an absolute URL is its own key.
func Key(raw string, slash Slash) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return raw
	}
	scheme, host, path, query := canonical(u)
	if host == "localhost" {
		host = "127.0.0.1"
	} else if h, port, err := net.SplitHostPort(host); err == nil && h == "localhost" {
		host = net.JoinHostPort("127.0.0.1", port)
	}
	if slash == SlashIgnored && len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	var b strings.Builder
	b.WriteString(scheme + "://")
	if u.User != nil {
		b.WriteString(u.User.String() + "@")
	}
	b.WriteString(host + path)
	if query != "" {
		b.WriteString("?" + query)
	}
	return b.String()
}

// URLKey is Key(raw, SlashIgnored): a Frontier's identity (Frontier.Key).
func URLKey(raw string) string { return Key(raw, frontierSlash) }

// canonical is u's scheme, host (with a port other than the scheme's default), escaped path
// and escaped query in their normal forms; see Key.
func canonical(u *url.URL) (scheme, host, path, query string) {
	scheme = strings.ToLower(u.Scheme)
	host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
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
	// Escapes are decoded before dot segments are resolved, so that "%2e%2e" is "..", as
	// RFC 3986 §6.2.2 orders it and browsers do; the path stays escaped throughout.
	path = removeDotSegments(unescapeUnreserved(u.EscapedPath()))
	return scheme, host, path, unescapeUnreserved(u.RawQuery)
}

// removeDotSegments resolves the "." and ".." segments of an escaped path (RFC 3986 §5.2.4),
// keeping a trailing slash; the result starts with "/".
func removeDotSegments(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	if !strings.Contains(p, "/.") {
		return p
	}
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/")
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
