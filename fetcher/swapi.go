package fetcher

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fetchbench/fetchbench/swapi"
)

// Resources lists the SWAPI resources in the API's order.
var Resources = []string{"people", "planets", "films", "species", "vehicles", "starships"}

// CheckResource reports whether resource is one of Resources.
func CheckResource(resource string) error {
	if !slices.Contains(Resources, resource) {
		return fmt.Errorf("unknown resource %q (want %s)", resource, strings.Join(Resources, ", "))
	}
	return nil
}

// ResourceTemplate is the URL template of a SWAPI resource under base ("https://swapi.dev/api/").
func ResourceTemplate(base, resource string) (string, error) {
	if err := CheckResource(resource); err != nil {
		return "", err
	}
	if err := CheckURL(base); err != nil {
		return "", err
	}
	if err := swapi.CheckBaseURL(base); err != nil {
		return "", err
	}
	return strings.TrimSuffix(base, "/") + "/" + resource + "/{id}/", nil
}

// swapiName returns the top-level string "name" member of a JSON object body, else its string
// "title" member, else "" (the last of duplicate members counts). It fails only on invalid JSON.
func swapiName(body []byte) (string, error) {
	if !json.Valid(body) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return "", err
		}
		return "", errors.New("invalid JSON")
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return "", nil
	}
	i++
	var name, title string
	var hasName bool
	for {
		i = skipSpace(body, i)
		if body[i] == '}' {
			if hasName {
				return name, nil
			}
			return title, nil
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		keyEnd := stringEnd(body, i)
		key := string(body[i+1 : keyEnd-1])
		i = skipSpace(body, keyEnd)
		i = skipSpace(body, i+1) // past ':'
		end := valueEnd(body, i)
		if key == "name" || key == "title" {
			var v string
			isString := body[i] == '"'
			if isString {
				if err := json.Unmarshal(body[i:end], &v); err != nil {
					return "", err
				}
			}
			if key == "name" {
				name, hasName = v, isString
			} else {
				title = v
			}
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
