package fetcher_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
)

// fake starts the fake SWAPI and returns it with its /api/ base URL.
func fake(t *testing.T, opts fakeswapi.Options) (*fakeswapi.Server, string) {
	t.Helper()
	f, err := fakeswapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/api/"
}

func people(t *testing.T, base string, n int) fetcher.Targets {
	t.Helper()
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	tmpl, err := fetcher.ResourceTemplate(base, "people")
	if err != nil {
		t.Fatal(err)
	}
	ts, err := fetcher.TemplateTargets(tmpl, ids)
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
		{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})},
		{Strategy: fetcher.Unbounded},
		{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 4})},
		{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(fetcher.Knobs{Rate: 400, Burst: 5})},
	}
}

func TestNInNOut(t *testing.T) {
	t.Parallel()
	for _, cfg := range configs() {
		t.Run(string(cfg.Strategy), func(t *testing.T) {
			t.Parallel()
			_, base := fake(t, fakeswapi.Options{ErrorRate: 0.25, Seed: 3})
			recs, stats := runAll(t, cfg, people(t, base, 20))
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

func TestServerSeesTheStrategy(t *testing.T) {
	t.Parallel()
	t.Run("semaphore caps concurrency", func(t *testing.T) {
		t.Parallel()
		f, base := fake(t, fakeswapi.Options{Latency: 30 * time.Millisecond})
		runAll(t, fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 5})}, people(t, base, 40))
		if st := f.Stats(); st.PeakConcurrent > 5 || st.PeakConcurrent < 2 || st.Requests != 40 {
			t.Errorf("server saw peak %d concurrent over %d requests; want ≤ 5 over 40", st.PeakConcurrent, st.Requests)
		}
	})
	t.Run("unbounded goes wide", func(t *testing.T) {
		t.Parallel()
		f, base := fake(t, fakeswapi.Options{Latency: 300 * time.Millisecond})
		_, stats := runAll(t, fetcher.Config{Strategy: fetcher.Unbounded}, people(t, base, 50))
		if st := f.Stats(); st.PeakConcurrent < 40 {
			t.Errorf("server saw peak %d concurrent, want ≥ 40", st.PeakConcurrent)
		}
		if stats.PeakInFlight < 40 {
			t.Errorf("client peak in flight %d, want ≥ 40", stats.PeakInFlight)
		}
	})
	t.Run("ratelimit paces arrivals", func(t *testing.T) {
		t.Parallel()
		f, base := fake(t, fakeswapi.Options{Latency: 10 * time.Millisecond})
		_, stats := runAll(t, fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(fetcher.Knobs{Rate: 20, Burst: 1})}, people(t, base, 40))
		if st := f.Stats(); st.MaxArrivalsPerSecond > 21 {
			t.Errorf("server saw %d arrivals in one second, want ≤ 21", st.MaxArrivalsPerSecond)
		}
		if stats.Wall < 1900*time.Millisecond {
			t.Errorf("wall %v, want ≥ 1.9s for 40 requests at 20/s", stats.Wall)
		}
	})
	t.Run("ratelimit with a cap", func(t *testing.T) {
		t.Parallel()
		f, base := fake(t, fakeswapi.Options{Latency: 200 * time.Millisecond})
		runAll(t, fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.RateLimit.Limits(fetcher.Knobs{Rate: 1000, Burst: 10, Concurrency: 3, CapRate: true})}, people(t, base, 12))
		if st := f.Stats(); st.PeakConcurrent > 3 {
			t.Errorf("server saw peak %d concurrent, want ≤ 3", st.PeakConcurrent)
		}
	})
}

func TestLatencyExcludesQueueWait(t *testing.T) {
	t.Parallel()
	_, base := fake(t, fakeswapi.Options{Latency: 50 * time.Millisecond})
	recs, _ := runAll(t, fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 1})}, people(t, base, 10))
	for _, r := range recs {
		if r.Latency >= 150*time.Millisecond || r.Latency < 50*time.Millisecond {
			t.Errorf("seq %d: latency %v, want 50–150ms (queue %v)", r.Seq, r.Latency, r.Queue)
		}
	}
	if last := recs[9]; last.Queue < 400*time.Millisecond {
		t.Errorf("last request queued %v, want ≈ 450ms", last.Queue)
	}
}

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
		{"429 storm", fakeswapi.Options{Rate: 5, Burst: 1}, nil, wantSome(fetcher.ClassHTTP4xx, 429)},
		{"slow body beyond the timeout", fakeswapi.Options{SlowBodyRate: 1, SlowBody: 2 * time.Second},
			func(c *fetcher.Config) { c.Timeout = 300 * time.Millisecond }, wantAll(fetcher.ClassTimeout)},
		{"malformed JSON", fakeswapi.Options{MalformedRate: 1}, nil, wantAll(fetcher.ClassInvalidJSON)},
		{"oversize body", fakeswapi.Options{OversizeRate: 1, OversizeBytes: 64 << 10},
			func(c *fetcher.Config) { c.MaxBody = 16 << 10 }, wantAll(fetcher.ClassBodyTooBig)},
	}
	for _, fault := range faults {
		for _, cfg := range configs() {
			t.Run(fault.name+"/"+string(cfg.Strategy), func(t *testing.T) {
				t.Parallel()
				_, base := fake(t, fault.opts)
				if fault.cfg != nil {
					fault.cfg(&cfg)
				}
				recs, _ := runAll(t, cfg, people(t, base, 16)) // ids 1..16 all exist
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
		if n == 0 || n == len(recs) && class != fetcher.ClassHTTP4xx {
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

func TestRetriesRecoverFrom500s(t *testing.T) {
	t.Parallel()
	_, base := fake(t, fakeswapi.Options{ErrorRate: 0.3, Seed: 11})
	ts := people(t, base, 16)
	cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 4}), BackoffBase: time.Millisecond, BackoffCap: 10 * time.Millisecond}
	before, _ := runAll(t, cfg, ts)
	cfg.Retries = 3
	after, _ := runAll(t, cfg, ts)
	okRatio := func(recs []fetcher.Record) float64 {
		n := 0
		for _, r := range recs {
			if r.OK() {
				n++
			}
		}
		return float64(n) / float64(len(recs))
	}
	retried := 0
	for _, r := range after {
		if r.Attempts > 1 {
			retried++
		}
	}
	if okRatio(after) < 0.95 || retried == 0 || okRatio(before) >= 0.95 {
		t.Errorf("ok ratio %.2f without retries, %.2f with 3 (%d retried); want < 0.95 then ≥ 0.95",
			okRatio(before), okRatio(after), retried)
	}
}

func TestRetriesWaitForRetryAfter(t *testing.T) {
	t.Parallel()
	_, base := fake(t, fakeswapi.Options{Rate: 1, Burst: 1})
	cfg := fetcher.Config{Strategy: fetcher.Unbounded, Retries: 2, BackoffBase: time.Millisecond}
	recs, _ := runAll(t, cfg, people(t, base, 2))
	for _, r := range recs {
		if r.Attempts > 1 && r.Total < 900*time.Millisecond {
			t.Errorf("seq %d: %d attempts in %v; a retry must wait the ≥ 1s Retry-After", r.Seq, r.Attempts, r.Total)
		}
		if !r.OK() {
			t.Errorf("seq %d: %s after %d attempts, want success within 2 retries", r.Seq, r.Err, r.Attempts)
		}
	}
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
	stats, err := fetcher.Run(context.Background(), fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 2})}, ts,
		func(r fetcher.Record) { records[r.Seq] = r })
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
