package swapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// referenceName is Name's contract written the slow way.
func referenceName(body []byte) (string, bool) {
	if !json.Valid(body) {
		return "", false
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return "", true // valid JSON, not an object
	}
	return mapName(doc, []string{"result", "properties"}), true
}

// mapName is the name, else title, of a decoded object, else that of its member path[0].
func mapName(doc map[string]any, path []string) string {
	if s, ok := doc["name"].(string); ok {
		return s
	}
	if s, ok := doc["title"].(string); ok {
		return s
	}
	if len(path) > 0 {
		if inner, ok := doc[path[0]].(map[string]any); ok {
			return mapName(inner, path[1:])
		}
	}
	return ""
}

var nameCases = []string{
	`{"name":"Luke Skywalker","height":"172"}`,
	`{"title":"A New Hope","episode_id":4}`,
	` { "height" : "1" , "films": ["x", {"name":"inner"}], "name" : "C-3PO" } `,
	`{"a":{"name":"nested"},"title":"T","name":"N"}`,
	`{"name":"Esc \"quoted\" \u00e9 \\ \u001b[2J"}`,
	`{"name":1,"title":"numbers are not names"}`,
	`[{"name":"array"}]`, `"str"`, `{}`, `null`, `{"name":"Luke`, ``, `{"name":"a"}x`,
	`{"results":[],"name":null}`, `{"k\"name":"x","name":"y"}`,
	`{"message":"ok","result":{"properties":{"height":"172","name":"Luke Skywalker"},"uid":"1"}}`,
	`{"message":"ok","result":{"properties":{"title":"A New Hope"},"uid":"1"}}`,
	`{"result":{"properties":{"name":"first"}},"result":{"uid":"1"}}`,
	`{"result":{"name":"shallow","properties":{"name":"deep"}}}`,
	`{"name":"top","result":{"properties":{"name":"deep"}}}`,
	`{"result":[{"properties":{"name":"list"}}]}`,
	`{"properties":{"name":"no result"}}`,
	`{"na\u006de":"escaped key","title":"t"}`,
	// json.Valid's nesting limit, at and past it
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

func TestSWAPIName(t *testing.T) {
	t.Parallel()
	for _, in := range nameCases {
		got, err := Name([]byte(in))
		want, valid := referenceName([]byte(in))
		if (err == nil) != valid || got != want {
			t.Errorf("Name(%s) = %q, %v; want %q, valid=%v", in, got, err, want, valid)
		}
	}
}

func FuzzName(f *testing.F) {
	for _, c := range nameCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Name(in)
		want, valid := referenceName(in)
		if (err == nil) != valid || got != want {
			t.Errorf("Name(%q) = %q, %v; want %q, valid=%v", in, got, err, want, valid)
		}
	})
}
