package fetcher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/swapi"
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

// TestEngineOutcomes runs in a synctest bubble on an in-memory network: the exchanges take no
// fake time, so every latency is exact and the slow answer times out at exactly the Timeout.
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

	const timeout = 300 * time.Millisecond
	tests := []struct {
		path        string
		wantStatus  int
		wantClass   ErrorClass
		wantName    string
		wantBytes   int64
		wantLatency time.Duration
	}{
		{"/person", 200, ClassNone, "Luke Skywalker", 40, 0},
		{"/film", 200, ClassNone, "A New Hope", 37, 0},
		{"/missing", 404, ClassHTTP4xx, "", 22, 0},
		{"/boom", 500, ClassHTTP5xx, "", 5, 0},
		{"/nocontent", 204, ClassNone, "", 0, 0},
		{"/broken", 200, ClassInvalidJSON, "", 13, 0},
		{"/big", 200, ClassBodyTooBig, "", 100, 0},
		{"/slow", 0, ClassTimeout, "", 0, timeout},
		{"/ua", 200, ClassNone, "fetchbench/" + Version, 0, 0},
	}
	var ts TargetList
	for _, tc := range tests {
		ts = append(ts, Target{URL: faketest.MemURL + tc.path})
	}
	for _, s := range Strategies {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				cfg := Config{
					Strategy: s, Limits: s.Limits(Knobs{Concurrency: 3, Rate: 1000, CapRate: true}),
					MaxBody: 100, Timeout: timeout, Transport: faketest.HandlerInMemory(t, mux).Transport,
					Namer: swapi.Namer{},
				}
				recs, _ := collect(t, context.Background(), cfg, ts)
				for i, tc := range tests {
					r := recs[i]
					if r.Status != tc.wantStatus || r.Class != tc.wantClass || r.Name != tc.wantName ||
						(tc.wantBytes != 0 && r.Bytes != tc.wantBytes) || r.Latency != tc.wantLatency {
						t.Errorf("%s: got status %d class %q name %q bytes %d latency %v (err %q); want %d %q %q %d %v",
							tc.path, r.Status, r.Class, r.Name, r.Bytes, r.Latency, r.Err,
							tc.wantStatus, tc.wantClass, tc.wantName, tc.wantBytes, tc.wantLatency)
					}
					if (r.Err == "") != (r.Class == ClassNone) {
						t.Errorf("%s: error %q does not match class %q", tc.path, r.Err, r.Class)
					}
					if r.Attempts != 1 || r.Strategy != s || r.Seq != i {
						t.Errorf("%s: attempts %d strategy %q seq %d", tc.path, r.Attempts, r.Strategy, r.Seq)
					}
				}
			})
		})
	}
}

