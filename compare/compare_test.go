package compare_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/report"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// people serves the fake SWAPI with opts and returns the targets people/1..n on it.
func people(t testing.TB, opts fakeswapi.Options, n int) fetcher.Targets {
	t.Helper()
	f, err := fakeswapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	ts, err := fetcher.RangeTargets(srv.URL+"/api/people/{id}/", n)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func config(s fetcher.Strategy, k fetcher.Knobs) fetcher.Config {
	return fetcher.Config{Strategy: s, Limits: s.Limits(k), Timeout: 5 * time.Second}
}

// recorder is a Consumer that remembers what it was given.
type recorder struct {
	seqs   []int
	closed int
	err    error
}

func (r *recorder) Add(rec fetcher.Record) { r.seqs = append(r.seqs, rec.Seq) }
func (r *recorder) Close() error           { r.closed++; return r.err }

func TestRunFeedsEveryConsumer(t *testing.T) {
	t.Parallel()
	ts := people(t, fakeswapi.Options{}, 18) // people/17 is missing: one 404
	cfgs := []fetcher.Config{
		config(fetcher.Sequential, fetcher.Knobs{}),
		config(fetcher.Semaphore, fetcher.Knobs{Concurrency: 3}),
		config(fetcher.RateLimit, fetcher.Knobs{Rate: 1000, Burst: 4, Concurrency: 2, CapRate: true}),
	}
	recs := map[fetcher.Strategy]*recorder{}
	got, err := compare.Run(context.Background(), compare.Spec{Configs: cfgs, Targets: ts,
		Consumers: func(cfg fetcher.Config) []report.Consumer {
			r := &recorder{}
			recs[cfg.Strategy] = r
			return []report.Consumer{r}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Summaries) != len(cfgs) {
		t.Fatalf("%d summaries, want %d", len(got.Summaries), len(cfgs))
	}
	for i, cfg := range cfgs {
		r := recs[cfg.Strategy]
		if len(r.seqs) != ts.Len() || r.closed != 1 {
			t.Errorf("%s: consumer got %d records and %d closes, want %d and 1", cfg.Strategy, len(r.seqs), r.closed, ts.Len())
		}
		s := got.Summaries[i]
		have := []any{s.Strategy, s.Requests, s.OK, s.StatusCounts[404], s.Concurrency, s.Rate, s.Burst}
		want := []any{cfg.Strategy, 18, 17, 1, map[fetcher.Strategy]int{fetcher.Semaphore: 3, fetcher.RateLimit: 2}[cfg.Strategy],
			cfg.Limits.Rate, cfg.Limits.Burst}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("summary %d (-want +got):\n%s", i, diff)
		}
		if s.Speedup <= 0 {
			t.Errorf("%s: speedup %v, want it computed against sequential", cfg.Strategy, s.Speedup)
		}
	}
	if got.Interrupted() {
		t.Error("Interrupted() = true for a complete run")
	}
}

func TestRunStopsAfterAnInterruptedRun(t *testing.T) {
	t.Parallel()
	ts := people(t, fakeswapi.Options{}, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfgs := []fetcher.Config{config(fetcher.Unbounded, fetcher.Knobs{}), config(fetcher.Sequential, fetcher.Knobs{})}
	cmp, err := compare.Run(ctx, compare.Spec{Configs: cfgs, Targets: ts})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Summaries) != 1 || !cmp.Interrupted() || cmp.Summaries[0].Cancelled != 5 {
		t.Errorf("summaries %+v: want one interrupted run with 5 cancelled", cmp.Summaries)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	ts := people(t, fakeswapi.Options{}, 3)
	refused, err := fetcher.RangeTargets("http://127.0.0.1:1/api/people/{id}/", 3)
	if err != nil {
		t.Fatal(err)
	}
	failing := errors.New("disk full")
	// A server that accepts connections and then says nothing, or only its headers, is
	// reachable: its timeouts are a verdict on the server, not on the connection.
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/headers" {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}))
	t.Cleanup(stall.Close)
	stallConfig := config(fetcher.Sequential, fetcher.Knobs{})
	// Long enough for a loaded machine to connect over loopback: the request must time out
	// after its connection, not before.
	stallConfig.Timeout = time.Second
	tests := []struct {
		name    string
		spec    compare.Spec
		wantErr func(error) bool
	}{
		{"invalid config", compare.Spec{Configs: []fetcher.Config{{Strategy: "nope"}}, Targets: ts},
			func(err error) bool { return errors.Is(err, fetcher.ErrConfig) }},
		{"consumer fails", compare.Spec{Configs: []fetcher.Config{config(fetcher.Unbounded, fetcher.Knobs{})}, Targets: ts,
			Consumers: func(fetcher.Config) []report.Consumer { return []report.Consumer{&recorder{err: failing}} }},
			func(err error) bool { return errors.Is(err, failing) }},
		{"nothing connects", compare.Spec{Configs: []fetcher.Config{config(fetcher.Sequential, fetcher.Knobs{}), config(fetcher.Unbounded, fetcher.Knobs{})}, Targets: refused},
			func(err error) bool {
				var ue *compare.UnreachableError
				return errors.As(err, &ue) && ue.Host == "127.0.0.1:1" && ue.Reason == "connection refused" &&
					err.Error() == "every request failed to connect to 127.0.0.1:1 (connection refused)"
			}},
		{"connected, then nothing came", compare.Spec{Configs: []fetcher.Config{stallConfig}, Targets: fetcher.TargetList{{URL: stall.URL + "/nothing"}}},
			func(err error) bool { return err == nil }},
		{"connected, then the body stalled", compare.Spec{Configs: []fetcher.Config{stallConfig}, Targets: fetcher.TargetList{{URL: stall.URL + "/headers"}}},
			func(err error) bool { return err == nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := compare.Run(context.Background(), tc.spec); !tc.wantErr(err) {
				t.Errorf("Run error = %v", err)
			}
		})
	}
}

func TestFilesNeeded(t *testing.T) {
	t.Parallel()
	ts, _ := fetcher.RangeTargets("http://127.0.0.1:1/{id}", 1000)
	capped := fetcher.Knobs{Concurrency: 600, Rate: 5, CapRate: true}
	tests := []struct {
		name      string
		strategy  fetcher.Strategy
		knobs     fetcher.Knobs
		inProcess bool
		want      compare.Files
	}{
		{"sequential", fetcher.Sequential, fetcher.Knobs{}, false, compare.Files{Need: 65, InFlight: 1, Strategy: fetcher.Sequential}},
		{"semaphore", fetcher.Semaphore, fetcher.Knobs{Concurrency: 10}, true, compare.Files{Need: 84, InFlight: 10, Strategy: fetcher.Semaphore}},
		{"semaphore -c 600", fetcher.Semaphore, fetcher.Knobs{Concurrency: 600}, false, compare.Files{Need: 664, InFlight: 600, Strategy: fetcher.Semaphore}},
		{"semaphore -c past the targets", fetcher.Semaphore, fetcher.Knobs{Concurrency: 5000}, false, compare.Files{Need: 1064, InFlight: 1000, Strategy: fetcher.Semaphore}},
		// 5/s over the 5s timeout, plus the burst of 1.
		{"ratelimit without cap", fetcher.RateLimit, fetcher.Knobs{Rate: 5}, false, compare.Files{Need: 90, InFlight: 26, Strategy: fetcher.RateLimit}},
		{"ratelimit fast", fetcher.RateLimit, fetcher.Knobs{Rate: 1000}, false, compare.Files{Need: 1064, InFlight: 1000, Strategy: fetcher.RateLimit}},
		{"ratelimit capped", fetcher.RateLimit, capped, false, compare.Files{Need: 664, InFlight: 600, Strategy: fetcher.RateLimit}},
		{"unbounded", fetcher.Unbounded, fetcher.Knobs{}, false, compare.Files{Need: 1064, InFlight: 1000, Strategy: fetcher.Unbounded}},
		{"unbounded with the server in process", fetcher.Unbounded, fetcher.Knobs{}, true, compare.Files{Need: 2064, InFlight: 1000, Strategy: fetcher.Unbounded}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := compare.Spec{Configs: []fetcher.Config{config(fetcher.Sequential, fetcher.Knobs{}), config(tc.strategy, tc.knobs)}, Targets: ts}
			if got := compare.FilesNeeded(spec, tc.inProcess); got != tc.want {
				t.Errorf("FilesNeeded = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// BenchmarkEfficiency runs every strategy against the fake at 20 ms a request and reports how
// close each came to its ideal wall (1 = no scheduling overhead).
func BenchmarkEfficiency(b *testing.B) {
	ts := people(b, fakeswapi.Options{Latency: 20 * time.Millisecond}, 40)
	var cfgs []fetcher.Config
	for _, s := range fetcher.Strategies {
		cfgs = append(cfgs, config(s, fetcher.Knobs{Concurrency: 8, Rate: 400}))
	}
	eff := map[fetcher.Strategy]float64{}
	for b.Loop() {
		cmp, err := compare.Run(context.Background(), compare.Spec{Configs: cfgs, Targets: ts})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range cmp.Summaries {
			eff[s.Strategy] += s.Efficiency
		}
	}
	for s, e := range eff {
		b.ReportMetric(e/float64(b.N), string(s)+"-efficiency")
	}
}

func ExampleRun() {
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	targets, err := fetcher.RangeTargets(srv.URL+"/api/films/{id}/", 7) // films/7 does not exist
	if err != nil {
		panic(err)
	}
	var cfgs []fetcher.Config
	for _, s := range []fetcher.Strategy{fetcher.Sequential, fetcher.Semaphore} {
		cfgs = append(cfgs, fetcher.Config{Strategy: s, Limits: s.Limits(fetcher.Knobs{Concurrency: 3})})
	}
	cmp, err := compare.Run(context.Background(), compare.Spec{Configs: cfgs, Targets: targets})
	if err != nil {
		panic(err)
	}
	for _, s := range cmp.Summaries {
		fmt.Fprintf(os.Stdout, "%s %s: %d requests, %d ok, statuses %s\n", s.Strategy, report.Params(s), s.Requests, s.OK,
			strings.Trim(fmt.Sprint(s.StatusCounts), "map[]"))
	}
	// Output:
	// sequential -: 7 requests, 6 ok, statuses 200:6 404:1
	// semaphore c=3: 7 requests, 6 ok, statuses 200:6 404:1
}
