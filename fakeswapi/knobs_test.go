package fakeswapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

func TestWorkersCapConcurrency(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const workers, requests, latency = 2, 6, 50 * time.Millisecond
		fake := faketest.New(t, fakeswapi.Options{Workers: workers, Latency: latency})
		client := faketest.InMemory(t, fake).Client()
		start := time.Now()
		var wg sync.WaitGroup
		for range requests {
			wg.Go(func() {
				if r := memGet(t, client, "people/1/"); r.status != http.StatusOK {
					t.Errorf("status %d, want 200", r.status)
				}
			})
		}
		wg.Wait()
		type result struct {
			Elapsed                                                     time.Duration
			Requests, PeakInFlight, PeakConcurrent, InFlight, InService int64
		}
		st := fake.Stats()
		got := result{time.Since(start), st.Requests, st.PeakInFlight, st.PeakConcurrent, st.InFlight, st.InService}
		want := result{Elapsed: requests / workers * latency, Requests: requests, PeakInFlight: requests,
			PeakConcurrent: workers}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d requests at once over %d workers (-want +got):\n%s", requests, workers, diff)
		}
	})
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const rps, burst, requests = 5, 2, 20
		fake := faketest.New(t, fakeswapi.Options{Rate: rps, Burst: burst})
		client := faketest.InMemory(t, fake).Client()
		var (
			mu      sync.Mutex
			answers = map[string]int{} // "200", or "429 Retry-After=N"
			wg      sync.WaitGroup
		)
		for range requests {
			wg.Go(func() {
				r := memGet(t, client, "people/1/")
				answer := strconv.Itoa(r.status)
				if r.status == http.StatusTooManyRequests {
					answer += " Retry-After=" + r.header.Get("Retry-After")
					if !json.Valid(r.body) {
						t.Errorf("429 body is not JSON: %s", r.body)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				answers[answer]++
			})
		}
		wg.Wait()
		want := map[string]int{"200": burst, "429 Retry-After=1": requests - burst}
		if diff := cmp.Diff(want, answers); diff != "" {
			t.Errorf("%d requests at once at %d/s, burst %d (-want +got):\n%s", requests, rps, burst, diff)
		}
		st := fake.Stats()
		if st.StatusCounts["429"] != requests-burst || st.MaxArrivalsPerSecond != requests {
			t.Errorf("status_counts[429] = %d, max_arrivals_per_second = %d; want %d, %d",
				st.StatusCounts["429"], st.MaxArrivalsPerSecond, requests-burst, requests)
		}

		time.Sleep(time.Second / rps) // the clock moves on by one token
		for i, want := range []int{http.StatusOK, http.StatusTooManyRequests} {
			if r := memGet(t, client, "people/1/"); r.status != want {
				t.Errorf("request %d after one token's time: status %d, want %d", i+1, r.status, want)
			}
		}
	})
}

// statusSequence sends n sequential requests and returns their statuses.
func statusSequence(t *testing.T, opts fakeswapi.Options, n int) []int {
	t.Helper()
	srv, _ := newServer(t, opts)
	var seq []int
	for range n {
		seq = append(seq, get(t, srv, srv.URL+"/api/people/1/").status)
	}
	return seq
}

func TestErrorRateIsDeterministic(t *testing.T) {
	t.Parallel()
	opts := fakeswapi.Options{ErrorRate: 0.3, Seed: 42}
	first := statusSequence(t, opts, 40)
	second := statusSequence(t, opts, 40)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("same seed, different statuses (-first +second):\n%s", diff)
	}
	counts := map[int]int{}
	for _, s := range first {
		counts[s]++
	}
	if counts[200] == 0 || counts[500] == 0 || counts[200]+counts[500] != len(first) {
		t.Errorf("statuses %v: want a mix of 200 and 500 only", counts)
	}
	other := statusSequence(t, fakeswapi.Options{ErrorRate: 0.3, Seed: 43}, 40)
	if cmp.Equal(first, other) {
		t.Errorf("seeds 42 and 43 gave the same 40 statuses")
	}
}

