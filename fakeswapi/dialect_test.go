package fakeswapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// allDialects are the dialect names the tests run over: every one of fakeswapi.Dialects.
var allDialects = []string{"dev", "py4e", "tech", "info"}

// slashless reports whether the dialect's paths have no trailing slash.
func slashless(d string) bool { return d == "tech" || d == "info" }

// dialectServer serves a fake with opts in dialect d; it returns the server, the fake and the
// API base URL ("http://127.0.0.1:PORT/api/").
func dialectServer(t *testing.T, d string, opts fakeswapi.Options) (*faketest.Server, *fakeswapi.Server, string) {
	t.Helper()
	opts.Dialect = d
	srv, fake := newServer(t, opts)
	return srv, fake, srv.URL + "/api/"
}

// peopleIDs are the ids of people in dialect d: 1..83 without 17 (swapi.py4e.com: 1..88).
func peopleIDs(d string) []int {
	last := 83
	if d == "py4e" {
		last = 88
	}
	var ids []int
	for id := 1; id <= last; id++ {
		if id != 17 {
			ids = append(ids, id)
		}
	}
	return ids
}

// trailingID is the id at the end of a detail URL, with or without a trailing slash.
func trailingID(t *testing.T, u string) int {
	t.Helper()
	u = strings.TrimSuffix(u, "/")
	n, err := strconv.Atoi(u[strings.LastIndexByte(u, '/')+1:])
	if err != nil {
		t.Fatalf("url %q does not end in an id", u)
	}
	return n
}

// walkList lists resource the way dialect d pages it, following "next" from the first page,
// and returns the ids in the order found and the number of pages fetched.
func walkList(t *testing.T, srv *faketest.Server, d, base, resource string) (ids []int, pages int) {
	t.Helper()
	next := base + resource
	switch {
	case !slashless(d):
		next += "/"
	case d == "tech":
		next += "?page=1&limit=10"
	}
	for next != "" {
		pages++
		r := get(t, srv, next)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", next, r.status, r.body)
		}
		next = ""
		switch d {
		case "info":
			var docs []struct{ URL string }
			if err := json.Unmarshal(r.body, &docs); err != nil {
				t.Fatalf("%s: want a bare array: %v", resource, err)
			}
			for _, doc := range docs {
				ids = append(ids, trailingID(t, doc.URL))
			}
		case "tech":
			var p struct {
				Next    *string `json:"next"`
				Results []struct {
					UID  string `json:"uid"`
					Name string `json:"name"`
					URL  string `json:"url"`
				} `json:"results"`
				Result []struct {
					UID        string `json:"uid"`
					Properties struct {
						URL string `json:"url"`
					} `json:"properties"`
				} `json:"result"`
			}
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatalf("%s: %v", resource, err)
			}
			for _, it := range p.Results {
				id := trailingID(t, it.URL)
				if it.Name == "" || strconv.Itoa(id) != it.UID || it.URL != base+resource+"/"+it.UID {
					t.Errorf("%s: list item %+v", resource, it)
				}
				ids = append(ids, id)
			}
			for _, it := range p.Result {
				ids = append(ids, trailingID(t, it.Properties.URL))
			}
			if p.Next != nil {
				next = *p.Next
			}
		default:
			var p struct {
				Next    *string `json:"next"`
				Results []struct {
					URL string `json:"url"`
				} `json:"results"`
			}
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatalf("%s: %v", resource, err)
			}
			for _, it := range p.Results {
				ids = append(ids, trailingID(t, it.URL))
			}
			if p.Next != nil {
				next = *p.Next
			}
		}
		if pages > 100 {
			t.Fatalf("%s: more than 100 pages", resource)
		}
	}
	return ids, pages
}

