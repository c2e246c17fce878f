// Package swapi knows the public Star Wars APIs: their base URLs, the shape of their URLs, detail documents and list pages.
package swapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fetchbench/fetchbench/internal/naming"
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
	// Name is the dialect's name: "dev", "py4e", "tech" or "info".
	Name string
	// BaseURL is the API root of the public service, ending in "/".
	BaseURL string
	// NotFound is the body of the service's 404 answer to an unknown id, or its start
	// (swapi.info's is its host's HTML page).
	NotFound string
	// Advice says when to use the service, after its name, for the message that another one
	// could not be reached: "for heavy runs (…)" ("" for one not to suggest).
	Advice string
	// QuotaWindow is the window of the service's per-client quota when its answers count
	// the requests remaining without saying when they are restored (fetcher.Config's
	// QuotaWindow); 0 for none.
	QuotaWindow time.Duration

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

// The dialects of the SWAPIs people use. swapi.dev has not answered since its certificate
// expired on 2025-04-14; swapi.py4e.com serves the same shapes with no throttle in its code
// (since 2023-12); swapi.tech allows 100 requests per 15 minutes per client and delays each
// request after the 5th by (n−5)×100 ms; swapi.info is static files on a CDN, with no limit.
var (
	Dev = &Dialect{Name: "dev", BaseURL: "https://swapi.dev/api/", NotFound: `{"detail":"Not found"}`,
		slash: true, list: drf, host: "swapi.dev"}
	PY4E = &Dialect{Name: "py4e", BaseURL: "https://swapi.py4e.com/api/", NotFound: `{"detail":"Not found"}`,
		Advice: "(swapi.dev's shapes, no limit in its code)", slash: true, list: drf, host: "swapi.py4e.com"}
	Tech = &Dialect{Name: "tech", BaseURL: "https://www.swapi.tech/api/", NotFound: `{"message":"not found"}`,
		Advice:      "for a few requests only (100 per 15 minutes, and its slow-down makes latency grow with the request count: never for benchmarks)",
		QuotaWindow: 15 * time.Minute, list: tech, host: "swapi.tech"}
	Info = &Dialect{Name: "info", BaseURL: "https://swapi.info/api/", NotFound: `<html>`,
		Advice: "for heavy runs (static files on a CDN, no limit)", list: array, host: "swapi.info"}
)

// Suggested lists the dialects to suggest when another cannot be reached, in that order.
var Suggested = []*Dialect{PY4E, Info, Tech}

// Default is the dialect of a live run that names no API or base URL: the one that answers.
var Default = PY4E

// Dialects lists every dialect, dev first.
var Dialects = []*Dialect{Dev, PY4E, Tech, Info}

