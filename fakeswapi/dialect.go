package fakeswapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Dialects lists the public SWAPIs whose shapes and data the fake can answer in
// (Options.Dialect): swapi.dev's, swapi.py4e.com's, swapi.tech's and swapi.info's.
var Dialects = []string{"dev", "py4e", "tech", "info"}

// dialect is a parsed Options.Dialect.
type dialect int

const (
	dialectDev dialect = iota
	dialectPY4E
	dialectTech
	dialectInfo
	numDialects
)

func parseDialect(name string) (dialect, bool) {
	switch name {
	case "", "dev":
		return dialectDev, true
	case "py4e":
		return dialectPY4E, true
	case "tech":
		return dialectTech, true
	case "info":
		return dialectInfo, true
	}
	return 0, false
}

// drf reports whether the dialect is Django REST framework's (swapi.dev, swapi.py4e.com).
func (d dialect) drf() bool { return d == dialectDev || d == dialectPY4E }

// data is the fixture set the dialect serves.
func (d dialect) data() dataSet {
	if d == dialectPY4E {
		return dataPY4E
	}
	return dataDev
}

// descriptions are swapi.tech's "description" of each resource's documents, as it spells them.
var descriptions = [numResources]string{
	people: "A person within the Star Wars universe", planets: "A planet.", films: "A Star Wars Film",
	species: "A sepcies within the Star Wars universe", vehicles: "A vehicle", starships: "A Starship",
}

// rootOrder is the order of the members of each dialect's root document.
var rootOrder = [numDialects][]resource{
	dialectDev:  {people, planets, films, species, vehicles, starships},
	dialectPY4E: {people, planets, films, species, vehicles, starships},
	dialectTech: {films, people, planets, species, starships, vehicles},
	dialectInfo: {films, people, planets, species, vehicles, starships},
}

// infoFixes are the corrections swapi.info's files hold where swapi.dev's fixtures differ.
var infoFixes = []struct {
	res           resource
	id            int
	key, old, new string
}{{starships, 5, "manufacturer", "Cyngus", "Cygnus"}}

// catalog is one dialect's data set and its pre-rendered templates, built once per process.
type catalog struct {
	dialect dialect
	data    *dataset
	style   linkStyle // how the dialect writes links by default
	root    *tmpl
	docs    [numResources][]*tmpl // indexed by id; nil: no such id
	// pages are the pre-rendered lists: DRF pages (page k at k-1), swapi.info's one array,
	// swapi.tech's pages of its default limit, or its one list of every film.
	pages   [numResources][]*tmpl
	schemas [numResources]json.RawMessage // nil: generated from a document
}

// catalogs renders each dialect's catalog once per process.
var catalogs [numDialects]func() (*catalog, error)

func init() {
	for d := range numDialects {
		catalogs[d] = sync.OnceValues(func() (*catalog, error) { return buildCatalog(d) })
	}
}

// loadCatalog returns the dialect's catalog.
func loadCatalog(d dialect) (*catalog, error) { return catalogs[d]() }

func buildCatalog(d dialect) (*catalog, error) {
	ds, err := loadDataset(d.data())
	if err != nil {
		return nil, err
	}
	if d == dialectInfo {
		for _, f := range infoFixes {
			doc := ds.docs[f.res][f.id]
			if doc == nil {
				return nil, fmt.Errorf("info fix: no %s/%d", f.res, f.id)
			}
			for i, m := range doc.members {
				if m.key == f.key {
					doc.members[i].str = strings.Replace(m.str, f.old, f.new, 1)
				}
			}
		}
	}
	schemas, err := readSchemas(d)
	if err != nil {
		return nil, err
	}
	c := &catalog{dialect: d, data: ds, style: linkStyle{slash: d.drf()}, schemas: schemas}
	c.root = newTmpl(c.renderRoot(c.style))
	for r := range numResources {
		ids := ds.ids[r]
		c.docs[r] = make([]*tmpl, ids[len(ids)-1]+1)
		var b bytes.Buffer
		for _, id := range ids {
			b.Reset()
			c.renderDoc(&b, ds.docs[r][id], c.style)
			c.docs[r][id] = newTmpl(bytes.Clone(b.Bytes()))
		}
		switch {
		case d.drf():
			for k := 1; k <= (len(ids)+pageSize-1)/pageSize; k++ {
				b.Reset()
				c.drfPage(&b, resource(r), ids, k, c.style, func(k int) string {
					return baseMarker + resourceNames[r] + "/?page=" + strconv.Itoa(k)
				})
				c.pages[r] = append(c.pages[r], newTmpl(bytes.Clone(b.Bytes())))
			}
		case d == dialectInfo:
			b.Reset()
			c.array(&b, resource(r), ids, c.style)
			c.pages[r] = []*tmpl{newTmpl(bytes.Clone(b.Bytes()))}
		case r == films:
			b.Reset()
			c.techAll(&b, resource(r), ids, c.style)
			c.pages[r] = []*tmpl{newTmpl(bytes.Clone(b.Bytes()))}
		default:
			for k := 1; k <= (len(ids)+techPageSize-1)/techPageSize; k++ {
				c.pages[r] = append(c.pages[r], newTmpl(c.techPage(resource(r), techQuery{page: float64(k), limit: techPageSize}, baseMarker)))
			}
		}
	}
	return c, nil
}

