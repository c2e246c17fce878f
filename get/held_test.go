package get_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
)

// The tests here tell whether a document is still held by a weak pointer to its first byte,
// after a runtime.GC: its documents are large (tens of KB), which the runtime never batches
// with others, so an unreachable one is always reclaimed by then.

// TestPrintedDocumentsReleased: once a document is printed, nothing in the run holds it any
// more. At each write, every document printed before it has been reclaimed (idle workers
// used to keep the last body each fetched, printed or not, until their next request).
func TestPrintedDocumentsReleased(t *testing.T) {
	const n, c, size = 16, 3, 64 << 10
	doc := `{"name":"` + strings.Repeat("x", size) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Has("length") {
			w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		}
		w.Write([]byte(doc)) //nolint:errcheck // the client may be gone
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name    string
		query   string
		inOrder bool
	}{
		{"chunked", "", false},
		{"length", "?length", false},
		{"length in order", "?length", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ts fetcher.TargetList
			for i := range n {
				ts = append(ts, fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/docs/%d%s", srv.URL, i+1, tc.query)})
			}
			job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: c}}, Targets: ts, InputOrder: tc.inOrder}
			var printed []weak.Pointer[byte]
			res, err := get.Run(context.Background(), job, get.Output{
				Document: func(d []byte) error {
					if held := stillHeld(printed); held > 0 {
						t.Errorf("at write %d, %d of the documents printed before are still held", len(printed)+1, held)
					}
					printed = append(printed, weak.Make(&d[0]))
					return nil
				},
				Failure: func(msg string) { t.Error(msg) },
			})
			if err != nil || res.Documents != n {
				t.Fatalf("%d documents, %v; want %d", res.Documents, err, n)
			}
		})
	}
}

// stillHeld is how many of ps still point at memory after a runtime.GC, allowing up to a
// second for a goroutine that is about to drop its reference (a worker returning from
// handing its record over on a loaded machine); a document something keeps stays held.
func stillHeld(ps []weak.Pointer[byte]) int {
	deadline := time.Now().Add(time.Second)
	for {
		runtime.GC()
		held := 0
		for _, p := range ps {
			if p.Value() != nil {
				held++
			}
		}
		if held == 0 || time.Now().After(deadline) {
			return held
		}
		time.Sleep(time.Millisecond)
	}
}

// TestShapedDocumentKeepsNoBody: a shaped document is a slice of its own, of its exact size:
// it never keeps the body it was taken from, even when it holds most of it.
func TestShapedDocumentKeepsNoBody(t *testing.T) {
	blob := strings.Repeat("y", 64<<10)
	tests := []struct {
		name  string
		shape get.Shape
		want  string
	}{
		{"a small member", get.Shape{Keep: []string{"name"}}, `{"name":"Luke"}`},
		{"the large member", get.Shape{Keep: []string{"blob"}}, `{"blob":"` + blob + `"}`},
		{"members and paths", get.Shape{Keep: []string{"name", "gone"}, Fields: []get.Field{mustField(t, "n=nested.n"), mustField(t, "up=name|@reverse")}},
			`{"name":"Luke","gone":null,"n":[1,2],"up":"Luke"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(`{"name":"Luke","nested":{"n":[1, 2]},"blob":"` + blob + `"}`)
			raw := weak.Make(&body[0])
			rec := &fetcher.Record{Status: 200, ContentType: "application/json", Body: body}
			body = nil
			doc := tc.shape.Document(rec)
			rec.Body = nil
			runtime.GC()
			if raw.Value() != nil {
				t.Error("the shaped document keeps the body")
			}
			if string(doc) != tc.want {
				t.Errorf("document %.80s, want %.80s", doc, tc.want)
			}
			if cap(doc) != len(doc) {
				t.Errorf("cap %d for %d bytes: want one slice of the document's size", cap(doc), len(doc))
			}
		})
	}
}

// TestExpandedDocumentExact: a document with its links replaced by the linked documents is
// built in one slice of its exact size (it grew by appends, up to twice its size).
func TestExpandedDocumentExact(t *testing.T) {
	linked := `{"name":"Tatooine","blob":"` + strings.Repeat("z", 64<<10) + `"}`
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/planet" {
			w.Write([]byte(linked)) //nolint:errcheck // the client may be gone
			return
		}
		fmt.Fprintf(w, `{"name":"Luke","homeworld":"%s/planet","films":["%s/planet","%[1]s/planet"]}`, srv.URL, srv.URL)
	}))
	t.Cleanup(srv.Close)
	job := get.Job{Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 2}},
		Targets: fetcher.TargetList{{ID: 1, URL: srv.URL + "/doc"}}, Shape: get.Shape{Expand: []string{"homeworld", "films"}}}
	var doc []byte
	res, err := get.Run(context.Background(), job, get.Output{Document: func(d []byte) error { doc = d; return nil }, Failure: func(msg string) { t.Error(msg) }})
	if err != nil || res.Documents != 1 {
		t.Fatalf("%d documents, %v", res.Documents, err)
	}
	if want := `{"name":"Luke","homeworld":` + linked + `,"films":[` + linked + `,` + linked + `]}`; string(doc) != want {
		t.Errorf("document %.120s…, want %.120s…", doc, want)
	}
	if cap(doc) != len(doc) {
		t.Errorf("cap %d for %d bytes: want one slice of the document's size", cap(doc), len(doc))
	}
}

func mustField(t *testing.T, s string) get.Field {
	t.Helper()
	f, err := get.ParseField(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestWritersKeepNoDocument: what a writer keeps of a document once written (the table's
// rows held to measure its widths, the columns taken from the first document) is copies,
// never parts of the document, which would keep all of it.
func TestWritersKeepNoDocument(t *testing.T) {
	for _, format := range []string{"table", "csv", "ndjson", "json"} {
		t.Run(format, func(t *testing.T) {
			w, err := get.NewWriter(io.Discard, format, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			var written []weak.Pointer[byte]
			for i := range 3 {
				doc := []byte(fmt.Sprintf(`{"name":"Luke %d","blob":"%s","id":%d}`, i, strings.Repeat("x", 64<<10), i))
				if err := w.Write(doc); err != nil {
					t.Fatal(err)
				}
				written = append(written, weak.Make(&doc[0]))
			}
			runtime.GC()
			for i, p := range written {
				if p.Value() != nil {
					t.Errorf("document %d is still held after it was written", i+1)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
