// Package textsafe escapes strings from untrusted sources before they reach a terminal.
package textsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes s safe to print on a terminal. C0 control characters, DEL and C1 control
// characters become visible escapes (\n, \r, \t, \x1b, \x7f, \u009b), as do the Unicode line
// separators and bidirectional formatting controls (\u202e); invalid UTF-8 becomes U+FFFD.
// Everything else, backslashes included, is kept as is.
func Sanitize(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case Unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Unsafe reports whether r is a C1 control, a line or paragraph separator, or a
// bidirectional formatting control.
func Unsafe(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f,
		r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x2028 && r <= 0x202e,
		r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
