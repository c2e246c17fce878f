package fakeswapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// ShutdownTimeout is how long Serve waits for requests in progress after its ctx is done.
const ShutdownTimeout = 2 * time.Second

// The limits of every server of the fake, API and site: a client has ReadHeaderTimeout to send
// a request's headers, at most MaxHeaderBytes of them, and a keep-alive connection idle for
// IdleTimeout is closed, so idle clients cannot hold the fake's memory.
const (
	ReadHeaderTimeout = 10 * time.Second
	IdleTimeout       = 30 * time.Second
	MaxHeaderBytes    = 64 << 10
)

// Serve serves s on ln until ctx is done, then waits at most ShutdownTimeout for requests in
// progress, which see their context cancelled at once, and closes the connections left. The
// documents for ln's address are rendered before the first request. errorLog receives the HTTP
// server's own errors, never at the same time as a line of Options.Log, so the two may share a
// writer; Serve prints nothing else. It closes ln and its connections before it returns: nil
// after a stop through ctx, otherwise the error that stopped serving.
func (s *Server) Serve(ctx context.Context, ln net.Listener, errorLog io.Writer) error {
	return s.ServeWire(ctx, ln, errorLog, Wire{})
}

// ServeWire is Serve speaking w: TLS with HTTP/2, or unencrypted HTTP/2 besides HTTP/1.1.
func (s *Server) ServeWire(ctx context.Context, ln net.Listener, errorLog io.Writer, w Wire) error {
	s.Warm(ln.Addr().String())
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          log.New(&lockedWriter{mu: &s.logMu, w: errorLog}, "fetchbench serve: ", 0),
	}
	w.apply(srv)
	errc := make(chan error, 1)
	go func() {
		if w.Cert != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		srv.Close() //nolint:errcheck // ln is already closed; this closes its connections
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close() //nolint:errcheck // closing is all that is left to do
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Running is a Server serving in its own goroutine, returned by Start and StartOn.
// The caller must call Close. Its methods are safe for concurrent use.
type Running struct {
	// URL is the API base URL, "http://ADDR/api/" (https with a Wire's certificate) with
	// ADDR the listener's address, e.g. "127.0.0.1:PORT".
	URL string

	cancel context.CancelFunc
	done   chan struct{} // closed when the serving goroutine has ended
}

// Start listens on a free port of 127.0.0.1 and serves s there as StartOn does.
func (s *Server) Start() (*Running, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return s.StartOn(ln), nil
}

// StartOn renders the documents for ln's address and serves s on ln with Serve, the HTTP
// server's errors discarded, in a new goroutine until Running.Close, which closes ln.
func (s *Server) StartOn(ln net.Listener) *Running {
	return s.StartWire(ln, Wire{})
}

// StartWire is StartOn speaking w.
func (s *Server) StartWire(ln net.Listener, w Wire) *Running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{URL: fmt.Sprintf("%s://%s/api/", w.scheme(), ln.Addr()), cancel: cancel, done: make(chan struct{})}
	s.Warm(ln.Addr().String())
	go func() {
		defer close(r.done)
		s.ServeWire(ctx, ln, io.Discard, w) //nolint:errcheck // nobody to tell; a dead server refuses connections
	}()
	return r
}

// Close stops the server as Serve does when its ctx is done, cancelling requests in progress,
// and returns once the serving goroutine has ended and the port is closed. Further calls wait
// the same way and do nothing else.
func (r *Running) Close() {
	r.cancel()
	<-r.done
}

// lockedWriter writes to w holding mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
