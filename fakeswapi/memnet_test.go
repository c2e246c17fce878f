package fakeswapi_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// memHost is the host of the in-memory network; memBase is the fake's API base URL on it.
const (
	memHost = "fake.test"
	memBase = "http://" + memHost + "/api/"
)

// serveInMemory serves fake with Serve on an in-memory network and returns a client whose
// every dial reaches it, and stop, which closes the client's idle connections, stops Serve
// and reports its error. Called inside a synctest bubble, the server, the client and their
// connections all live in the bubble; call stop (deferred) before the bubble's function
// returns, while its clock still runs.
func serveInMemory(t *testing.T, fake *fakeswapi.Server) (client *http.Client, stop func()) {
	t.Helper()
	ln := &memListener{conns: make(chan net.Conn), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- fake.Serve(ctx, ln, io.Discard) }()
	tr := &http.Transport{DialContext: ln.dial}
	return &http.Client{Transport: tr}, func() {
		tr.CloseIdleConnections()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	}
}

// memGet GETs memBase+path through c and reads the whole response.
func memGet(t *testing.T, c *http.Client, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, memBase+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fetch(t, c, req)
}

// memListener is a net.Listener whose connections are the server ends of the net.Pipe pairs
// its dial method creates. A dial waits until the server accepts it.
type memListener struct {
	conns     chan net.Conn // server ends, handed from dial to Accept
	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

func (l *memListener) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	var err error
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		err = syscall.ECONNREFUSED
	case <-ctx.Done():
		err = ctx.Err()
	}
	client.Close()
	server.Close()
	return nil, &net.OpError{Op: "dial", Net: network, Addr: memAddr{}, Err: err}
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

func (l *memListener) Addr() net.Addr { return memAddr{} }

// memAddr is the in-memory listener's address, memHost.
type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return memHost }
