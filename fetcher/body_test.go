package fetcher

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReadBody: a body of known size is read into one slice of exactly that size; more than
// the size is still read whole, less is an error; one of unknown size is read whole.
func TestReadBody(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("abcdefgh", 10_000)
	tests := []struct {
		name    string
		in      *string // nil: body
		size    int64
		want    string
		wantErr error
		exact   bool // the slice has no room past the body
	}{
		{name: "known", size: int64(len(body)), want: body, exact: true},
		{name: "empty", in: new(""), size: 0, want: "", exact: true},
		{name: "unknown", size: -1, want: body},
		{name: "more than said", size: 10, want: body},
		{name: "less than said", size: int64(len(body)) + 1, wantErr: io.ErrUnexpectedEOF},
		{name: "known, grown several times", in: new(strings.Repeat("x", 5<<20+3)), size: 5<<20 + 3, want: strings.Repeat("x", 5<<20+3), exact: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := body
			if tc.in != nil {
				in = *tc.in
			}
			got, err := readBody(strings.NewReader(in), tc.size)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if string(got) != tc.want {
				t.Errorf("read %d bytes, want %d", len(got), len(tc.want))
			}
			if tc.exact && cap(got) != len(got) {
				t.Errorf("cap %d for %d bytes: want one slice of the body's size", cap(got), len(got))
			}
		})
	}
}

// trickle delivers total bytes at most step at a time and remembers the largest buffer it
// was asked to fill.
type trickle struct {
	step, total, sent, largest int
}

func (r *trickle) Read(p []byte) (int, error) {
	r.largest = max(r.largest, len(p))
	if r.sent == r.total {
		return 0, io.EOF
	}
	n := min(len(p), r.step, r.total-r.sent)
	r.sent += n
	return n, nil
}

// TestReadBodyLyingSize: a Content-Length of 1 GiB over a body of 300 KiB costs room for what
// arrives (at most four times it), not the gigabyte it claims.
func TestReadBodyLyingSize(t *testing.T) {
	t.Parallel()
	r := &trickle{step: 1000, total: 300 << 10}
	if _, err := readBody(r, 1<<30); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err %v, want io.ErrUnexpectedEOF", err)
	}
	if limit := 4*r.total + firstChunk; r.largest > limit {
		t.Errorf("asked to fill %d bytes at once for %d sent: want at most %d", r.largest, r.total, limit)
	}
}

// TestWorkerKeepsNoBody: once a request's record has its body, the worker that fetched it
// keeps no reference to it (an idle worker used to keep its last document alive after it was
// printed). With its Content-Length known, the body is one slice of its size; without it,
// the same bytes.
func TestWorkerKeepsNoBody(t *testing.T) {
	t.Parallel()
	doc := `{"name":"` + strings.Repeat("x", 100_000) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/length" {
			w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		}
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/length", http.StatusFound)
			return
		}
		io.WriteString(w, doc) //nolint:errcheck // the client may be gone
	}))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/length", "/chunked", "/redirect"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), KeepBody: true}
			eng := newEngine(ctx, &cfg, 1, nil)
			defer eng.close()
			w := eng.newWorker()
			defer w.close()
			r := &runner{cfg: &cfg, ctx: ctx, parent: ctx, eng: eng, t0: time.Now()}
			rec, _ := r.fetch(w, Item{Target: Target{URL: srv.URL + path}}, 0)
			if !rec.OK() || !bytes.Equal(rec.Body, []byte(doc)) || rec.Bytes != int64(len(doc)) {
				t.Fatalf("record %d %q: %d bytes, want the %d-byte document", rec.Status, rec.Err, len(rec.Body), len(doc))
			}
			if path != "/chunked" && cap(rec.Body) != len(rec.Body) {
				t.Errorf("body cap %d for %d bytes: want one slice of its Content-Length", cap(rec.Body), len(rec.Body))
			}
			if w.a.body != nil || w.a.html != nil {
				t.Errorf("the worker keeps %d bytes of body after handing its record over", len(w.a.body))
			}
		})
	}
}
