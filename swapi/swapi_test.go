package swapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/swapi"
)

func TestURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d                *swapi.Dialect
		base             string
		template, detail string
		page1, page3     string
		paged, fullLists bool
	}{
		{swapi.Dev, "https://swapi.dev/api/", "https://swapi.dev/api/people/{id}/", "https://swapi.dev/api/people/7/",
			"https://swapi.dev/api/people/?page=1", "https://swapi.dev/api/people/?page=3", true, true},
		{swapi.PY4E, "http://127.0.0.1:8080/api", "http://127.0.0.1:8080/api/people/{id}/", "http://127.0.0.1:8080/api/people/7/",
			"http://127.0.0.1:8080/api/people/?page=1", "http://127.0.0.1:8080/api/people/?page=3", true, true},
		{swapi.Tech, "https://www.swapi.tech/api/", "https://www.swapi.tech/api/people/{id}", "https://www.swapi.tech/api/people/7",
			"https://www.swapi.tech/api/people?page=1&limit=10", "https://www.swapi.tech/api/people?page=3&limit=10", true, false},
		{swapi.Info, "https://swapi.info/api//", "https://swapi.info/api/people/{id}", "https://swapi.info/api/people/7",
			"https://swapi.info/api/people", "https://swapi.info/api/people", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.d.Name, func(t *testing.T) {
			t.Parallel()
			got := []any{tc.d.Template(tc.base, "people"), tc.d.DetailURL(tc.base, "people", 7),
				tc.d.ListURL(tc.base, "people", 1), tc.d.ListURL(tc.base, "people", 3), tc.d.Paged(), tc.d.FullLists()}
			want := []any{tc.template, tc.detail, tc.page1, tc.page3, tc.paged, tc.fullLists}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base string
		want *swapi.Dialect
	}{
		{"https://swapi.dev/api/", swapi.Dev},
		{"https://SWAPI.py4e.com/api/", swapi.PY4E},
		{"https://www.swapi.tech/api/", swapi.Tech},
		{"https://swapi.tech/api/", swapi.Tech},
		{"https://swapi.info/api/", swapi.Info},
		{"http://127.0.0.1:9000/api/", swapi.Dev},
		{"::not a url", swapi.Dev},
	} {
		if got := swapi.ForBaseURL(tc.base); got != tc.want {
			t.Errorf("ForBaseURL(%q) = %s, want %s", tc.base, got.Name, tc.want.Name)
		}
	}
	for _, d := range swapi.Dialects {
		if got, err := swapi.Lookup(d.Name); got != d || err != nil {
			t.Errorf("Lookup(%q) = %v, %v", d.Name, got, err)
		}
	}
	if _, err := swapi.Lookup("swapi"); err == nil || err.Error() != `unknown api "swapi" (want dev, py4e, tech or info)` {
		t.Errorf("Lookup(swapi) error = %v", err)
	}
}

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]string{
		"https://swapi.dev/api/":       "",
		"http://127.0.0.1:8080/api":    "",
		"ftp://x/":                     `bad base url "ftp://x/": want an absolute http:// or https:// URL`,
		"http://h/api?x=1":             `bad base url "http://h/api?x=1": it cannot have a query or fragment`,
		"http://h/api?":                `bad base url "http://h/api?": it cannot have a query or fragment`,
		"http://h/api#top":             `bad base url "http://h/api#top": it cannot have a query or fragment`,
		"http://user:secret@h/api?x=1": `bad base url "http://user:xxxxx@h/api?x=1": it cannot have a query or fragment`,
	} {
		got := ""
		if err := swapi.CheckBaseURL(base); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckBaseURL(%q) = %q, want %q", base, got, want)
		}
	}
}

