// Package faketest starts servers for tests, the fake SWAPI or any handler, on a loopback port
// or on an in-memory network, and stops them when the test ends, as httptest does.
package faketest

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/memnet"
)

// MemURL is the root URL of every in-memory server. Its host resolves nowhere: the server's
// Transport connects every address to the server.
const MemURL = "http://fake.test"

// Server is a server started for one test. Close stops it; a t.Cleanup calls Close too.
type Server struct {
	// URL is the root URL without a trailing slash: "http://127.0.0.1:PORT", or MemURL.
	URL string
	// Transport reaches the server; for an in-memory server it is the only way there.
	Transport *http.Transport

	closeOnce sync.Once
	stop      func()
}

// API returns the fake SWAPI's base URL, URL + "/api/".
func (s *Server) API() string { return s.URL + "/api/" }

// Client returns a client using Transport. It follows redirects as http.Client does.
func (s *Server) Client() *http.Client { return &http.Client{Transport: s.Transport} }

// Close closes the Transport's idle connections, then stops the server, cancelling the
// requests in progress, and returns once it has stopped. Further calls do nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.Transport.CloseIdleConnections()
		s.stop()
	})
}

// New returns a fake SWAPI with opts, or ends the test.
func New(t testing.TB, opts fakeswapi.Options) *fakeswapi.Server {
	t.Helper()
	fake, err := fakeswapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return fake
}

// Start serves a new fake SWAPI with opts on a loopback port (with httptest) until the test
// ends, and returns the fake and its server.
func Start(t testing.TB, opts fakeswapi.Options) (*fakeswapi.Server, *Server) {
	t.Helper()
	fake := New(t, opts)
	srv := httptest.NewServer(fake)
	s := &Server{URL: srv.URL, Transport: srv.Client().Transport.(*http.Transport), stop: srv.Close}
	t.Cleanup(s.Close)
	return fake, s
}

// StartInMemory serves a new fake SWAPI with opts on an in-memory network until the test ends,
// as InMemory does, and returns the fake and its server. Called in a synctest bubble, the
// fake's latencies and limits run on the bubble's clock.
func StartInMemory(t testing.TB, opts fakeswapi.Options) (*fakeswapi.Server, *Server) {
	t.Helper()
	fake := New(t, opts)
	return fake, InMemory(t, fake)
}

// InMemory serves fake with its Serve method on an in-memory network until the test ends, at
// MemURL, and reports a Serve error as a test error. Called in a testing/synctest bubble with
// the bubble's t, the server, its Transport and their connections live in the bubble, and so
// do the fake's latencies and limits if fake was made there: time advances only when all of
// them wait. The t.Cleanup that closes the server runs inside the bubble.
func InMemory(t testing.TB, fake *fakeswapi.Server) *Server {
	t.Helper()
	ln := memnet.Listen("fake.test:80")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- fake.Serve(ctx, ln, io.Discard) }()
	s := &Server{URL: MemURL, Transport: &http.Transport{DialContext: ln.DialContext}, stop: func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("fakeswapi Serve = %v, want nil after a stop through ctx", err)
		}
	}}
	t.Cleanup(s.Close)
	return s
}

// HandlerInMemory serves h with a plain http.Server on an in-memory network until the test
// ends, at MemURL, as InMemory serves a fake.
func HandlerInMemory(t testing.TB, h http.Handler) *Server {
	t.Helper()
	ln := memnet.Listen("fake.test:80")
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln) //nolint:errcheck // always http.ErrServerClosed, after Close
	}()
	s := &Server{URL: MemURL, Transport: &http.Transport{DialContext: ln.DialContext}, stop: func() {
		srv.Close() //nolint:errcheck // closing a memnet listener never fails
		<-served
	}}
	t.Cleanup(s.Close)
	return s
}
