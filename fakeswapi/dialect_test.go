package fakeswapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// dialectServer serves the fake in dialect d and returns a client that does not follow redirects.
func dialectServer(t *testing.T, d string) (*Server, string, *http.Client) {
	t.Helper()
	s, err := New(Options{Dialect: d})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s, srv.URL + "/api/", c
}

func getBody(t *testing.T, c *http.Client, u string) (int, string, []byte) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), b
}

// walk lists a resource the way the dialect pages it and returns the ids found.
func walk(t *testing.T, c *http.Client, d, base, res string) []int {
	t.Helper()
	var ids []int
	idOf := func(u string) int {
		u = strings.TrimSuffix(u, "/")
		n, _ := strconv.Atoi(u[strings.LastIndexByte(u, '/')+1:])
		return n
	}
	next := map[string]string{"dev": base + res + "/", "py4e": base + res + "/", "tech": base + res + "?page=1&limit=10", "info": base + res}[d]
	for next != "" {
		status, _, b := getBody(t, c, next)
		if status != 200 {
			t.Fatalf("%s: status %d: %s", next, status, b)
		}
		next = ""
		switch d {
		case "info":
			var docs []struct{ URL string }
			if err := json.Unmarshal(b, &docs); err != nil {
				t.Fatalf("%s: %v", res, err)
			}
			for _, doc := range docs {
				ids = append(ids, idOf(doc.URL))
			}
		case "tech":
			var page struct {
				TotalRecords int     `json:"total_records"`
				Next         *string `json:"next"`
				Results      []struct{ UID, Name, URL string }
				Result       []struct {
					UID        string
					Properties struct{ URL string }
				}
			}
			if err := json.Unmarshal(b, &page); err != nil {
				t.Fatalf("%s: %v", res, err)
			}
			for _, it := range page.Results {
				if it.Name == "" || strconv.Itoa(idOf(it.URL)) != it.UID {
					t.Errorf("%s: item %+v", res, it)
				}
				ids = append(ids, idOf(it.URL))
			}
			for _, it := range page.Result {
				ids = append(ids, idOf(it.Properties.URL))
			}
			if page.Next != nil {
				next = *page.Next
			}
		default:
			var page struct {
				Next    *string
				Results []struct{ URL string }
			}
			if err := json.Unmarshal(b, &page); err != nil {
				t.Fatalf("%s: %v", res, err)
			}
			for _, it := range page.Results {
				ids = append(ids, idOf(it.URL))
			}
			if page.Next != nil {
				next = *page.Next
			}
		}
	}
	return ids
}

func TestDialectLists(t *testing.T) {
	t.Parallel()
	people := slices.DeleteFunc(ids(1, 83), func(id int) bool { return id == 17 })
	for _, tt := range []struct {
		dialect  string
		requests int // to walk people
	}{{"dev", 9}, {"py4e", 9}, {"tech", 9}, {"info", 1}} {
		t.Run(tt.dialect, func(t *testing.T) {
			t.Parallel()
			s, base, c := dialectServer(t, tt.dialect)
			if got := walk(t, c, tt.dialect, base, "people"); !slices.Equal(got, people) {
				t.Errorf("people ids %v, want 1..83 without 17", got)
			}
			if got := s.Stats().Requests; got != int64(tt.requests) {
				t.Errorf("walking people took %d requests, want %d", got, tt.requests)
			}
			for res, want := range map[string]int{"vehicles": 39, "starships": 36, "films": 6, "planets": 60, "species": 37} {
				if got := walk(t, c, tt.dialect, base, res); len(got) != want {
					t.Errorf("%s: %d items, want %d", res, len(got), want)
				}
			}
		})
	}
}

func ids(a, b int) []int {
	var s []int
	for i := a; i <= b; i++ {
		s = append(s, i)
	}
	return s
}

func TestDialectShapes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dialect, path string
		status        int
		location      string // path and query after the base URL
		want          []string
	}{
		{"dev", "people/1/", 200, "", []string{`{"name":"Luke Skywalker",`, `"homeworld":"BASE/planets/1/"`, `"url":"BASE/people/1/"}`}},
		{"dev", "people/1", 301, "people/1/", nil},
		{"dev", "people/17/", 404, "", []string{`{"detail":"Not found"}`}},
		{"py4e", "people/1/", 200, "", []string{`{"name":"Luke Skywalker",`}},
		{"tech", "people/1", 200, "", []string{
			`{"message":"ok","result":{"properties":{"name":"Luke Skywalker",`, `"homeworld":"BASE/planets/1",`,
			`"url":"BASE/people/1"},"description":"A person within the Star Wars universe","_id":"`, `","uid":"1","__v":0}}`}},
		{"tech", "people/1/", 301, "people/1", nil},
		{"tech", "people/?page=2", 301, "people?page=2", nil},
		{"tech", "people/17", 404, "", []string{`{"message":"not found"}`}},
		{"tech", "people?page=9&limit=10", 200, "", []string{
			`{"message":"ok","total_records":82,"total_pages":9,"previous":"BASE/people?page=8&limit=10","next":null,"results":[{"uid":"82","name":"Sly Moore","url":"BASE/people/82"}`}},
		{"tech", "planets?limit=100", 200, "", []string{`"total_pages":1,"previous":null,"next":null`}},
		{"tech", "people?page=12", 200, "", []string{`"previous":"BASE/people?page=9&limit=10","next":null,"results":[]}`}},
		{"tech", "people?limit=0", 400, "", []string{`{"message":"limit must be a whole number from 1 to 100"}`}},
		{"tech", "films", 200, "", []string{`{"message":"ok","result":[{"properties":{"title":"A New Hope",`, `"description":"A Star Wars film"`}},
		{"tech", "", 200, "", []string{`{"message":"ok","result":{"people":"BASE/people","planets":"BASE/planets",`}},
		{"info", "people/1", 200, "", []string{`{"name":"Luke Skywalker",`, `"url":"BASE/people/1"}`}},
		{"info", "people/1/", 301, "people/1", nil},
		{"info", "people", 200, "", []string{`[{"name":"Luke Skywalker",`}},
		{"info", "people/99", 404, "", []string{`{"message":"Resource not found"}`}},
	} {
		t.Run(tt.dialect+"/"+tt.path, func(t *testing.T) {
			t.Parallel()
			_, base, c := dialectServer(t, tt.dialect)
			status, loc, b := getBody(t, c, base+tt.path)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, b)
			}
			if want := strings.TrimPrefix(base, strings.TrimSuffix(base, "/api/")) + tt.location; tt.location != "" && loc != want {
				t.Errorf("Location %q, want %q", loc, want)
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "BASE", strings.TrimSuffix(base, "/")); !strings.Contains(string(b), w) {
					t.Errorf("body lacks %s:\n%.600s", w, b)
				}
			}
			if status == 200 && !json.Valid(b) {
				t.Errorf("invalid JSON: %.300s", b)
			}
		})
	}
}

func TestDialectValidate(t *testing.T) {
	t.Parallel()
	err := Options{Dialect: "swapi"}.Validate()
	if err == nil || err.Error() != `dialect "swapi" is not one of dev, py4e, tech, info` {
		t.Errorf("Validate = %v", err)
	}
}
