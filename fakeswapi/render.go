package fakeswapi

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// baseMarker stands for the base URL (scheme://host/api/) inside rendered templates.
const baseMarker = "@@BASE@@"

// pageSize is the DRF list page size of swapi.dev and swapi.py4e.com.
const pageSize = 10

// linkStyle is how a dialect and a request write links to documents.
type linkStyle struct {
	slash  bool   // "people/1/" rather than "people/1"
	suffix string // a format suffix, ".json": "people/1.json" (replaces the slash)
	query  string // appended to every link, "?format=json"
}

func (ls linkStyle) link(b *bytes.Buffer, r resource, id int) {
	b.WriteString(baseMarker)
	b.WriteString(r.String())
	b.WriteByte('/')
	b.WriteString(strconv.Itoa(id))
	switch {
	case ls.suffix != "":
		b.WriteString(ls.suffix)
	case ls.slash:
		b.WriteByte('/')
	}
	b.WriteString(ls.query)
}

// techOrder is the member order of swapi.tech's properties, per resource; the members its
// models lack are absent.
var techOrder = [numResources][]string{
	people:    {"height", "mass", "hair_color", "skin_color", "eye_color", "birth_year", "gender", "created", "edited", "name", "homeworld", "url"},
	planets:   {"diameter", "rotation_period", "orbital_period", "gravity", "population", "climate", "terrain", "surface_water", "created", "edited", "name", "url"},
	films:     {"characters", "planets", "starships", "vehicles", "species", "created", "edited", "producer", "title", "episode_id", "director", "release_date", "opening_crawl", "url"},
	species:   {"classification", "designation", "average_height", "average_lifespan", "hair_colors", "skin_colors", "eye_colors", "homeworld", "language", "people", "created", "edited", "name", "url"},
	vehicles:  {"model", "vehicle_class", "manufacturer", "cost_in_credits", "length", "crew", "passengers", "max_atmosphering_speed", "cargo_capacity", "consumables", "films", "pilots", "created", "edited", "name", "url"},
	starships: {"model", "starship_class", "manufacturer", "cost_in_credits", "length", "crew", "passengers", "max_atmosphering_speed", "hyperdrive_rating", "MGLT", "cargo_capacity", "consumables", "pilots", "created", "edited", "name", "url"},
}

// techEmpty lists the relations swapi.tech's loader leaves empty although its model has them.
var techEmpty = map[resource]map[string]bool{vehicles: {"films": true}}

const (
	drfTime  = "2006-01-02T15:04:05.000000Z"
	techTime = "2006-01-02T15:04:05.000Z"
)

// pythonTime formats t as DRF does (Python's isoformat, +00:00 as Z): microseconds unless
// they are zero.
func pythonTime(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return t.UTC().Format(drfTime)
}

// writeString writes s as a JSON string, without HTML escaping.
func writeString(b *bytes.Buffer, s string) {
	e, err := encode(s)
	if err != nil {
		b.WriteString(`""`)
		return
	}
	b.Write(e)
}

func (ls linkStyle) value(b *bytes.Buffer, m member) {
	switch m.kind {
	case kString:
		writeString(b, m.str)
	case kNumber:
		b.WriteString(m.str)
	case kNull:
		b.WriteString("null")
	case kLink:
		b.WriteByte('"')
		ls.link(b, m.res, m.ids[0])
		b.WriteByte('"')
	case kLinks:
		b.WriteByte('[')
		for i, id := range m.ids {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			ls.link(b, m.res, id)
			b.WriteByte('"')
		}
		b.WriteByte(']')
	}
}

func writeKey(b *bytes.Buffer, key string) {
	writeString(b, key)
	b.WriteByte(':')
}

// drf writes d as swapi.dev (and swapi.info) do: its members, created, edited, url.
func (ls linkStyle) drf(b *bytes.Buffer, d *document) {
	b.WriteByte('{')
	for _, m := range d.members {
		writeKey(b, m.key)
		ls.value(b, m)
		b.WriteByte(',')
	}
	writeKey(b, "created")
	writeString(b, pythonTime(d.created))
	b.WriteByte(',')
	writeKey(b, "edited")
	writeString(b, pythonTime(d.edited))
	b.WriteByte(',')
	writeKey(b, "url")
	b.WriteByte('"')
	ls.link(b, d.res, d.id)
	b.WriteString(`"}`)
}

