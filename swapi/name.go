package swapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Name returns the string "name" member of a JSON object body, else its string "title"
// member, else those of its result object, else those of result.properties (swapi.tech's
// detail shape), else ""; the last of duplicate members counts. It fails only on invalid JSON,
// with the same verdict as json.Valid, in one pass over body that validates and extracts
// together.
func Name(body []byte) (string, error) {
	p := nameParser{b: body}
	p.space()
	if err := p.value(levelTop); err != nil {
		return "", err
	}
	if p.space(); p.i < len(p.b) {
		return "", p.fail("after top-level value")
	}
	n := &p.names
	switch {
	case n[levelTop].hasName:
		return n[levelTop].name, nil
	case n[levelTop].hasTitle:
		return n[levelTop].title, nil
	case !p.result:
		return "", nil
	case n[levelResult].hasName:
		return n[levelResult].name, nil
	case n[levelResult].hasTitle:
		return n[levelResult].title, nil
	case p.properties && n[levelProperties].hasName:
		return n[levelProperties].name, nil
	case p.properties && n[levelProperties].hasTitle:
		return n[levelProperties].title, nil
	}
	return "", nil
}

// The objects whose name and title Name looks at.
const (
	levelNone = iota
	levelTop
	levelResult     // the top object's last "result" member
	levelProperties // that object's last "properties" member
)

// maxDepth is the nesting json.Valid accepts.
const maxDepth = 10000

// nameParser is a recursive-descent JSON validator that keeps the name and title members of
// the objects Name looks at.
type nameParser struct {
	b     []byte
	i     int
	depth int
	names [4]struct {
		name, title       string
		hasName, hasTitle bool
	}
	result, properties bool // the last result / properties member is an object
}

func (p *nameParser) fail(context string) error {
	if p.i >= len(p.b) {
		return errors.New("unexpected end of JSON input")
	}
	return fmt.Errorf("invalid character %q %s (byte %d)", p.b[p.i], context, p.i)
}

func (p *nameParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses the value at p.i; an object is parsed as level.
func (p *nameParser) value(level int) error {
	if p.i >= len(p.b) {
		return p.fail("")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(level)
	case c == '[':
		return p.array()
	case c == '"':
		_, _, err := p.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return p.fail("looking for beginning of value")
}

// open enters the object or array at p.i, which close ends, and reports whether it is empty
// (then already left).
func (p *nameParser) open(close byte) (empty bool, err error) {
	if p.depth++; p.depth > maxDepth {
		return false, errors.New("exceeded max depth")
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == close {
		p.i++
		p.depth--
		return true, nil
	}
	return false, nil
}

// next moves past the separator after a member or element of the object or array that close
// ends, and reports whether another follows (false: the container is left).
func (p *nameParser) next(close byte, context string) (more bool, err error) {
	p.space()
	if p.i >= len(p.b) {
		return false, p.fail("")
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		p.space()
		return true, nil
	case close:
		p.i++
		p.depth--
		return false, nil
	}
	return false, p.fail(context)
}

func (p *nameParser) object(level int) error {
	if empty, err := p.open('}'); empty || err != nil {
		return err
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.fail("looking for beginning of object key string")
		}
		start, end, err := p.str()
		if err != nil {
			return err
		}
		key := p.b[start:end]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			_ = json.Unmarshal(p.b[start-1:end+1], &k) // valid: p.str checked it
			key = []byte(k)
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.fail("after object key")
		}
		p.i++
		p.space()
		inner := levelNone
		switch {
		case level == levelTop && string(key) == "result":
			inner = levelResult
			p.names[levelResult] = p.names[levelNone]
			p.names[levelProperties] = p.names[levelNone]
			p.result, p.properties = p.i < len(p.b) && p.b[p.i] == '{', false
		case level == levelResult && string(key) == "properties":
			inner = levelProperties
			p.names[levelProperties] = p.names[levelNone]
			p.properties = p.i < len(p.b) && p.b[p.i] == '{'
		}
		if level != levelNone && (string(key) == "name" || string(key) == "title") {
			if err := p.member(level, string(key) == "name"); err != nil {
				return err
			}
		} else if err := p.value(inner); err != nil {
			return err
		}
		if more, err := p.next('}', "after object key:value pair"); !more || err != nil {
			return err
		}
	}
}

// member parses the value of a name (or title) member of an object at level and keeps it
// when it is a string.
func (p *nameParser) member(level int, name bool) error {
	isString := p.i < len(p.b) && p.b[p.i] == '"'
	var v string
	if isString {
		start, end, err := p.str()
		if err != nil {
			return err
		}
		v = p.text(start, end)
	} else if err := p.value(levelNone); err != nil {
		return err
	}
	n := &p.names[level]
	if name {
		n.name, n.hasName = v, isString
	} else {
		n.title, n.hasTitle = v, isString
	}
	return nil
}

// text is the value of the valid JSON string whose content is p.b[start:end].
func (p *nameParser) text(start, end int) string {
	raw := p.b[start:end]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw)
	}
	var v string
	_ = json.Unmarshal(p.b[start-1:end+1], &v)
	return v
}

func (p *nameParser) array() error {
	if empty, err := p.open(']'); empty || err != nil {
		return err
	}
	for {
		if err := p.value(levelNone); err != nil {
			return err
		}
		if more, err := p.next(']', "after array element"); !more || err != nil {
			return err
		}
	}
}

// str parses the string at p.i and returns the bounds of its content.
func (p *nameParser) str() (start, end int, err error) {
	p.i++
	start = p.i
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			end = p.i
			p.i++
			return start, end, nil
		case c == '\\':
			p.i++
			if p.i >= len(p.b) {
				return 0, 0, p.fail("")
			}
			switch p.b[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				p.i++
				for range 4 {
					if p.i >= len(p.b) {
						return 0, 0, p.fail("")
					}
					if !isHex(p.b[p.i]) {
						return 0, 0, p.fail("in \\u hexadecimal character escape")
					}
					p.i++
				}
			default:
				return 0, 0, p.fail("in string escape code")
			}
		case c < 0x20:
			return 0, 0, p.fail("in string literal")
		default:
			p.i++
		}
	}
	return 0, 0, p.fail("")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (p *nameParser) digits() int {
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

func (p *nameParser) number() error {
	if p.b[p.i] == '-' {
		p.i++
	}
	if p.i >= len(p.b) {
		return p.fail("")
	}
	switch {
	case p.b[p.i] == '0':
		p.i++
	case p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return p.fail("in numeric literal")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return p.fail("after decimal point in numeric literal")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return p.fail("in exponent of numeric literal")
		}
	}
	return nil
}

func (p *nameParser) literal(word string) error {
	for k := range len(word) {
		if p.i >= len(p.b) {
			return p.fail("")
		}
		if p.b[p.i] != word[k] {
			return p.fail("in literal " + word)
		}
		p.i++
	}
	return nil
}

// Namer is Name as a type: the name scan a run's records get their names by
// (fetcher.Config's Namer). Its zero value is ready; it is safe for concurrent use.
type Namer struct{}

// Name is the package's Name.
func (Namer) Name(body []byte) (string, error) { return Name(body) }
