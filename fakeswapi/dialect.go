package fakeswapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Dialects lists the shapes the fake can answer in (Options.Dialect): swapi.dev's, which
// swapi.py4e.com shares, swapi.tech's and swapi.info's.
var Dialects = []string{"dev", "py4e", "tech", "info"}

// dialect is a parsed Options.Dialect.
type dialect int

const (
	dialectDev dialect = iota // also py4e: the same shapes
	dialectTech
	dialectInfo
	numDialects
)

func parseDialect(name string) (dialect, bool) {
	switch name {
	case "", "dev", "py4e":
		return dialectDev, true
	case "tech":
		return dialectTech, true
	case "info":
		return dialectInfo, true
	}
	return 0, false
}

// slash reports whether the dialect's list and detail paths end in "/".
func (d dialect) slash() bool { return d == dialectDev }

// notFound is the dialect's 404 body.
func (d dialect) notFound() body { return notFoundBodies[d] }

var notFoundBodies = [numDialects]body{
	dialectDev:  newBody([]byte(`{"detail":"Not found"}`)),
	dialectTech: newBody([]byte(`{"message":"not found"}`)),
	dialectInfo: newBody([]byte(`{"message":"Resource not found"}`)),
}

// descriptions are swapi.tech's "description" of each resource's documents.
var descriptions = [numResources]string{
	people: "A person within the Star Wars universe", planets: "A planet.", films: "A Star Wars film",
	species: "A species within the Star Wars universe", vehicles: "A vehicle", starships: "A Starship",
}

// catalogs renders each dialect's catalog once per process.
var catalogs [numDialects]func() (*catalog, error)

func init() {
	catalogs[dialectDev] = sync.OnceValues(buildCatalog)
	for _, d := range []dialect{dialectTech, dialectInfo} {
		catalogs[d] = sync.OnceValues(func() (*catalog, error) {
			dev, err := catalogs[dialectDev]()
			if err != nil {
				return nil, err
			}
			return dev.reshape(d)
		})
	}
}

// loadCatalog returns the dialect's catalog.
func loadCatalog(d dialect) (*catalog, error) { return catalogs[d]() }

// slashLink matches a link's trailing slash in a rendered template: base, path, "/", quote.
var slashLink = regexp.MustCompile(baseMarker + `([a-z]+(?:/[0-9]+)?)/"`)

// unslash writes every link of a rendered document without its trailing slash.
func unslash(b []byte) []byte { return slashLink.ReplaceAll(b, []byte(baseMarker+`$1"`)) }

// reshape derives a slashless dialect's catalog from dev's.
func (c *catalog) reshape(d dialect) (*catalog, error) {
	out := &catalog{dialect: d, count: c.count}
	root := unslash(c.root.join())
	if d == dialectTech {
		root = wrapOK("result", root)
	}
	out.root = newTmpl(root)
	for r := range numResources {
		out.docs[r] = make([]*tmpl, len(c.docs[r]))
		var all [][]byte
		for id, t := range c.docs[r] {
			if t == nil {
				continue
			}
			doc := unslash(t.join())
			var item struct {
				Name  string `json:"name"`
				Title string `json:"title"`
			}
			if err := json.Unmarshal(bytes.ReplaceAll(doc, []byte(baseMarker), nil), &item); err != nil {
				return nil, fmt.Errorf("%s/%d: %w", r, id, err)
			}
			out.items[r] = append(out.items[r], listItem{id: id, name: item.Name + item.Title})
			if d == dialectTech {
				doc = techResult(r, id, doc)
			}
			all = append(all, doc)
			if d == dialectTech {
				doc = wrapOK("result", doc)
			}
			out.docs[r][id] = newTmpl(doc)
		}
		switch {
		case d == dialectInfo:
			out.pages[r] = []*tmpl{newTmpl(append(append([]byte{'['}, bytes.Join(all, []byte{','})...), ']'))}
		case r == films: // swapi.tech lists films in full, without paging
			out.pages[r] = []*tmpl{newTmpl(wrapOK("result", append(append([]byte{'['}, bytes.Join(all, []byte{','})...), ']')))}
		default: // swapi.tech's pages of the default size; others are rendered per request
			for k := 1; k <= (len(out.items[r])+techPageSize-1)/techPageSize; k++ {
				b, err := out.techPage(r, k, techPageSize, baseMarker)
				if err != nil {
					return nil, fmt.Errorf("%s page %d: %w", r, k, err)
				}
				out.pages[r] = append(out.pages[r], newTmpl(b))
			}
		}
	}
	return out, nil
}