func TestUnwrap(t *testing.T) {
	t.Parallel()
	luke := `{"name":"Luke Skywalker","height":"172","url":"https://swapi.dev/api/people/1/"}`
	tests := []struct {
		d       *swapi.Dialect
		body    string
		want    string
		wantErr string
	}{
		{d: swapi.Dev, body: luke, want: luke},
		{d: swapi.Info, body: " " + luke + "\n", want: " " + luke + "\n"},
		{d: swapi.Tech, body: `{"message":"ok","result":{"properties":{"name":"Luke Skywalker","height":"172","url":"https://www.swapi.tech/api/people/1"},"description":"A person within the Star Wars universe","_id":"5f63a36eee9fd7000499be42","uid":"1","__v":0}}`,
			want: `{"name":"Luke Skywalker","height":"172","url":"https://www.swapi.tech/api/people/1","uid":"1"}`},
		{d: swapi.Tech, body: `{"message":"ok","result":{"properties":{ },"uid":"2"}}`, want: `{ "uid":"2"}`},
		{d: swapi.Tech, body: luke, wantErr: `no "result" member`},
		{d: swapi.Tech, body: `{"result":{"uid":"1"}}`, wantErr: `no "properties" object`},
		{d: swapi.Tech, body: `{"result":`, wantErr: "unexpected end of JSON input"},
		{d: swapi.Dev, body: `[1,2]`, wantErr: "not a JSON object"},
		{d: swapi.Dev, body: `{"name":`, wantErr: "not a JSON object"},
	}
	for _, tc := range tests {
		got, err := tc.d.Unwrap([]byte(tc.body))
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s Unwrap(%s) error = %v, want %s", tc.d.Name, tc.body, err, tc.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%s Unwrap(%s) = %s, %v; want %s", tc.d.Name, tc.body, got, err, tc.want)
		}
	}
}

