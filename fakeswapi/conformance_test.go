package fakeswapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

type page struct {
	Count    int               `json:"count"`
	Next     *string           `json:"next"`
	Previous *string           `json:"previous"`
	Results  []json.RawMessage `json:"results"`
}

// resultKeys returns the value of key in each result, as text.
func resultKeys(t *testing.T, p page, key string) []string {
	t.Helper()
	var got []string
	for _, r := range p.Results {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(m[key]))
	}
	return got
}

func TestRoot(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	r := get(t, srv, srv.URL+"/api/")
	want := fmt.Sprintf(`{"people":"%[1]s/api/people/","planets":"%[1]s/api/planets/",`+
		`"films":"%[1]s/api/films/","species":"%[1]s/api/species/",`+
		`"vehicles":"%[1]s/api/vehicles/","starships":"%[1]s/api/starships/"}`, srv.URL)
	if diff := cmp.Diff(want, string(r.body)); diff != "" {
		t.Errorf("GET /api/ body mismatch (-want +got):\n%s", diff)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
}

func TestListShape(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	tests := []struct {
		resource  string
		count     int
		lastPage  int
		lastKey   string // the field listed in lastNames
		lastNames []string
	}{
		{"people", 82, 9, "name", []string{"Sly Moore", "Tion Medon"}},
		{"planets", 60, 6, "name", []string{"Mirial", "Serenno", "Concord Dawn", "Zolan", "Ojom", "Skako",
			"Muunilinst", "Shili", "Kalee", "Umbara"}},
		{"films", 6, 1, "title", []string{"A New Hope", "The Empire Strikes Back", "Return of the Jedi",
			"The Phantom Menace", "Attack of the Clones", "Revenge of the Sith"}},
		{"species", 37, 4, "name", []string{"Besalisk", "Kaminoan", "Skakoan", "Muun", "Togruta", "Kaleesh",
			"Pau'an"}},
		{"vehicles", 39, 4, "name", []string{"Tsmeu-6 personal wheel bike", "Emergency Firespeeder",
			"Droid tri-fighter", "Oevvaor jet catamaran", "Raddaugh Gnasp fluttercraft", "Clone turbo tank",
			"Corporate Alliance tank droid", "Droid gunship", "AT-RT"}},
		{"starships", 36, 4, "name", []string{"Naboo star skiff", "Jedi Interceptor", "arc-170",
			"Banking clan frigte", "Belbullab-22 starfighter", "V-wing"}},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			t.Parallel()
			base := srv.URL + "/api/" + tt.resource + "/"
			var first page
			getJSON(t, srv, base, &first)
			if first.Count != tt.count {
				t.Errorf("count = %d, want %d", first.Count, tt.count)
			}
			if first.Previous != nil {
				t.Errorf("page 1 previous = %q, want null", *first.Previous)
			}
			if want := min(10, tt.count); len(first.Results) != want {
				t.Errorf("page 1 has %d results, want %d", len(first.Results), want)
			}

			var last page
			getJSON(t, srv, fmt.Sprintf("%s?page=%d", base, tt.lastPage), &last)
			if last.Next != nil {
				t.Errorf("last page next = %q, want null", *last.Next)
			}
			if diff := cmp.Diff(tt.lastNames, resultKeys(t, last, tt.lastKey)); diff != "" {
				t.Errorf("last page %ss mismatch (-want +got):\n%s", tt.lastKey, diff)
			}

			// Walk the pages through next and count every result once.
			seen := 0
			next := base
			for pages := 0; next != ""; pages++ {
				if pages > tt.lastPage {
					t.Fatalf("more than %d pages", tt.lastPage)
				}
				var p page
				getJSON(t, srv, next, &p)
				seen += len(p.Results)
				next = ""
				if p.Next != nil {
					next = *p.Next
				}
			}
			if seen != tt.count {
				t.Errorf("walking next links found %d results, want %d", seen, tt.count)
			}
		})
	}
}

func TestListLinks(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	var p page
	getJSON(t, srv, srv.URL+"/api/people/?page=2", &p)
	got := []string{*p.Previous, *p.Next}
	want := []string{srv.URL + "/api/people/?page=1", srv.URL + "/api/people/?page=3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("page 2 previous/next mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"11", "12", "13", "14", "15", "16", "18", "19", "20", "21"},
		idsOf(t, resultKeys(t, p, "url"))); diff != "" {
		t.Errorf("page 2 ids mismatch (-want +got):\n%s", diff)
	}
}

