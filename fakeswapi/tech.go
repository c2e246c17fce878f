package fakeswapi

// This file answers as swapi.tech does: an Express app over MongoDB models.

import (
	"bytes"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// techPageSize is swapi.tech's default list page size, the one whose pages are pre-rendered.
const techPageSize = 10

var (
	techHeader   = http.Header{"Access-Control-Allow-Origin": {"*"}}
	techNotFound = newBody([]byte(`{"message":"not found"}`))
	// techBadSearch answers a search that is not a regular expression.
	techBadSearch = newBody([]byte(`{"message":"Bad request"}`))
	// techNoRoute is Express's answer to a path no route takes.
	techNoRoute = newBody([]byte("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<title>Error</title>\n</head>\n<body>\n<pre>Not Found</pre>\n</body>\n</html>\n"))
	techPreflight = http.Header{
		"Access-Control-Allow-Origin":  {"*"},
		"Access-Control-Allow-Methods": {"GET"},
		"Vary":                         {"Access-Control-Request-Headers"},
	}
)

// techQuery is a list's page and limit as swapi.tech's JavaScript sees them: numbers that may
// be NaN.
type techQuery struct {
	page, limit float64
}

// jsNumber parses s as JavaScript's Number does for a decimal: NaN when it is not one.
func jsNumber(s string) float64 {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || strings.ContainsAny(s, "xXnN_") {
		return math.NaN()
	}
	return f
}

// jsString formats f as JavaScript does in a string: 2, 1.5, NaN, Infinity.
func jsString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsMin and jsMax are Math.min and Math.max of two numbers: NaN wins.
func jsMin(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Min(a, b)
}

func jsMax(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Max(a, b)
}

// parseTechQuery reads ?page=K&limit=L: both are needed, else page 1 of 10.
func parseTechQuery(q url.Values) techQuery {
	p, okp := q["page"]
	l, okl := q["limit"]
	if !okp || !okl {
		return techQuery{page: 1, limit: techPageSize}
	}
	return techQuery{page: jsNumber(p[0]), limit: jsNumber(l[0])}
}

// techPage renders a swapi.tech list page as its code computes one: total_pages is
// ceil(records/limit) (null when that is not a finite number), the page is clamped into
// [1, total_pages], previous is null on page 1 and next on the last page; base is the base
// URL (or baseMarker for a template).
func (c *catalog) techPage(r resource, tq techQuery, base string) []byte {
	ids := c.data.ids[r]
	total := float64(len(ids))
	pages := math.Ceil(total / tq.limit)
	page := jsMax(1, jsMin(tq.page, pages))
	pageURL := func(k float64) string {
		return base + r.String() + "?page=" + jsString(k) + "&limit=" + jsString(tq.limit)
	}
	var b bytes.Buffer
	b.WriteString(`{"message":"ok","total_records":` + strconv.Itoa(len(ids)) + `,"total_pages":`)
	if math.IsNaN(pages) || math.IsInf(pages, 0) {
		b.WriteString("null")
	} else {
		b.WriteString(jsString(pages))
	}
	b.WriteString(`,"previous":`)
	if page == 1 {
		b.WriteString("null")
	} else {
		writeString(&b, pageURL(page-1))
	}
	b.WriteString(`,"next":`)
	if page == pages {
		b.WriteString("null")
	} else {
		writeString(&b, pageURL(page+1))
	}
	b.WriteString(`,"results":[`)
	skip := (page - 1) * tq.limit
	if math.IsNaN(skip) || skip < 0 {
		skip = 0
	}
	lim := math.Abs(tq.limit)
	from := min(int(skip), len(ids))
	to := len(ids)
	if !math.IsNaN(lim) && lim > 0 && !math.IsInf(lim, 0) {
		to = min(from+int(lim), len(ids))
	}
	for i, id := range ids[from:to] {
		if i > 0 {
			b.WriteByte(',')
		}
		u := strconv.Itoa(id)
		b.WriteString(`{"uid":"` + u + `","name":`)
		writeString(&b, c.data.docs[r][id].name)
		b.WriteString(`,"url":`)
		writeString(&b, base+r.String()+"/"+u)
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes()
}

// techSearchParam is the query parameter swapi.tech searches a resource by: its value is a
// MongoDB $regex in any case, for which Go's RE2 syntax stands in (a pattern RE2 lacks, such
// as a lookahead, is refused here where swapi.tech may take it).
func techSearchParam(r resource) string {
	if r == films {
		return "title"
	}
	return "name"
}

// answerTech answers r as swapi.tech does: with ?format=wookiee, a successful JSON answer
// is its text in Wookiee (as swapi.dev translates) as one JSON string.
func (s *Server) answerTech(r *http.Request) response {
	rs := s.techAnswer(r)
	if rs.status == http.StatusOK && rs.isJSON() && strings.Contains(r.URL.RawQuery, "format=") && r.URL.Query().Get("format") == "wookiee" {
		var b bytes.Buffer
		writeString(&b, string(wookiee(rs.body.b)))
		rs.body = newBody(b.Bytes())
	}
	return rs
}

// techAnswer is swapi.tech's answer to r before its format.
func (s *Server) techAnswer(r *http.Request) response {
	switch r.Method {
	case http.MethodGet:
	case http.MethodOptions:
		return response{status: http.StatusNoContent, header: techPreflight}
	default:
		return response{abort: true}
	}
	noRoute := response{status: http.StatusNotFound, ctype: htmlUTF8Type, body: techNoRoute, header: techHeader}
	if r.URL.Path == "/count/all" {
		return s.techCounts()
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	base := baseURL(r.TLS != nil, requestHost(r))
	if path == "/api" {
		return techJSON(http.StatusOK, s.expanded(base, s.cat.root, func(st *site) body { return st.root }))
	}
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return noRoute
	}
	name, idText, detail := strings.Cut(rest, "/")
	res, ok := resourceByName(name)
	if !ok || strings.Contains(idText, "/") {
		return noRoute
	}
	if detail {
		id, ok := fileID(idText)
		if !ok || id >= len(s.cat.docs[res]) || s.cat.docs[res][id] == nil {
			return techJSON(http.StatusNotFound, techNotFound)
		}
		return techJSON(http.StatusOK, s.expanded(base, s.cat.docs[res][id], func(st *site) body { return st.docs[res][id] }))
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		q = url.Values{}
	}
	if v := q.Get(techSearchParam(res)); v != "" {
		re, err := regexp.Compile("(?i)" + v)
		if err != nil {
			return techJSON(http.StatusBadRequest, techBadSearch)
		}
		var ids []int
		for _, id := range s.cat.data.ids[res] {
			if re.MatchString(s.cat.data.docs[res][id].name) {
				ids = append(ids, id)
			}
		}
		var b bytes.Buffer
		s.cat.techAll(&b, res, ids, s.cat.style)
		return techJSON(http.StatusOK, newBody(newTmpl(b.Bytes()).expand(jsonEscape(base))))
	}
	if res == films {
		return techJSON(http.StatusOK, s.expanded(base, s.cat.pages[res][0], func(st *site) body { return st.pages[res][0] }))
	}
	tq := parseTechQuery(q)
	if k := int(tq.page); tq.limit == techPageSize && float64(k) == tq.page && k >= 1 && k <= len(s.cat.pages[res]) {
		return techJSON(http.StatusOK, s.expanded(base, s.cat.pages[res][k-1], func(st *site) body { return st.pages[res][k-1] }))
	}
	return techJSON(http.StatusOK, newBody(s.cat.techPage(res, tq, base)))
}

func techJSON(status int, b body) response {
	return response{status: status, ctype: jsonUTF8Type, body: b, header: techHeader}
}

// techCounts answers /count/all.
func (s *Server) techCounts() response {
	var b bytes.Buffer
	b.WriteString(`{"message":"ok","counts":{`)
	for i, r := range []resource{people, planets, vehicles, films, species, starships} {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + r.String() + `":` + strconv.Itoa(len(s.cat.data.ids[r])))
	}
	b.WriteString("}}")
	return techJSON(http.StatusOK, newBody(b.Bytes()))
}