func TestParsePage(t *testing.T) {
	t.Parallel()
	doc := func(id int) string {
		return fmt.Sprintf(`{"name":"n%d","url":"http://h/api/people/%d/"}`, id, id)
	}
	tests := []struct {
		name    string
		d       *swapi.Dialect
		body    string
		want    swapi.Page
		wantErr string
	}{
		{name: "dev first page", d: swapi.Dev,
			body: `{"count":82,"next":"http://h/api/people/?page=2","previous":null,"results":[` + doc(1) + `,` + doc(2) + `]}`,
			want: swapi.Page{Count: 82, Pages: 41, Items: []swapi.Item{
				{ID: 1, URL: "http://h/api/people/1/", Doc: json.RawMessage(doc(1))},
				{ID: 2, URL: "http://h/api/people/2/", Doc: json.RawMessage(doc(2))}}}},
		{name: "dev empty", d: swapi.Dev, body: `{"count":0,"next":null,"previous":null,"results":[]}`, want: swapi.Page{Pages: -1}},
		{name: "dev 404", d: swapi.Dev, body: `{"detail":"Not found"}`, wantErr: `not a list page of dialect dev: want a JSON object with "count" and "results" (a swapi.info or swapi.tech mirror needs dialect info|tech)`},
		{name: "dev item not an object", d: swapi.Dev, body: `{"count":1,"results":[3]}`, wantErr: "not a list page: item 1 is not a JSON object"},
		{name: "tech page", d: swapi.Tech,
			body: `{"message":"ok","total_records":82,"total_pages":9,"previous":null,"next":"http://h/api/people?page=2&limit=10","results":[{"uid":"1","name":"Luke Skywalker","url":"http://h/api/people/1"}]}`,
			want: swapi.Page{Count: 82, Pages: 9, Items: []swapi.Item{{ID: 1, URL: "http://h/api/people/1"}}}},
		{name: "tech films, every item in full", d: swapi.Tech,
			body: `{"message":"ok","result":[{"properties":{"title":"A New Hope","url":"http://h/api/films/1"},"uid":"1"}]}`,
			want: swapi.Page{Count: 1, Pages: 1, Items: []swapi.Item{{ID: 1, URL: "http://h/api/films/1",
				Doc: json.RawMessage(`{"title":"A New Hope","url":"http://h/api/films/1","uid":"1"}`)}}}},
		{name: "tech 404", d: swapi.Tech, body: `{"message":"not found"}`, wantErr: `not a list page of dialect tech: want a JSON object with "total_pages" and "results" (or "result")`},
		{name: "info array", d: swapi.Info, body: `[` + doc(1) + `,` + doc(3) + `]`,
			want: swapi.Page{Count: 2, Pages: 1, Items: []swapi.Item{
				{ID: 1, URL: "http://h/api/people/1/", Doc: json.RawMessage(doc(1))},
				{ID: 3, URL: "http://h/api/people/3/", Doc: json.RawMessage(doc(3))}}}},
		{name: "info 404", d: swapi.Info, body: `{"message":"Resource not found"}`, wantErr: "not a list page of dialect info: want a JSON array of documents"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.d.ParsePage([]byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("error = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestParsePageClaims feeds list pages that lie: about their size, their items' ids and the
// dialect they are. Every claim is read without a Go type dump, never negative and never
// overflowing; an item without a numeric id carries an error naming it.
func TestParsePageClaims(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", 10<<20)
	item := `{"name":"n","url":"http://h/api/people/1/"}`
	tests := []struct {
		name      string
		d         *swapi.Dialect
		body      string
		wantCount int
		wantPages int
		wantIDs   []int
		wantItem  string // the first item's error, "" for none
		wantErr   string // ParsePage's error, "" for none
	}{
		{name: "count 1e12", d: swapi.Dev, body: `{"count":1000000000000,"results":[` + item + `]}`,
			wantCount: 1e12, wantPages: 1e12, wantIDs: []int{1}},
		{name: "count int64 max", d: swapi.Dev, body: `{"count":9223372036854775807,"results":[` + item + `,` + item + `]}`,
			wantCount: math.MaxInt, wantPages: math.MaxInt/2 + 1, wantIDs: []int{1, 1}},
		{name: "count 1e300", d: swapi.Dev, body: `{"count":1e300,"results":[` + item + `]}`,
			wantCount: math.MaxInt, wantPages: math.MaxInt, wantIDs: []int{1}},
		{name: "count negative", d: swapi.Dev, body: `{"count":-5,"results":[]}`, wantErr: `not a list page: "count" is "-5", not a count`},
		{name: "count a string", d: swapi.Dev, body: `{"count":"x","results":[]}`, wantErr: "not a list page of dialect dev"},
		{name: "tech total_pages 1e12", d: swapi.Tech, body: `{"total_pages":1e12,"results":[{"uid":"3","url":"http://h/api/people/3"}]}`,
			wantCount: -1, wantPages: 1e12, wantIDs: []int{3}},
		{name: "tech uid climbing", d: swapi.Tech, body: `{"total_pages":1,"results":[{"uid":"../../x","url":"http://h/x"}]}`,
			wantCount: -1, wantPages: 1, wantIDs: []int{0}, wantItem: `item 1: uid "../../x" is not a number from 1 to 2147483647`},
		{name: "tech uid escaped dots", d: swapi.Tech, body: `{"total_pages":1,"results":[{"uid":"%2e%2e","url":"http://h/x"}]}`,
			wantCount: -1, wantPages: 1, wantIDs: []int{0}, wantItem: `item 1: uid "%2e%2e" is not a number`},
		{name: "tech uid 10 MB", d: swapi.Tech, body: `{"total_pages":1,"results":[{"uid":"` + long + `","url":"http://h/x"}]}`,
			wantCount: -1, wantPages: 1, wantIDs: []int{0}, wantItem: `item 1: uid "` + long[:100] + `"… is not a number`},
		{name: "tech uid a number", d: swapi.Tech, body: `{"total_pages":1,"results":[{"uid":7,"url":"http://h/x"}]}`,
			wantCount: -1, wantPages: 1, wantIDs: []int{0}, wantItem: `item 1: not an object with a string uid`},
		{name: "dev item url without id", d: swapi.Dev, body: `{"count":1,"results":[{"url":"javascript:alert(1)"}]}`,
			wantCount: 1, wantPages: 1, wantIDs: []int{0}, wantItem: `item 1: url "javascript:alert(1)" ends in no id`},
		{name: "info mirror read as dev", d: swapi.Dev, body: `[` + item + `]`, wantErr: "got a JSON array as swapi.info serves: try dialect info"},
		{name: "tech mirror read as dev", d: swapi.Dev, body: `{"message":"ok","total_pages":1,"results":[]}`, wantErr: "got swapi.tech's shape: try dialect tech"},
		{name: "dev mirror read as info", d: swapi.Info, body: `{"count":1,"results":[]}`, wantErr: "try dialect dev"},
		{name: "not JSON", d: swapi.Dev, body: `<html>`, wantErr: "not a list page of dialect dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.d.ParsePage([]byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "Go value") {
					t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []int
			for _, it := range got.Items {
				ids = append(ids, it.ID)
			}
			if diff := cmp.Diff([]int{tc.wantCount, tc.wantPages}, []int{got.Count, got.Pages}); diff != "" {
				t.Errorf("count, pages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			gotItem := ""
			if got.Items[0].Err != nil {
				gotItem = got.Items[0].Err.Error()
			}
			if (tc.wantItem == "") != (gotItem == "") || !strings.Contains(gotItem, tc.wantItem) || len(gotItem) > 300 {
				t.Errorf("item error = %q, want %q", gotItem, tc.wantItem)
			}
		})
	}
}

func ExampleDialect_Unwrap() {
	body := []byte(`{"message":"ok","result":{"properties":{"name":"Luke Skywalker"},"uid":"1"}}`)
	doc, err := swapi.Tech.Unwrap(body)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(doc))
	fmt.Println(swapi.ForBaseURL("https://www.swapi.tech/api/").DetailURL("https://www.swapi.tech/api/", "people", 1))
	// Output:
	// {"name":"Luke Skywalker","uid":"1"}
	// https://www.swapi.tech/api/people/1
}

// TestShapeErrorWord checks that a list page of another shape names the option choosing the
// dialect as the namer names it, and "dialect" without one.
func TestShapeErrorWord(t *testing.T) {
	t.Parallel()
	flags := naming.Namer(func(field string) string {
		return map[string]string{"targets.Config.API": "--api"}[field]
	})
	for _, tc := range []struct {
		name string
		d    *swapi.Dialect
		body string
		n    naming.Namer
		want string
	}{
		{"info mirror read as dev", swapi.Dev, `[]`, flags, `not a list page of --api dev: want a JSON object with "count" and "results", got a JSON array as swapi.info serves: try --api info`},
		{"no namer", swapi.Dev, `[]`, nil, `not a list page of dialect dev: want a JSON object with "count" and "results", got a JSON array as swapi.info serves: try dialect info`},
		{"dev 404", swapi.Dev, `{"detail":"Not found"}`, flags, `not a list page of --api dev: want a JSON object with "count" and "results" (a swapi.info or swapi.tech mirror needs --api info|tech)`},
		{"dev mirror read as tech", swapi.Tech, `{"count":1,"results":[]}`, flags, `not a list page of --api tech: want a JSON object with "total_pages" and "results" (or "result"), got swapi.dev's shape: try --api dev (or py4e)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.d.ParsePage([]byte(tc.body))
			var se *swapi.ShapeError
			if !errors.As(err, &se) || !errors.Is(err, swapi.ErrListPage) {
				t.Fatalf("error %v: want a *swapi.ShapeError wrapping ErrListPage", err)
			}
			if got := naming.Text(fmt.Errorf("page 1: %w", err), tc.n); got != "page 1: "+tc.want {
				t.Errorf("worded\n%q\nwant\n%q", got, "page 1: "+tc.want)
			}
		})
	}
}
