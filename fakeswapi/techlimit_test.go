package fakeswapi_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestLiveProfileTechWindow: swapi.tech's limit counts only GETs under /api, in windows of one
// clock from the first request (not from each client's first request after a window), and
// states no X-RateLimit-Reset.
func TestLiveProfileTechWindow(t *testing.T) {
	t.Parallel()
	const root = faketest.MemURL
	tests := []struct {
		name string
		// before is what the client does before spending the limit at spendAt: requests
		// (method and URL) at the start.
		before  [][2]string
		spendAt time.Duration
		// after is a request made once the limit is spent, at afterAt, and its wanted status.
		after     [2]string
		afterAt   time.Duration
		want      int
		remaining string // X-RateLimit-Remaining of after's answer, "" for none
	}{
		{name: "OPTIONS is not counted", after: [2]string{http.MethodOptions, root + "/api/people"}, want: http.StatusNoContent},
		{name: "a path off /api is not counted", after: [2]string{http.MethodGet, root + "/nope"}, want: http.StatusNotFound},
		{name: "counts are not counted", after: [2]string{http.MethodGet, root + "/count/all"}, want: http.StatusOK},
		{name: "uncounted requests leave the limit whole", before: [][2]string{{http.MethodOptions, root + "/api/people"}, {http.MethodGet, root + "/count/all"}},
			after: [2]string{http.MethodGet, root + "/api/people/1"}, want: http.StatusTooManyRequests, remaining: "0"},
		{name: "the window is one clock", before: [][2]string{{http.MethodGet, root + "/api/people/1"}},
			spendAt: 16 * time.Minute, afterAt: 30 * time.Minute,
			after: [2]string{http.MethodGet, root + "/api/people/1"}, want: http.StatusOK, remaining: "99"},
		{name: "within the window", spendAt: time.Minute, afterAt: 14 * time.Minute,
			after: [2]string{http.MethodGet, root + "/api/people/1"}, want: http.StatusTooManyRequests, remaining: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := faketest.New(t, fakeswapi.Options{Dialect: "tech", Profile: "live"})
				srv := faketest.InMemory(t, fake)
				start := time.Now()
				for _, r := range tt.before {
					do(t, srv, r[0], r[1])
				}
				time.Sleep(tt.spendAt - time.Since(start))
				for n := 1; n <= fakeswapi.TechLimit; n++ {
					if r := get(t, srv, root+"/api/people/1"); r.status != http.StatusOK {
						t.Fatalf("request %d of the window: %d, want 200", n, r.status)
					}
				}
				if d := tt.afterAt - time.Since(start); d > 0 {
					time.Sleep(d)
				}
				r := do(t, srv, tt.after[0], tt.after[1])
				if r.status != tt.want || r.header.Get("X-RateLimit-Remaining") != tt.remaining {
					t.Errorf("%s %s: %d, remaining %q; want %d, %q", tt.after[0], tt.after[1], r.status, r.header.Get("X-RateLimit-Remaining"), tt.want, tt.remaining)
				}
				if v := r.header.Values("X-RateLimit-Reset"); v != nil {
					t.Errorf("X-RateLimit-Reset %q, want none (swapi.tech states no reset)", v)
				}
			})
		})
	}
}
