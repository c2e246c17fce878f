package fakeswapi

// This file answers as swapi.dev and swapi.py4e.com do: Django REST framework 3.0 views.

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

var (
	drfHeader      = http.Header{"Allow": {"GET, HEAD, OPTIONS"}}
	drfNotFound    = newBody([]byte(`{"detail":"Not found"}`))
	drfNotAccepted = newBody([]byte(`{"detail":"Could not satisfy the request Accept header."}`))
)

// drfViewNames are the DRF view names of the viewsets, by resource.
var drfViewNames = [numResources]string{"People", "Planet", "Film", "Species", "Vehicle", "Starship"}

// searchFields are the members DRF's search filter looks in, by resource.
var searchFields = [numResources][]string{
	people: {"name"}, planets: {"name"}, films: {"title"}, species: {"name"},
	vehicles: {"name", "model"}, starships: {"name", "model"},
}

// drfRoute is what a path addresses on a DRF server.
type drfRoute struct {
	kind   routeKind
	res    resource
	id     string // the detail's lookup, unparsed
	format string // a format suffix (".json" → "json")
	to     string // routeRedirect: the path with its slash
}

type routeKind int

const (
	routeNotFound routeKind = iota // no view: the HTML 404 page
	routeRoot
	routeList
	routeDetail
	routeSchema
	routeRedirect
	routeAll   // swapi.info's /all
	routeCount // swapi.tech's /count/all
)

// parseDRF maps a path to a DRF route.
func parseDRF(path string) drfRoute {
	if path == "/api" {
		return drfRoute{kind: routeRedirect, to: "/api/"}
	}
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return drfRoute{}
	}
	if rest == "" {
		return drfRoute{kind: routeRoot}
	}
	name, rest, slash := strings.Cut(rest, "/")
	if !slash {
		if base, f, ok := cutFormat(name); ok {
			if res, ok := resourceByName(base); ok {
				return drfRoute{kind: routeList, res: res, format: f}
			}
			return drfRoute{}
		}
	}
	res, ok := resourceByName(name)
	switch {
	case !ok:
		return drfRoute{}
	case !slash:
		return drfRoute{kind: routeRedirect, to: path + "/"}
	case rest == "":
		return drfRoute{kind: routeList, res: res}
	case rest == "schema":
		return drfRoute{kind: routeSchema, res: res}
	}
	id, tail, slash := strings.Cut(rest, "/")
	switch {
	case tail != "":
		return drfRoute{}
	case slash && !strings.Contains(id, "."):
		return drfRoute{kind: routeDetail, res: res, id: id}
	case slash:
		return drfRoute{}
	}
	if base, f, ok := cutFormat(id); ok {
		return drfRoute{kind: routeDetail, res: res, id: base, format: f}
	}
	if strings.Contains(id, ".") {
		return drfRoute{}
	}
	return drfRoute{kind: routeRedirect, res: res, to: path + "/"}
}

// cutFormat splits "people.json" into "people" and "json".
func cutFormat(s string) (base, format string, ok bool) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	for _, c := range s[i+1:] {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return "", "", false
		}
	}
	return s[:i], s[i+1:], true
}

// drfFormat is how a DRF answer is rendered.
type drfFormat int

const (
	formatJSON drfFormat = iota
	formatHTML           // the browsable API
	formatWookiee
)

// negotiate picks the renderer as DRF does: the format query parameter or suffix first, else the
// Accept header. ok is false for an unknown format (404) and, with notAcceptable, when no
// renderer satisfies Accept (406).
func negotiate(name string, accept string) (f drfFormat, ok, notAcceptable bool) {
	switch name {
	case "json":
		return formatJSON, true, false
	case "api":
		return formatHTML, true, false
	case "wookiee":
		return formatWookiee, true, false
	case "":
	default:
		return 0, false, false
	}
	if strings.TrimSpace(accept) == "" {
		return formatJSON, true, false
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json", "application/*", "*/*":
			return formatJSON, true, false
		case "text/html", "text/*":
			return formatHTML, true, false
		}
	}
	return 0, false, true
}

// answerDRF answers r as swapi.dev (or swapi.py4e.com, with its data) does; a request with an
// Origin gets Access-Control-Allow-Origin: * as well.
func (s *Server) answerDRF(r *http.Request) response {
	rs := s.drfAnswer(r)
	if r.Header.Get("Origin") != "" {
		h := http.Header{"Access-Control-Allow-Origin": {"*"}}
		copyHeader(h, rs.header)
		rs.header = h
	}
	return rs
}