func TestDialectValidate(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(allDialects, fakeswapi.Dialects); diff != "" {
		t.Errorf("Dialects mismatch (-want +got):\n%s", diff)
	}
	tests := []struct {
		dialect string
		msg     string // the OptionError's Msg; "": valid
	}{
		{"", ""}, {"dev", ""}, {"py4e", ""}, {"tech", ""}, {"info", ""},
		{"x", `"x" is not one of dev, py4e, tech, info`},
		{"DEV", `"DEV" is not one of dev, py4e, tech, info`},
		{"swapi.co", `"swapi.co" is not one of dev, py4e, tech, info`},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			t.Parallel()
			err := fakeswapi.Options{Dialect: tt.dialect}.Validate()
			if tt.msg == "" {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			var oe *fakeswapi.OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("Validate = %v, want an *OptionError", err)
			}
			if diff := cmp.Diff(fakeswapi.OptionError{Field: "Dialect", Msg: tt.msg}, *oe); diff != "" {
				t.Errorf("OptionError mismatch (-want +got):\n%s", diff)
			}
			if fake, err := fakeswapi.New(fakeswapi.Options{Dialect: tt.dialect}); fake != nil || err == nil {
				t.Errorf("New = %v, %v; want nil and an error", fake, err)
			}
		})
	}
}

// slashLinkRE matches a link's trailing slash in a dev document.
var slashLinkRE = regexp.MustCompile(`(http://[^"]+/api/[a-z]+/[0-9]+)/"`)

// descriptions are swapi.tech's description of each resource, as it spells them.
var descriptions = map[string]string{
	"people": "A person within the Star Wars universe", "planets": "A planet.", "films": "A Star Wars Film",
	"species": "A sepcies within the Star Wars universe", "vehicles": "A vehicle", "starships": "A Starship",
}

// TestDialectDetail compares every detail document of every dialect with dev's: the same
// members in the same order, links without their trailing slash in tech and info, tech's
// wrapped in {"message":"ok","result":{"properties":…}}.
func TestDialectDetail(t *testing.T) {
	t.Parallel()
	const host = "swapi.test:8080" // one Host for every server, so links compare equal
	devSrv, _, _ := dialectServer(t, "dev", fakeswapi.Options{})
	getHost := func(srv *faketest.Server, path string) response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		return fetch(t, noRedirect(srv), req)
	}
	for _, d := range []string{"dev", "tech", "info"} { // py4e has its own data: TestPY4EData
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			srv, _, _ := dialectServer(t, d, fakeswapi.Options{})
			objectIDs := map[string]string{}
			docs := 0
			for res, want := range map[string]int{"people": 82, "planets": 60, "films": 6, "species": 37, "vehicles": 39, "starships": 36} {
				n := 0
				for id := 1; id <= 90; id++ {
					path := "/api/" + res + "/" + strconv.Itoa(id) + "/"
					dev := getHost(devSrv, path)
					if dev.status == http.StatusOK && !strings.Contains(string(dev.body), `"url":"http://`+host+path+`"`) {
						t.Fatalf("dev %s: url is not %s: %.300s", path, path, dev.body)
					}
					if slashless(d) {
						path = strings.TrimSuffix(path, "/")
					}
					got := getHost(srv, path)
					if got.status != dev.status {
						t.Fatalf("GET %s: status %d, dev's %d", path, got.status, dev.status)
					}
					if dev.status != http.StatusOK {
						continue
					}
					n++
					if !slashless(d) {
						if string(got.body) != string(dev.body) {
							t.Fatalf("GET %s differs from dev:\n%s\n%s", path, got.body, dev.body)
						}
						continue
					}
					props := slashLinkRE.ReplaceAllString(string(dev.body), `$1"`)
					if strings.Contains(props, `/"`) {
						t.Fatalf("%s: a link keeps its trailing slash: %s", path, props)
					}
					switch d {
					case "info":
						props = strings.Replace(props, "Cyngus Spaceworks", "Cygnus Spaceworks", 1) // swapi.info's one fix
						if string(got.body) != props {
							t.Fatalf("GET %s:\n got %s\nwant %s", path, got.body, props)
						}
					case "tech":
						url := `"url":"http://` + host + path + `"`
						re := regexp.MustCompile(`^\{"message":"ok","result":\{"properties":\{[^{}]*` + regexp.QuoteMeta(url) + `\}` +
							`,"description":` + regexp.QuoteMeta(strconv.Quote(descriptions[res])) +
							`,"_id":"([0-9a-f]{24})","uid":"` + strconv.Itoa(id) + `","__v":0\}\}$`)
						m := re.FindStringSubmatch(string(got.body))
						if m == nil {
							t.Fatalf("GET %s:\n got %s\nwant properties %s", path, got.body, props)
						}
						if other, ok := objectIDs[m[1]]; ok {
							t.Errorf("%s and %s share the _id %s", other, path, m[1])
						}
						objectIDs[m[1]] = path
						if again := getHost(srv, path); string(again.body) != string(got.body) {
							t.Errorf("GET %s twice: different bodies", path)
						}
					}
				}
				if n != want {
					t.Errorf("%s: %d documents, want %d", res, n, want)
				}
				docs += n
			}
			if d == "tech" && len(objectIDs) != docs {
				t.Errorf("%d distinct _ids for %d documents", len(objectIDs), docs)
			}
		})
	}
}

func TestDialectLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dialect  string
		requests int64 // to walk people, as /__stats counts them
	}{{"dev", 9}, {"py4e", 9}, {"tech", 9}, {"info", 1}}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			t.Parallel()
			srv, _, base := dialectServer(t, tt.dialect, fakeswapi.Options{})
			got, pages := walkList(t, srv, tt.dialect, base, "people")
			if diff := cmp.Diff(peopleIDs(tt.dialect), got); diff != "" {
				t.Errorf("people ids mismatch (-want +got):\n%s", diff)
			}
			if st := remoteStats(t, srv); st.Requests != tt.requests || int64(pages) != tt.requests {
				t.Errorf("walking people: %d pages, /__stats %d requests; want %d", pages, st.Requests, tt.requests)
			}
			counts := map[string]int{"vehicles": 39, "starships": 36, "films": 6, "planets": 60, "species": 37}
			if tt.dialect == "py4e" {
				counts = map[string]int{"vehicles": 39, "starships": 37, "films": 7, "planets": 61, "species": 37}
			}
			for res, want := range counts {
				ids, _ := walkList(t, srv, tt.dialect, base, res)
				if len(ids) != want || !slices.IsSorted(ids) || slices.Contains(ids, 0) {
					t.Errorf("%s: ids %v, want %d ascending", res, ids, want)
				}
				if res == "vehicles" || res == "starships" {
					if slices.Contains(ids, 1) {
						t.Errorf("%s: id 1 listed", res)
					}
				}
			}
		})
	}
}

// TestDialectTechPages checks swapi.tech's paging against every limit.
func TestDialectTechPages(t *testing.T) {
	t.Parallel()
	srv, _, base := dialectServer(t, "tech", fakeswapi.Options{})
	type item struct{ UID, Name, URL string }
	type page struct {
		Message      string  `json:"message"`
		TotalRecords int     `json:"total_records"`
		TotalPages   int     `json:"total_pages"`
		Previous     *string `json:"previous"`
		Next         *string `json:"next"`
		Results      []item  `json:"results"`
	}
	pageURL := func(k, limit int) *string {
		u := base + "people?page=" + strconv.Itoa(k) + "&limit=" + strconv.Itoa(limit)
		return &u
	}
	for _, limit := range []int{1, 3, 10, 25, 82, 100} {
		pages := (82 + limit - 1) / limit
		var ids []int
		var last page
		for k := 1; k <= pages; k++ {
			var p page
			getJSON(t, srv, *pageURL(k, limit), &p)
			want := page{Message: "ok", TotalRecords: 82, TotalPages: pages, Results: p.Results}
			if k > 1 {
				want.Previous = pageURL(k-1, limit)
			}
			if k < pages {
				want.Next = pageURL(k+1, limit)
			}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("limit %d page %d mismatch (-want +got):\n%s", limit, k, diff)
			}
			for _, it := range p.Results {
				ids = append(ids, trailingID(t, it.URL))
			}
			last = p
		}
		var beyond page
		getJSON(t, srv, *pageURL(pages+3, limit), &beyond)
		if diff := cmp.Diff(last, beyond); diff != "" {
			t.Errorf("limit %d: a page beyond the last is not clamped to it (-last +beyond):\n%s", limit, diff)
		}
		if diff := cmp.Diff(peopleIDs("tech"), ids); diff != "" {
			t.Errorf("limit %d: ids mismatch (-want +got):\n%s", limit, diff)
		}
	}
	var first page
	getJSON(t, srv, base+"people", &first)
	if diff := cmp.Diff(item{"1", "Luke Skywalker", base + "people/1"}, first.Results[0]); first.Next == nil || *first.Next != *pageURL(2, 10) || diff != "" {
		t.Errorf("people without a query: next %v, first item mismatch (-want +got):\n%s", first.Next, diff)
	}
}