// tech writes d's properties as swapi.tech's models have them, in its member order.
func (ls linkStyle) tech(b *bytes.Buffer, d *document) {
	b.WriteByte('{')
	for i, key := range techOrder[d.res] {
		if i > 0 {
			b.WriteByte(',')
		}
		writeKey(b, key)
		switch key {
		case "created":
			writeString(b, d.created.UTC().Format(techTime))
		case "edited":
			writeString(b, d.edited.UTC().Format(techTime))
		case "url":
			b.WriteByte('"')
			ls.link(b, d.res, d.id)
			b.WriteByte('"')
		default:
			m, _ := d.get(key)
			if techEmpty[d.res][key] {
				m.ids = nil
			}
			ls.value(b, m)
		}
	}
	b.WriteByte('}')
}

// techResult writes d as swapi.tech's "result": properties, description, _id, uid, __v.
func (ls linkStyle) techResult(b *bytes.Buffer, d *document) {
	b.WriteString(`{"properties":`)
	ls.tech(b, d)
	b.WriteString(`,"description":`)
	writeString(b, descriptions[d.res])
	b.WriteString(`,"_id":"`)
	b.WriteString(objectID(d.res, d.id))
	b.WriteString(`","uid":"`)
	b.WriteString(strconv.Itoa(d.id))
	b.WriteString(`","__v":0}`)
}

// tmpl is a rendered JSON document with holes for the base URL:
// parts[0] + base + parts[1] + base + ... + parts[n-1].
type tmpl struct {
	parts [][]byte
	size  int // bytes of the parts, without the holes
}

func newTmpl(b []byte) *tmpl {
	t := &tmpl{parts: bytes.Split(b, []byte(baseMarker))}
	for _, p := range t.parts {
		t.size += len(p)
	}
	return t
}

// expand fills the holes with base, which must already be escaped for a JSON string.
func (t *tmpl) expand(base string) []byte {
	b := make([]byte, 0, t.size+(len(t.parts)-1)*len(base))
	for i, p := range t.parts {
		if i > 0 {
			b = append(b, base...)
		}
		b = append(b, p...)
	}
	return b
}

// encode marshals v without HTML escaping and without a trailing newline.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// body is a response body with its Content-Length header value, both shared and read-only.
type body struct {
	b    []byte
	clen []string
}

func newBody(b []byte) body { return body{b: b, clen: []string{strconv.Itoa(len(b))}} }

// site is the catalog's pre-rendered templates expanded for one base URL.
type site struct {
	base  string
	root  body
	docs  [numResources][]body
	pages [numResources][]body
}

func (c *catalog) expand(base string) *site {
	esc := jsonEscape(base)
	s := &site{base: base, root: newBody(c.root.expand(esc))}
	for r := range numResources {
		s.docs[r] = make([]body, len(c.docs[r]))
		for id, t := range c.docs[r] {
			if t != nil {
				s.docs[r][id] = newBody(t.expand(esc))
			}
		}
		for _, t := range c.pages[r] {
			s.pages[r] = append(s.pages[r], newBody(t.expand(esc)))
		}
	}
	return s
}

func baseURL(tls bool, host string) string {
	if tls {
		return "https://" + host + "/api/"
	}
	return "http://" + host + "/api/"
}

// jsonEscape returns s escaped for use inside a JSON string, without the quotes.
func jsonEscape(s string) string {
	b, err := encode(s)
	if err != nil {
		return s
	}
	return string(b[1 : len(b)-1])
}

// maxSites bounds the number of distinct base URLs whose documents are cached in full; the
// Host header is client-controlled. Beyond it, documents are expanded per request.
const maxSites = 16

type siteCache struct {
	last  atomic.Pointer[site]
	mu    sync.Mutex
	sites map[string]*site
}

// get returns the expanded site for a base URL, or nil if the cache is full.
func (sc *siteCache) get(c *catalog, base string) *site {
	if s := sc.last.Load(); s != nil && s.base == base {
		return s
	}
	sc.mu.Lock()
	s := sc.sites[base]
	if s == nil && len(sc.sites) < maxSites {
		if sc.sites == nil {
			sc.sites = map[string]*site{}
		}
		s = c.expand(base)
		sc.sites[base] = s
	}
	sc.mu.Unlock()
	if s != nil {
		sc.last.Store(s)
	}
	return s
}

// requestHost is the host the client addressed, falling back to the local address.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return "localhost"
}

// expanded is t expanded for base: from the site cache (pick chooses it there) while the cache
// has room, else rendered now.
func (s *Server) expanded(base string, t *tmpl, pick func(*site) body) body {
	if st := s.sites.get(s.cat, base); st != nil {
		return pick(st)
	}
	return newBody(t.expand(jsonEscape(base)))
}
