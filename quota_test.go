package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/internal/recordtest"
	"github.com/fetchbench/fetchbench/report"
)

// quotaWait is the one line get prints when it waits for swapi.tech's quota.
var quotaWait = regexp.MustCompile(`^fetchbench: adaptive: the server's quota is spent \(\d+ of 100 left\); waiting (\d+m)?\d+s for it to reset, until \d\d:\d\d:\d\d$`)

// TestGetTechLiveKeepsToTheQuota: against swapi.tech's live profile (100 requests per 15
// minutes per client, X-RateLimit-Limit and -Remaining without a reset, 429 beyond), on fake
// time, `get --all --api tech -s adaptive` never meets a 429: once the 100 are spent it says
// on one line how long it waits, and waits for the window to end. Either in one run that
// needs more than 100 requests, or in a second run within the first one's window.
func TestGetTechLiveKeepsToTheQuota(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		runs     int
		requests int // the last run's
	}{
		{name: "one run past the quota", args: []string{"--expand", "homeworld"}, runs: 1, requests: 140},
		{name: "a second run in the window", runs: 2, requests: 91},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake, srv := faketest.StartInMemory(t, fakeswapi.Options{Dialect: "tech", Profile: "live"})
				var o getOptions
				fs := newGetFlags(&o)
				if err := fs.Parse(append([]string{"--api", "tech", "--all", "-s", "adaptive", "-q"}, tc.args...)); err != nil {
					t.Fatal(err)
				}
				sp, err := o.spec(fs.Changed, false)
				if err != nil {
					t.Fatal(err)
				}
				var recs *recordtest.Kept
				var stderr bytes.Buffer
				var wall time.Duration
				for range tc.runs {
					recs, stderr = &recordtest.Kept{}, bytes.Buffer{}
					cfg := sp.config
					cfg.OnQuotaWait, cfg.QuotaWindow = fetcher.QuotaWaitLines(&stderr, cfg.Strategy), sp.target.QuotaWindow()
					cfg.Transport = srv.Transport
					job := get.Job{Config: cfg, All: true, Base: srv.API(), Resource: "people", Dialect: sp.target.Dialect, Shape: sp.shape}
					start := time.Now()
					if _, err := get.Run(context.Background(), job, get.Output{Document: func([]byte) error { return nil },
						Failure:   func(msg string) { t.Error(msg) },
						Consumers: func(fetcher.Config) []report.Consumer { return []report.Consumer{recs} }}); err != nil {
						t.Fatal(err)
					}
					wall = time.Since(start)
				}
				kept := recs.Records()
				if len(kept) != tc.requests {
					t.Errorf("%d requests, want %d", len(kept), tc.requests)
				}
				for _, r := range kept {
					if r.Status == http.StatusTooManyRequests {
						t.Errorf("request %d (%s): 429", r.Seq, r.URL)
					}
				}
				if n := fake.Stats().StatusCounts["429"]; n != 0 {
					t.Errorf("the fake answered %d 429s", n)
				}
				lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
				if len(lines) != 1 || !quotaWait.MatchString(lines[0]) {
					t.Errorf("stderr %q, want one line matching %s", stderr.String(), quotaWait)
				}
				if wall < 5*time.Minute {
					t.Errorf("the run took %s, want it to wait for the quota's reset", wall)
				}
				t.Logf("%s: %s, %d requests in %s", tc.name, strings.TrimSpace(stderr.String()), len(kept), wall)
			})
		})
	}
}

// TestRefusedQuotaWait: a run stopped by a wait for the quota beyond --max-quota-wait ends
// with one line naming the flag, exit 1 (the run could not be performed within the bound).
func TestRefusedQuotaWait(t *testing.T) {
	t.Parallel()
	refused := &fetcher.QuotaWaitError{QuotaWait: fetcher.QuotaWait{Wait: time.Hour, Until: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, Max: 15 * time.Minute}
	err := worded(fmt.Errorf("run: %w", refused))
	const want = "run: the server's quota is spent (0 left): it asks for a wait of 1h0m0s for it to reset, until 03:04:05, longer than the 15m0s a quota wait may last (--max-quota-wait)"
	if err.Error() != want || exitCode(err) != exitFailed {
		t.Errorf("%q, exit %d; want %q, exit %d", err, exitCode(err), want, exitFailed)
	}
}
