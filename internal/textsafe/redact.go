package textsafe

import "strings"

// Masked is what stands for a URL's password once masked, as url.URL.Redacted writes it.
const Masked = "xxxxx"

// RedactURL masks the password of the URL text s as url.URL.Redacted does, keeping the rest
// as written (url.Parse may reject it): whatever lies between "://" and the last "@" before
// the next "/" is cut down to its user name and Masked. Text that is no such URL comes back
// as it is.
func RedactURL(s string) string {
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
	return scheme + "://" + user + ":" + Masked + rest[at:]
}

// Redact masks the password of every URL in text (a message, an error that quotes URLs),
// as RedactURL does: each "://" starts an authority that ends at the next "/", "?", "#",
// space, quote, angle bracket or backslash, and a "user:password@" in it becomes
// "user:"+Masked+"@". Go's own mask ("user:***@") is rewritten the same way.
func Redact(text string) string {
	if !strings.Contains(text, "://") || !strings.Contains(text, "@") {
		return text
	}
	var b strings.Builder
	rest := text
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		i += len("://")
		b.WriteString(rest[:i])
		rest = rest[i:]
		end := strings.IndexAny(rest, "/?# \t\r\n\"'`<>\\")
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			if user, _, hasPass := strings.Cut(auth[:at], ":"); hasPass {
				b.WriteString(user + ":" + Masked)
				auth = auth[at:]
			}
		}
		b.WriteString(auth)
		rest = rest[end:]
	}
	b.WriteString(rest)
	return b.String()
}
