package textsafe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// CleanJSON returns the JSON value b compacted onto one line with its members in their order,
// invalid UTF-8 replaced by U+FFFD and every Unsafe rune escaped as \uXXXX, so that it is
// safe on a terminal and in line-based tools; escape sequences and numbers are kept as
// written. It fails when b is not one valid JSON value or nests deeper than MaxDepth. It
// returns b itself when b is clean already, else one copy of about len(b).
func CleanJSON(b []byte) ([]byte, error) {
	if TooDeep(b, MaxDepth) {
		return nil, fmt.Errorf("nested deeper than %d levels", MaxDepth)
	}
	if !json.Valid(b) {
		var v struct{}
		if err := json.Unmarshal(b, &v); err != nil { // the scanner's error, before any decoding
			return nil, err
		}
		return nil, errors.New("not a JSON value")
	}
	if isClean(b) {
		return b, nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c != '"' {
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				out = append(out, c)
			}
			i++
			continue
		}
		out = append(out, '"')
		for i++; b[i] != '"'; {
			switch c := b[i]; {
			case c == '\\':
				out = append(out, c, b[i+1])
				i += 2
			case c < utf8.RuneSelf:
				out = append(out, c)
				i++
			default:
				r, size := utf8.DecodeRune(b[i:])
				switch {
				case r == utf8.RuneError && size == 1:
					out = append(out, "\ufffd"...)
				case Unsafe(r):
					out = appendEscape(out, r)
				default:
					out = append(out, b[i:i+size]...)
				}
				i += size
			}
		}
		out = append(out, '"')
		i++
	}
	return out, nil
}

// isClean reports whether the valid JSON text b is compact, valid UTF-8 and free of Unsafe
// runes: what CleanJSON would return unchanged.
func isClean(b []byte) bool {
	inString := false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if (r == utf8.RuneError && size == 1) || Unsafe(r) {
				return false
			}
			i += size
			continue
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return false
		}
		i++
	}
	return true
}

// appendEscape appends r, a rune of the Basic Multilingual Plane, as \uXXXX.
func appendEscape(out []byte, r rune) []byte {
	return append(out, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// appendString appends s as a JSON string: invalid UTF-8 becomes U+FFFD, HTML characters stay.
func appendString(out []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) //nolint:errcheck // a string always encodes
	return append(out, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// String is s as a clean JSON string (see CleanJSON).
func String(s string) []byte { return EscapeJSON(appendString(nil, s)) }

// EscapeJSON escapes every Unsafe rune of the valid JSON text b as \uXXXX. Outside strings
// valid JSON is ASCII, so only string contents change. It returns b itself when nothing needs
// escaping.
func EscapeJSON(b []byte) []byte {
	var out []byte
	start := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if Unsafe(r) {
			out = append(out, b[start:i]...)
			out = appendEscape(out, r)
			start = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[start:]...)
}

const hexDigits = "0123456789abcdef"

// MaxDepth is the deepest nesting of objects and arrays accepted in a JSON document, as
// encoding/json's validator accepts: evaluating a path (a recursive gjson modifier such as
// @pretty or @dig) on a deeper one could exhaust the stack or take quadratic time.
const MaxDepth = 10000

// TooDeep reports whether b, read as JSON, nests objects and arrays deeper than max levels:
// it counts brackets outside strings, stops at the first level past max, and never
// allocates. b need not be valid JSON.
func TooDeep(b []byte, max int) bool {
	depth, inString := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString:
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}
