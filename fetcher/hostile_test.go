package fetcher

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/swapi"
)

// bombSize is how much a bomb inflates to; its compressed form is about 1/1000 of that.
const bombSize = 64 << 20

// hostileMaxBody is the --max-body the hostile cases run under.
const hostileMaxBody = 256 << 10

// gzipBomb is bombSize zero bytes, gzipped.
var gzipBomb = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range bombSize / len(zero) {
		zw.Write(zero) //nolint:errcheck // a bytes.Buffer does not fail
	}
	zw.Close() //nolint:errcheck // a bytes.Buffer does not fail
	return b.Bytes()
})

// escapes is a string holding every terminal escape a server might try: a screen clear, an
// OSC title set ended by BEL, a bare BEL, a C1 CSI, a bidi override and a NUL.
const escapes = "\x1b[2J\x1b]0;pwned\x07\a\u009b31m\u202eevil\x00"

// escapesJSON is a SWAPI document named escapes.
func escapesJSON() []byte {
	b, _ := json.Marshal(map[string]string{"name": escapes})
	return b
}

// hostileHandler is a server that misbehaves in one way per path.
func hostileHandler() http.Handler {
	mux := http.NewServeMux()
	bomb := func(path, header, value string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(header, value)
			w.Write(gzipBomb()) //nolint:errcheck // the client may hang up
		})
	}
	bomb("/bomb/content-encoding-gzip", "Content-Encoding", "gzip")
	bomb("/bomb/content-encoding-x-gzip", "Content-Encoding", "x-gzip")
	bomb("/bomb/content-encoding-mixed-case", "Content-Encoding", " X-GZip ")
	bomb("/bomb/content-type-gzip", "Content-Type", "application/gzip")
	bomb("/bomb/data.xml.gz", "Content-Type", "application/octet-stream")
	mux.HandleFunc("/bomb/json-x-gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "x-gzip")
		w.Write(gzipBomb()) //nolint:errcheck // the client may hang up
	})
	mux.HandleFunc("/gzip/small", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "x-gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, `{"name":"Luke Skywalker"}`)
		zw.Close() //nolint:errcheck // the client may hang up
	})
	mux.HandleFunc("/gzip/corrupt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		fmt.Fprint(w, "this is not gzip")
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/redirect/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirect/loop", http.StatusFound)
	})
	mux.HandleFunc("/redirect/no-location", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/redirect/nine", func(w http.ResponseWriter, r *http.Request) {
		n := len(r.URL.Query()["hop"])
		if n < 9 {
			http.Redirect(w, r, r.URL.String()+"&hop=1", http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, "arrived")
	})
	mux.HandleFunc("/redirect/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
			return
		}
		http.Redirect(w, r, r.URL.String()+"&hop=1", http.StatusFound)
	})
	mux.HandleFunc("/stall-after-headers", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/stall-before-headers", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("/short-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, "only ten b")
	})
	mux.HandleFunc("/huge-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Huge", strings.Repeat("h", 2<<20))
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/escapes/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(escapesJSON()) //nolint:errcheck // the client may hang up
	})
	mux.HandleFunc("/escapes/error", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, escapes)
	})
	mux.HandleFunc("/cut-mid-rune", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, strings.Repeat("x", 119)+"é and more")
	})
	return mux
}

// hostileCase is one misbehaviour and the record it must give.
type hostileCase struct {
	path    string
	want    hostileView
	errHas  string // the record's error contains this
	name    string
	timeout bool // the case ends at the Timeout
}

// hostileView is the part of a Record a misbehaving server decides.
type hostileView struct {
	Status int
	Class  ErrorClass
	Bytes  int64
}

// TestHostileServer runs every misbehaviour through one run, so that each one also shows the
// others are unaffected: N targets in, N records out, and the run goes on.
func TestHostileServer(t *testing.T) {
	t.Parallel()
	smallJSON := int64(len(`{"name":"Luke Skywalker"}`))
	bombLen := int64(len(gzipBomb()))
	tests := []hostileCase{
		{path: "/bomb/content-encoding-gzip", want: hostileView{200, ClassBodyTooBig, hostileMaxBody}, errHas: "body too large: more than 262144 bytes"},
		{path: "/bomb/content-encoding-x-gzip", want: hostileView{200, ClassBodyTooBig, hostileMaxBody}, errHas: "body too large"},
		{path: "/bomb/content-encoding-mixed-case", want: hostileView{200, ClassBodyTooBig, hostileMaxBody}, errHas: "body too large"},
		{path: "/bomb/json-x-gzip", want: hostileView{200, ClassBodyTooBig, hostileMaxBody}, errHas: "body too large"},
		// A gzip file is a document of its own: it is held as sent, never inflated.
		{path: "/bomb/content-type-gzip", want: hostileView{200, ClassNone, bombLen}},
		{path: "/bomb/data.xml.gz", want: hostileView{200, ClassNone, bombLen}},
		{path: "/gzip/small", want: hostileView{200, ClassNone, smallJSON}, name: "Luke Skywalker"},
		{path: "/gzip/corrupt", want: hostileView{200, ClassOther, 0}, errHas: "gzip: invalid header"},
		{path: "/endless", want: hostileView{200, ClassBodyTooBig, hostileMaxBody}, errHas: "body too large"},
		{path: "/redirect/loop", want: hostileView{302, ClassRedirect, int64(len(`<a href="/redirect/loop">Found</a>.` + "\n\n"))}, errHas: "http 302 Found: stopped after 10 redirects"},
		{path: "/redirect/no-location", want: hostileView{302, ClassRedirect, 0}, errHas: "redirect without a Location header"},
		{path: "/redirect/nine?hop=0", want: hostileView{200, ClassNone, 7}},
		{path: "/stall-after-headers", want: hostileView{200, ClassTimeout, 0}, errHas: "timeout after 5s reading the body", timeout: true},
		{path: "/stall-before-headers", want: hostileView{0, ClassTimeout, 0}, errHas: "timeout after 5s awaiting headers", timeout: true},
		// Every hop takes 2s: the timeout bounds the whole exchange, not each hop.
		{path: "/redirect/slow?hop=0", want: hostileView{0, ClassTimeout, 0}, errHas: "timeout after 5s awaiting headers", timeout: true},
		{path: "/short-body", want: hostileView{200, ClassReset, 0}, errHas: "unexpected EOF"},
		{path: "/huge-header", want: hostileView{0, ClassOther, 0}, errHas: "exceeded 1048576 bytes"},
		{path: "/escapes/json", want: hostileView{200, ClassNone, int64(len(escapesJSON()))}, name: escapes},
		// Escapes are kept as sent: every renderer escapes them for its destination.
		{path: "/escapes/error", want: hostileView{418, ClassHTTP4xx, int64(len(escapes))}, errHas: "http 418 I'm a teapot: " + strings.Fields(escapes)[0]},
		{path: "/cut-mid-rune", want: hostileView{400, ClassHTTP4xx, 130}, errHas: "http 400 Bad Request: " + strings.Repeat("x", 119) + "…"},
	}
	const timeout = 5 * time.Second
	// Paced, every attempt waits for its token with its connection in hand: the timeout
	// still bounds the exchange from there.
	for _, s := range []Strategy{Unbounded, RateLimit} {
		t.Run(string(s), func(t *testing.T) { hostileRun(t, s, timeout, tests) })
	}
}

