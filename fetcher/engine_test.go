package fetcher

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// collect runs cfg over targets and returns the records in Seq order.
func collect(t *testing.T, ctx context.Context, cfg Config, targets Targets) ([]Record, RunStats) {
	t.Helper()
	recs := make([]Record, targets.Len())
	seen := make([]bool, targets.Len())
	n := 0
	stats, err := Run(ctx, cfg, targets, func(r Record) {
		if seen[r.Seq] {
			t.Errorf("seq %d delivered twice", r.Seq)
		}
		seen[r.Seq] = true
		recs[r.Seq] = r
		n++
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n != targets.Len() || stats.Requests != targets.Len() {
		t.Fatalf("got %d records (stats %d) for %d targets", n, stats.Requests, targets.Len())
	}
	return recs, stats
}

func urls(base string, n int) TargetList {
	ts := make(TargetList, n)
	for i := range ts {
		ts[i] = Target{ID: i + 1, URL: fmt.Sprintf("%s/%d", base, i+1)}
	}
	return ts
}

func TestEngineOutcomes(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 1000)
	mux := http.NewServeMux()
	mux.HandleFunc("/person", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name":"Luke Skywalker","height":"172"}`)
	})
	mux.HandleFunc("/film", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, `{"title":"A New Hope","episode_id":4}`)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"detail":"Not found"}`)
	})
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"name":"Luke`)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, big) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/ua", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name":%q}`, r.UserAgent())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tests := []struct {
		path       string
		wantStatus int
		wantClass  ErrorClass
		wantName   string
		wantBytes  int64
	}{
		{"/person", 200, ClassNone, "Luke Skywalker", 40},
		{"/film", 200, ClassNone, "A New Hope", 37},
		{"/missing", 404, ClassHTTP4xx, "", 22},
		{"/boom", 500, ClassHTTP5xx, "", 5},
		{"/nocontent", 204, ClassNone, "", 0},
		{"/broken", 200, ClassInvalidJSON, "", 13},
		{"/big", 200, ClassBodyTooBig, "", 100},
		{"/slow", 0, ClassTimeout, "", 0},
		{"/ua", 200, ClassNone, "fetchbench/" + Version, 0},
	}
	var ts TargetList
	for _, tc := range tests {
		ts = append(ts, Target{URL: srv.URL + tc.path})
	}
	for _, s := range Strategies {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			cfg := Config{Strategy: s, Limits: s.Limits(Knobs{Concurrency: 3, Rate: 1000, CapRate: true}), MaxBody: 100, Timeout: 300 * time.Millisecond}
			recs, _ := collect(t, context.Background(), cfg, ts)
			for i, tc := range tests {
				r := recs[i]
				if r.Status != tc.wantStatus || r.Class != tc.wantClass || r.Name != tc.wantName ||
					(tc.wantBytes != 0 && r.Bytes != tc.wantBytes) {
					t.Errorf("%s: got status %d class %q name %q bytes %d (err %q); want %d %q %q %d",
						tc.path, r.Status, r.Class, r.Name, r.Bytes, r.Err, tc.wantStatus, tc.wantClass, tc.wantName, tc.wantBytes)
				}
				if (r.Err == "") != (r.Class == ClassNone) {
					t.Errorf("%s: error %q does not match class %q", tc.path, r.Err, r.Class)
				}
				if r.Attempts != 1 || r.Strategy != s || r.Seq != i {
					t.Errorf("%s: attempts %d strategy %q seq %d", tc.path, r.Attempts, r.Strategy, r.Seq)
				}
			}
		})
	}
}

func TestEngineIgnoresCollyEnvironment(t *testing.T) {
	t.Setenv("COLLY_USER_AGENT", "evil")
	t.Setenv("COLLY_MAX_BODY_SIZE", "3")
	t.Setenv("COLLY_ALLOW_URL_REVISIT", "false")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name":%q}`, r.UserAgent())
	}))
	t.Cleanup(srv.Close)
	ts := TargetList{{URL: srv.URL}, {URL: srv.URL}}
	recs, _ := collect(t, context.Background(), Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{})}, ts)
	for _, r := range recs {
		if r.Name != "fetchbench/"+Version || r.Class != ClassNone {
			t.Errorf("record %+v: want user agent fetchbench/%s and no error", r, Version)
		}
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()
	reset := resetServer(t)

	tests := []struct {
		name      string
		url       string
		insecure  bool
		wantClass ErrorClass
	}{
		{"tls verify", tlsSrv.URL, false, ClassTLS},
		{"tls insecure", tlsSrv.URL, true, ClassNone},
		{"refused", closed, false, ClassRefused},
		{"reset", reset, false, ClassReset},
		{"dns", "http://fetchbench-no-such-host.invalid/", false, ClassDNS},
	}
	// Resolution fails in the dialer so that no query leaves the machine.
	noDNS := http.DefaultTransport.(*http.Transport).Clone()
	noDNS.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasPrefix(addr, "127.0.0.1:") {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Insecure: tc.insecure, Timeout: 2 * time.Second, Transport: noDNS}
			recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: tc.url}})
			if recs[0].Class != tc.wantClass {
				t.Errorf("class = %q (err %q), want %q", recs[0].Class, recs[0].Err, tc.wantClass)
			}
		})
	}
}

// resetServer accepts connections, reads the request and closes abruptly with RST.
func resetServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"))
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String() + "/"
}

