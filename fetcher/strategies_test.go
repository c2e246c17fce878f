package fetcher_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/swapi"
)

func people(t *testing.T, base string, n int) fetcher.Targets {
	t.Helper()
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	ts, err := fetcher.TemplateTargets(swapi.Dev.Template(base, "people"), ids)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// runAll runs cfg and checks that exactly one record per target came back.
func runAll(t *testing.T, cfg fetcher.Config, ts fetcher.Targets) ([]fetcher.Record, fetcher.RunStats) {
	t.Helper()
	recs := make([]fetcher.Record, ts.Len())
	got := make([]int, ts.Len())
	stats, err := fetcher.Run(context.Background(), cfg, ts, func(r fetcher.Record) {
		got[r.Seq]++
		recs[r.Seq] = r
	})
	if err != nil {
		t.Fatal(err)
	}
	for seq, n := range got {
		if n != 1 {
			t.Fatalf("%s: target %d got %d records, want exactly 1", cfg.Strategy, seq, n)
		}
	}
	return recs, stats
}

func configs() []fetcher.Config {
	return []fetcher.Config{
		{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{}), Namer: swapi.Namer{}},
		{Strategy: fetcher.Unbounded, Namer: swapi.Namer{}},
		{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 4}), Namer: swapi.Namer{}},
		{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(fetcher.Knobs{Rate: 400, Burst: 5}), Namer: swapi.Namer{}},
	}
}

func TestNInNOut(t *testing.T) {
	t.Parallel()
	for _, cfg := range configs() {
		t.Run(string(cfg.Strategy), func(t *testing.T) {
			t.Parallel()
			_, srv := faketest.Start(t, fakeswapi.Options{ErrorRate: 0.25, Seed: 3})
			recs, stats := runAll(t, cfg, people(t, srv.API(), 20))
			if stats.Requests != 20 {
				t.Errorf("stats.Requests = %d, want 20", stats.Requests)
			}
			var s404, s500, s200 int
			for _, r := range recs {
				switch r.Status {
				case 404:
					s404++
				case 500:
					s500++
				case 200:
					s200++
				}
			}
			// people/17 is missing: 404 unless the 25% error draw turned it into a 500.
			if r := recs[16]; r.Status != 404 && r.Status != 500 {
				t.Errorf("people/17: status %d (%q), want 404 (or an injected 500)", r.Status, r.Err)
			}
			if s500 == 0 || s200 == 0 || s404+s500+s200 != 20 {
				t.Errorf("statuses: %d×200 %d×404 %d×500, want a mix of 20", s200, s404, s500)
			}
		})
	}
}

// observed is a run seen from both ends of the wire.
type observed struct {
	Starts               []time.Duration // Record.Start by seq
	Wall                 time.Duration
	ClientPeak           int   // RunStats.PeakInFlight
	ServerPeak           int64 // Stats.PeakConcurrent
	MaxArrivalsPerSecond int64
}

// waves is the schedule of n requests started size at a time, one wave every d.
func waves(n, size int, every time.Duration) []time.Duration {
	starts := make([]time.Duration, n)
	for i := range starts {
		starts[i] = time.Duration(i/size) * every
	}
	return starts
}

