package fetcher

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// person is a SWAPI-sized (≈700 bytes) JSON document.
var person = `{"name":"Luke Skywalker","height":"172","mass":"77","hair_color":"blond","skin_color":"fair",` +
	`"eye_color":"blue","birth_year":"19BBY","gender":"male","homeworld":"http://127.0.0.1/api/planets/1/",` +
	`"films":["http://127.0.0.1/api/films/1/","http://127.0.0.1/api/films/2/","http://127.0.0.1/api/films/3/",` +
	`"http://127.0.0.1/api/films/6/"],"species":[],"vehicles":["http://127.0.0.1/api/vehicles/14/",` +
	`"http://127.0.0.1/api/vehicles/30/"],"starships":["http://127.0.0.1/api/starships/12/",` +
	`"http://127.0.0.1/api/starships/22/"],"created":"2014-12-09T13:50:51.644000Z",` +
	`"edited":"2014-12-20T21:17:56.891000Z","url":"http://127.0.0.1/api/people/1/"}` + strings.Repeat(" ", 60)

func personServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, person)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkEngine is one request through the colly engine on loopback, one at a time.
func BenchmarkEngine(b *testing.B) {
	srv := personServer(b)
	cfg := Config{Strategy: Sequential, Limits: Sequential.Limits(Knobs{})}
	eng := newEngine(context.Background(), &cfg, 1, nil)
	defer eng.close()
	w := eng.newWorker()
	defer w.close()
	b.ReportAllocs()
	for b.Loop() {
		if a := w.do(srv.URL); a.err != nil {
			b.Fatal(a.err)
		}
	}
}

// BenchmarkRawHTTP is the same exchange with net/http alone, the engine's reference.
func BenchmarkRawHTTP(b *testing.B) {
	srv := personServer(b)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

// BenchmarkRunSemaphore is a whole semaphore run (c=50) per 1000 requests.
func BenchmarkRunSemaphore(b *testing.B) {
	srv := personServer(b)
	ts := make(TargetList, 1000)
	for i := range ts {
		ts[i] = Target{ID: i + 1, URL: fmt.Sprintf("%s/api/people/%d/", srv.URL, i+1)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), Config{Strategy: Semaphore, Limits: Semaphore.Limits(Knobs{Concurrency: 50})}, ts, func(Record) {}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEfficiency runs each strategy against the fake SWAPI on loopback, every answer
// taking 10ms, and reports its efficiency: the ideal wall of the schedule (what the limits
// allow with no overhead at all) over the measured wall, 1 at best. This is the speed goal,
// which the tests do not assert: they run on fake time, where the overhead is always zero.
func BenchmarkEfficiency(b *testing.B) {
	const n, latency = 40, 10 * time.Millisecond
	f, err := fakeswapi.New(fakeswapi.Options{Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(f)
	b.Cleanup(srv.Close)
	ts, err := RangeTargets(srv.URL+"/api/people/{id}/", n)
	if err != nil {
		b.Fatal(err)
	}
	benchmarks := []struct {
		strategy Strategy
		knobs    Knobs
		ideal    time.Duration
	}{
		{Sequential, Knobs{}, n * latency},
		{Unbounded, Knobs{}, latency},
		{Semaphore, Knobs{Concurrency: 8}, n / 8 * latency},
		// 5 at once, then one every 2.5ms: the last starts at 35/400 s.
		{RateLimit, Knobs{Rate: 400, Burst: 5}, 87500*time.Microsecond + latency},
	}
	for _, bm := range benchmarks {
		b.Run(string(bm.strategy), func(b *testing.B) {
			cfg := Config{Strategy: bm.strategy, Limits: bm.strategy.Limits(bm.knobs)}
			var wall time.Duration
			for b.Loop() {
				stats, err := Run(context.Background(), cfg, ts, func(Record) {})
				if err != nil {
					b.Fatal(err)
				}
				wall += stats.Wall
			}
			b.ReportMetric(float64(bm.ideal)*float64(b.N)/float64(wall), "efficiency")
		})
	}
}
