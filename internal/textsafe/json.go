package textsafe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// CleanJSON returns the JSON value b compacted onto one line with its members in their order,
// invalid UTF-8 replaced by U+FFFD and every Unsafe rune escaped as \uXXXX, so that it is
// safe on a terminal and in line-based tools. It fails when b is not one valid JSON value or
// nests deeper than MaxDepth.
func CleanJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	out := make([]byte, 0, len(b))
	// Each open object or array is one entry: its count of tokens so far.
	type level struct {
		object bool
		n      int
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(stack) == 0 && len(out) > 0 {
			return nil, errors.New("more than one JSON value")
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if d, ok := tok.(json.Delim); !ok || (d != '}' && d != ']') {
				switch {
				case top.object && top.n%2 == 1:
					out = append(out, ':')
				case top.n > 0:
					out = append(out, ',')
				}
				top.n++
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			out = append(out, byte(v))
			switch v {
			case '{', '[':
				if len(stack) >= MaxDepth {
					return nil, fmt.Errorf("nested deeper than %d levels", MaxDepth)
				}
				stack = append(stack, level{object: v == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			out = appendString(out, v)
		case json.Number:
			out = append(out, v...)
		case bool:
			if v {
				out = append(out, "true"...)
			} else {
				out = append(out, "false"...)
			}
		case nil:
			out = append(out, "null"...)
		}
	}
	switch {
	case len(out) == 0:
		return nil, errors.New("no JSON value")
	case len(stack) > 0:
		return nil, errors.New("unexpected end of JSON input")
	}
	return EscapeJSON(out), nil
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
			out = append(out, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
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
