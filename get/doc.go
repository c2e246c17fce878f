package get

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unsafe"

	"github.com/andybalholm/cascadia"
	"github.com/tidwall/gjson"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/internal/textsafe"
	"github.com/fetchbench/fetchbench/swapi"
)

// Field is one named value taken from every document: a JSON path (gjson syntax: "films.0",
// "homeworld.name") from a JSON document, or a CSS selector from an HTML page.
type Field struct {
	Name string
	// Path is the text after "=": the JSON path, and the HTML selector with an optional
	// "@attribute" ("a@href").
	Path string
	css  string // "" when Path is not a valid CSS selector
	attr string
}

var attrName = regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`)

// ParseField parses "NAME=PATH"; its error says what is wrong, not with what.
func ParseField(s string) (Field, error) {
	name, path, ok := strings.Cut(s, "=")
	name, path = strings.TrimSpace(name), strings.TrimSpace(path)
	switch {
	case !ok:
		return Field{}, errors.New("want NAME=PATH, e.g. world=homeworld or title=h1")
	case name == "":
		return Field{}, errors.New("empty name")
	case path == "":
		return Field{}, errors.New("empty path")
	}
	f := Field{Name: name, Path: path}
	css := path
	if i := strings.LastIndexByte(path, '@'); i > 0 && attrName.MatchString(path[i+1:]) {
		css, f.attr = strings.TrimSpace(path[:i]), path[i+1:]
	}
	if _, err := cascadia.Compile(css); err == nil {
		f.css = css
	}
	return f, nil
}

// ParseMembers parses a comma-separated list of member names, such as --fields and --expand
// take; names are trimmed and must be distinct and not empty.
func ParseMembers(s string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return nil, fmt.Errorf("%q: empty name", s)
		case slices.Contains(names, n):
			return nil, fmt.Errorf("%q: %q given twice", s, n)
		}
		names = append(names, n)
	}
	return names, nil
}

// Shape says how a fetched body becomes the document printed.
type Shape struct {
	// Dialect unwraps detail documents (swapi.tech's result.properties); nil means as sent.
	Dialect *swapi.Dialect
	// Keep lists the members to keep, in order (--fields); a missing one is null.
	Keep []string
	// Fields are added after Keep, in order (--field); a path or selector that matches
	// nothing is null.
	Fields []Field
	// Expand lists the members whose linked URLs are replaced by the linked documents.
	Expand []string
	// ExpandBudget is how many bytes of linked documents expansion keeps for the documents
	// that ask for them later, counted as allocated (a document's capacity, not its length);
	// 0 means DefaultExpandBudget. See links for what happens
	// past it.
	ExpandBudget int64
}

// DefaultExpandBudget is Shape.ExpandBudget's default: 32 MiB.
const DefaultExpandBudget = 32 << 20

// Columns are the members of every shaped document, in order, or nil when the documents are
// printed whole.
func (s *Shape) Columns() []string {
	if len(s.Keep) == 0 && len(s.Fields) == 0 {
		return nil
	}
	cols := slices.Clone(s.Keep)
	for _, f := range s.Fields {
		cols = append(cols, f.Name)
	}
	return cols
}

// Check reports a name given to two columns, as a *ColumnError.
func (s *Shape) Check() error {
	cols := s.Columns()
	for i, c := range cols {
		if slices.Contains(cols[:i], c) {
			return &ColumnError{Name: c}
		}
	}
	return nil
}

// ColumnError is a name given to two columns of a Shape. It is a naming.Worded error naming
// the options of fields "get.Shape.Keep" and "get.Shape.Fields".
type ColumnError struct{ Name string }

func (e *ColumnError) Error() string { return e.Word(nil) }

// Word is the error's message with the options named by n.
func (e *ColumnError) Word(n naming.Namer) string {
	return fmt.Sprintf("%q is both a %s member and a %s name, or named twice", e.Name,
		n.Option(fieldKeep, "", "kept"), n.Option(fieldFields, "", "field"))
}

// The fields of Shape that the documents' problems and errors name.
const (
	fieldKeep   = "get.Shape.Keep"
	fieldFields = "get.Shape.Fields"
	fieldExpand = "get.Shape.Expand"
)

// Selectors are the fields to evaluate on HTML pages, for fetcher.Config.HTML.
func (s *Shape) Selectors() []fetcher.Selector {
	var sels []fetcher.Selector
	for _, f := range s.Fields {
		if f.css != "" {
			sels = append(sels, fetcher.Selector{Name: f.Name, CSS: f.css, Attr: f.attr})
		}
	}
	return sels
}

// unwrap is the document of a successful record: its body cleaned (see textsafe.CleanJSON),
// unwrapped by the dialect when it has the dialect's wrapper, and reports whether it is JSON.
// A body that is not JSON becomes a JSON string.
func (s *Shape) unwrap(rec *fetcher.Record) (doc []byte, isJSON bool) {
	if isHTML(rec.ContentType) && s.Columns() != nil {
		return nil, false // its values are rec.HTML's: the page itself is never printed
	}
	if !isHTML(rec.ContentType) {
		if clean, err := textsafe.CleanJSON(rec.Body); err == nil {
			if s.Dialect != nil && clean[0] == '{' {
				if inner, err := s.Dialect.Unwrap(clean); err == nil {
					return inner, true
				}
			}
			return clean, true
		}
	}
	return jsonString(string(rec.Body)), false
}

// MaxPathDepth is the deepest nesting of a JSON document on which Fields' paths are
// evaluated. A recursive gjson modifier (@pretty, @dig, @flatten) costs time and memory
// quadratic in the depth: at 1,000 levels about 20 ms, at 10,000 seconds and gigabytes. On a
// deeper document the paths are not evaluated (their members are null) and the document's
// problem says so; Keep's members are still taken.
const MaxPathDepth = 1000

// pathsRefused is the problem of a JSON document on which Fields' paths are not evaluated
// (see MaxPathDepth), or "", naming the option of Fields by name.
func (s *Shape) pathsRefused(doc []byte, isJSON bool, name naming.Namer) string {
	if !isJSON || len(s.Fields) == 0 || !textsafe.TooDeep(doc, MaxPathDepth) {
		return ""
	}
	return fmt.Sprintf("nested deeper than %d levels: %s paths not evaluated", MaxPathDepth, name.Option(fieldFields, "", "field"))
}

// shape turns doc (a JSON document, or a page's HTML values when html is set) into the
// document printed: whole, or Keep and Fields as one object. Fields' paths are evaluated
// only when paths is set. A shaped object is a new slice of its exact size: it never keeps
// doc.
func (s *Shape) shape(doc []byte, isJSON, paths bool, html map[string]string) []byte {
	cols := s.Columns()
	if cols == nil {
		return doc
	}
	values := make([][]byte, 0, len(cols))
	for _, name := range s.Keep {
		values = append(values, s.member(doc, isJSON, gjson.Escape(name)))
	}
	for _, f := range s.Fields {
		v := null
		switch {
		case isJSON && paths:
			v = s.member(doc, true, f.Path)
		case !isJSON && html != nil:
			if h, ok := html[f.Name]; ok {
				v = jsonString(h)
			}
		}
		values = append(values, v)
	}
	names := make([][]byte, len(cols))
	size := 1 + 2*len(cols) // {}, a colon each and the commas between
	for i, c := range cols {
		names[i] = jsonString(c)
		size += len(names[i]) + len(values[i])
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i := range cols {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, names[i]...)
		out = append(out, ':')
		out = append(out, values[i]...)
	}
	return append(out, '}')
}

// Document is the shaped document of a successful record, without expansion, as get prints
// it (a crawl's pages); a document on which Fields' paths were not evaluated (MaxPathDepth)
// has them null. It is safe for concurrent use.
func (s *Shape) Document(rec *fetcher.Record) []byte {
	doc, isJSON := s.unwrap(rec)
	return s.shape(doc, isJSON, s.pathsRefused(doc, isJSON, nil) == "", rec.HTML)
}

// null is a JSON null; never written to.
var null = []byte("null")

// member is the clean JSON at path in doc, or null: a slice of doc itself when that part of
// doc is clean already (never written to), else a new one.
func (s *Shape) member(doc []byte, isJSON bool, path string) []byte {
	if !isJSON {
		return null
	}
	r := gjson.Get(view(doc), path)
	if !r.Exists() {
		return null
	}
	if r.Raw == "" {
		return jsonString(r.String())
	}
	var raw []byte
	if end := r.Index + len(r.Raw); r.Index > 0 && end <= len(doc) && unsafe.StringData(r.Raw) == &doc[r.Index] {
		raw = doc[r.Index:end]
	} else {
		raw = []byte(r.Raw) // made by a modifier: not part of doc
	}
	clean, err := textsafe.CleanJSON(raw)
	if err != nil {
		return jsonString(r.String())
	}
	return clean
}

// view is b as a string, without a copy: b must not change while the string, or a part of
// it, is in use.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func isHTML(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// jsonString is s as a clean JSON string.
func jsonString(s string) []byte { return textsafe.String(s) }