func TestDialectAnswers(t *testing.T) {
	t.Parallel()
	const (
		devRoot  = `{"people":"BASE/people/","planets":"BASE/planets/","films":"BASE/films/","species":"BASE/species/","vehicles":"BASE/vehicles/","starships":"BASE/starships/"}`
		infoRoot = `{"films":"BASE/films","people":"BASE/people","planets":"BASE/planets","species":"BASE/species","vehicles":"BASE/vehicles","starships":"BASE/starships"}`
		techRoot = `{"message":"ok","result":{"films":"BASE/films","people":"BASE/people","planets":"BASE/planets","species":"BASE/species","starships":"BASE/starships","vehicles":"BASE/vehicles"}}`
		dev404   = `{"detail":"Not found"}`
		tech404  = `{"message":"not found"}`
		html     = "<"
		json     = "application/json"
		jsonUTF8 = "application/json; charset=utf-8"
	)
	tests := []struct {
		dialects []string
		path     string // after /api
		status   int
		location string // after /api; "" for none
		ctype    string
		body     string // the whole body, BASE for the base URL without its slash; "" to skip
		prefix   string // the start of the body, when body is ""
	}{
		{[]string{"dev", "py4e"}, "/", 200, "", json, devRoot, ""},
		{[]string{"tech"}, "/", 200, "", jsonUTF8, techRoot, ""},
		{[]string{"tech"}, "", 200, "", jsonUTF8, techRoot, ""},
		{[]string{"info"}, "/", 200, "", json, infoRoot, ""},
		{[]string{"info"}, "", 200, "", json, infoRoot, ""},
		{[]string{"dev", "py4e"}, "", 301, "/", "", "", ""},

		{[]string{"dev", "py4e"}, "/people/1", 301, "/people/1/", "", "", ""},
		{[]string{"dev", "py4e"}, "/people?page=2", 301, "/people/?page=2", "", "", ""},
		{[]string{"tech", "info"}, "/people/1/", 200, "", "", "", ""},
		{[]string{"tech", "info"}, "/people/", 200, "", "", "", ""},

		{[]string{"dev", "py4e"}, "/people/17/", 404, "", json, dev404, ""},
		{[]string{"dev", "py4e"}, "/people/?page=10", 404, "", json, dev404, ""},
		{[]string{"dev", "py4e"}, "/people/1/?format=xml", 404, "", json, dev404, ""},
		{[]string{"dev", "py4e"}, "/nope/", 404, "", "text/html", "", html},
		{[]string{"tech"}, "/people/17", 404, "", jsonUTF8, tech404, ""},
		{[]string{"tech"}, "/starships/1", 404, "", jsonUTF8, tech404, ""},
		{[]string{"tech"}, "/nope", 404, "", "text/html; charset=utf-8", "", html},
		{[]string{"tech"}, "/people/1/x", 404, "", "text/html; charset=utf-8", "", html},
		{[]string{"info"}, "/people/17", 404, "", "text/html", "", html},
		{[]string{"info"}, "/vehicles/1", 404, "", "text/html", "", html},
		{[]string{"info"}, "/nope", 404, "", "text/html", "", html},

		{[]string{"tech"}, "/people?page=2&limit=100", 200, "", jsonUTF8, "", `{"message":"ok","total_records":82,"total_pages":1,"previous":null,"next":null,"results":[{"uid":"1",`},
		{[]string{"tech"}, "/people?page=9&limit=10", 200, "", jsonUTF8, `{"message":"ok","total_records":82,"total_pages":9,"previous":"BASE/people?page=8&limit=10","next":null,"results":[{"uid":"82","name":"Sly Moore","url":"BASE/people/82"},{"uid":"83","name":"Tion Medon","url":"BASE/people/83"}]}`, ""},
		{[]string{"tech"}, "/people?page=1&limit=2&format=json", 200, "", jsonUTF8, `{"message":"ok","total_records":82,"total_pages":41,"previous":null,"next":"BASE/people?page=2&limit=2","results":[{"uid":"1","name":"Luke Skywalker","url":"BASE/people/1"},{"uid":"2","name":"C-3PO","url":"BASE/people/2"}]}`, ""},
		{[]string{"tech"}, "/people?page=-3&limit=40", 200, "", jsonUTF8, "", `{"message":"ok","total_records":82,"total_pages":3,"previous":null,"next":"BASE/people?page=2&limit=40",`},
		{[]string{"tech"}, "/people?name=DARTH", 200, "", jsonUTF8, "", `{"message":"ok","result":[{"properties":{"height":"202",`},
		{[]string{"tech"}, "/films", 200, "", jsonUTF8, "", `{"message":"ok","result":[{"properties":{"characters":["BASE/people/1",`},
		{[]string{"tech"}, "/films?page=3&limit=1", 200, "", jsonUTF8, "", `{"message":"ok","result":[{"properties":{"characters":["BASE/people/1",`},
		{[]string{"tech"}, "/people/1", 200, "", jsonUTF8, "", `{"message":"ok","result":{"properties":{"height":"172","mass":"77",`},
		{[]string{"info"}, "/people", 200, "", json, "", `[{"name":"Luke Skywalker","height":"172",`},
		{[]string{"info"}, "/people?page=2", 200, "", json, "", `[{"name":"Luke Skywalker","height":"172",`},
		{[]string{"info"}, "/people/all.json", 200, "", json, "", `[{"name":"Luke Skywalker","height":"172",`},
		{[]string{"info"}, "/people/1", 200, "", json, "", `{"name":"Luke Skywalker","height":"172",`},
		{[]string{"info"}, "/people/1.json", 200, "", json, "", `{"name":"Luke Skywalker","height":"172",`},
		{[]string{"dev"}, "/people/", 200, "", json, "", `{"count":82,"next":"BASE/people/?page=2","previous":null,"results":[{"name":"Luke Skywalker",`},
		{[]string{"py4e"}, "/people/", 200, "", json, "", `{"count":87,"next":"BASE/people/?page=2","previous":null,"results":[{"name":"Luke Skywalker",`},
		{[]string{"dev", "py4e"}, "/people/?search=skywalker", 200, "", json, "", `{"count":3,"next":null,"previous":null,"results":[{"name":"Luke Skywalker",`},
		{[]string{"dev", "py4e"}, "/starships/?search=star,destroyer&page=1&x=y", 200, "", json, "", `{"count":`},
		{[]string{"dev"}, "/starships/?search=star&x=y", 200, "", json, "", `{"count":15,"next":"BASE/starships/?page=2&search=star&x=y","previous":null,`},
		{[]string{"dev"}, "/people.json?page=2", 200, "", json, "", `{"count":82,"next":"BASE/people.json?page=3","previous":"BASE/people.json?page=1","results":[{"name":"Anakin Skywalker","height":"188","mass":"84","hair_color":"blond","skin_color":"fair","eye_color":"blue","birth_year":"41.9BBY","gender":"male","homeworld":"BASE/planets/1.json",`},
		{[]string{"dev"}, "/people/1/?format=wookiee", 200, "", jsonUTF8, "", `{"whrascwo":"Lhuorwo Sorroohraanorworc",`},
		{[]string{"dev"}, "/people/schema", 200, "", json, "", `{"$schema":"http://json-schema.org/draft-04/schema","title":"People",`},
		{[]string{"dev"}, "/planets/schema", 200, "", json, "", `{"$schema":"http://json-schema.org/draft-04/schema","title":"Planet",`},
		{[]string{"info"}, "/planets/schema", 200, "", json, "", `{"$schema":"http://json-schema.org/draft-04/schema#",`},
		{[]string{"info"}, "/planets/schema/", 200, "", json, "", `{"$schema":"http://json-schema.org/draft-04/schema#",`},
		{[]string{"tech"}, "/people/01", 404, "", jsonUTF8, tech404, ""},
		{[]string{"info"}, "/people/01", 404, "", "text/html", "", html},
		{[]string{"info"}, "/people/01.json", 404, "", "text/html", "", html},
		{[]string{"dev", "py4e"}, "/people/01/", 200, "", json, "", `{"name":"Luke Skywalker",`},
		{[]string{"tech"}, "/people?name=(", 400, "", jsonUTF8, `{"message":"Bad request"}`, ""},
		{[]string{"tech"}, "/people?name=", 200, "", jsonUTF8, "", `{"message":"ok","total_records":82,"total_pages":9,"previous":null,"next":"BASE/people?page=2&limit=10","results":[{"uid":"1",`},
		{[]string{"tech"}, "/people/1?format=wookiee", 200, "", jsonUTF8, "", `"{\"scwoccrarrwo\":\"ooor\",\"rcwochuanao\":{\"akrcooakworcaoahwoc\":{\"acwoahrracao\":\"172\",`},
		{[]string{"tech"}, "/people?format=wookiee", 200, "", jsonUTF8, "", `"{\"scwoccrarrwo\":\"ooor\",\"aoooaoraan_rcwooaoorcwac\":82,`},
		{[]string{"tech"}, "/films?title=", 200, "", jsonUTF8, "", `{"message":"ok","result":[{"properties":{"characters":["BASE/people/1",`},
	}
	for _, tt := range tests {
		for _, d := range tt.dialects {
			t.Run(d+tt.path, func(t *testing.T) {
				t.Parallel()
				srv, _, base := dialectServer(t, d, fakeswapi.Options{})
				api := strings.TrimSuffix(base, "/")
				r := get(t, srv, api+tt.path)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d; body %.300s", r.status, tt.status, r.body)
				}
				if loc := r.header.Get("Location"); tt.location != "" && loc != "/api"+tt.location {
					t.Errorf("Location %q, want %q", loc, "/api"+tt.location)
				}
				if tt.status == http.StatusMovedPermanently && len(r.body) != 0 {
					t.Errorf("redirect body %q, want none", r.body)
				}
				if ct := r.header.Get("Content-Type"); tt.ctype != "" && ct != tt.ctype {
					t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
				}
				if want := strings.ReplaceAll(tt.body, "BASE", api); tt.body != "" && string(r.body) != want {
					t.Errorf("body\n got %s\nwant %s", r.body, want)
				}
				if want := strings.ReplaceAll(tt.prefix, "BASE", api); !strings.HasPrefix(string(r.body), want) {
					t.Errorf("body %.300s\nwant it to start with %s", r.body, want)
				}
			})
		}
	}
}