func TestResetRestartsSequence(t *testing.T) {
	t.Parallel()
	srv, fake := newServer(t, fakeswapi.Options{ErrorRate: 0.5, Seed: 7})
	seq := func() []int {
		var s []int
		for range 20 {
			s = append(s, get(t, srv, srv.URL+"/api/films/1/").status)
		}
		return s
	}
	first := seq()
	fake.Reset()
	if diff := cmp.Diff(first, seq()); diff != "" {
		t.Errorf("after Reset, statuses differ (-before +after):\n%s", diff)
	}
}

func TestCanceledClientLeaves(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{0, 1} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := faketest.New(t, fakeswapi.Options{Latency: 2 * time.Second, Workers: workers})
				client := faketest.InMemory(t, fake).Client()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				done := make(chan error, 1)
				go func() { done <- getErr(ctx, client, memAPI+"people/1/") }()
				synctest.Wait()
				if st := fake.Stats(); st.InFlight != 1 || st.InService != 1 {
					t.Fatalf("in_flight %d, in_service %d while the request waits; want 1, 1", st.InFlight, st.InService)
				}
				start := time.Now()
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Errorf("client error = %v, want context.Canceled", err)
				}
				synctest.Wait()
				checkLeft(t, fake, start, 1)
			})
		})
	}
}

func TestCanceledClientLeavesQueue(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := faketest.New(t, fakeswapi.Options{Latency: 2 * time.Second, Workers: 1})
		client := faketest.InMemory(t, fake).Client()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 2)
		for range 2 {
			go func() { done <- getErr(ctx, client, memAPI+"people/1/") }()
		}
		synctest.Wait()
		if st := fake.Stats(); st.InFlight != 2 || st.InService != 1 {
			t.Fatalf("in_flight %d, in_service %d; want 2, 1: one served, one queued", st.InFlight, st.InService)
		}
		start := time.Now()
		cancel()
		for range 2 {
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("client error = %v, want context.Canceled", err)
			}
		}
		synctest.Wait()
		checkLeft(t, fake, start, 2)
		if peak := fake.Stats().PeakConcurrent; peak != 1 {
			t.Errorf("peak_concurrent = %d, want 1", peak)
		}
	})
}