func (s *Server) drfAnswer(r *http.Request) response {
	rt := parseDRF(r.URL.Path)
	switch rt.kind {
	case routeNotFound:
		return response{status: http.StatusNotFound, ctype: htmlType, body: newBody(htmlPage("Page not found at "+r.URL.Path,
			"The current URL, "+strings.TrimPrefix(r.URL.Path, "/")+", didn't match any of this server's patterns."))}
	case routeRedirect:
		return response{status: http.StatusMovedPermanently, ctype: htmlUTF8Type, location: withQuery(rt.to, r.URL.RawQuery)}
	case routeSchema:
		return s.drfSchema(rt.res)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		return s.drfOptions(rt)
	default:
		msg := fmt.Appendf(nil, `{"detail":"Method %s not allowed."}`, jsonEscape(strconv.Quote(r.Method)))
		return jsonResponse(http.StatusMethodNotAllowed, newBody(msg), drfHeader)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		q = url.Values{}
	}
	name := rt.format
	if v, ok := q["format"]; ok && name == "" {
		name = v[len(v)-1]
	}
	f, ok, notAcceptable := negotiate(name, r.Header.Get("Accept"))
	switch {
	case notAcceptable:
		return jsonResponse(http.StatusNotAcceptable, drfNotAccepted, drfHeader)
	case !ok:
		return jsonResponse(http.StatusNotFound, drfNotFound, drfHeader)
	}
	base := baseURL(r.TLS != nil, requestHost(r))
	ls := s.cat.style
	switch {
	case rt.format != "":
		ls = linkStyle{suffix: "." + rt.format}
	case name != "":
		ls.query = "?format=" + url.QueryEscape(name)
	}
	status, b := s.drfData(rt, q, ls, base)
	switch f {
	case formatHTML:
		title := "Api Root"
		switch rt.kind {
		case routeList:
			title = drfViewNames[rt.res] + " List"
		case routeDetail:
			title = drfViewNames[rt.res] + " Instance"
		}
		return response{status: status, ctype: htmlUTF8Type, header: drfHeader,
			body: newBody(htmlPage(title+" – Django REST framework", string(b.b)))}
	case formatWookiee:
		return response{status: status, ctype: jsonUTF8Type, header: drfHeader, body: newBody(wookiee(b.b))}
	}
	return jsonResponse(status, b, drfHeader)
}

// drfData is the status and JSON body of a GET of rt, links written in style ls under base.
func (s *Server) drfData(rt drfRoute, q url.Values, ls linkStyle, base string) (int, body) {
	plain := ls == s.cat.style
	switch rt.kind {
	case routeRoot:
		if plain {
			if st := s.sites.get(s.cat, base); st != nil {
				return http.StatusOK, st.root
			}
		}
		return http.StatusOK, newBody(newTmpl(s.cat.renderRoot(ls)).expand(jsonEscape(base)))
	case routeDetail:
		id, ok := parseID(rt.id)
		doc := s.cat.data.docs[rt.res][id]
		if !ok || doc == nil {
			return http.StatusNotFound, drfNotFound
		}
		if plain {
			if st := s.sites.get(s.cat, base); st != nil {
				return http.StatusOK, st.docs[rt.res][id]
			}
		}
		var b bytes.Buffer
		s.cat.renderDoc(&b, doc, ls)
		return http.StatusOK, newBody(newTmpl(b.Bytes()).expand(jsonEscape(base)))
	}
	ids := s.cat.data.ids[rt.res]
	_, searched := q["search"]
	if searched {
		ids = s.search(rt.res, q.Get("search"))
	}
	n := max(1, (len(ids)+pageSize-1)/pageSize)
	k := 1
	if v, ok := q["page"]; ok {
		p, ok := parseID(v[len(v)-1])
		switch {
		case v[len(v)-1] == "last":
			k = n
		case !ok || p < 1 || p > n:
			return http.StatusNotFound, drfNotFound
		default:
			k = p
		}
	}
	if plain && !searched && onlyPage(q) {
		if st := s.sites.get(s.cat, base); st != nil {
			return http.StatusOK, st.pages[rt.res][k-1]
		}
	}
	path := rt.res.String() + "/"
	if ls.suffix != "" {
		path = rt.res.String() + ls.suffix
	}
	var b bytes.Buffer
	s.cat.drfPage(&b, rt.res, ids, k, ls, func(k int) string {
		q := cloneValues(q)
		q.Set("page", strconv.Itoa(k))
		return baseMarker + path + "?" + q.Encode()
	})
	return http.StatusOK, newBody(newTmpl(b.Bytes()).expand(jsonEscape(base)))
}