// TestPY4EData checks that py4e serves swapi.py4e.com's own data: its counts and id gaps.
func TestPY4EData(t *testing.T) {
	t.Parallel()
	srv, _, base := dialectServer(t, "py4e", fakeswapi.Options{})
	tests := []struct {
		resource string
		count    int
		present  []int
		missing  []int
	}{
		{"people", 87, []int{1, 16, 18, 83, 88}, []int{17, 89}},
		{"films", 7, []int{7}, []int{8}},
		{"planets", 61, []int{61}, []int{62}},
		{"starships", 37, []int{2, 77}, []int{1, 4}},
		{"species", 37, []int{37}, []int{38}},
		{"vehicles", 39, []int{4, 76}, []int{1, 5}},
	}
	for _, tt := range tests {
		ids, _ := walkList(t, srv, "py4e", base, tt.resource)
		if len(ids) != tt.count {
			t.Errorf("%s: %d listed, want %d", tt.resource, len(ids), tt.count)
		}
		for _, id := range tt.present {
			if r := get(t, srv, base+tt.resource+"/"+strconv.Itoa(id)+"/"); r.status != http.StatusOK {
				t.Errorf("%s/%d: status %d, want 200", tt.resource, id, r.status)
			}
		}
		for _, id := range tt.missing {
			if r := get(t, srv, base+tt.resource+"/"+strconv.Itoa(id)+"/"); r.status != http.StatusNotFound {
				t.Errorf("%s/%d: status %d, want 404", tt.resource, id, r.status)
			}
		}
	}
	r := get(t, srv, base+"films/7/")
	var film struct{ Starships []string }
	want := []string{base + "starships/10/", base + "starships/77/"}
	if err := json.Unmarshal(r.body, &film); err != nil || !slices.Equal(film.Starships, want) {
		t.Errorf("films/7/ starships %q (%v), want %q in id order as swapi.py4e.com lists them", film.Starships, err, want)
	}
}

