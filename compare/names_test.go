package compare

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/swapi"
)

// TestPlanNamesRecords pins the records' name in every dialect's shape: a comparison's runs
// and its discovery name each document by the SWAPI name scan, a person by its name and a
// film by its title.
func TestPlanNamesRecords(t *testing.T) {
	t.Parallel()
	for _, d := range swapi.Dialects {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			_, srv := faketest.StartInMemory(t, fakeswapi.Options{Dialect: d.Name})
			base := fetcher.Config{Transport: srv.Transport}
			configs, discovery := Plan(base, []fetcher.Strategy{fetcher.Sequential, fetcher.Semaphore}, fetcher.Knobs{Concurrency: 2}, []int{2}, []float64{1}, new(false), 0)
			ts := fetcher.TargetList{{URL: d.DetailURL(srv.API(), "people", 1)}, {URL: d.DetailURL(srv.API(), "films", 1)}}
			for _, cfg := range append(configs, discovery) {
				names := make([]string, ts.Len())
				if _, err := fetcher.Run(context.Background(), cfg, ts, func(r fetcher.Record) { names[r.Seq] = r.Name }); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{"Luke Skywalker", "A New Hope"}, names); diff != "" {
					t.Errorf("%s: names (-want +got):\n%s", cfg.Strategy, diff)
				}
			}
		})
	}
}