func hostileRun(t *testing.T, s Strategy, timeout time.Duration, tests []hostileCase) {
	synctest.Test(t, func(t *testing.T) {
		var targets TargetList
		for _, tc := range tests {
			targets = append(targets, Target{URL: faketest.MemURL + tc.path})
		}
		cfg := Config{Strategy: s, Limits: s.Limits(Knobs{Rate: 1000, Burst: len(tests)}), MaxBody: hostileMaxBody, Timeout: timeout, Transport: faketest.HandlerInMemory(t, hostileHandler()).Transport, Namer: swapi.Namer{}}
		start := time.Now()
		recs, stats := collect(t, context.Background(), cfg, targets)
		for i, tc := range tests {
			r := recs[i]
			got := hostileView{r.Status, r.Class, r.Bytes}
			if got != tc.want || !strings.Contains(r.Err, tc.errHas) || r.Name != tc.name || (r.Err == "") != (tc.want.Class == ClassNone) {
				t.Errorf("%s: got %+v err %q name %q, want %+v err containing %q name %q", tc.path, got, r.Err, r.Name, tc.want, tc.errHas, tc.name)
			}
			if tc.timeout && r.Latency != timeout {
				t.Errorf("%s: latency %v, want the timeout %v", tc.path, r.Latency, timeout)
			}
			if r.Attempts != 1 {
				t.Errorf("%s: %d attempts, want 1", tc.path, r.Attempts)
			}
		}
		if wall := time.Since(start); wall != timeout {
			t.Errorf("run took %v, want the %v timeout of the stalled cases", wall, timeout)
		}
		if stats.Connections == 0 {
			t.Error("stats: no connection counted")
		}
	})
}

// TestBombMemory fetches each bomb at once and checks that the bytes allocated while doing so
// stay within a small multiple of the body limit per request, far below what inflating even
// one bomb would take.
func TestBombMemory(t *testing.T) {
	srv := startHostile(t)
	paths := []string{"/bomb/content-encoding-gzip", "/bomb/content-encoding-x-gzip", "/bomb/json-x-gzip", "/endless"}
	var targets TargetList
	for _, p := range paths {
		for range 4 {
			targets = append(targets, Target{URL: srv + p})
		}
	}
	gzipBomb()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	recs, _ := collect(t, context.Background(), Config{Strategy: Unbounded, MaxBody: hostileMaxBody}, targets)
	runtime.ReadMemStats(&after)
	for _, r := range recs {
		if r.Class != ClassBodyTooBig {
			t.Errorf("%s: class %q (%s), want %q", r.URL, r.Class, r.Err, ClassBodyTooBig)
		}
	}
	// The server's side writes the compressed bomb and the endless chunks; the client holds at
	// most about 2×max per request while reading (a growing buffer's last doubling).
	allocated := after.TotalAlloc - before.TotalAlloc
	bound := uint64(len(targets)) * 8 * hostileMaxBody
	t.Logf("%d requests allocated %d KiB (bound %d KiB; one inflated bomb is %d KiB)", len(targets), allocated>>10, bound>>10, bombSize>>10)
	if allocated > bound {
		t.Errorf("allocated %d bytes for %d requests, want at most %d", allocated, len(targets), bound)
	}
}

// BenchmarkBomb reports the bytes allocated to fetch one x-gzip bomb under a 256 KiB limit.
func BenchmarkBomb(b *testing.B) {
	srv := startHostile(b)
	cfg := Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), MaxBody: hostileMaxBody}
	targets := TargetList{{URL: srv + "/bomb/content-encoding-x-gzip"}}
	gzipBomb()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), cfg, targets, func(r Record) {
			if r.Class != ClassBodyTooBig {
				b.Fatalf("class %q, want %q", r.Class, ClassBodyTooBig)
			}
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// startHostile serves hostileHandler on a loopback port until tb ends.
func startHostile(tb testing.TB) string {
	tb.Helper()
	srv := httptest.NewServer(hostileHandler())
	tb.Cleanup(srv.Close)
	return srv.URL
}