// TestDialectKnobs checks that the knobs, HEAD, 405 and /__stats work alike in every dialect.
func TestDialectKnobs(t *testing.T) {
	t.Parallel()
	for _, d := range allDialects {
		detail, redirect := "people/1/", "people/1"
		if slashless(d) {
			detail, redirect = redirect, detail
		}
		t.Run(d+"/throttled", func(t *testing.T) {
			t.Parallel()
			srv, _, base := dialectServer(t, d, fakeswapi.Options{Rate: 0.001, Burst: 1})
			if r := get(t, srv, base+detail); r.status != http.StatusOK {
				t.Fatalf("first request: status %d", r.status)
			}
			r := get(t, srv, base+detail)
			if r.status != http.StatusTooManyRequests || !strings.HasPrefix(string(r.body), `{"detail":"Request was throttled. Expected available in `) {
				t.Errorf("second request: %d %s, want 429 with dev's body", r.status, r.body)
			}
		})
		t.Run(d+"/error", func(t *testing.T) {
			t.Parallel()
			srv, _, base := dialectServer(t, d, fakeswapi.Options{ErrorRate: 1})
			r := get(t, srv, base+detail)
			if r.status != http.StatusInternalServerError || !strings.HasPrefix(string(r.body), `{"detail":"Internal server error`) {
				t.Errorf("%d %s, want 500 with dev's body", r.status, r.body)
			}
		})
		t.Run(d+"/malformed", func(t *testing.T) {
			t.Parallel()
			srv, _, base := dialectServer(t, d, fakeswapi.Options{})
			full := get(t, srv, base+detail)
			srv2, _, base2 := dialectServer(t, d, fakeswapi.Options{MalformedRate: 1})
			r := get(t, srv2, base2+detail)
			want := strings.ReplaceAll(string(full.body), srv.URL, srv2.URL)
			if r.status != http.StatusOK || string(r.body) != want[:len(want)/2] {
				t.Errorf("%d %.100s, want 200 and the first half of the document", r.status, r.body)
			}
		})
		t.Run(d+"/methods", func(t *testing.T) {
			t.Parallel()
			srv, _, base := dialectServer(t, d, fakeswapi.Options{})
			full := get(t, srv, base+detail)
			if d == "tech" { // swapi.tech closes the connection on anything but GET and OPTIONS
				for _, m := range []string{http.MethodHead, http.MethodPost, http.MethodDelete} {
					req, _ := http.NewRequest(m, base+detail, nil)
					if resp, err := srv.Client().Do(req); err == nil {
						resp.Body.Close()
						t.Errorf("%s: status %d, want the connection closed", m, resp.StatusCode)
					}
				}
				if r := do(t, srv, http.MethodOptions, base+detail); r.status != http.StatusNoContent {
					t.Errorf("OPTIONS: %d, want 204", r.status)
				}
				return
			}
			head := do(t, srv, http.MethodHead, base+detail)
			if head.status != http.StatusOK || len(head.body) != 0 || head.header.Get("Content-Length") != strconv.Itoa(len(full.body)) {
				t.Errorf("HEAD: %d, %d body bytes, Content-Length %s; want 200, 0, %d",
					head.status, len(head.body), head.header.Get("Content-Length"), len(full.body))
			}
			allow := map[string]string{"dev": "GET, HEAD, OPTIONS", "py4e": "GET, HEAD, OPTIONS", "info": ""}[d]
			post := do(t, srv, http.MethodPost, base+detail)
			if post.status != http.StatusMethodNotAllowed || post.header.Get("Allow") != allow {
				t.Errorf("POST: %d, Allow %q; want 405 and %q", post.status, post.header.Get("Allow"), allow)
			}
			get(t, srv, base+redirect)
			want := map[string]int64{"200": 2, "301": 1, "405": 1}
			if d == "info" { // its rewrites answer the slash form
				want = map[string]int64{"200": 3, "405": 1}
			}
			if diff := cmp.Diff(want, remoteStats(t, srv).StatusCounts); diff != "" {
				t.Errorf("/__stats status counts mismatch (-want +got):\n%s", diff)
			}
		})
		t.Run(d+"/warm", func(t *testing.T) {
			t.Parallel()
			srv, fake, base := dialectServer(t, d, fakeswapi.Options{})
			before := get(t, srv, base+detail)
			fake.Warm(strings.TrimPrefix(srv.URL, "http://"))
			if after := get(t, srv, base+detail); string(after.body) != string(before.body) {
				t.Errorf("after Warm: %.100s, want %.100s", after.body, before.body)
			}
		})
	}
}