// TestServerSeesTheStrategy runs each strategy against a fake with a fixed latency, in a
// synctest bubble where only that latency and the limits take time, so the schedule is exact.
func TestServerSeesTheStrategy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		latency time.Duration
		n       int
		cfg     fetcher.Config
		want    observed
	}{
		{
			// The wall is the sum of the latencies; 34 arrivals fit in any second.
			name: "sequential goes one at a time", latency: 30 * time.Millisecond, n: 40,
			cfg:  fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})},
			want: observed{Starts: waves(40, 1, 30*time.Millisecond), Wall: 1200 * time.Millisecond, ClientPeak: 1, ServerPeak: 1, MaxArrivalsPerSecond: 34},
		},
		{
			name: "semaphore caps concurrency", latency: 30 * time.Millisecond, n: 40,
			cfg:  fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 5})},
			want: observed{Starts: waves(40, 5, 30*time.Millisecond), Wall: 240 * time.Millisecond, ClientPeak: 5, ServerPeak: 5, MaxArrivalsPerSecond: 40},
		},
		{
			name: "unbounded goes wide", latency: 300 * time.Millisecond, n: 50,
			cfg:  fetcher.Config{Strategy: fetcher.Unbounded},
			want: observed{Starts: waves(50, 50, 0), Wall: 300 * time.Millisecond, ClientPeak: 50, ServerPeak: 50, MaxArrivalsPerSecond: 50},
		},
		{
			// One start every 50ms: the last at 1.95s, done 10ms later.
			name: "ratelimit paces arrivals", latency: 10 * time.Millisecond, n: 40,
			cfg:  fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(fetcher.Knobs{Rate: 20, Burst: 1})},
			want: observed{Starts: waves(40, 1, 50*time.Millisecond), Wall: 1960 * time.Millisecond, ClientPeak: 1, ServerPeak: 1, MaxArrivalsPerSecond: 20},
		},
		{
			// Tokens abound (burst 10, 1000/s): the three slots set the pace.
			name: "ratelimit with a cap", latency: 200 * time.Millisecond, n: 12,
			cfg:  fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(fetcher.Knobs{Rate: 1000, Burst: 10, Concurrency: 3, CapRate: true})},
			want: observed{Starts: waves(12, 3, 200*time.Millisecond), Wall: 800 * time.Millisecond, ClientPeak: 3, ServerPeak: 3, MaxArrivalsPerSecond: 12},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f, srv := faketest.StartInMemory(t, fakeswapi.Options{Latency: tc.latency})
				cfg := tc.cfg
				cfg.Transport = srv.Transport
				recs, stats := runAll(t, cfg, people(t, srv.API(), tc.n))
				st := f.Stats()
				got := observed{Wall: stats.Wall, ClientPeak: stats.PeakInFlight, ServerPeak: st.PeakConcurrent, MaxArrivalsPerSecond: st.MaxArrivalsPerSecond}
				for _, r := range recs {
					got.Starts = append(got.Starts, r.Start)
				}
				// Requests that wait for new connections start in the order these come up.
				slices.Sort(got.Starts)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if st.Requests != int64(tc.n) {
					t.Errorf("server saw %d requests, want %d", st.Requests, tc.n)
				}
			})
		})
	}
}

// paced is the schedule part of a record.
type paced struct {
	Start, Intended, Response time.Duration
	Late                      bool
}

// TestIntendedStart checks the three times of a paced run on a punctual fake clock: a run
// that keeps its schedule starts every request in its slot, so its response time is its
// latency; a capped run against a slow server starts late, and its response time counts the
// delay (coordinated omission) while its latency does not.
func TestIntendedStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		latency time.Duration
		n       int
		knobs   fetcher.Knobs
		want    func(i int) paced
	}{
		{
			name: "on schedule", latency: 10 * time.Millisecond, n: 20, knobs: fetcher.Knobs{Rate: 20, Burst: 1},
			want: func(i int) paced {
				at := time.Duration(i) * 50 * time.Millisecond
				return paced{Start: at, Intended: at, Response: 10 * time.Millisecond}
			},
		},
		{
			// Slots every 10ms, but two in flight at 100ms each: pairs start every 100ms,
			// 10ms apart, ever further behind their slots.
			name: "capped behind a slow server", latency: 100 * time.Millisecond, n: 10,
			knobs: fetcher.Knobs{Rate: 100, Burst: 1, Concurrency: 2, CapRate: true},
			want: func(i int) paced {
				start := time.Duration(i/2)*100*time.Millisecond + time.Duration(i%2)*10*time.Millisecond
				slot := time.Duration(i) * 10 * time.Millisecond
				return paced{Start: start, Intended: slot, Response: start - slot + 100*time.Millisecond, Late: start-slot > fetcher.LateStart}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				_, srv := faketest.StartInMemory(t, fakeswapi.Options{Latency: tc.latency})
				cfg := fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(tc.knobs), Transport: srv.Transport}
				recs, _ := runAll(t, cfg, people(t, srv.API(), tc.n))
				var want, got []paced
				// In start order: requests that wait for new connections start in the order
				// these come up.
				slices.SortStableFunc(recs, func(a, b fetcher.Record) int {
					switch {
					case a.Start < b.Start:
						return -1
					case a.Start > b.Start:
						return 1
					}
					return 0
				})
				for i, r := range recs {
					want = append(want, tc.want(i))
					got = append(got, paced{Start: r.Start, Intended: r.Intended, Response: r.Response, Late: r.Late})
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		})
	}
}

// timing is where a record's time went.
type timing struct {
	Start, Queue, Total time.Duration
}