// Names is "dev, py4e, tech or info".
func Names() string {
	names := DialectNames()
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// DialectNames are the dialects' names, dev first.
func DialectNames() []string {
	var names []string
	for _, d := range Dialects {
		names = append(names, d.Name)
	}
	return names
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

// Slash reports whether the dialect's detail and list URLs end in "/" (without it, dev and
// py4e answer with a redirect).
func (d *Dialect) Slash() bool { return d.slash }

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

// Page is one list page, parsed. Its numbers are the server's claims: never negative, and
// capped at math.MaxInt, but otherwise as large as the page says; the caller caps what it
// acts on.
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
	ID  int    // the item's id: the last number in its URL (or its uid); 0 when Err is set
	URL string // the detail URL the item names (a claim: never fetched as it is)
	// Doc is the full resource document when the list carries it (see FullLists), else nil.
	Doc json.RawMessage
	// Err says why the item has no id ("item 3: uid \"../../x\" is not a number"); a
	// detail URL is never built for it.
	Err error
}

// ErrListPage is wrapped by every error ParsePage returns: the body is not a list page of the
// dialect. Its message names the --api a page of another dialect's shape needs.
var ErrListPage = errors.New("not a list page")

// ParsePage parses a list page of the dialect.
func (d *Dialect) ParsePage(body []byte) (Page, error) {
	if got := shapeOf(body); got != d.list {
		return Page{}, d.wrongShape(got)
	}
	switch d.list {
	case drf:
		var p struct {
			Count   json.Number       `json:"count"`
			Results []json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return Page{}, d.wrongShape(-1)
		}
		count, err := claim("count", p.Count)
		if err != nil {
			return Page{}, err
		}
		page := Page{Count: count, Pages: -1}
		if n := len(p.Results); n > 0 {
			page.Pages = count/n + min(count%n, 1)
		}
		return page, page.addDocs(p.Results)
	case tech:
		var p struct {
			TotalRecords json.Number       `json:"total_records"`
			TotalPages   json.Number       `json:"total_pages"`
			Results      []json.RawMessage `json:"results"`
			Result       []json.RawMessage `json:"result"` // films: every item in full, no paging
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return Page{}, d.wrongShape(-1)
		}
		page := Page{Count: -1, Pages: -1}
		if p.Result != nil {
			page.Count, page.Pages = len(p.Result), 1
			for i, raw := range p.Result {
				var it techItem
				if json.Unmarshal(raw, &it) != nil {
					return Page{}, fmt.Errorf("%w: item %d is not a JSON object", ErrListPage, i+1)
				}
				doc, err := it.document()
				if err != nil {
					return Page{}, fmt.Errorf("%w: item %d: %v", ErrListPage, i+1, err)
				}
				page.Items = append(page.Items, techEntry(i, it.UID, urlOf(doc), doc))
			}
			return page, nil
		}
		pages, err := claim("total_pages", p.TotalPages)
		if err != nil {
			return Page{}, err
		}
		page.Pages = pages
		if p.TotalRecords != "" {
			if page.Count, err = claim("total_records", p.TotalRecords); err != nil {
				return Page{}, err
			}
		}
		for i, raw := range p.Results {
			var it techItem
			if json.Unmarshal(raw, &it) != nil {
				page.Items = append(page.Items, Item{Err: fmt.Errorf("item %d: not an object with a string uid", i+1)})
				continue
			}
			page.Items = append(page.Items, techEntry(i, it.UID, it.URL, nil))
		}
		return page, nil
	}
	var docs []json.RawMessage
	if err := json.Unmarshal(body, &docs); err != nil {
		return Page{}, d.wrongShape(-1)
	}
	page := Page{Count: len(docs), Pages: 1}
	return page, page.addDocs(docs)
}

// techEntry is item i of a swapi.tech list, whose id is its uid.
func techEntry(i int, uid, u string, doc json.RawMessage) Item {
	id, err := ParseID(uid)
	if err != nil {
		return Item{URL: u, Doc: doc, Err: fmt.Errorf("item %d: uid %w", i+1, err)}
	}
	return Item{ID: id, URL: u, Doc: doc}
}

// claim is a page's number member name: a non-negative integer, capped at math.MaxInt.
func claim(name string, n json.Number) (int, error) {
	if n == "" {
		return 0, fmt.Errorf("%w: no %q number", ErrListPage, name)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < 0 || f != math.Trunc(f) {
		return 0, fmt.Errorf("%w: %q is %s, not a count", ErrListPage, name, quote(string(n)))
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil && i <= math.MaxInt {
		return int(i), nil
	}
	if f >= math.MaxInt {
		return math.MaxInt, nil
	}
	return int(f), nil
}

// MaxID is the largest id ParseID accepts.
const MaxID = 1<<31 - 1

// ParseID reads an item's id: decimal digits only, from 1 to MaxID. Its error quotes s, cut
// to a few dozen bytes.
func ParseID(s string) (int, error) {
	bad := len(s) == 0 || len(s) > 10
	for _, c := range []byte(s) {
		bad = bad || c < '0' || c > '9'
	}
	if !bad {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= MaxID {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s is not a number from 1 to %d", quote(s), MaxID)
}

// quote is s quoted, cut to 100 bytes.
func quote(s string) string {
	if len(s) > 100 {
		return strconv.Quote(s[:100]) + "…"
	}
	return strconv.Quote(s)
}

// shapeOf is the list shape body looks like, or -1.
func shapeOf(body []byte) shape {
	b := bytes.TrimSpace(body)
	switch {
	case len(b) > 0 && b[0] == '[':
		return array
	case len(b) == 0 || b[0] != '{':
		return -1
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(b, &keys) != nil {
		return -1
	}
	_, count := keys["count"]
	_, results := keys["results"]
	_, pages := keys["total_pages"]
	_, result := keys["result"]
	switch {
	case count && results:
		return drf
	case pages && results, result:
		return tech
	}
	return -1
}

// ShapeError is a list page that is not of its dialect's shape; it wraps ErrListPage. It is
// a naming.Worded error naming the option that chooses the dialect (field
// "targets.Config.API"), "dialect" in Error.
type ShapeError struct {
	Dialect string // the dialect's name
	// Got is the name of the dialect whose shape the page has ("info", "tech", "dev"), ""
	// for none known.
	Got    string
	want   string // the dialect's shape, in words
	mirror bool   // the dialect has swapi.dev's shape, which another's mirror may be taken for
}

func (e *ShapeError) Error() string { return e.Word(nil) }

func (e *ShapeError) Unwrap() error { return ErrListPage }

// Word is the error's message with the option choosing the dialect named by n.
func (e *ShapeError) Word(n naming.Namer) string {
	choice := n.Option("targets.Config.API", "", "dialect")
	head := fmt.Sprintf("%v of %s %s: want %s", ErrListPage, choice, e.Dialect, e.want)
	switch e.Got {
	case "info":
		return fmt.Sprintf("%s, got a JSON array as swapi.info serves: try %s info", head, choice)
	case "tech":
		return fmt.Sprintf("%s, got swapi.tech's shape: try %s tech", head, choice)
	case "dev":
		return fmt.Sprintf("%s, got swapi.dev's shape: try %s dev (or py4e)", head, choice)
	}
	if e.mirror {
		return fmt.Sprintf("%s (a swapi.info or swapi.tech mirror needs %s info|tech)", head, choice)
	}
	return head
}

// wrongShape is the error of a page that is not of d's shape but got's (-1: of none known).
func (d *Dialect) wrongShape(got shape) error {
	want := map[shape]string{
		drf:   `a JSON object with "count" and "results"`,
		tech:  `a JSON object with "total_pages" and "results" (or "result")`,
		array: "a JSON array of documents",
	}[d.list]
	return &ShapeError{Dialect: d.Name, Got: map[shape]string{array: "info", tech: "tech", drf: "dev"}[got], want: want, mirror: d.list == drf}
}

// addDocs appends full documents as items, taking their URL and id from the "url" member.
func (p *Page) addDocs(docs []json.RawMessage) error {
	for i, doc := range docs {
		if !isObject(doc) {
			return fmt.Errorf("%w: item %d is not a JSON object", ErrListPage, i+1)
		}
		u := urlOf(doc)
		it := Item{ID: TrailingID(u), URL: u, Doc: doc}
		if it.ID == 0 {
			it.Err = fmt.Errorf("item %d: url %s ends in no id", i+1, quote(u))
		}
		p.Items = append(p.Items, it)
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

// atoi is s as an id (see ParseID), or 0.
func atoi(s string) int {
	n, _ := ParseID(s)
	return n
}