// join is the template with baseMarker in its holes.
func (t *tmpl) join() []byte { return bytes.Join(t.parts, []byte(baseMarker)) }

// wrapOK is {"message":"ok","<member>":v}.
func wrapOK(member string, v []byte) []byte {
	return fmt.Appendf(nil, `{"message":"ok",%q:%s}`, member, v)
}

// techResult wraps a document as swapi.tech's "result" does.
func techResult(r resource, id int, props []byte) []byte {
	return fmt.Appendf(nil, `{"properties":%s,"description":%q,"_id":"%s","uid":"%d","__v":0}`,
		props, descriptions[r], objectID(r, id), id)
}

// objectID is a MongoDB-style _id for a document: 24 lowercase hex digits, the same for the
// same resource and id on every run.
func objectID(r resource, id int) string {
	h := splitmix(uint64(r)<<32 | uint64(id))
	return fmt.Sprintf("%08x%016x", uint32(splitmix(h)), h)
}

// listItem is one entry of a swapi.tech list page.
type listItem struct {
	id   int
	name string
}

// route maps a request path to a route of the server's dialect, or to the location of the
// dialect's form of the path.
func (s *Server) route(path, rawQuery string) (rt route, location string) {
	if s.cat.dialect.slash() || path == "/api" || path == "/api/" {
		rt = parseRoute(path, rawQuery)
		if rt.kind == routeRedirect {
			return rt, withQuery(path+"/", rawQuery)
		}
		return rt, ""
	}
	if strings.HasSuffix(path, "/") {
		if rt = parseRoute(path, rawQuery); rt.kind == routeList || rt.kind == routeDetail {
			return rt, withQuery(strings.TrimSuffix(path, "/"), rawQuery)
		}
		return route{}, ""
	}
	rt = parseRoute(path+"/", rawQuery)
	if rt.kind == routeList {
		rt.n = 1 // a whole list (info, tech films) or a page taken from the query (tech)
	}
	return rt, ""
}

func withQuery(path, rawQuery string) string {
	if rawQuery == "" {
		return path
	}
	return path + "?" + rawQuery
}

// techPageSize is swapi.tech's default list page size, the one whose pages are pre-rendered.
const techPageSize = 10

// techMaxLimit is the largest ?limit= a swapi.tech list accepts.
const techMaxLimit = 100

var (
	techBadLimit = newBody([]byte(`{"message":"limit must be between 1 and 100"}`))
	techBadPage  = newBody([]byte(`{"message":"page must be a positive integer"}`))
)

// techQuery reads ?page=K&limit=L (defaults 1 and techPageSize; the last of repeated
// parameters wins; others are ignored). It returns the 400 body of an invalid value.
func techQuery(rawQuery string) (page, limit int, bad *body) {
	page, limit = 1, techPageSize
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "page":
			n, ok := parseID(v)
			if !ok || n < 1 {
				return 0, 0, &techBadPage
			}
			page = n
		case "limit":
			n, ok := parseID(v)
			if !ok || n < 1 || n > techMaxLimit {
				return 0, 0, &techBadLimit
			}
			limit = n
		}
	}
	return page, limit, nil
}

// techPage renders page of a swapi.tech list of limit items; base is the base URL (or
// baseMarker for a template). A page beyond the last has no results and points back at the
// last page.
func (c *catalog) techPage(r resource, page, limit int, base string) ([]byte, error) {
	items := c.items[r]
	pages := (len(items) + limit - 1) / limit
	pageURL := func(k int) *string {
		u := base + resourceNames[r] + "?page=" + strconv.Itoa(k) + "&limit=" + strconv.Itoa(limit)
		return &u
	}
	type result struct {
		UID  string `json:"uid"`
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	doc := struct {
		Message      string   `json:"message"`
		TotalRecords int      `json:"total_records"`
		TotalPages   int      `json:"total_pages"`
		Previous     *string  `json:"previous"`
		Next         *string  `json:"next"`
		Results      []result `json:"results"`
	}{Message: "ok", TotalRecords: len(items), TotalPages: pages, Results: []result{}}
	if page > 1 {
		doc.Previous = pageURL(min(page-1, pages))
	}
	if page < pages {
		doc.Next = pageURL(page + 1)
	}
	if page <= pages {
		for _, it := range items[(page-1)*limit : min(page*limit, len(items))] {
			id := strconv.Itoa(it.id)
			doc.Results = append(doc.Results, result{UID: id, Name: it.name, URL: base + resourceNames[r] + "/" + id})
		}
	}
	return encode(doc)
}