// TestLatencyExcludesQueueWait runs one request at a time against a fake whose latency is
// drawn per arrival in 30–70ms: each request starts (and, under the semaphore, waits) exactly
// as long as the ones before it took, and none of that wait is in its latency.
func TestLatencyExcludesQueueWait(t *testing.T) {
	t.Parallel()
	const latency, jitter = 50 * time.Millisecond, 20 * time.Millisecond
	tests := []struct {
		name   string
		cfg    fetcher.Config
		queued bool // the strategy records its wait for a slot as Queue
	}{
		{"sequential", fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})}, false},
		{"semaphore of one", fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 1})}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				_, srv := faketest.StartInMemory(t, fakeswapi.Options{Latency: latency, Jitter: jitter, Seed: 5})
				cfg := tc.cfg
				cfg.Transport = srv.Transport
				recs, stats := runAll(t, cfg, people(t, srv.API(), 10))
				var want, got []timing
				var elapsed time.Duration
				for _, r := range recs {
					if r.Latency < latency-jitter || r.Latency > latency+jitter {
						t.Errorf("seq %d: latency %v, want %v ± %v", r.Seq, r.Latency, latency, jitter)
					}
					w := timing{Start: elapsed, Total: r.Latency}
					if tc.queued {
						w.Queue = elapsed
					}
					want = append(want, w)
					got = append(got, timing{Start: r.Start, Queue: r.Queue, Total: r.Total})
					elapsed += r.Latency
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if stats.Wall != elapsed {
					t.Errorf("wall %v, want the sum of the latencies %v", stats.Wall, elapsed)
				}
			})
		})
	}
}

// TestFaultMatrix injects the faults that do not depend on time, on loopback, where a reset is
// a real RST. The faults that play out in time are in TestTimedFaults.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name  string
		opts  fakeswapi.Options
		cfg   func(*fetcher.Config)
		check func(t *testing.T, recs []fetcher.Record)
	}{
		{"500s at 30%", fakeswapi.Options{ErrorRate: 0.3, Seed: 1}, nil, wantSome(fetcher.ClassHTTP5xx, 500)},
		{"resets at 20%", fakeswapi.Options{ResetRate: 0.2, Seed: 2}, nil, wantSome(fetcher.ClassReset, 0)},
		{"malformed JSON", fakeswapi.Options{MalformedRate: 1}, nil, wantAll(fetcher.ClassInvalidJSON)},
		{"oversize body", fakeswapi.Options{OversizeRate: 1, OversizeBytes: 64 << 10},
			func(c *fetcher.Config) { c.MaxBody = 16 << 10 }, wantAll(fetcher.ClassBodyTooBig)},
	}
	for _, fault := range faults {
		for _, cfg := range configs() {
			t.Run(fault.name+"/"+string(cfg.Strategy), func(t *testing.T) {
				t.Parallel()
				_, srv := faketest.Start(t, fault.opts)
				if fault.cfg != nil {
					fault.cfg(&cfg)
				}
				recs, _ := runAll(t, cfg, people(t, srv.API(), 16)) // ids 1..16 all exist
				fault.check(t, recs)
			})
		}
	}
}

func wantSome(class fetcher.ErrorClass, status int) func(*testing.T, []fetcher.Record) {
	return func(t *testing.T, recs []fetcher.Record) {
		t.Helper()
		n := 0
		for _, r := range recs {
			switch r.Class {
			case class:
				n++
				if status != 0 && r.Status != status {
					t.Errorf("seq %d: class %q with status %d, want %d", r.Seq, r.Class, r.Status, status)
				}
			case fetcher.ClassNone:
				if r.Status != 200 || r.Name == "" {
					t.Errorf("seq %d: ok record with status %d name %q", r.Seq, r.Status, r.Name)
				}
			default:
				t.Errorf("seq %d: unexpected class %q (%s)", r.Seq, r.Class, r.Err)
			}
		}
		if n == 0 || n == len(recs) {
			t.Errorf("%d of %d records are %q, want some", n, len(recs), class)
		}
	}
}

func wantAll(class fetcher.ErrorClass) func(*testing.T, []fetcher.Record) {
	return func(t *testing.T, recs []fetcher.Record) {
		t.Helper()
		for _, r := range recs {
			if r.Class != class || r.Err == "" {
				t.Errorf("seq %d: class %q err %q, want %q", r.Seq, r.Class, r.Err, class)
			}
		}
	}
}

// outcome is how a record ended, and how long its last attempt took.
type outcome struct {
	Status  int
	Class   fetcher.ErrorClass
	Latency time.Duration
}