// TestEngineIgnoresCollyEnvironment sets every COLLY_* variable colly reads to a value that
// would change the run: a limit of 3 bytes, no redirects, an allow-list without the server...
func TestEngineIgnoresCollyEnvironment(t *testing.T) {
	for k, v := range map[string]string{
		"ALLOWED_DOMAINS": "example.invalid", "CACHE_DIR": t.TempDir(), "DETECT_CHARSET": "yes",
		"DISABLE_COOKIES": "yes", "DISALLOWED_DOMAINS": "127.0.0.1", "IGNORE_ROBOTSTXT": "no",
		"FOLLOW_REDIRECTS": "no", "MAX_BODY_SIZE": "3", "MAX_DEPTH": "1", "MAX_REQUESTS": "1",
		"PARSE_HTTP_ERROR_RESPONSE": "no", "TRACE_HTTP": "yes", "USER_AGENT": "evil",
	} {
		t.Setenv("COLLY_"+k, v)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/person", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name":%q}`, r.UserAgent())
	}))
	t.Cleanup(srv.Close)
	ts := TargetList{{URL: srv.URL + "/person"}, {URL: srv.URL + "/moved"}, {URL: srv.URL + "/person"}}
	recs, _ := collect(t, context.Background(), Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Namer: swapi.Namer{}}, ts)
	for _, r := range recs {
		if r.Name != "fetchbench/"+Version || r.Class != ClassNone || r.Status != 200 {
			t.Errorf("record %+v: want status 200, user agent fetchbench/%s and no error", r, Version)
		}
	}
}

// TestTransportErrors needs real sockets, and so real time, for the kernel's errors (refused,
// reset) and a real TLS server; it asserts no time at all.
func TestTransportErrors(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	plainSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plainSrv.Close)
	closed := "http://" + refusedAddr(t) + "/"
	reset := resetServer(t)

	tests := []struct {
		name      string
		url       string
		insecure  bool
		wantClass ErrorClass
	}{
		{"tls verify", tlsSrv.URL, false, ClassTLS},
		{"tls insecure", tlsSrv.URL, true, ClassNone},
		{"https to a plain http port", strings.Replace(plainSrv.URL, "http:", "https:", 1), false, ClassTLS},
		{"refused", closed, false, ClassRefused},
		{"refused, credentials in the url", strings.Replace(closed, "http://", "http://user:s3cret@", 1), false, ClassRefused},
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
	// A paced attempt takes its token once it has a connection: one that fails before must
	// still count as an attempt, so that its retries end.
	strategies := []Strategy{Sequential, RateLimit}
	for _, tc := range tests {
		for _, s := range strategies {
			t.Run(tc.name+"/"+string(s), func(t *testing.T) {
				t.Parallel()
				// Every case ends at once; the timeout only turns a hang into a failure.
				cfg := Config{Strategy: s, Limits: s.Limits(Knobs{Rate: 1000}), Insecure: tc.insecure, Timeout: time.Minute, Transport: noDNS, NoProxy: true,
					Retries: 2, BackoffBase: time.Millisecond, BackoffCap: time.Millisecond}
				recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: tc.url}})
				if recs[0].Class != tc.wantClass {
					t.Errorf("class = %q (err %q), want %q", recs[0].Class, recs[0].Err, tc.wantClass)
				}
				wantAttempts := 1
				switch tc.wantClass {
				case ClassRefused, ClassReset, ClassDNS:
					wantAttempts = 3
				}
				if recs[0].Attempts != wantAttempts {
					t.Errorf("%d attempts, want %d", recs[0].Attempts, wantAttempts)
				}
				if strings.Contains(recs[0].Err, "s3cret") {
					t.Errorf("error %q shows the password", recs[0].Err)
				}
			})
		}
	}
}

// refusedAddr returns a loopback address whose port is bound but not listening until t ends,
// so that connecting to it is refused. A listener closed to free its port would not do: any
// socket, of this test or another process, may be given the port again at once.
func refusedAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
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

// retryHandler answers after exactly serviceTime: /flaky 503 twice then 200, /throttled 429
// with Retry-After: 1, /gone 404.
func retryHandler() http.Handler {
	var hits atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(serviceTime)
		switch r.URL.Path {
		case "/flaky":
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
		case "/come-back-in-31-years":
			if hits.Add(1) == 1 {
				w.Header().Set("Retry-After", "999999999")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, "ok")
		}
	})
}

// serviceTime is how long the test servers in this file take to answer, in fake time.
const serviceTime = 10 * time.Millisecond

// attemptsView is the part of a Record that retries shape.
type attemptsView struct {
	Attempts int
	Status   int
	Class    ErrorClass
	Latency  time.Duration
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		cfg  Config
		want attemptsView
		note string
		// The record's Total lies in [minTotal, maxTotal]: the backoff is drawn at random
		// unless Retry-After sets it.
		minTotal, maxTotal time.Duration
	}{
		{
			name: "503 twice then 200",
			path: "/flaky",
			cfg:  Config{Strategy: Semaphore, Limits: Semaphore.Limits(Knobs{Concurrency: 2}), Retries: 3, BackoffBase: time.Millisecond, BackoffCap: 5 * time.Millisecond},
			want: attemptsView{Attempts: 3, Status: 200, Latency: serviceTime},
			// Three answers and two backoffs, of at most 1ms and 2ms.
			minTotal: 3 * serviceTime, maxTotal: 3*serviceTime + 3*time.Millisecond,
		},
		{
			name:     "404 is not retried",
			path:     "/gone",
			cfg:      Config{Strategy: Semaphore, Limits: Semaphore.Limits(Knobs{Concurrency: 2}), Retries: 3},
			want:     attemptsView{Attempts: 1, Status: 404, Class: ClassHTTP4xx, Latency: serviceTime},
			minTotal: serviceTime, maxTotal: serviceTime,
		},
		{
			name: "429 waits for Retry-After",
			path: "/throttled",
			cfg:  Config{Strategy: RateLimit, Limits: RateLimit.Limits(Knobs{Rate: 100}), Retries: 1, BackoffBase: time.Millisecond},
			want: attemptsView{Attempts: 2, Status: 429, Class: ClassHTTP4xx, Latency: serviceTime},
			// Latency is the last attempt only; Total spans both and the 1s between them.
			minTotal: 2*serviceTime + time.Second, maxTotal: 2*serviceTime + time.Second,
		},
		{
			name: "Retry-After is cut to MaxRetryAfter",
			path: "/come-back-in-31-years",
			cfg:  Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Retries: 1, MaxRetryAfter: 2 * time.Second},
			want: attemptsView{Attempts: 2, Status: 200, Latency: serviceTime},
			note: "server asked to wait 277777h46m39s before retrying; waited 2s",
			// Two answers and the 2s cap between them.
			minTotal: 2*serviceTime + 2*time.Second, maxTotal: 2*serviceTime + 2*time.Second,
		},
		{
			name:     "Retry-After past the deadline is not waited for",
			path:     "/throttled",
			cfg:      Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Retries: 3, Deadline: 500 * time.Millisecond},
			want:     attemptsView{Attempts: 1, Status: 429, Class: ClassHTTP4xx, Latency: serviceTime},
			minTotal: serviceTime, maxTotal: serviceTime,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				cfg := tc.cfg
				cfg.Transport = faketest.HandlerInMemory(t, retryHandler()).Transport
				recs, stats := collect(t, context.Background(), cfg, TargetList{{URL: faketest.MemURL + tc.path}})
				r := recs[0]
				got := attemptsView{Attempts: r.Attempts, Status: r.Status, Class: r.Class, Latency: r.Latency}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("record (-want +got):\n%s", diff)
				}
				if r.Note != tc.note {
					t.Errorf("note %q, want %q", r.Note, tc.note)
				}
				if r.Total < tc.minTotal || r.Total > tc.maxTotal {
					t.Errorf("total %v, want %v to %v", r.Total, tc.minTotal, tc.maxTotal)
				}
				if stats.Wall != r.Total || stats.DeadlineExceeded || stats.Interrupted {
					t.Errorf("stats %+v: want wall = total %v and neither deadline exceeded nor interrupted", stats, r.Total)
				}
			})
		})
	}
}

// recordView is the part of a Record that a deadline or an interrupt decides.
type recordView struct {
	Class    ErrorClass
	Attempts int
	Start    time.Duration
	Latency  time.Duration
}

// TestDeadlineAndInterrupt stops runs of 20 targets served in exactly 300ms each, and checks
// which requests finished, which were cut off on the wire and which never started, to the
// nanosecond of fake time.
func TestDeadlineAndInterrupt(t *testing.T) {
	t.Parallel()
	const latency = 300 * time.Millisecond
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
		}
	})
	ok := func(start time.Duration) recordView {
		return recordView{Attempts: 1, Start: start, Latency: latency}
	}
	cut := func(start, at time.Duration) recordView {
		return recordView{Class: ClassCancelled, Attempts: 1, Start: start, Latency: at - start}
	}
	notStarted := func(at time.Duration) recordView { return recordView{Class: ClassCancelled, Start: at} }

	tests := []struct {
		name        string
		cfg         Config
		interruptAt time.Duration // cancel Run's context then; 0: never
		reason      string        // in the error of every cancelled record
		want        []recordView  // by seq; the rest are like the last one
		wantStats   RunStats
	}{
		{
			// Three requests fit in the 1s deadline; the fourth is cut off 100ms in.
			name:   "deadline",
			cfg:    Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Deadline: time.Second},
			reason: "deadline exceeded",
			want: []recordView{
				ok(0), ok(latency), ok(2 * latency),
				cut(3*latency, time.Second),
				notStarted(time.Second),
			},
			wantStats: RunStats{Strategy: Sequential, Requests: 20, Wall: time.Second, PeakInFlight: 1, Connections: 1, DeadlineExceeded: true},
		},
		{
			// Two slots: the first pair finishes, the second is cut off halfway.
			name:        "interrupt",
			cfg:         Config{Strategy: Semaphore, Limits: Semaphore.Limits(Knobs{Concurrency: 2})},
			interruptAt: 450 * time.Millisecond,
			reason:      "interrupted",
			want: []recordView{
				ok(0), ok(0),
				cut(latency, 450*time.Millisecond), cut(latency, 450*time.Millisecond),
				notStarted(450 * time.Millisecond),
			},
			wantStats: RunStats{Strategy: Semaphore, Requests: 20, Wall: 450 * time.Millisecond, PeakInFlight: 2, Connections: 2, Interrupted: true},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tc.interruptAt > 0 {
					time.AfterFunc(tc.interruptAt, cancel)
				}
				cfg := tc.cfg
				cfg.Transport = faketest.HandlerInMemory(t, slow).Transport
				recs, stats := collect(t, ctx, cfg, urls(faketest.MemURL, 20))

				want := make([]recordView, len(recs))
				got := make([]recordView, len(recs))
				for i, r := range recs {
					want[i] = tc.want[min(i, len(tc.want)-1)]
					got[i] = recordView{Class: r.Class, Attempts: r.Attempts, Start: r.Start, Latency: r.Latency}
					if r.Class == ClassCancelled && !strings.HasPrefix(r.Err, tc.reason+": ") && r.Err != "not started: "+tc.reason {
						t.Errorf("seq %d: error %q, want it to say %q", i, r.Err, tc.reason)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.wantStats, stats); diff != "" {
					t.Errorf("stats (-want +got):\n%s", diff)
				}
			})
		})
	}
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
	statuses := []int{0, 101, 199, 200, 204, 299, 301, 304, 399, 404, 429, 499, 503, 599, 600, 999}
	want := []ErrorClass{ClassOther, ClassOther, ClassOther, ClassNone, ClassNone, ClassNone,
		ClassRedirect, ClassRedirect, ClassRedirect, ClassHTTP4xx, ClassHTTP4xx, ClassHTTP4xx,
		ClassHTTP5xx, ClassHTTP5xx, ClassOther, ClassOther}
	var got []ErrorClass
	for _, s := range statuses {
		got = append(got, statusClass(s))
		if err := statusError(s, true, nil); (err == nil) != (statusClass(s) == ClassNone) {
			t.Errorf("status %d: statusError %v disagrees with class %q", s, err, statusClass(s))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// upperNamer names a document by its body, upper-cased, and refuses a body starting with "!".
type upperNamer struct{}

func (upperNamer) Name(body []byte) (string, error) {
	if bytes.HasPrefix(body, []byte("!")) {
		return "", errors.New("refused")
	}
	return strings.ToUpper(string(body)), nil
}

// TestNamer: Config.Namer names every JSON answer and judges it; without one, names stay
// empty and invalid JSON is still ClassInvalidJSON. A non-JSON answer is never named.
func TestNamer(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	for path, body := range map[string]string{"/valid": `"ok"`, "/invalid": `!{`, "/text": `plain`} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if path != "/text" {
				w.Header().Set("Content-Type", "application/json")
			}
			io.WriteString(w, body)
		})
	}
	ts := TargetList{{URL: faketest.MemURL + "/valid"}, {URL: faketest.MemURL + "/invalid"}, {URL: faketest.MemURL + "/text"}}
	type view struct {
		Name  string
		Class ErrorClass
	}
	for _, tc := range []struct {
		name  string
		namer Namer
		want  []view
	}{
		{"none", nil, []view{{"", ClassNone}, {"", ClassInvalidJSON}, {"", ClassNone}}},
		{"upper", upperNamer{}, []view{{`"OK"`, ClassNone}, {"", ClassInvalidJSON}, {"", ClassNone}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				cfg := Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{}), Namer: tc.namer,
					Transport: faketest.HandlerInMemory(t, mux).Transport}
				recs, _ := collect(t, context.Background(), cfg, ts)
				var got []view
				for _, r := range recs {
					got = append(got, view{r.Name, r.Class})
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		})
	}
}
