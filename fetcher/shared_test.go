package fetcher_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// countingAdmission is one slot that counts its grants and waits a fixed time for each.
type countingAdmission struct {
	acquired, released atomic.Int64
	wait               time.Duration
}

func (a *countingAdmission) Acquire(ctx context.Context) (time.Duration, error) {
	a.acquired.Add(1)
	time.Sleep(a.wait)
	return a.wait, nil
}
func (a *countingAdmission) Release(fetcher.Feedback) { a.released.Add(1) }
func (a *countingAdmission) Max() int                 { return 1 }
func (a *countingAdmission) Limit() int               { return 1 }

// TestSerialWaitsForSharedGates: a serial strategy ignores its gates unless they are shared
// with other processes; then every request waits for the admission, in order.
func TestSerialWaitsForSharedGates(t *testing.T) {
	t.Parallel()
	for _, shared := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			_, srv := faketest.StartInMemory(t, fakeswapi.Options{Latency: 10 * time.Millisecond})
			cfg := fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}, Transport: srv.Transport}
			adm := &countingAdmission{wait: 5 * time.Millisecond}
			var recs []fetcher.Record
			ts := people(t, srv.API(), 4)
			if _, err := fetcher.Schedule(t.Context(), cfg, fetcher.Static(ts), fetcher.Gates{Admission: adm, Shared: shared}, func(r fetcher.Record) { recs = append(recs, r) }); err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if shared {
				want = 4
			}
			if adm.acquired.Load() != want || adm.released.Load() != want {
				t.Errorf("shared %v: %d acquired, %d released, want %d", shared, adm.acquired.Load(), adm.released.Load(), want)
			}
			for i, r := range recs {
				if r.Seq != i || !r.OK() {
					t.Errorf("shared %v: record %d is seq %d (%s), want in order and ok", shared, i, r.Seq, r.Err)
				}
				if shared && r.Queue < adm.wait {
					t.Errorf("shared %v: seq %d queued %s, want at least the admission's %s", shared, r.Seq, r.Queue, adm.wait)
				}
			}
		})
	}
}

func TestRunScopeAndHosts(t *testing.T) {
	t.Parallel()
	ts := fetcher.TargetList{{URL: "http://B.example:81/x"}, {URL: "https://a.example/y"}}
	if got := fetcher.RunScope(fetcher.Config{}, fetcher.Static(ts)).HostList(); len(got) != 2 || got[0] != "a.example" || got[1] != "b.example:81" {
		t.Errorf("scope of the targets: %v", got)
	}
	own := fetcher.NewScope("http://c.example/")
	if got := fetcher.RunScope(fetcher.Config{Scope: own}, fetcher.Static(ts)).String(); got != "c.example" {
		t.Errorf("a config's scope wins: got %q", got)
	}
}