// TestTimedFaults injects the faults that play out in time, a server rate limit and bodies
// slower than the client's timeout, in a synctest bubble where their outcome is exact.
func TestTimedFaults(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	faults := []struct {
		name     string
		opts     fakeswapi.Options
		timeout  time.Duration
		want     map[outcome]int // how many of the 16 records ended each way
		wantWall map[fetcher.Strategy]time.Duration
	}{
		{
			// The server's bucket holds one token and refills 200ms later, and every strategy
			// has sent all 16 requests by 27.5ms (ratelimit: 5 at once, then one every 2.5ms).
			name: "429 storm",
			opts: fakeswapi.Options{Rate: 5, Burst: 1},
			want: map[outcome]int{{Status: 200}: 1, {Status: 429, Class: fetcher.ClassHTTP4xx}: 15},
			wantWall: map[fetcher.Strategy]time.Duration{
				fetcher.Sequential: 0, fetcher.Unbounded: 0, fetcher.Semaphore: 0, fetcher.RateLimit: 27500 * time.Microsecond,
			},
		},
		{
			// Every body takes 2s to drip, so every request times out exactly 300ms after it
			// started: 16 in a row, all at once, 4 waves of 4, or the last one 27.5ms late.
			// The 200 status line arrived before the body stalled, and the record keeps it.
			name:    "slow body beyond the timeout",
			opts:    fakeswapi.Options{SlowBodyRate: 1, SlowBody: 2 * time.Second},
			timeout: timeout,
			want:    map[outcome]int{{Status: 200, Class: fetcher.ClassTimeout, Latency: timeout}: 16},
			wantWall: map[fetcher.Strategy]time.Duration{
				fetcher.Sequential: 16 * timeout, fetcher.Unbounded: timeout, fetcher.Semaphore: 4 * timeout,
				fetcher.RateLimit: 27500*time.Microsecond + timeout,
			},
		},
	}
	for _, fault := range faults {
		for _, cfg := range configs() {
			t.Run(fault.name+"/"+string(cfg.Strategy), func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					_, srv := faketest.StartInMemory(t, fault.opts)
					cfg.Transport, cfg.Timeout = srv.Transport, fault.timeout
					recs, stats := runAll(t, cfg, people(t, srv.API(), 16)) // ids 1..16 all exist
					got := map[outcome]int{}
					for _, r := range recs {
						got[outcome{Status: r.Status, Class: r.Class, Latency: r.Latency}]++
					}
					if diff := cmp.Diff(fault.want, got); diff != "" {
						t.Errorf("outcomes (-want +got):\n%s", diff)
					}
					if want := fault.wantWall[cfg.Strategy]; stats.Wall != want {
						t.Errorf("wall %v, want %v", stats.Wall, want)
					}
				})
			})
		}
	}
}

// TestRetriesRecoverFrom500s runs sequentially, so that the k-th arrival, and with it the
// fake's k-th fault draw, is the same on every run: which requests fail is fixed by the seed.
func TestRetriesRecoverFrom500s(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, srv := faketest.StartInMemory(t, fakeswapi.Options{ErrorRate: 0.3, Seed: 11})
		ts := people(t, srv.API(), 16)
		cfg := fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{}), BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond, Transport: srv.Transport}

		before, _ := runAll(t, cfg, ts)
		failed := 0
		for _, r := range before {
			switch {
			case r.Status == 500 && r.Attempts == 1:
				failed++
			case !r.OK():
				t.Errorf("without retries, seq %d: %s (status %d), want 200 or 500", r.Seq, r.Err, r.Status)
			}
		}
		if n := f.Stats().StatusCounts["500"]; failed == 0 || n != int64(failed) {
			t.Errorf("without retries: %d records are 500s, the server sent %d; want the same, at least 1", failed, n)
		}

		f.Reset() // the same draws again, from the first
		cfg.Retries = 3
		after, _ := runAll(t, cfg, ts)
		retries := 0
		for _, r := range after {
			if !r.OK() {
				t.Errorf("with 3 retries, seq %d: %s after %d attempts, want success", r.Seq, r.Err, r.Attempts)
			}
			retries += r.Attempts - 1
		}
		// The retry run meets at least the 500s of the first 16 draws, and retries each.
		if n := f.Stats().StatusCounts["500"]; retries < failed || n != int64(retries) {
			t.Errorf("with 3 retries: %d retries, the server sent %d 500s; want the same, at least %d", retries, n, failed)
		}
	})
}