// readSchemas returns the real schema documents the dialect serves, by resource.
func readSchemas(d dialect) ([numResources]json.RawMessage, error) {
	var out [numResources]json.RawMessage
	b, err := dataFS.ReadFile("data/schemas.json")
	if err != nil {
		return out, err
	}
	var all map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return out, fmt.Errorf("schemas.json: %w", err)
	}
	set := "info"
	if d.drf() {
		set = "dev"
	}
	for name, s := range all[set] {
		r, ok := resourceByName(name)
		if !ok {
			return out, fmt.Errorf("schemas.json: unknown resource %q", name)
		}
		out[r] = s
	}
	return out, nil
}

// renderDoc writes one detail answer in the dialect's shape.
func (c *catalog) renderDoc(b *bytes.Buffer, d *document, ls linkStyle) {
	if c.dialect == dialectTech {
		b.WriteString(`{"message":"ok","result":`)
		ls.techResult(b, d)
		b.WriteByte('}')
		return
	}
	ls.drf(b, d)
}

// renderRoot is the dialect's root document.
func (c *catalog) renderRoot(ls linkStyle) []byte {
	var b bytes.Buffer
	if c.dialect == dialectTech {
		b.WriteString(`{"message":"ok","result":`)
	}
	b.WriteByte('{')
	for i, r := range rootOrder[c.dialect] {
		if i > 0 {
			b.WriteByte(',')
		}
		writeKey(&b, r.String())
		b.WriteString(`"` + baseMarker + r.String())
		switch {
		case ls.suffix != "":
			b.WriteString(ls.suffix)
		case ls.slash:
			b.WriteByte('/')
		}
		b.WriteString(ls.query + `"`)
	}
	b.WriteByte('}')
	if c.dialect == dialectTech {
		b.WriteByte('}')
	}
	return b.Bytes()
}

// drfPage writes page k of a DRF list of ids ({count,next,previous,results}); pageURL(k) is
// the link to page k. k must be a page of ids (1 when ids is empty).
func (c *catalog) drfPage(b *bytes.Buffer, r resource, ids []int, k int, ls linkStyle, pageURL func(int) string) {
	n := (len(ids) + pageSize - 1) / pageSize
	b.WriteString(`{"count":` + strconv.Itoa(len(ids)) + `,"next":`)
	if k < n {
		writeString(b, pageURL(k+1))
	} else {
		b.WriteString("null")
	}
	b.WriteString(`,"previous":`)
	if k > 1 {
		writeString(b, pageURL(k-1))
	} else {
		b.WriteString("null")
	}
	b.WriteString(`,"results":[`)
	for i, id := range ids[min((k-1)*pageSize, len(ids)):min(k*pageSize, len(ids))] {
		if i > 0 {
			b.WriteByte(',')
		}
		ls.drf(b, c.data.docs[r][id])
	}
	b.WriteString("]}")
}

// array writes swapi.info's list: a bare array of every document.
func (c *catalog) array(b *bytes.Buffer, r resource, ids []int, ls linkStyle) {
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		ls.drf(b, c.data.docs[r][id])
	}
	b.WriteByte(']')
}

// techAll writes {"message":"ok","result":[every result of ids]}: swapi.tech's films list and
// its searches.
func (c *catalog) techAll(b *bytes.Buffer, r resource, ids []int, ls linkStyle) {
	b.WriteString(`{"message":"ok","result":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		ls.techResult(b, c.data.docs[r][id])
	}
	b.WriteString("]}")
}

// objectID is a MongoDB-style _id for a document: 24 lowercase hex digits, the same for the
// same resource and id on every run.
func objectID(r resource, id int) string {
	h := splitmix(uint64(r)<<32 | uint64(id))
	return fmt.Sprintf("%08x%016x", uint32(splitmix(h)), h)
}