func onlyPage(q url.Values) bool {
	for k := range q {
		if k != "page" {
			return false
		}
	}
	return true
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q)+1)
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// search is DRF's search filter: the ids whose search fields contain every term of terms
// (split at spaces and commas), ignoring case.
func (s *Server) search(r resource, terms string) []int {
	words := strings.Fields(strings.ReplaceAll(strings.ReplaceAll(terms, "\x00", ""), ",", " "))
	var out []int
	for _, id := range s.cat.data.ids[r] {
		doc := s.cat.data.docs[r][id]
		if matchesAll(doc, searchFields[r], words) {
			out = append(out, id)
		}
	}
	return out
}

func matchesAll(doc *document, fields, words []string) bool {
	for _, w := range words {
		w = strings.ToLower(w)
		found := false
		for _, f := range fields {
			if m, ok := doc.get(f); ok && strings.Contains(strings.ToLower(m.str), w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// drfOptions is DRF's metadata answer to OPTIONS.
func (s *Server) drfOptions(rt drfRoute) response {
	name := "Api Root"
	switch rt.kind {
	case routeList:
		name = drfViewNames[rt.res] + " List"
	case routeDetail:
		name = drfViewNames[rt.res] + " Instance"
	}
	b := fmt.Appendf(nil, `{"name":%q,"description":"","renders":["application/json","text/html","application/json"],`+
		`"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`, name)
	return jsonResponse(http.StatusOK, newBody(b), drfHeader)
}

// drfSchema answers /api/R/schema: the real schema document where the fake has it, else one
// in its form generated from the members.
func (s *Server) drfSchema(r resource) response {
	if sc := s.cat.schemas[r]; sc != nil {
		return jsonResponse(http.StatusOK, newBody(sc), nil)
	}
	doc := s.cat.data.docs[r][s.cat.data.ids[r][0]]
	var b bytes.Buffer
	title := drfViewNames[r]
	fmt.Fprintf(&b, `{"$schema":"http://json-schema.org/draft-04/schema","title":%q,"description":%q,"type":"object","properties":{`,
		title, descriptions[r])
	var keys []string
	for _, m := range doc.members {
		typ := "string"
		switch m.kind {
		case kLinks:
			typ = "array"
		case kNumber:
			typ = "integer"
		}
		fmt.Fprintf(&b, `%q:{"type":%q,"description":%q},`, m.key, typ, "The "+strings.ReplaceAll(m.key, "_", " ")+" of this "+strings.ToLower(title)+".")
		keys = append(keys, m.key)
	}
	b.WriteString(`"url":{"type":"string","format":"uri","description":"The url of this resource"},` +
		`"created":{"type":"string","format":"date-time","description":"The ISO 8601 date format of the time that this resource was created."},` +
		`"edited":{"type":"string","format":"date-time","description":"the ISO 8601 date format of the time that this resource was edited."}},"required":[`)
	for _, k := range append(keys, "url", "created", "edited") {
		fmt.Fprintf(&b, "%q,", k)
	}
	b.Truncate(b.Len() - 1)
	b.WriteString("]}")
	return jsonResponse(http.StatusOK, newBody(b.Bytes()), nil)
}

// wookieeLetters is SWAPI's Wookiee renderer: each lowercase ASCII letter becomes its Wookiee.
var wookieeLetters = [26]string{
	"ra", "rh", "oa", "wa", "wo", "ww", "rr", "ac", "ah", "sh", "or", "an", "sc",
	"wh", "oo", "ak", "rq", "rc", "c", "ao", "hu", "ho", "oh", "k", "ro", "uf",
}

// wookiee translates a rendered JSON text as SWAPI's renderer does, keys, links and literals
// (null becomes whhuanan) included: the result is no longer JSON when it held a literal.
func wookiee(b []byte) []byte {
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			out = append(out, wookieeLetters[c-'a']...)
			continue
		}
		out = append(out, c)
	}
	return out
}

func withQuery(path, rawQuery string) string {
	if rawQuery == "" {
		return path
	}
	return path + "?" + rawQuery
}

// fileID is parseID for a server that looks an id up as it is written (swapi.tech's uid
// strings, swapi.info's file names): with no leading zero, "01" names nothing.
func fileID(s string) (int, bool) {
	if len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	return parseID(s)
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