func TestRetries(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flaky": // 503, 503, then 200
			if hits.Add(1) <= 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, "ok")
		case "/throttled":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/gone":
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)

	cfg := Config{Strategy: Semaphore, Limits: Semaphore.Limits(Knobs{Concurrency: 2}), Retries: 3, BackoffBase: time.Millisecond, BackoffCap: 5 * time.Millisecond}
	recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: srv.URL + "/flaky"}, {URL: srv.URL + "/gone"}})
	if r := recs[0]; r.Attempts != 3 || r.Status != 200 || !r.OK() {
		t.Errorf("flaky: attempts %d status %d class %q; want 3 attempts ending 200", r.Attempts, r.Status, r.Class)
	}
	if r := recs[1]; r.Attempts != 1 || r.Status != 404 {
		t.Errorf("404 must not be retried: attempts %d status %d", r.Attempts, r.Status)
	}

	cfg = Config{Strategy: RateLimit, Limits: RateLimit.Limits(Knobs{Rate: 100}), Retries: 1, BackoffBase: time.Millisecond}
	recs, _ = collect(t, context.Background(), cfg, TargetList{{URL: srv.URL + "/throttled"}})
	r := recs[0]
	if r.Attempts != 2 || r.Status != 429 || r.Class != ClassHTTP4xx {
		t.Errorf("throttled: attempts %d status %d class %q; want 2 attempts ending 429", r.Attempts, r.Status, r.Class)
	}
	if r.Total < time.Second {
		t.Errorf("throttled: total %v, want at least the 1s Retry-After", r.Total)
	}
	if r.Latency >= r.Total {
		t.Errorf("latency %v should be the last attempt only, below total %v", r.Latency, r.Total)
	}

	// A Retry-After longer than the remaining deadline is not waited for.
	cfg = Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Retries: 3, Deadline: 500 * time.Millisecond}
	recs, stats := collect(t, context.Background(), cfg, TargetList{{URL: srv.URL + "/throttled"}})
	if r := recs[0]; r.Attempts != 1 || r.Status != 429 {
		t.Errorf("throttled under deadline: attempts %d status %d, want 1 attempt, 429", r.Attempts, r.Status)
	}
	if stats.DeadlineExceeded {
		t.Error("deadline reported exceeded although every target finished")
	}
}

func TestDeadlineAndInterrupt(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)

	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		recs, stats := collect(t, context.Background(), Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Deadline: time.Second}, urls(srv.URL, 20))
		cancelled := 0
		for _, r := range recs {
			if r.Class == ClassCancelled {
				cancelled++
			}
		}
		if cancelled < 14 || !stats.DeadlineExceeded || stats.Interrupted {
			t.Errorf("cancelled %d of 20, stats %+v; want ≥ 14 cancelled and DeadlineExceeded", cancelled, stats)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("run took %v after a 1s deadline", el)
		}
	})
	t.Run("interrupt", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		recs, stats := collect(t, ctx, Config{Strategy: Semaphore, Limits: Semaphore.Limits(Knobs{Concurrency: 2})}, urls(srv.URL, 20))
		if !stats.Interrupted || stats.DeadlineExceeded {
			t.Errorf("stats %+v: want Interrupted", stats)
		}
		last := recs[len(recs)-1]
		if last.Class != ClassCancelled || last.Attempts != 0 || !strings.Contains(last.Err, "interrupted") {
			t.Errorf("last record %+v: want a not-started cancelled record", last)
		}
	})
}

func TestRunRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{Strategy: "nope"},
		{Strategy: Semaphore},
		{Strategy: RateLimit},
		{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Timeout: -1},
	} {
		_, err := Run(context.Background(), cfg, TargetList{{URL: "http://127.0.0.1:1/"}}, func(Record) {
			t.Error("sink called for an invalid config")
		})
		if err == nil {
			t.Errorf("Run(%+v) = nil error", cfg)
		}
	}
}

func TestClassifyStatus(t *testing.T) {
	t.Parallel()
	got := []ErrorClass{statusClass(200), statusClass(301), statusClass(404), statusClass(429), statusClass(503)}
	want := []ErrorClass{ClassNone, ClassNone, ClassHTTP4xx, ClassHTTP4xx, ClassHTTP5xx}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// referenceName is swapiName's contract written the slow way.
func referenceName(body []byte) (string, bool) {
	if !json.Valid(body) {
		return "", false
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return "", true // valid JSON, not an object
	}
	if s, ok := doc["name"].(string); ok {
		return s, true
	}
	if s, ok := doc["title"].(string); ok {
		return s, true
	}
	return "", true
}

var nameCases = []string{
	`{"name":"Luke Skywalker","height":"172"}`,
	`{"title":"A New Hope","episode_id":4}`,
	` { "height" : "1" , "films": ["x", {"name":"inner"}], "name" : "C-3PO" } `,
	`{"a":{"name":"nested"},"title":"T","name":"N"}`,
	`{"name":"Esc \"quoted\" \u00e9 \\ \u001b[2J"}`,
	`{"name":1,"title":"numbers are not names"}`,
	`[{"name":"array"}]`, `"str"`, `{}`, `null`, `{"name":"Luke`, ``, `{"name":"a"}x`,
	`{"results":[],"name":null}`, `{"k\"name":"x","name":"y"}`,
}

func TestSWAPIName(t *testing.T) {
	t.Parallel()
	for _, in := range nameCases {
		got, err := swapiName([]byte(in))
		want, valid := referenceName([]byte(in))
		if (err == nil) != valid || got != want {
			t.Errorf("swapiName(%s) = %q, %v; want %q, valid=%v", in, got, err, want, valid)
		}
	}
}

func FuzzSWAPIName(f *testing.F) {
	for _, c := range nameCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := swapiName(in)
		want, valid := referenceName(in)
		if (err == nil) != valid || got != want {
			t.Errorf("swapiName(%q) = %q, %v; want %q, valid=%v", in, got, err, want, valid)
		}
	})
}
