// Package swapi knows the public Star Wars APIs: their base URLs, the shape of their URLs, detail documents and list pages.
package swapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
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

// Dialect is one public SWAPI's way of shaping URLs and documents. The zero value is not
// usable; use one of Dev, PY4E, Tech and Info.
type Dialect struct {
	// Name is the --api name: "dev", "py4e", "tech" or "info".
	Name string
	// BaseURL is the API root of the public service, ending in "/".
	BaseURL string
	// NotFound is the body of the service's 404 answer.
	NotFound string

	slash bool  // detail and list URLs end in "/"
	list  shape // the list page's shape
	host  string
}

type shape int

const (
	drf   shape = iota // {count,next,previous,results:[full documents]}, ?page=K
	tech               // {message,total_records,total_pages,previous,next,results:[{uid,name,url}]}, ?page=K&limit=L
	array              // a bare array of every document, no paging
)

// The dialects of the SWAPIs people use.
var (
	Dev  = &Dialect{Name: "dev", BaseURL: "https://swapi.dev/api/", NotFound: `{"detail":"Not found"}`, slash: true, list: drf, host: "swapi.dev"}
	PY4E = &Dialect{Name: "py4e", BaseURL: "https://swapi.py4e.com/api/", NotFound: `{"detail":"Not found"}`, slash: true, list: drf, host: "swapi.py4e.com"}
	Tech = &Dialect{Name: "tech", BaseURL: "https://www.swapi.tech/api/", NotFound: `{"message":"not found"}`, list: tech, host: "swapi.tech"}
	Info = &Dialect{Name: "info", BaseURL: "https://swapi.info/api/", NotFound: `{"message":"Resource not found"}`, list: array, host: "swapi.info"}
)

// Dialects lists every dialect, dev first.
var Dialects = []*Dialect{Dev, PY4E, Tech, Info}

