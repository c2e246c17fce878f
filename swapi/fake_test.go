package swapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/swapi"
)

// TestAgainstFake reads each dialect from the fake, which renders its shapes on its own.
func TestAgainstFake(t *testing.T) {
	t.Parallel()
	for _, d := range swapi.Dialects {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			fake, err := fakeswapi.New(fakeswapi.Options{Dialect: d.Name})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			base := srv.URL + "/api/"
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			get := func(u string) []byte {
				t.Helper()
				res, err := client.Get(u)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				if res.StatusCode != 200 {
					t.Fatalf("GET %s: %d %s", u, res.StatusCode, b)
				}
				return b
			}

			people, lastID, nfilms := 82, 83, 6 // swapi.py4e.com has its own data
			if d == swapi.PY4E {
				people, lastID, nfilms = 87, 88, 7
			}
			var ids []int
			pages := 1
			for k := 1; k <= pages; k++ {
				p, err := d.ParsePage(get(d.ListURL(base, "people", k)))
				if err != nil {
					t.Fatalf("page %d: %v", k, err)
				}
				if p.Count != people {
					t.Errorf("page %d: count %d, want %d", k, p.Count, people)
				}
				if k == 1 {
					pages = p.Pages
				}
				for _, it := range p.Items {
					ids = append(ids, it.ID)
					if (it.Doc != nil) != d.FullLists() {
						t.Errorf("item %d: doc %v, want full lists %v", it.ID, it.Doc != nil, d.FullLists())
					}
					if it.URL != d.DetailURL(base, "people", it.ID) {
						t.Errorf("item URL %q, want %q", it.URL, d.DetailURL(base, "people", it.ID))
					}
				}
			}
			if want := map[string]int{"dev": 9, "py4e": 9, "tech": 9, "info": 1}[d.Name]; pages != want {
				t.Errorf("%d pages of people, want %d", pages, want)
			}
			var want []int
			for id := 1; id <= lastID; id++ {
				if id != 17 {
					want = append(want, id)
				}
			}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("people ids mismatch (-want 1..%d without 17 +got):\n%s", lastID, diff)
			}

			doc, err := d.Unwrap(get(d.DetailURL(base, "people", 1)))
			if err != nil {
				t.Fatal(err)
			}
			var luke struct{ Name, UID, URL string }
			if err := json.Unmarshal(doc, &luke); err != nil || luke.Name != "Luke Skywalker" || luke.URL != d.DetailURL(base, "people", 1) {
				t.Errorf("unwrapped %s (%v)", doc, err)
			}
			if d == swapi.Tech && luke.UID != "1" {
				t.Errorf("tech document lacks uid 1: %s", doc)
			}
			if st := fake.Stats(); st.Requests != int64(pages+1) || st.StatusCounts["200"] != st.Requests {
				t.Errorf("%d requests, status counts %v; want %d, all 200 (no redirects)", st.Requests, st.StatusCounts, pages+1)
			}

			films, err := d.ParsePage(get(d.ListURL(base, "films", 1)))
			if err != nil || len(films.Items) != nfilms || films.Items[0].Doc == nil && d != swapi.Tech {
				t.Errorf("films: %d items (%v)", len(films.Items), err)
			}
		})
	}
}