// TestDialectHostHeader checks that links follow the Host header in every dialect, also
// beyond the cached sites.
func TestDialectHostHeader(t *testing.T) {
	t.Parallel()
	for _, d := range allDialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			srv, _, base := dialectServer(t, d, fakeswapi.Options{})
			path := strings.TrimPrefix(base, srv.URL) + "people/1"
			list := "people"
			if !slashless(d) {
				path += "/"
				list += "/"
			}
			for i := range 20 { // more hosts than the fake caches documents for
				host := "host" + strconv.Itoa(i) + ".test"
				for _, p := range []string{path, strings.TrimPrefix(base, srv.URL) + list} {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+p, nil)
					if err != nil {
						t.Fatal(err)
					}
					req.Host = host
					r := fetch(t, srv.Client(), req)
					cancel()
					if r.status != http.StatusOK || !strings.Contains(string(r.body), `"http://`+host+`/api/people/1`) {
						t.Errorf("Host %s, GET %s: %d %.200s", host, p, r.status, r.body)
					}
				}
			}
		})
	}
}

func BenchmarkServeHTTPDialects(b *testing.B) {
	for _, tt := range []struct{ dialect, path string }{
		{"dev", "/api/people/1/"}, {"tech", "/api/people/1"}, {"info", "/api/people/1"},
		{"tech", "/api/people?page=2&limit=10"}, {"info", "/api/people"},
	} {
		b.Run(tt.dialect+tt.path, func(b *testing.B) {
			fake, err := fakeswapi.New(fakeswapi.Options{Dialect: tt.dialect})
			if err != nil {
				b.Fatal(err)
			}
			req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+tt.path, nil)
			if err != nil {
				b.Fatal(err)
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				fake.ServeHTTP(w, req)
			}
		})
	}
}
