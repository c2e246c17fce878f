package fetcher_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// connFacts are what a run's records say of its transport.
type connFacts struct {
	Protos        map[string]int
	Opened        int  // records whose final attempt opened its connection
	OpenedAtMostC bool // Opened ≤ the slots
	Proxy         string
}

func factsOf(recs []fetcher.Record, slots int) connFacts {
	f := connFacts{Protos: map[string]int{}}
	for _, r := range recs {
		f.Protos[r.Proto]++
		if r.Proto != "" && !r.ConnReused {
			f.Opened++
		}
		if r.Proxy != "" {
			f.Proxy = r.Proxy
		}
	}
	f.OpenedAtMostC = f.Opened >= 1 && f.Opened <= slots
	return f
}

// TestRecordsNameProtocolAndConnections runs a semaphore of 10 slots over 100 requests against
// the fake over HTTP/1.1, over TLS with HTTP/2 (one connection carries every request), and
// over TLS forced to HTTP/1.1 (a connection per slot at most).
func TestRecordsNameProtocolAndConnections(t *testing.T) {
	t.Parallel()
	cert, err := fakeswapi.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	roots, err := fetcher.ParseCACerts(fakeswapi.CertificatePEM(&cert))
	if err != nil {
		t.Fatal(err)
	}
	plain := faketest.New(t, fakeswapi.Options{})
	tlsFake := faketest.New(t, fakeswapi.Options{})
	ln1, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h1 := plain.StartOn(ln1)
	t.Cleanup(h1.Close)
	h2 := tlsFake.StartWire(ln2, fakeswapi.Wire{Cert: &cert})
	t.Cleanup(h2.Close)
	tests := []struct {
		name  string
		base  string
		http1 bool
		want  connFacts
	}{
		{"http/1.1", h1.URL, false, connFacts{Protos: map[string]int{"HTTP/1.1": 100}, OpenedAtMostC: true}},
		{"tls h2", h2.URL, false, connFacts{Protos: map[string]int{"HTTP/2.0": 100}, Opened: 1, OpenedAtMostC: true}},
		{"tls --http1", h2.URL, true, connFacts{Protos: map[string]int{"HTTP/1.1": 100}, OpenedAtMostC: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 10}),
				RootCAs: roots, HTTP1: tc.http1}
			recs, _ := runAll(t, cfg, people(t, tc.base, 100))
			for _, r := range recs {
				if r.Status == 0 {
					t.Fatalf("%s: %s", r.URL, r.Err)
				}
			}
			got := factsOf(recs, 10)
			if tc.want.Opened == 0 {
				tc.want.Opened = got.Opened // HTTP/1.1: up to one per slot, as the dials fell
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecordsNameTheProxy sends requests through a loopback forward proxy: the records name it
// with its password masked, and NoProxy goes around it.
func TestRecordsNameTheProxy(t *testing.T) {
	t.Parallel()
	_, srv := faketest.Start(t, fakeswapi.Options{})
	var proxied atomic.Int64
	direct := &http.Transport{}
	defer direct.CloseIdleConnections()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		out, err := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := direct.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		io.Copy(w, res.Body) //nolint:errcheck // the client sees a short body
	}))
	defer proxy.Close()
	pu, err := url.Parse(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	pu.User = url.UserPassword("ann", "s3cret")
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = http.ProxyURL(pu)
	for _, noProxy := range []bool{false, true} {
		proxied.Store(0)
		cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: 3}),
			Transport: base, NoProxy: noProxy}
		recs, _ := runAll(t, cfg, people(t, srv.API(), 6))
		want, wantProxied := "http://ann:xxxxx@"+pu.Host, int64(6)
		if noProxy {
			want, wantProxied = "", 0
		}
		if got := factsOf(recs, 3).Proxy; got != want || proxied.Load() != wantProxied {
			t.Errorf("no proxy %v: records name proxy %q, the proxy saw %d requests; want %q and %d", noProxy, got, proxied.Load(), want, wantProxied)
		}
		for _, r := range recs {
			if !r.OK() {
				t.Errorf("no proxy %v: %s: %s", noProxy, r.URL, r.Err)
			}
		}
	}
}