// checkLeft checks, inside a synctest bubble, that the canceled requests left the fake at
// once: the clock has not moved since start, nothing is in flight or in service, and the fake
// counted them canceled.
func checkLeft(t *testing.T, fake *fakeswapi.Server, start time.Time, canceled int64) {
	t.Helper()
	type result struct {
		Elapsed                       time.Duration
		InFlight, InService, Canceled int64
	}
	st := fake.Stats()
	got := result{time.Since(start), st.InFlight, st.InService, st.Canceled}
	if diff := cmp.Diff(result{Canceled: canceled}, got); diff != "" {
		t.Errorf("after the cancel (-want +got):\n%s", diff)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  fakeswapi.Options
		check func(t *testing.T, resp *http.Response, body []byte, readErr error, elapsed time.Duration)
		fault func(fakeswapi.FaultCounts) int64
	}{
		{
			name: "error",
			opts: fakeswapi.Options{ErrorRate: 1},
			check: func(t *testing.T, resp *http.Response, body []byte, readErr error, _ time.Duration) {
				if resp.StatusCode != http.StatusInternalServerError || readErr != nil || !json.Valid(body) {
					t.Errorf("got %d, %v, %s; want a 500 with a JSON body", resp.StatusCode, readErr, body)
				}
			},
			fault: func(f fakeswapi.FaultCounts) int64 { return f.Errors },
		},
		{
			name: "reset",
			opts: fakeswapi.Options{ResetRate: 1},
			check: func(t *testing.T, resp *http.Response, body []byte, readErr error, _ time.Duration) {
				if resp.StatusCode != http.StatusOK || !errors.Is(readErr, io.ErrUnexpectedEOF) ||
					int64(len(body)) != resp.ContentLength/2 {
					t.Errorf("got %d, %v, %d of %d bytes; want 200, unexpected EOF after half the body",
						resp.StatusCode, readErr, len(body), resp.ContentLength)
				}
			},
			fault: func(f fakeswapi.FaultCounts) int64 { return f.Resets },
		},
		{
			name: "malformed",
			opts: fakeswapi.Options{MalformedRate: 1},
			check: func(t *testing.T, resp *http.Response, body []byte, readErr error, _ time.Duration) {
				ct := resp.Header.Get("Content-Type")
				if resp.StatusCode != http.StatusOK || ct != "application/json" || readErr != nil {
					t.Errorf("got %d %q %v, want 200 application/json read in full", resp.StatusCode, ct, readErr)
				}
				if len(body) == 0 || json.Valid(body) {
					t.Errorf("body %q: want non-empty invalid JSON", body)
				}
			},
			fault: func(f fakeswapi.FaultCounts) int64 { return f.Malformed },
		},
		{
			name: "slow body",
			opts: fakeswapi.Options{SlowBodyRate: 1, SlowBody: 200 * time.Millisecond},
			check: func(t *testing.T, resp *http.Response, body []byte, readErr error, elapsed time.Duration) {
				if resp.StatusCode != http.StatusOK || readErr != nil || !json.Valid(body) {
					t.Errorf("got %d, %v, valid %v; want 200 with a whole JSON body",
						resp.StatusCode, readErr, json.Valid(body))
				}
				if elapsed != 200*time.Millisecond {
					t.Errorf("body took %v, want 200ms", elapsed)
				}
			},
			fault: func(f fakeswapi.FaultCounts) int64 { return f.SlowBodies },
		},
		{
			name: "oversize",
			opts: fakeswapi.Options{OversizeRate: 1, OversizeBytes: 100_000},
			check: func(t *testing.T, resp *http.Response, body []byte, readErr error, _ time.Duration) {
				if resp.StatusCode != http.StatusOK || readErr != nil || len(body) != 100_000 || !json.Valid(body) {
					t.Errorf("got %d, %v, %d bytes; want 200 with 100000 bytes of valid JSON",
						resp.StatusCode, readErr, len(body))
				}
			},
			fault: func(f fakeswapi.FaultCounts) int64 { return f.Oversize },
		},
		{
			name: "oversize default",
			opts: fakeswapi.Options{OversizeRate: 1},
			check: func(t *testing.T, resp *http.Response, body []byte, readErr error, _ time.Duration) {
				if readErr != nil || len(body) != fakeswapi.DefaultOversizeBytes {
					t.Errorf("got %v, %d bytes; want %d bytes", readErr, len(body), fakeswapi.DefaultOversizeBytes)
				}
			},
			fault: func(f fakeswapi.FaultCounts) int64 { return f.Oversize },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := faketest.New(t, tt.opts)
				client := faketest.InMemory(t, fake).Client()
				start := time.Now()
				resp, err := client.Get(memAPI + "people/1/")
				if err != nil {
					t.Fatal(err)
				}
				body, readErr := io.ReadAll(resp.Body)
				resp.Body.Close()
				tt.check(t, resp, body, readErr, time.Since(start))
				synctest.Wait() // the handler has returned and counted its fault
				if got := tt.fault(fake.Stats().Faults); got != 1 {
					t.Errorf("fault count = %d, want 1", got)
				}
			})
		})
	}
}

func TestFaultsSkipRedirects(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{MalformedRate: 1})
	if r := get(t, srv, srv.URL+"/api/people/1"); r.status != http.StatusMovedPermanently {
		t.Errorf("status %d, want 301", r.status)
	}
}