// TestRetriesWaitForRetryAfter sends two requests at once to a fake that accepts one request
// per second: the second is told to come back in 1s, and does, exactly when the token is back.
func TestRetriesWaitForRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, srv := faketest.StartInMemory(t, fakeswapi.Options{Rate: 1, Burst: 1})
		cfg := fetcher.Config{Strategy: fetcher.Unbounded, Retries: 2, BackoffBase: time.Millisecond, Transport: srv.Transport}
		recs, _ := runAll(t, cfg, people(t, srv.API(), 2))
		type retried struct {
			Attempts int
			Status   int
			Total    time.Duration
		}
		var got []retried
		for _, r := range recs {
			got = append(got, retried{r.Attempts, r.Status, r.Total})
		}
		slices.SortFunc(got, func(a, b retried) int { return a.Attempts - b.Attempts }) // either may win the token
		want := []retried{{1, 200, 0}, {2, 200, time.Second}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func ExampleRun() {
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ts, _ := fetcher.TemplateTargets(srv.URL+"/api/people/{id}/", []int{1, 2, 3})
	records := make([]fetcher.Record, ts.Len())
	stats, err := fetcher.Run(context.Background(), fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 2}),
		Namer: swapi.Namer{}}, ts, func(r fetcher.Record) { records[r.Seq] = r })
	if err != nil {
		panic(err)
	}
	for _, r := range records {
		fmt.Printf("Person number %d = %s (%d)\n", r.ID, r.Name, r.Status)
	}
	fmt.Println(stats.Requests, "records")
	// Output:
	// Person number 1 = Luke Skywalker (200)
	// Person number 2 = C-3PO (200)
	// Person number 3 = R2-D2 (200)
	// 3 records
}

func TestPolitest(t *testing.T) {
	t.Parallel()
	cfg := func(s fetcher.Strategy, l fetcher.Limits) fetcher.Config {
		return fetcher.Config{Strategy: s, Limits: l}
	}
	tests := []struct {
		name       string
		configs    []fetcher.Config
		wantS      fetcher.Strategy
		wantLimits fetcher.Limits
	}{
		{"ratelimit alone", []fetcher.Config{cfg(fetcher.RateLimit, fetcher.Limits{Rate: 2, Burst: 1})},
			fetcher.RateLimit, fetcher.Limits{Rate: 2, Burst: 1}},
		{"ratelimit among unbounded and semaphore", []fetcher.Config{
			cfg(fetcher.Unbounded, fetcher.Limits{}),
			cfg(fetcher.Semaphore, fetcher.Limits{Slots: 10}),
			cfg(fetcher.RateLimit, fetcher.Limits{Rate: 2, Burst: 3})},
			fetcher.RateLimit, fetcher.Limits{Rate: 2, Burst: 3, Slots: 10}},
		{"a sweep of rates", []fetcher.Config{
			cfg(fetcher.RateLimit, fetcher.Limits{Rate: 50, Burst: 1}),
			cfg(fetcher.RateLimit, fetcher.Limits{Rate: 5, Burst: 1})},
			fetcher.RateLimit, fetcher.Limits{Rate: 5, Burst: 1}},
		{"a sweep of slots", []fetcher.Config{
			cfg(fetcher.Semaphore, fetcher.Limits{Slots: 32}),
			cfg(fetcher.Semaphore, fetcher.Limits{Slots: 4})},
			fetcher.Semaphore, fetcher.Limits{Slots: 4}},
		{"sequential among them", []fetcher.Config{
			cfg(fetcher.Sequential, fetcher.Limits{Slots: 1}),
			cfg(fetcher.Semaphore, fetcher.Limits{Slots: 10})},
			fetcher.Semaphore, fetcher.Limits{Slots: 1}},
		{"unbounded alone", []fetcher.Config{cfg(fetcher.Unbounded, fetcher.Limits{})}, fetcher.Unbounded, fetcher.Limits{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, l := fetcher.Politest(tt.configs)
			if diff := cmp.Diff([]any{tt.wantS, tt.wantLimits}, []any{s, l}); diff != "" {
				t.Errorf("Politest (-want +got):\n%s", diff)
			}
			c := fetcher.Config{Strategy: s, Limits: l}
			if err := c.Validate(); err != nil {
				t.Errorf("Politest gave an invalid config: %v", err)
			}
		})
	}
}
