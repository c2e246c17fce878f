package report

import "github.com/fetchbench/fetchbench/internal/textsafe"

// Sanitize makes s safe to print on a terminal. C0 control characters, DEL and C1 control
// characters become visible escapes (\n, \r, \t, \x1b, \x7f, \u009b), as do the Unicode line
// separators and bidirectional formatting controls (\u202e); invalid UTF-8 becomes U+FFFD.
// Everything else, backslashes included, is kept as is.
func Sanitize(s string) string { return textsafe.Sanitize(s) }

// unsafeRune reports whether r is a C1 control, a line or paragraph separator, or a
// bidirectional formatting control.
func unsafeRune(r rune) bool { return textsafe.Unsafe(r) }