func TestLatencyAndJitter(t *testing.T) {
	t.Parallel()
	const ms = time.Millisecond
	tests := []struct {
		name     string
		opts     fakeswapi.Options
		min, max time.Duration
	}{
		{"fixed", fakeswapi.Options{Latency: 60 * ms}, 60 * ms, 60 * ms},
		{"jitter", fakeswapi.Options{Latency: 60 * ms, Jitter: 20 * ms, Seed: 1}, 40 * ms, 80 * ms},
		{"jitter clamped at 0", fakeswapi.Options{Latency: 10 * ms, Jitter: 50 * ms, Seed: 2}, 0, 60 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := faketest.New(t, tt.opts)
				client := faketest.InMemory(t, fake).Client()
				latencies := func() []time.Duration {
					var ds []time.Duration
					for range 10 {
						start := time.Now()
						memGet(t, client, "planets/1/")
						ds = append(ds, time.Since(start))
					}
					return ds
				}
				first := latencies()
				for _, d := range first {
					if d < tt.min || d > tt.max {
						t.Errorf("latencies %v: want each in [%v, %v]", first, tt.min, tt.max)
						break
					}
				}
				if varies := slices.Min(first) != slices.Max(first); varies != (tt.opts.Jitter > 0) {
					t.Errorf("latencies %v: varying %v, want %v", first, varies, tt.opts.Jitter > 0)
				}
				fake.Reset()
				if diff := cmp.Diff(first, latencies()); diff != "" {
					t.Errorf("after Reset, latencies differ (-before +after):\n%s", diff)
				}
			})
		})
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	srv, fake := newServer(t, fakeswapi.Options{})
	for _, path := range []string{"/api/people/1/", "/api/people/17/", "/api/people/1", "/api/films/"} {
		get(t, srv, srv.URL+path)
	}
	st := remoteStats(t, srv)
	if diff := cmp.Diff(map[string]int64{"200": 2, "301": 1, "404": 1}, st.StatusCounts); diff != "" {
		t.Errorf("status_counts mismatch (-want +got):\n%s", diff)
	}
	if st.Requests != 4 || st.MaxArrivalsPerSecond < 1 || st.FirstArrival.IsZero() ||
		st.LastArrival.Before(st.FirstArrival) {
		t.Errorf("stats = %+v: want 4 requests, a window max ≥ 1 and ordered arrival times", st)
	}
	if diff := cmp.Diff(fake.Stats().StatusCounts, st.StatusCounts); diff != "" {
		t.Errorf("Stats() and /__stats disagree (-Stats +remote):\n%s", diff)
	}

	r := do(t, srv, http.MethodPost, srv.URL+"/__stats/reset")
	if r.status != http.StatusNoContent {
		t.Fatalf("POST /__stats/reset status %d, want 204", r.status)
	}
	want := fakeswapi.Stats{StatusCounts: map[string]int64{}}
	if diff := cmp.Diff(want, remoteStats(t, srv)); diff != "" {
		t.Errorf("stats after reset mismatch (-want +got):\n%s", diff)
	}
	if r := get(t, srv, srv.URL+"/__stats/reset"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /__stats/reset status %d, want 405", r.status)
	}
}

func TestStatsJSONSchema(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{})
	get(t, srv, srv.URL+"/api/")
	r := get(t, srv, srv.URL+"/__stats")
	want := "requests in_flight in_service peak_concurrent peak_in_flight max_arrivals_per_second " +
		"requests_per_second status_counts canceled faults first_arrival last_arrival"
	if diff := cmp.Diff(strings.Fields(want), jsonKeys(t, r.body)); diff != "" {
		t.Errorf("/__stats keys mismatch (-want +got):\n%s", diff)
	}
}

func TestLog(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	srv, _ := newServer(t, fakeswapi.Options{Log: &buf})
	get(t, srv, srv.URL+"/api/people/1/?format=json")
	get(t, srv, srv.URL+"/__stats")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "GET /api/people/1/?format=json 200 ") {
		t.Errorf("log = %q, want one line starting %q", lines, "GET /api/people/1/?format=json 200 ")
	}
}