// idsOf extracts the last path segment of each URL.
func idsOf(t *testing.T, urls []string) []string {
	t.Helper()
	var ids []string
	for _, u := range urls {
		parts := strings.Split(strings.TrimSuffix(u, "/"), "/")
		ids = append(ids, parts[len(parts)-1])
	}
	return ids
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	for _, path := range []string{
		"/api/people/17/",
		"/api/people/84/",
		"/api/people/0/",
		"/api/starships/1/",
		"/api/vehicles/1/",
		"/api/starships/4/",
		"/api/vehicles/2/",
		"/api/films/7/",
		"/api/people/?page=99",
		"/api/people/?page=0",
		"/api/people/?page=abc",
		"/api/people/?page=",
		"/api/people/abc/",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv, srv.URL+path)
			got := fmt.Sprintf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
			if want := `404 application/json {"detail":"Not found"}`; got != want {
				t.Errorf("GET %s = %s, want %s", path, got, want)
			}
		})
	}
	for _, path := range []string{"/api/people/1/extra/", "/api/droids/", "/api/droids", "/", "/favicon.ico"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv, srv.URL+path)
			if r.status != http.StatusNotFound || r.header.Get("Content-Type") != "text/html" || !strings.Contains(string(r.body), "Page not found") {
				t.Errorf("GET %s = %d %s %.100s, want Django's HTML 404", path, r.status, r.header.Get("Content-Type"), r.body)
			}
		})
	}
}

