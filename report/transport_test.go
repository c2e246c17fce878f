package report

import (
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestTransportNote checks the words under the table for each kind of transport, and the
// proxy line.
func TestTransportNote(t *testing.T) {
	t.Parallel()
	sem := func(protos map[string]int, conns, peak int) Summary {
		return Summary{Strategy: fetcher.Semaphore, Concurrency: 10, Requests: 100, PeakInFlight: peak, Protocols: protos, Connections: conns}
	}
	tests := []struct {
		name string
		s    Summary
		want string
	}{
		{"plain keep-alive", sem(map[string]int{"HTTP/1.1": 100}, 10, 10), ""},
		{"records without protocols", sem(nil, 0, 10), ""},
		{"HTTP/2 multiplexed", sem(map[string]int{"HTTP/2.0": 100}, 1, 10), "HTTP/2.0: 100 requests over 1 connection (multiplexed: requests in flight share connections)"},
		{"mixed", sem(map[string]int{"HTTP/2.0": 60, "HTTP/1.1": 40}, 11, 10), "60 HTTP/2.0, 40 HTTP/1.1: 100 requests over 11 connections"},
		{"not kept alive", sem(map[string]int{"HTTP/1.1": 100}, 100, 10), "HTTP/1.1: 100 requests over 100 connections for at most 10 in flight: connections were not kept alive"},
		{"paced, connections taken before the tokens", Summary{Strategy: fetcher.RateLimit, Rate: 100, Burst: 1, Requests: 4, PeakInFlight: 2, Protocols: map[string]int{"HTTP/1.1": 4}, Connections: 3}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := transportNote(tc.s); got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	c := NewComparison([]Summary{
		{Strategy: fetcher.Sequential, Requests: 3, Proxied: 3, Proxy: "http://ann:xxxxx@127.0.0.1:3128"},
		{Strategy: fetcher.Unbounded, Requests: 3},
	})
	want := "proxy: 3 of 6 requests went through http://ann:xxxxx@127.0.0.1:3128 (HTTPS_PROXY / HTTP_PROXY from the environment; the no-proxy setting ignores them)"
	if got := c.ProxyLine(); got != want {
		t.Errorf("proxy line %q, want %q", got, want)
	}
	if got := NewComparison([]Summary{{Strategy: fetcher.Sequential, Requests: 3}}).ProxyLine(); got != "" {
		t.Errorf("proxy line without a proxy: %q", got)
	}
}