// TestLogEscapes sends a request line with raw C1 and bidi bytes in its path and query: the
// log line shows them escaped.
func TestLogEscapes(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	srv, _ := newServer(t, fakeswapi.Options{Log: &buf})
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /api/people/1/\u009b2J?q=\u202eevil\u009b31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatal(err)
	}
	want := `GET /api/people/1/%C2%9B2J?q=\u202eevil\u009b31m 404 `
	if got := buf.String(); !strings.HasPrefix(got, want) || strings.ContainsAny(got, "\u009b\u202e") {
		t.Errorf("log = %q, want it to start %q with no raw control", got, want)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  fakeswapi.Options
		field string
		msg   string
	}{
		{"zero", fakeswapi.Options{}, "", ""},
		{"all set", fakeswapi.Options{Latency: time.Second, Jitter: time.Second, ErrorRate: 0.2, Workers: 3,
			Rate: 10, Burst: 5, ResetRate: 0.2, MalformedRate: 0.2, SlowBodyRate: 0.2, OversizeRate: 0.2,
			SlowBody: time.Second, OversizeBytes: 14}, "", ""},
		{"negative latency", fakeswapi.Options{Latency: -time.Second}, "Latency", "latency -1s is negative"},
		{"negative jitter", fakeswapi.Options{Jitter: -1}, "Jitter", "jitter -1ns is negative"},
		{"negative slow body", fakeswapi.Options{SlowBody: -time.Millisecond}, "SlowBody",
			"slow body -1ms is negative"},
		{"error rate", fakeswapi.Options{ErrorRate: 1.5}, "ErrorRate", "error rate 1.5 out of range [0,1]"},
		{"reset rate", fakeswapi.Options{ResetRate: -0.1}, "ResetRate", "reset rate -0.1 out of range [0,1]"},
		{"malformed rate", fakeswapi.Options{MalformedRate: 2}, "MalformedRate",
			"malformed rate 2 out of range [0,1]"},
		{"slow body rate", fakeswapi.Options{SlowBodyRate: 1.01}, "SlowBodyRate",
			"slow body rate 1.01 out of range [0,1]"},
		{"oversize rate", fakeswapi.Options{OversizeRate: -1}, "OversizeRate",
			"oversize rate -1 out of range [0,1]"},
		{"fault sum", fakeswapi.Options{ErrorRate: 0.6, ResetRate: 0.6}, "",
			"fault rates (error, reset, malformed, slow body, oversize) sum to 1.2, more than 1"},
		{"workers", fakeswapi.Options{Workers: -1}, "Workers", "workers -1 is negative"},
		{"rate", fakeswapi.Options{Rate: -2}, "Rate", "rate -2 is not a finite number ≥ 0"},
		{"burst", fakeswapi.Options{Burst: -1}, "Burst", "burst -1 is negative"},
		{"oversize bytes", fakeswapi.Options{OversizeBytes: 5}, "OversizeBytes",
			"oversize bytes 5 out of range (0 or at least 14)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.opts.Validate()
			if tt.msg == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			var oe *fakeswapi.OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("Validate() = %v, want an *OptionError", err)
			}
			if diff := cmp.Diff([]string{tt.field, tt.msg}, []string{oe.Field, err.Error()}); diff != "" {
				t.Errorf("Validate() field and message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	t.Parallel()
	fake, err := fakeswapi.New(fakeswapi.Options{ErrorRate: 2})
	var oe *fakeswapi.OptionError
	if fake != nil || !errors.As(err, &oe) || oe.Field != "ErrorRate" {
		t.Errorf("New with ErrorRate 2 = %v, %v; want nil and an OptionError for ErrorRate", fake, err)
	}
}

func BenchmarkServeHTTP(b *testing.B) {
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/api/people/1/", nil)
	if err != nil {
		b.Fatal(err)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		fake.ServeHTTP(w, req)
	}
}

func BenchmarkServeHTTPParallel(b *testing.B) {
	fake, err := fakeswapi.New(fakeswapi.Options{Workers: 64})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/api/people/?page=2", nil)
		if err != nil {
			b.Error(err)
			return
		}
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			fake.ServeHTTP(w, req)
		}
	})
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// TestDelay checks /delay/{duration}: answered after exactly that long, holding a worker slot
// meanwhile, and a 400 for a duration it does not take.
func TestDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path    string
		status  int
		after   time.Duration
		body    string
		workers int
		clients int
	}{
		{path: "1.5s", status: 200, after: 1500 * time.Millisecond, body: `{"delay":"1.5s"}`},
		{path: "2", status: 200, after: 2 * time.Second, body: `{"delay":"2s"}`},
		{path: "0", status: 200, body: `{"delay":"0s"}`},
		{path: "1s", status: 200, after: 3 * time.Second, body: `{"delay":"1s"}`, workers: 1, clients: 3},
		{path: "soon", status: 400},
		{path: "-1s", status: 400},
		{path: "2h", status: 400},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := faketest.New(t, fakeswapi.Options{Workers: tc.workers})
				client := faketest.InMemory(t, fake).Client()
				start := time.Now()
				var wg sync.WaitGroup
				for range max(tc.clients, 1) {
					wg.Go(func() {
						req, err := http.NewRequest(http.MethodGet, faketest.MemURL+"/delay/"+tc.path, nil)
						if err != nil {
							t.Error(err)
							return
						}
						r := fetch(t, client, req)
						if r.status != tc.status || (tc.body != "" && string(r.body) != tc.body) {
							t.Errorf("status %d body %s, want %d %s", r.status, r.body, tc.status, tc.body)
						}
					})
				}
				wg.Wait()
				if got := time.Since(start); tc.status == 200 && got != tc.after {
					t.Errorf("answered after %v, want %v", got, tc.after)
				}
			})
		})
	}
}
