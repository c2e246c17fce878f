package get_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/swapi"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ExampleRun() {
	fake, _ := fakeswapi.New(fakeswapi.Options{Dialect: "tech"})
	srv := httptest.NewServer(fake)
	defer srv.Close()

	name, _ := get.ParseField("name=name")
	world, _ := get.ParseField("world=homeworld.name")
	job := get.Job{
		Config:     fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}},
		All:        true,
		Base:       srv.URL + "/api/",
		Resource:   "people",
		Dialect:    swapi.Tech,
		Shape:      get.Shape{Fields: []get.Field{name, world}, Expand: []string{"homeworld"}},
		InputOrder: true,
	}
	w, _ := get.NewWriter(os.Stdout, "csv", job.Shape.Columns(), false)
	n := 0
	res, err := get.Run(context.Background(), job, get.Output{
		Document: func(doc []byte) error {
			if n++; n > 2 {
				return nil
			}
			return w.Write(doc)
		},
		Failure: func(msg string) { fmt.Println("failed:", msg) },
	})
	w.Close()
	fmt.Println(res.Documents, "documents,", res.Expanded, "planets fetched once each, error:", err)
	fmt.Println(strings.SplitN(res.Discovery.String(), " in ", 2)[0])
	// Output:
	// name,world
	// Luke Skywalker,Tatooine
	// C-3PO,Tatooine
	// 82 documents, 49 planets fetched once each, error: <nil>
	// discovered 82 people (ids 1–83)
}

func TestParseField(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, name, path string
		err            bool
	}{
		{"title=h1", "title", "h1", false},
		{" link = a@href ", "link", "a@href", false},
		{"first=films.0", "first", "films.0", false},
		{"n=friends.#(last==\"Murphy\").first", "n", "friends.#(last==\"Murphy\").first", false},
		{"nothing", "", "", true},
		{"=h1", "", "", true},
		{"x=", "", "", true},
	} {
		f, err := get.ParseField(tt.in)
		if (err != nil) != tt.err || f.Name != tt.name || f.Path != tt.path {
			t.Errorf("ParseField(%q) = %+v, %v", tt.in, f, err)
		}
	}
	s := get.Shape{}
	for _, in := range []string{"title=h1", "link=a@href", "first=films.0", "bad=[[["} {
		f, _ := get.ParseField(in)
		s.Fields = append(s.Fields, f)
	}
	want := []fetcher.Selector{{Name: "title", CSS: "h1"}, {Name: "link", CSS: "a", Attr: "href"}}
	if got := s.Selectors(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Selectors = %+v, want %+v", got, want)
	}
}

func TestWriters(t *testing.T) {
	t.Parallel()
	docs := []string{`{"name":"=cmd|calc","n":-1,"tags":["a"],"none":null}`, `{"name":"a\u009bb","n":2}`}
	for _, tt := range []struct {
		format   string
		terminal bool
		want     string
	}{
		{"ndjson", false, docs[0] + "\n" + docs[1] + "\n"},
		{"json", false, "[\n" + docs[0] + ",\n" + docs[1] + "\n]\n"},
		{"csv", false, "name,n,tags,none\n'=cmd|calc,-1,\"[\"\"a\"\"]\",\na\u009bb,2,,\n"},
		{"csv", true, "name,n,tags,none\n=cmd|calc,-1,\"[\"\"a\"\"]\",\na\\u009bb,2,,\n"},
		{"table", false, "name       n   tags   none\n=cmd|calc  -1  [\"a\"]\na\\u009bb   2\n"},
	} {
		var b strings.Builder
		w, err := get.NewWriter(&b, tt.format, nil, tt.terminal)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if err := w.Write([]byte(d)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s (terminal %v):\n%q\nwant\n%q", tt.format, tt.terminal, b.String(), tt.want)
		}
	}
	var b strings.Builder
	w, _ := get.NewWriter(&b, "json", nil, false)
	w.Close()
	if b.String() != "[]\n" {
		t.Errorf("empty json: %q", b.String())
	}
}

// TestCSVHeaderKeepsKeys is defect 17: a column whose name the CSV escapes (a formula-like
// @id, =x, -y; a control character on a terminal) keeps its values.
func TestCSVHeaderKeepsKeys(t *testing.T) {
	t.Parallel()
	doc := `{"@id":"p1","=x":1,"-y":"v","a\u0007b":"bell"}`
	cols := []string{"@id", "=x", "-y", "a\ab"}
	for _, tt := range []struct {
		name     string
		terminal bool
		want     string
	}{
		{"pipe", false, "'@id,'=x,'-y,a\ab\np1,1,v,bell\n"},
		{"terminal", true, "@id,=x,-y,a\\x07b\np1,1,v,bell\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, given := range [][]string{cols, nil} {
				var b strings.Builder
				w, err := get.NewWriter(&b, "csv", slices.Clone(given), tt.terminal)
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if err := w.Write([]byte(doc)); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				want := tt.want + "p1,1,v,bell\n"
				if diff := cmp.Diff(want, b.String()); diff != "" {
					t.Errorf("columns %q (-want +got):\n%s", given, diff)
				}
			}
		})
	}
}
