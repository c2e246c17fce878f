package fakeswapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestLiveProfileTech checks swapi.tech's real limits on fake time: answers at once for 5
// requests, then (n−5)×100 ms × scale more per request, 429 past 100 in the window with
// Retry-After and X-RateLimit-*, and a new window after it.
func TestLiveProfileTech(t *testing.T) {
	t.Parallel()
	for _, scale := range []float64{1, 0.01} {
		t.Run(strconv.FormatFloat(scale, 'g', -1, 64), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := faketest.New(t, fakeswapi.Options{Dialect: "tech", Profile: "live", TimeScale: scale})
				client := faketest.InMemory(t, fake).Client()
				step := time.Duration(float64(fakeswapi.TechDelayStep) * scale)
				start := time.Now()
				for n := 1; n <= fakeswapi.TechLimit+1; n++ {
					before := time.Now()
					r := memGet(t, client, "people/1")
					took := time.Since(before)
					wantDelay := time.Duration(max(0, n-fakeswapi.TechDelayAfter)) * step
					switch {
					case n <= fakeswapi.TechLimit:
						if r.status != http.StatusOK || took != wantDelay {
							t.Fatalf("request %d: %d after %v, want 200 after %v", n, r.status, took, wantDelay)
						}
						if got, want := r.header.Get("X-RateLimit-Remaining"), strconv.Itoa(fakeswapi.TechLimit-n); got != want || r.header.Get("X-RateLimit-Limit") != "100" {
							t.Errorf("request %d: X-RateLimit-Remaining %s, want %s", n, got, want)
						}
					default:
						retry := strconv.Itoa(max(1, int(900*scale)))
						if r.status != http.StatusTooManyRequests || took != 0 || r.header.Get("Retry-After") != retry ||
							r.header.Get("Content-Type") != "text/html; charset=utf-8" || string(r.body) != "Maximum requests reached. Try again later." {
							t.Errorf("request %d: %d after %v, Retry-After %q, %s %q; want 429 at once, Retry-After %s and swapi.tech's page",
								n, r.status, took, r.header.Get("Retry-After"), r.header.Get("Content-Type"), r.body, retry)
						}
					}
				}
				window := time.Duration(float64(fakeswapi.TechWindow) * scale)
				time.Sleep(window - time.Since(start))
				if r := memGet(t, client, "people/1"); r.status != http.StatusOK || r.header.Get("X-RateLimit-Remaining") != "99" {
					t.Errorf("first request of the next window: %d, remaining %s; want 200, 99", r.status, r.header.Get("X-RateLimit-Remaining"))
				}
			})
		})
	}
}

// TestLiveProfileDRF checks the documented 10,000 requests a day of swapi.dev, with DRF's
// throttle answer, and that swapi.info and swapi.py4e.com (since December 2023) have no limit.
func TestLiveProfileDRF(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"dev"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				const scale = 0.001 // a day of 86.4 s
				fake := faketest.New(t, fakeswapi.Options{Dialect: d, Profile: "live", TimeScale: scale})
				client := faketest.InMemory(t, fake).Client()
				for n := 1; n <= fakeswapi.DRFLimit; n++ {
					if r := memGet(t, client, "people/1/"); r.status != http.StatusOK {
						t.Fatalf("request %d: %d, want 200", n, r.status)
					}
				}
				r := memGet(t, client, "people/1/")
				if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "87" ||
					string(r.body) != `{"detail":"Request was throttled. Expected available in 87 seconds."}` {
					t.Errorf("request %d: %d Retry-After %q %s; want 429, 87 and DRF's detail", fakeswapi.DRFLimit+1, r.status, r.header.Get("Retry-After"), r.body)
				}
				time.Sleep(time.Duration(float64(fakeswapi.DRFWindow) * scale))
				if r := memGet(t, client, "people/1/"); r.status != http.StatusOK {
					t.Errorf("a window later: %d, want 200", r.status)
				}
			})
		})
	}
	for _, tc := range []struct{ dialect, path string }{{"info", "people/1"}, {"py4e", "people/1/"}} {
		t.Run(tc.dialect, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				const scale = 0.001 // a day of 86.4 s
				fake := faketest.New(t, fakeswapi.Options{Dialect: tc.dialect, Profile: "live", TimeScale: scale})
				client := faketest.InMemory(t, fake).Client()
				for n := 1; n <= fakeswapi.DRFLimit+1; n++ {
					if r := memGet(t, client, tc.path); r.status != http.StatusOK {
						t.Fatalf("request %d: %d, want 200 (no limit)", n, r.status)
					}
				}
			})
		})
	}
}

func TestAbsoluteLinks(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fakeswapi.Options{Dialect: "info", AbsoluteLinks: true})
	r := get(t, srv, srv.URL+"/api/people/1")
	const want = `"homeworld":"https://swapi.info/api/planets/1"`
	if r.status != http.StatusOK || !strings.Contains(string(r.body), want) {
		t.Errorf("GET people/1: %d %.300s, want links as swapi.info's files: %s", r.status, r.body, want)
	}
	if _, err := fakeswapi.New(fakeswapi.Options{Dialect: "dev", AbsoluteLinks: true}); err == nil {
		t.Error("AbsoluteLinks with dev: no error")
	}
}