func TestRedirect(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	tests := []struct{ path, location string }{
		{"/api/people/1", "/api/people/1/"},
		{"/api/people", "/api/people/"},
		{"/api/people?page=2", "/api/people/?page=2"},
		{"/api/films/1?format=json", "/api/films/1/?format=json"},
		{"/api", "/api/"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv, srv.URL+tt.path)
			if r.status != http.StatusMovedPermanently {
				t.Errorf("GET %s status = %d, want 301", tt.path, r.status)
			}
			if got := r.header.Get("Location"); !strings.HasSuffix(got, tt.location) {
				t.Errorf("GET %s Location = %q, want a suffix %q", tt.path, got, tt.location)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	head := do(t, srv, http.MethodHead, srv.URL+"/api/people/1/")
	full := get(t, srv, srv.URL+"/api/people/1/")
	if head.status != http.StatusOK || len(head.body) != 0 {
		t.Errorf("HEAD = %d with %d body bytes, want 200 with none", head.status, len(head.body))
	}
	if got, want := head.header.Get("Content-Length"), fmt.Sprint(len(full.body)); got != want {
		t.Errorf("HEAD Content-Length = %s, want %s", got, want)
	}
	post := do(t, srv, http.MethodPost, srv.URL+"/api/people/1/")
	got := fmt.Sprintf("%d %s %s", post.status, post.header.Get("Allow"), post.body)
	if want := `405 GET, HEAD, OPTIONS {"detail":"Method \"POST\" not allowed."}`; got != want {
		t.Errorf("POST = %s, want %s", got, want)
	}
}

// jsonKeys returns the top-level keys of a JSON object in document order.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestFieldOrder(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	tests := []struct {
		path string
		keys string
	}{
		{"/api/people/1/", "name height mass hair_color skin_color eye_color birth_year gender homeworld " +
			"films species vehicles starships created edited url"},
		{"/api/films/1/", "title episode_id opening_crawl director producer release_date characters planets " +
			"starships vehicles species created edited url"},
		{"/api/planets/1/", "name rotation_period orbital_period diameter climate gravity terrain " +
			"surface_water population residents films created edited url"},
		{"/api/species/1/", "name classification designation average_height skin_colors hair_colors " +
			"eye_colors average_lifespan homeworld language people films created edited url"},
		{"/api/starships/10/", "name model manufacturer cost_in_credits length max_atmosphering_speed crew " +
			"passengers cargo_capacity consumables hyperdrive_rating MGLT starship_class pilots films " +
			"created edited url"},
		{"/api/vehicles/4/", "name model manufacturer cost_in_credits length max_atmosphering_speed crew " +
			"passengers cargo_capacity consumables vehicle_class pilots films created edited url"},
		{"/api/people/", "count next previous results"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv, srv.URL+tt.path)
			if diff := cmp.Diff(strings.Fields(tt.keys), jsonKeys(t, r.body)); diff != "" {
				t.Errorf("GET %s key order mismatch (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	u := func(path string) string { return srv.URL + "/api/" + path }
	tests := []struct {
		path string
		want map[string]any // a subset of the document's fields
	}{
		{"people/1/", map[string]any{
			"name": "Luke Skywalker", "height": "172", "mass": "77", "homeworld": u("planets/1/"),
			"url": u("people/1/"),
		}},
		{"people/2/", map[string]any{"name": "C-3PO"}},
		{"people/4/", map[string]any{"name": "Darth Vader"}},
		{"people/10/", map[string]any{"name": "Obi-Wan Kenobi"}},
		{"people/16/", map[string]any{"name": "Jabba Desilijic Tiure"}},
		{"people/18/", map[string]any{"name": "Wedge Antilles"}},
		{"people/83/", map[string]any{"name": "Tion Medon"}},
		{"films/1/", map[string]any{"title": "A New Hope", "episode_id": 4.0, "director": "George Lucas"}},
		{"films/6/", map[string]any{"title": "Revenge of the Sith", "episode_id": 3.0}},
		{"planets/1/", map[string]any{"name": "Tatooine"}},
		{"planets/60/", map[string]any{"name": "Umbara"}},
		{"species/2/", map[string]any{"name": "Droid", "homeworld": nil}},
		{"starships/10/", map[string]any{"name": "Millennium Falcon"}},
		{"starships/75/", map[string]any{"name": "V-wing"}},
		{"vehicles/4/", map[string]any{"name": "Sand Crawler"}},
		{"vehicles/76/", map[string]any{"name": "AT-RT"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			getJSON(t, srv, u(tt.path), &doc)
			got := map[string]any{}
			for k := range tt.want {
				got[k] = doc[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET %s mismatch (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

// TestScalarsAreStrings checks that every field other than links, lists and episode_id is a string.
func TestScalarsAreStrings(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	for _, res := range []string{"people", "planets", "films", "species", "vehicles", "starships"} {
		t.Run(res, func(t *testing.T) {
			t.Parallel()
			for next := srv.URL + "/api/" + res + "/"; next != ""; {
				var p page
				getJSON(t, srv, next, &p)
				for _, raw := range p.Results {
					var doc map[string]any
					if err := json.Unmarshal(raw, &doc); err != nil {
						t.Fatal(err)
					}
					for k, v := range doc {
						switch v.(type) {
						case string, []any:
						case float64:
							if k != "episode_id" {
								t.Errorf("%s %s: %s is a number", res, doc["url"], k)
							}
						case nil:
							if k != "homeworld" {
								t.Errorf("%s %s: %s is null", res, doc["url"], k)
							}
						default:
							t.Errorf("%s %s: %s has type %T", res, doc["url"], k, v)
						}
					}
				}
				next = ""
				if p.Next != nil {
					next = *p.Next
				}
			}
		})
	}
}

// collectURLs appends every string in v that looks like a URL.
func collectURLs(v any, out []string) []string {
	switch v := v.(type) {
	case string:
		if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
			out = append(out, v)
		}
	case []any:
		for _, e := range v {
			out = collectURLs(e, out)
		}
	case map[string]any:
		for _, e := range v {
			out = collectURLs(e, out)
		}
	}
	return out
}

// TestCrawl follows every link from the root and requires each one to resolve on the fake.
func TestCrawl(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	base := srv.URL + "/api/"
	client := noRedirect(srv)
	seen := map[string]bool{base: true}
	queue := []string{base}
	var dangling, foreign []string
	for len(queue) > 0 {
		url := queue[0]
		queue = queue[1:]
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			dangling = append(dangling, fmt.Sprintf("%s: %d", url, resp.StatusCode))
			continue
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		for _, link := range collectURLs(doc, nil) {
			if !strings.HasPrefix(link, base) {
				foreign = append(foreign, link)
				continue
			}
			if !seen[link] {
				seen[link] = true
				queue = append(queue, link)
			}
		}
	}
	if len(dangling) > 0 {
		t.Errorf("%d dangling links:\n%s", len(dangling), strings.Join(dangling, "\n"))
	}
	if len(foreign) > 0 {
		t.Errorf("%d links outside %s:\n%s", len(foreign), base, strings.Join(foreign, "\n"))
	}
	details := 0
	for url := range seen {
		if !strings.Contains(url, "?") && strings.Count(strings.TrimPrefix(url, base), "/") == 2 {
			details++
		}
	}
	if want := 82 + 60 + 6 + 37 + 39 + 36; details != want {
		t.Errorf("crawl reached %d documents, want %d", details, want)
	}
}

// TestCrossReferences checks that relations agree in both directions.
func TestCrossReferences(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	var luke, hope, tatooine map[string]any
	getJSON(t, srv, srv.URL+"/api/people/1/", &luke)
	getJSON(t, srv, srv.URL+"/api/films/1/", &hope)
	getJSON(t, srv, srv.URL+"/api/planets/1/", &tatooine)
	has := func(doc map[string]any, key, url string) bool {
		return slices.Contains(doc[key].([]any), any(url))
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"luke.films has films/1", has(luke, "films", srv.URL+"/api/films/1/")},
		{"films/1.characters has luke", has(hope, "characters", srv.URL+"/api/people/1/")},
		{"tatooine.residents has luke", has(tatooine, "residents", srv.URL+"/api/people/1/")},
		{"luke.starships has X-wing", has(luke, "starships", srv.URL+"/api/starships/12/")},
		{"luke.vehicles has snowspeeder", has(luke, "vehicles", srv.URL+"/api/vehicles/14/")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: false", c.name)
		}
	}
}

// TestHostHeader checks that links follow the Host the client used.
func TestHostHeader(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	hosts := []string{"swapi.test:8080", "localhost", "example.com", "[::1]:8080"}
	for i := range 20 { // more hosts than the fake caches documents for
		hosts = append(hosts, fmt.Sprintf("host%d.test", i))
	}
	for _, host := range hosts {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/people/1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			URL string `json:"url"`
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if want := "http://" + host + "/api/people/1/"; doc.URL != want {
			t.Errorf("Host %s: url = %q, want %q", host, doc.URL, want)
		}
	}
}
