package fakeswapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed data/*.json
var dataFS embed.FS

// resource is one of SWAPI's six collections, in the order the root document lists them.
type resource int

const (
	people resource = iota
	planets
	films
	species
	vehicles
	starships
	numResources
)

var resourceNames = [numResources]string{"people", "planets", "films", "species", "vehicles", "starships"}

func (r resource) String() string { return resourceNames[r] }

func resourceByName(name string) (resource, bool) {
	for r, n := range resourceNames {
		if n == name {
			return resource(r), true
		}
	}
	return 0, false
}

// pageSize is SWAPI's list page size.
const pageSize = 10

// baseMarker stands for the base URL (scheme://host/api/) inside rendered templates.
const baseMarker = "@@BASE@@"

// The record types mirror data/*.json: scalar facts plus the ids of the relations stored
// in one direction only. The other direction is derived, so the two always agree.

type personFacts struct {
	Name      string `json:"name"`
	Height    string `json:"height"`
	Mass      string `json:"mass"`
	HairColor string `json:"hair_color"`
	SkinColor string `json:"skin_color"`
	EyeColor  string `json:"eye_color"`
	BirthYear string `json:"birth_year"`
	Gender    string `json:"gender"`
}

type personRec struct {
	ID int `json:"id"`
	personFacts
	Homeworld int `json:"homeworld"`
}

type planetFacts struct {
	Name           string `json:"name"`
	RotationPeriod string `json:"rotation_period"`
	OrbitalPeriod  string `json:"orbital_period"`
	Diameter       string `json:"diameter"`
	Climate        string `json:"climate"`
	Gravity        string `json:"gravity"`
	Terrain        string `json:"terrain"`
	SurfaceWater   string `json:"surface_water"`
	Population     string `json:"population"`
}

type planetRec struct {
	ID int `json:"id"`
	planetFacts
}

type filmFacts struct {
	Title        string `json:"title"`
	EpisodeID    int    `json:"episode_id"`
	OpeningCrawl string `json:"opening_crawl"`
	Director     string `json:"director"`
	Producer     string `json:"producer"`
	ReleaseDate  string `json:"release_date"`
}

type filmRec struct {
	ID int `json:"id"`
	filmFacts
	Characters []int `json:"characters"`
	Planets    []int `json:"planets"`
	Starships  []int `json:"starships"`
	Vehicles   []int `json:"vehicles"`
	Species    []int `json:"species"`
}

type speciesFacts struct {
	Name            string `json:"name"`
	Classification  string `json:"classification"`
	Designation     string `json:"designation"`
	AverageHeight   string `json:"average_height"`
	SkinColors      string `json:"skin_colors"`
	HairColors      string `json:"hair_colors"`
	EyeColors       string `json:"eye_colors"`
	AverageLifespan string `json:"average_lifespan"`
}

type speciesRec struct {
	ID int `json:"id"`
	speciesFacts
	Homeworld int    `json:"homeworld"` // 0: none (null in the document)
	Language  string `json:"language"`
	People    []int  `json:"people"`
}

type craftFacts struct {
	Name                 string `json:"name"`
	Model                string `json:"model"`
	Manufacturer         string `json:"manufacturer"`
	CostInCredits        string `json:"cost_in_credits"`
	Length               string `json:"length"`
	MaxAtmospheringSpeed string `json:"max_atmosphering_speed"`
	Crew                 string `json:"crew"`
	Passengers           string `json:"passengers"`
	CargoCapacity        string `json:"cargo_capacity"`
	Consumables          string `json:"consumables"`
}

type starshipRec struct {
	ID int `json:"id"`
	craftFacts
	HyperdriveRating string `json:"hyperdrive_rating"`
	MGLT             string `json:"MGLT"`
	StarshipClass    string `json:"starship_class"`
	Pilots           []int  `json:"pilots"`
}

type vehicleRec struct {
	ID int `json:"id"`
	craftFacts
	VehicleClass string `json:"vehicle_class"`
	Pilots       []int  `json:"pilots"`
}

// The document types fix SWAPI's field order; links hold baseMarker + a relative path.

type personDoc struct {
	personFacts
	Homeworld string   `json:"homeworld"`
	Films     []string `json:"films"`
	Species   []string `json:"species"`
	Vehicles  []string `json:"vehicles"`
	Starships []string `json:"starships"`
	Created   string   `json:"created"`
	Edited    string   `json:"edited"`
	URL       string   `json:"url"`
}

type planetDoc struct {
	planetFacts
	Residents []string `json:"residents"`
	Films     []string `json:"films"`
	Created   string   `json:"created"`
	Edited    string   `json:"edited"`
	URL       string   `json:"url"`
}

type filmDoc struct {
	filmFacts
	Characters []string `json:"characters"`
	Planets    []string `json:"planets"`
	Starships  []string `json:"starships"`
	Vehicles   []string `json:"vehicles"`
	Species    []string `json:"species"`
	Created    string   `json:"created"`
	Edited     string   `json:"edited"`
	URL        string   `json:"url"`
}

type speciesDoc struct {
	speciesFacts
	Homeworld *string  `json:"homeworld"`
	Language  string   `json:"language"`
	People    []string `json:"people"`
	Films     []string `json:"films"`
	Created   string   `json:"created"`
	Edited    string   `json:"edited"`
	URL       string   `json:"url"`
}

type starshipDoc struct {
	craftFacts
	HyperdriveRating string   `json:"hyperdrive_rating"`
	MGLT             string   `json:"MGLT"`
	StarshipClass    string   `json:"starship_class"`
	Pilots           []string `json:"pilots"`
	Films            []string `json:"films"`
	Created          string   `json:"created"`
	Edited           string   `json:"edited"`
	URL              string   `json:"url"`
}

type vehicleDoc struct {
	craftFacts
	VehicleClass string   `json:"vehicle_class"`
	Pilots       []string `json:"pilots"`
	Films        []string `json:"films"`
	Created      string   `json:"created"`
	Edited       string   `json:"edited"`
	URL          string   `json:"url"`
}

type listDoc struct {
	Count    int               `json:"count"`
	Next     *string           `json:"next"`
	Previous *string           `json:"previous"`
	Results  []json.RawMessage `json:"results"`
}

type rootDoc struct {
	People    string `json:"people"`
	Planets   string `json:"planets"`
	Films     string `json:"films"`
	Species   string `json:"species"`
	Vehicles  string `json:"vehicles"`
	Starships string `json:"starships"`
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

// catalog is the whole data set rendered into templates, built once per process.
type catalog struct {
	dialect dialect
	items   [numResources][]listItem // list entries by id (tech and info only)
	root    *tmpl
	count   [numResources]int
	docs    [numResources][]*tmpl // indexed by id; nil: no such id
	pages   [numResources][]*tmpl // pages[k-1] is page k
}

// records is the decoded data set, before rendering.
type records struct {
	people    []personRec
	planets   []planetRec
	films     []filmRec
	species   []speciesRec
	starships []starshipRec
	vehicles  []vehicleRec
}

func readRecords() (*records, error) {
	var rs records
	files := []struct {
		name string
		dst  any
	}{
		{"people", &rs.people},
		{"planets", &rs.planets},
		{"films", &rs.films},
		{"species", &rs.species},
		{"starships", &rs.starships},
		{"vehicles", &rs.vehicles},
	}
	for _, f := range files {
		b, err := dataFS.ReadFile("data/" + f.name + ".json")
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f.dst); err != nil {
			return nil, fmt.Errorf("decode %s: %w", f.name, err)
		}
		if bytes.Contains(b, []byte(baseMarker)) {
			return nil, fmt.Errorf("%s contains the reserved string %q", f.name, baseMarker)
		}
	}
	return &rs, nil
}

// idSet records which ids of one resource exist.
type idSet map[int]bool

func (r personRec) key() int   { return r.ID }
func (r planetRec) key() int   { return r.ID }
func (r filmRec) key() int     { return r.ID }
func (r speciesRec) key() int  { return r.ID }
func (r starshipRec) key() int { return r.ID }
func (r vehicleRec) key() int  { return r.ID }

func collectIDs[T interface{ key() int }](name string, recs []T) (idSet, error) {
	set := make(idSet, len(recs))
	for _, r := range recs {
		n := r.key()
		if n <= 0 {
			return nil, fmt.Errorf("%s: id %d not positive", name, n)
		}
		if set[n] {
			return nil, fmt.Errorf("%s: duplicate id %d", name, n)
		}
		set[n] = true
	}
	return set, nil
}

func checkRefs(what string, ids []int, set idSet) error {
	for _, id := range ids {
		if !set[id] {
			return fmt.Errorf("%s: dangling reference %d", what, id)
		}
	}
	return nil
}

// inverse maps an id to the sorted ids of the records that reference it.
type inverse map[int][]int

func (inv inverse) add(to, from int) { inv[to] = append(inv[to], from) }

func (inv inverse) get(id int) []int {
	ids := slices.Clone(inv[id])
	slices.Sort(ids)
	return slices.Compact(ids)
}

func link(r resource, id int) string { return baseMarker + r.String() + "/" + strconv.Itoa(id) + "/" }

func links(r resource, ids []int) []string {
	ls := make([]string, 0, len(ids))
	for _, id := range ids {
		ls = append(ls, link(r, id))
	}
	return ls
}

// stamps returns deterministic SWAPI-style created and edited timestamps.
func stamps(r resource, id int) (created, edited string) {
	const layout = "2006-01-02T15:04:05.000000Z"
	t := time.Date(2014, 12, 9+int(r), 13, 0, 0, 0, time.UTC).
		Add(time.Duration(id)*7*time.Minute + time.Duration(id*104729%1000000)*time.Microsecond)
	return t.Format(layout), t.Add(10*24*time.Hour + time.Duration(id)*time.Second).Format(layout)
}

func buildCatalog() (*catalog, error) {
	rs, err := readRecords()
	if err != nil {
		return nil, err
	}
	var ids [numResources]idSet
	if ids[people], err = collectIDs("people", rs.people); err != nil {
		return nil, err
	}
	if ids[planets], err = collectIDs("planets", rs.planets); err != nil {
		return nil, err
	}
	if ids[films], err = collectIDs("films", rs.films); err != nil {
		return nil, err
	}
	if ids[species], err = collectIDs("species", rs.species); err != nil {
		return nil, err
	}
	if ids[starships], err = collectIDs("starships", rs.starships); err != nil {
		return nil, err
	}
	if ids[vehicles], err = collectIDs("vehicles", rs.vehicles); err != nil {
		return nil, err
	}
	for id := range ids[starships] {
		if ids[vehicles][id] {
			return nil, fmt.Errorf("id %d is both a starship and a vehicle", id)
		}
	}

	var (
		residents      = inverse{} // planet → people
		personFilms    = inverse{}
		personSpecies  = inverse{}
		personVehicles = inverse{}
		personShips    = inverse{}
		planetFilms    = inverse{}
		speciesFilms   = inverse{}
		shipFilms      = inverse{}
		vehicleFilms   = inverse{}
	)
	for _, p := range rs.people {
		if err := checkRefs(fmt.Sprintf("people/%d homeworld", p.ID), []int{p.Homeworld}, ids[planets]); err != nil {
			return nil, err
		}
		residents.add(p.Homeworld, p.ID)
	}
	for _, f := range rs.films {
		for _, c := range []struct {
			name string
			ids  []int
			set  idSet
			inv  inverse
		}{
			{"characters", f.Characters, ids[people], personFilms},
			{"planets", f.Planets, ids[planets], planetFilms},
			{"starships", f.Starships, ids[starships], shipFilms},
			{"vehicles", f.Vehicles, ids[vehicles], vehicleFilms},
			{"species", f.Species, ids[species], speciesFilms},
		} {
			if err := checkRefs(fmt.Sprintf("films/%d %s", f.ID, c.name), c.ids, c.set); err != nil {
				return nil, err
			}
			for _, id := range c.ids {
				c.inv.add(id, f.ID)
			}
		}
	}
	for _, s := range rs.species {
		if s.Homeworld != 0 {
			if err := checkRefs(fmt.Sprintf("species/%d homeworld", s.ID), []int{s.Homeworld}, ids[planets]); err != nil {
				return nil, err
			}
		}
		if err := checkRefs(fmt.Sprintf("species/%d people", s.ID), s.People, ids[people]); err != nil {
			return nil, err
		}
		for _, id := range s.People {
			personSpecies.add(id, s.ID)
		}
	}
	for _, s := range rs.starships {
		if err := checkRefs(fmt.Sprintf("starships/%d pilots", s.ID), s.Pilots, ids[people]); err != nil {
			return nil, err
		}
		for _, id := range s.Pilots {
			personShips.add(id, s.ID)
		}
	}
	for _, v := range rs.vehicles {
		if err := checkRefs(fmt.Sprintf("vehicles/%d pilots", v.ID), v.Pilots, ids[people]); err != nil {
			return nil, err
		}
		for _, id := range v.Pilots {
			personVehicles.add(id, v.ID)
		}
	}

	docs := [numResources]map[int]any{}
	for r := range numResources {
		docs[r] = map[int]any{}
	}
	for _, p := range rs.people {
		d := personDoc{
			personFacts: p.personFacts,
			Homeworld:   link(planets, p.Homeworld),
			Films:       links(films, personFilms.get(p.ID)),
			Species:     links(species, personSpecies.get(p.ID)),
			Vehicles:    links(vehicles, personVehicles.get(p.ID)),
			Starships:   links(starships, personShips.get(p.ID)),
			URL:         link(people, p.ID),
		}
		d.Created, d.Edited = stamps(people, p.ID)
		docs[people][p.ID] = d
	}
	for _, p := range rs.planets {
		d := planetDoc{
			planetFacts: p.planetFacts,
			Residents:   links(people, residents.get(p.ID)),
			Films:       links(films, planetFilms.get(p.ID)),
			URL:         link(planets, p.ID),
		}
		d.Created, d.Edited = stamps(planets, p.ID)
		docs[planets][p.ID] = d
	}
	for _, f := range rs.films {
		d := filmDoc{
			filmFacts:  f.filmFacts,
			Characters: links(people, f.Characters),
			Planets:    links(planets, f.Planets),
			Starships:  links(starships, f.Starships),
			Vehicles:   links(vehicles, f.Vehicles),
			Species:    links(species, f.Species),
			URL:        link(films, f.ID),
		}
		d.Created, d.Edited = stamps(films, f.ID)
		docs[films][f.ID] = d
	}
	for _, s := range rs.species {
		d := speciesDoc{
			speciesFacts: s.speciesFacts,
			Language:     s.Language,
			People:       links(people, s.People),
			Films:        links(films, speciesFilms.get(s.ID)),
			URL:          link(species, s.ID),
		}
		if s.Homeworld != 0 {
			hw := link(planets, s.Homeworld)
			d.Homeworld = &hw
		}
		d.Created, d.Edited = stamps(species, s.ID)
		docs[species][s.ID] = d
	}
	for _, s := range rs.starships {
		d := starshipDoc{
			craftFacts:       s.craftFacts,
			HyperdriveRating: s.HyperdriveRating,
			MGLT:             s.MGLT,
			StarshipClass:    s.StarshipClass,
			Pilots:           links(people, s.Pilots),
			Films:            links(films, shipFilms.get(s.ID)),
			URL:              link(starships, s.ID),
		}
		d.Created, d.Edited = stamps(starships, s.ID)
		docs[starships][s.ID] = d
	}
	for _, v := range rs.vehicles {
		d := vehicleDoc{
			craftFacts:   v.craftFacts,
			VehicleClass: v.VehicleClass,
			Pilots:       links(people, v.Pilots),
			Films:        links(films, vehicleFilms.get(v.ID)),
			URL:          link(vehicles, v.ID),
		}
		d.Created, d.Edited = stamps(vehicles, v.ID)
		docs[vehicles][v.ID] = d
	}

	c := &catalog{}
	for r := range numResources {
		if err := c.render(r, docs[r]); err != nil {
			return nil, err
		}
	}
	root, err := encode(rootDoc{
		People:    baseMarker + "people/",
		Planets:   baseMarker + "planets/",
		Films:     baseMarker + "films/",
		Species:   baseMarker + "species/",
		Vehicles:  baseMarker + "vehicles/",
		Starships: baseMarker + "starships/",
	})
	if err != nil {
		return nil, err
	}
	c.root = newTmpl(root)
	return c, nil
}

// render fills in the detail and list templates of one resource.
func (c *catalog) render(r resource, docs map[int]any) error {
	ids := make([]int, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	c.count[r] = len(ids)
	c.docs[r] = make([]*tmpl, ids[len(ids)-1]+1)
	raw := make([]json.RawMessage, len(ids))
	for i, id := range ids {
		b, err := encode(docs[id])
		if err != nil {
			return fmt.Errorf("%s/%d: %w", r, id, err)
		}
		raw[i] = b
		c.docs[r][id] = newTmpl(b)
	}
	npages := (len(ids) + pageSize - 1) / pageSize
	for k := 1; k <= npages; k++ {
		l := listDoc{Count: len(ids), Results: raw[(k-1)*pageSize : min(k*pageSize, len(ids))]}
		if k < npages {
			next := pageLink(r, k+1)
			l.Next = &next
		}
		if k > 1 {
			prev := pageLink(r, k-1)
			l.Previous = &prev
		}
		b, err := encode(l)
		if err != nil {
			return fmt.Errorf("%s page %d: %w", r, k, err)
		}
		c.pages[r] = append(c.pages[r], newTmpl(b))
	}
	return nil
}

func pageLink(r resource, k int) string {
	return baseMarker + r.String() + "/?page=" + strconv.Itoa(k)
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

// site is the catalog expanded for one base URL.
type site struct {
	tls   bool
	host  string
	root  body
	docs  [numResources][]body
	pages [numResources][]body
}

func (c *catalog) expand(tls bool, host string) *site {
	base := jsonEscape(baseURL(tls, host))
	s := &site{tls: tls, host: host, root: newBody(c.root.expand(base))}
	for r := range numResources {
		s.docs[r] = make([]body, len(c.docs[r]))
		for id, t := range c.docs[r] {
			if t != nil {
				s.docs[r][id] = newBody(t.expand(base))
			}
		}
		for _, t := range c.pages[r] {
			s.pages[r] = append(s.pages[r], newBody(t.expand(base)))
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
	sites map[siteKey]*site
}

type siteKey struct {
	tls  bool
	host string
}

// get returns the expanded site for a base URL, or nil if the cache is full.
func (sc *siteCache) get(c *catalog, tls bool, host string) *site {
	if s := sc.last.Load(); s != nil && s.tls == tls && s.host == host {
		return s
	}
	k := siteKey{tls, host}
	sc.mu.Lock()
	s := sc.sites[k]
	if s == nil && len(sc.sites) < maxSites {
		if sc.sites == nil {
			sc.sites = map[siteKey]*site{}
		}
		s = c.expand(tls, host)
		sc.sites[k] = s
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

// routeKind says what a request path addresses.
type routeKind int

const (
	routeNotFound routeKind = iota
	routeRoot
	routeList
	routeDetail
	routeRedirect // the same path with a trailing slash would be routeRoot, routeList or routeDetail
)

type route struct {
	kind routeKind
	res  resource
	n    int // the id (routeDetail) or page number (routeList, 0: invalid page)
}

// parseRoute maps a path and raw query to a route, without checking that ids exist.
func parseRoute(path, rawQuery string) route {
	rest, ok := strings.CutPrefix(path, "/api")
	if !ok {
		return route{}
	}
	if rest == "" {
		return route{kind: routeRedirect}
	}
	if rest == "/" {
		return route{kind: routeRoot}
	}
	name, rest, slash := strings.Cut(rest[1:], "/")
	res, ok := resourceByName(name)
	if !ok {
		return route{}
	}
	if !slash {
		return route{kind: routeRedirect, res: res}
	}
	if rest == "" {
		return route{kind: routeList, res: res, n: queryPage(rawQuery)}
	}
	idStr, tail, slash := strings.Cut(rest, "/")
	id, ok := parseID(idStr)
	switch {
	case !ok || tail != "":
		return route{}
	case !slash:
		return route{kind: routeRedirect, res: res, n: id}
	}
	return route{kind: routeDetail, res: res, n: id}
}

// parseID accepts a decimal id of at most 9 digits.
func parseID(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// pageLast is the page number for ?page=last.
const pageLast = -1

// queryPage returns the page a list request asks for: 1 without a page parameter, pageLast for
// "last", 0 for an invalid value. Other parameters (format, search, ...) are ignored.
func queryPage(rawQuery string) int {
	page := 1
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k != "page" {
			continue
		}
		if v == "last" {
			page = pageLast
			continue
		}
		n, ok := parseID(v)
		if !ok {
			n = 0
		}
		page = n
	}
	return page
}
