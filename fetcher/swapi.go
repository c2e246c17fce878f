package fetcher

import (
	"encoding/json"
	"errors"

	"github.com/fetchbench/fetchbench/swapi"
)

// ResourceTemplate is the URL template of a SWAPI resource's detail documents under base
// ("https://swapi.dev/api/") in dialect d's URL shape.
func ResourceTemplate(d *swapi.Dialect, base, resource string) (string, error) {
	if err := swapi.CheckResource(resource); err != nil {
		return "", err
	}
	if err := CheckURL(base); err != nil {
		return "", err
	}
	if err := swapi.CheckBaseURL(base); err != nil {
		return "", err
	}
	return d.Template(base, resource), nil
}

// swapiName returns the string "name" member of a JSON object body, else its string "title"
// member, else those of its result.properties object (swapi.tech's detail shape), else "";
// the last of duplicate members counts. It fails only on invalid JSON.
func swapiName(body []byte) (string, error) {
	if !json.Valid(body) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return "", err
		}
		return "", errors.New("invalid JSON")
	}
	name, _, err := objectName(body, skipSpace(body, 0), []string{"result", "properties"})
	return name, err
}

// objectName scans the valid JSON value at body[i]. For an object it returns its string
// "name", else its string "title", else, when path is not empty, objectName of its member
// path[0] with the rest of path. found reports whether a name or title was found.
func objectName(body []byte, i int, path []string) (name string, found bool, err error) {
	if i >= len(body) || body[i] != '{' {
		return "", false, nil
	}
	i++
	var title string
	var hasName, hasTitle bool
	inner := -1 // start of the last path[0] member's value
	for {
		i = skipSpace(body, i)
		if body[i] == '}' {
			switch {
			case hasName:
				return name, true, nil
			case hasTitle:
				return title, true, nil
			case inner >= 0:
				return objectName(body, inner, path[1:])
			}
			return "", false, nil
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		keyEnd := stringEnd(body, i)
		key := string(body[i+1 : keyEnd-1])
		i = skipSpace(body, keyEnd)
		i = skipSpace(body, i+1) // past ':'
		end := valueEnd(body, i)
		switch {
		case key == "name" || key == "title":
			var v string
			isString := body[i] == '"'
			if isString {
				if err := json.Unmarshal(body[i:end], &v); err != nil {
					return "", false, err
				}
			}
			if key == "name" {
				name, hasName = v, isString
			} else {
				title, hasTitle = v, isString
			}
		case len(path) > 0 && key == path[0]:
			inner = i
		}
		i = end
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i] == '"'.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the valid JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i = stringEnd(b, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}