// Names is "dev, py4e, tech or info".
func Names() string {
	var names []string
	for _, d := range Dialects {
		names = append(names, d.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Lookup returns the dialect called name.
func Lookup(name string) (*Dialect, error) {
	for _, d := range Dialects {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, fmt.Errorf("unknown api %q (want %s)", name, Names())
}

// ForBaseURL is the dialect of the service at base, by its host (www. or not), and Dev for
// any other host.
func ForBaseURL(base string) *Dialect {
	u, err := url.Parse(base)
	if err != nil {
		return Dev
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	for _, d := range Dialects {
		if d.host == host {
			return d
		}
	}
	return Dev
}

// CheckBaseURL reports whether base can carry resource paths: an absolute http(s) URL with a
// host and neither query nor fragment.
func CheckBaseURL(base string) error {
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return fmt.Errorf("bad base url %q: %w", base, err)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("bad base url %q: want an absolute http:// or https:// URL", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("bad base url %q: it cannot have a query or fragment", u.Redacted())
	}
	return nil
}

// root is base with exactly one trailing slash.
func root(base string) string { return strings.TrimRight(base, "/") + "/" }

// Template is the URL template of resource's detail documents under base, with {id} where
// the id goes: "https://swapi.dev/api/people/{id}/", "https://www.swapi.tech/api/people/{id}".
func (d *Dialect) Template(base, resource string) string {
	t := root(base) + resource + "/{id}"
	if d.slash {
		t += "/"
	}
	return t
}

// DetailURL is the URL of one detail document.
func (d *Dialect) DetailURL(base, resource string, id int) string {
	return strings.Replace(d.Template(base, resource), "{id}", strconv.Itoa(id), 1)
}

// ListURL is the URL of page (1-based) of resource's list. A dialect without paging has only
// page 1.
func (d *Dialect) ListURL(base, resource string, page int) string {
	u := root(base) + resource
	if d.slash {
		u += "/"
	}
	switch d.list {
	case drf:
		return u + "?page=" + strconv.Itoa(page)
	case tech:
		return u + "?page=" + strconv.Itoa(page) + "&limit=" + strconv.Itoa(TechPageSize)
	}
	return u
}

// TechPageSize is the page size asked of swapi.tech lists (its own default is 10; its
// maximum is higher, but a small page keeps every answer short).
const TechPageSize = 10

// Paged reports whether the dialect's lists come in pages.
func (d *Dialect) Paged() bool { return d.list != array }

// FullLists reports whether list pages carry full documents, so that discovering a resource
// also fetches it.
func (d *Dialect) FullLists() bool { return d.list != tech }

// Unwrap returns the resource document of a detail answer: the body itself, except for
// swapi.tech, whose result.properties it returns with result.uid added as the member "uid"
// after the others. It fails on a body that is not a JSON object of the dialect's shape.
func (d *Dialect) Unwrap(body []byte) (json.RawMessage, error) {
	if d.list != tech {
		if !isObject(body) {
			return nil, errors.New("not a JSON object")
		}
		return json.RawMessage(body), nil
	}
	var doc struct {
		Result *techItem `json:"result"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.Result == nil {
		return nil, errors.New(`no "result" member`)
	}
	return doc.Result.document()
}

// techItem is one swapi.tech result: a full one carries properties, a list entry name and url.
type techItem struct {
	UID        string          `json:"uid"`
	Name       string          `json:"name"`
	URL        string          `json:"url"`
	Properties json.RawMessage `json:"properties"`
}

// document is the item's properties with "uid" appended.
func (t *techItem) document() (json.RawMessage, error) {
	p := bytes.TrimSpace(t.Properties)
	if !isObject(p) {
		return nil, errors.New(`no "properties" object`)
	}
	uid, _ := json.Marshal(t.UID)
	out := make([]byte, 0, len(p)+len(uid)+8)
	out = append(out, p[:len(p)-1]...)
	if len(bytes.TrimSpace(p[1:len(p)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"uid":`...)
	out = append(out, uid...)
	return append(out, '}'), nil
}

func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && b[len(b)-1] == '}' && json.Valid(b)
}

// Page is one list page, parsed.
type Page struct {
	// Count is the number of items of the whole resource, when the page says (else -1).
	Count int
	// Pages is the number of pages of the whole resource, when the page says or it can be
	// worked out from Count and this page's size (else -1).
	Pages int
	// Items are the page's entries in order.
	Items []Item
}

// Item is one entry of a list page.
type Item struct {
	ID  int    // the last number in the item's URL (or its uid), 0 if none
	URL string // the detail URL
	// Doc is the full resource document when the list carries it (see FullLists), else nil.
	Doc json.RawMessage
}

// ParsePage parses a list page of the dialect.
func (d *Dialect) ParsePage(body []byte) (Page, error) {
	switch d.list {
	case drf:
		var p struct {
			Count   *int              `json:"count"`
			Results []json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return Page{}, fmt.Errorf("list page: %w", err)
		}
		if p.Count == nil || p.Results == nil {
			return Page{}, errors.New(`list page: want "count" and "results" members`)
		}
		page := Page{Count: *p.Count, Pages: -1}
		if n := len(p.Results); n > 0 {
			page.Pages = (*p.Count + n - 1) / n
		}
		return page, page.addDocs(p.Results)
	case tech:
		var p struct {
			TotalRecords *int       `json:"total_records"`
			TotalPages   *int       `json:"total_pages"`
			Results      []techItem `json:"results"`
			Result       []techItem `json:"result"` // films: every item in full, no paging
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return Page{}, fmt.Errorf("list page: %w", err)
		}
		page := Page{Count: -1, Pages: -1}
		switch {
		case p.Result != nil:
			page.Count, page.Pages = len(p.Result), 1
			for _, it := range p.Result {
				doc, err := it.document()
				if err != nil {
					return Page{}, fmt.Errorf("list page: %w", err)
				}
				page.Items = append(page.Items, Item{ID: atoi(it.UID), URL: urlOf(doc), Doc: doc})
			}
			return page, nil
		case p.Results == nil || p.TotalPages == nil:
			return Page{}, errors.New(`list page: want "total_pages" and "results" members`)
		}
		page.Pages = *p.TotalPages
		if p.TotalRecords != nil {
			page.Count = *p.TotalRecords
		}
		for _, it := range p.Results {
			page.Items = append(page.Items, Item{ID: atoi(it.UID), URL: it.URL})
		}
		return page, nil
	}
	var docs []json.RawMessage
	if err := json.Unmarshal(body, &docs); err != nil {
		return Page{}, fmt.Errorf("list: %w", err)
	}
	page := Page{Count: len(docs), Pages: 1}
	return page, page.addDocs(docs)
}

// addDocs appends full documents as items, taking their URL and id from the "url" member.
func (p *Page) addDocs(docs []json.RawMessage) error {
	for i, doc := range docs {
		if !isObject(doc) {
			return fmt.Errorf("list page: item %d is not a JSON object", i+1)
		}
		u := urlOf(doc)
		p.Items = append(p.Items, Item{ID: TrailingID(u), URL: u, Doc: doc})
	}
	return nil
}

// urlOf is the string "url" member of a JSON object, or "".
func urlOf(doc []byte) string {
	var v struct {
		URL string `json:"url"`
	}
	json.Unmarshal(doc, &v) //nolint:errcheck // a document without a url has none
	return v.URL
}

// TrailingID is the last all-digit path segment of a URL ("…/people/12/" → 12), or 0.
func TrailingID(u string) int {
	p, err := url.Parse(u)
	if err != nil {
		return 0
	}
	segs := strings.Split(strings.Trim(p.Path, "/"), "/")
	return atoi(segs[len(segs)-1])
}

// atoi is s as a positive decimal int, or 0.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
