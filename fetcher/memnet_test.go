package fetcher

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
)

// MemURL is the base URL of a server started by ServeInMemory. Its host resolves nowhere: the
// Transport ServeInMemory returns connects every address to the in-memory server.
const MemURL = "http://swapi.test"

// ServeInMemory serves h on an in-memory network until t ends and returns a Transport that
// connects every dial, whatever its address, to h. Connections are net.Pipe pairs, so no
// socket is opened and nothing blocks outside the calling goroutine's synctest bubble.
//
// Called inside a synctest bubble (with that bubble's t), the server, its connections and the
// Transport's connections all live in the bubble, and time advances only when every one of
// them waits: the latencies, timeouts and deadlines of a run happen at exact instants of fake
// time, and exchanges themselves take none. The server is closed in a t.Cleanup, which runs
// inside the bubble, so no connection outlives it.
//
// It is exported, in a test file, for the external fetcher_test package.
func ServeInMemory(t *testing.T, h http.Handler) *http.Transport {
	t.Helper()
	ln := &memListener{conns: make(chan net.Conn), done: make(chan struct{})}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln) //nolint:errcheck // always http.ErrServerClosed, after Close below
	}()
	t.Cleanup(func() {
		srv.Close() //nolint:errcheck // memListener.Close never fails
		<-served
	})
	return &http.Transport{DialContext: ln.dial}
}

// memListener is a net.Listener whose connections are the server ends of the pipes its dial
// method creates. A dial waits until the server accepts it.
type memListener struct {
	conns     chan net.Conn // server ends, handed from dial to Accept
	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

func (l *memListener) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		client.Close()
		server.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Addr: memAddr(addr), Err: syscall.ECONNREFUSED}
	case <-ctx.Done():
		client.Close()
		server.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Addr: memAddr(addr), Err: ctx.Err()}
	}
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return nil
}

func (l *memListener) Addr() net.Addr { return memAddr("swapi.test:80") }

// memAddr is an address on the in-memory network.
type memAddr string

func (a memAddr) Network() string { return "mem" }
func (a memAddr) String() string  { return string(a) }
