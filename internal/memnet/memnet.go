// Package memnet is an in-memory network for tests: listeners and dialers whose connections
// are net.Pipe pairs, so no socket is opened and servers and clients on it can live in a
// testing/synctest bubble, on its fake clock.
package memnet

import (
	"context"
	"net"
	"strconv"
	"sync"
	"syscall"
)

// Listener is a net.Listener whose connections are the server ends of the pipes its
// DialContext creates. A dial waits until Accept takes it, or until its ctx ends or the
// listener closes. Its methods are safe for concurrent use.
type Listener struct {
	addr      Addr
	conns     chan net.Conn // server ends, handed from DialContext to Accept
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	onClose   func() // frees the address on its Network; nil for a lone Listener
}

// Listen returns a Listener reporting addr ("host:port") as its address. It stands alone:
// only its own DialContext reaches it.
func Listen(addr string) *Listener {
	return &Listener{addr: Addr(addr), conns: make(chan net.Conn), done: make(chan struct{})}
}

// DialContext connects to l, whatever network and addr say, so that an http.Transport with it
// as DialContext reaches l for every URL. Once l is closed it fails with ECONNREFUSED; when
// ctx ends first, with ctx's error. Both errors are *net.OpError.
func (l *Listener) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
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
	return nil, &net.OpError{Op: "dial", Net: network, Addr: Addr(addr), Err: err}
}

// Accept waits for the next dial; once l is closed it returns net.ErrClosed.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting: dials waiting and later ones are refused. Connections already
// accepted stay open. It never fails; further calls do nothing.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.done)
		if l.onClose != nil {
			l.onClose()
		}
	})
	return nil
}

// Addr returns the address l was created with.
func (l *Listener) Addr() net.Addr { return l.addr }

// Network is a set of Listeners by address, reached through its DialContext: several servers
// with their own addresses, as on loopback. The zero value is an empty network ready to use;
// its methods are safe for concurrent use.
type Network struct {
	mu       sync.Mutex
	ls       map[string]*Listener
	lastPort int // the last port Listen picked for a port 0
}

// Listen listens on addr, "host:port", with the signature of net.Listen so that it can stand
// in for it; network is only reported back. Port 0 picks a port not used on n yet, counting
// from 1. It fails if addr is malformed or taken; Close frees it.
func (n *Network) Listen(network, addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: Addr(addr), Err: err}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ls == nil {
		n.ls = map[string]*Listener{}
	}
	if port == "0" {
		for {
			n.lastPort++
			addr = net.JoinHostPort(host, strconv.Itoa(n.lastPort))
			if n.ls[addr] == nil {
				break
			}
		}
	}
	if n.ls[addr] != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: Addr(addr), Err: syscall.EADDRINUSE}
	}
	l := Listen(addr)
	l.onClose = func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.ls, addr)
	}
	n.ls[addr] = l
	return l, nil
}

// DialContext connects to the Listener at addr, as Listener.DialContext does; with none there
// it fails at once with ECONNREFUSED.
func (n *Network) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	l := n.ls[addr]
	n.mu.Unlock()
	if l == nil {
		return nil, &net.OpError{Op: "dial", Net: network, Addr: Addr(addr), Err: syscall.ECONNREFUSED}
	}
	return l.DialContext(ctx, network, addr)
}

// Addr is an address on the in-memory network, "host:port".
type Addr string

// Network returns "mem".
func (Addr) Network() string { return "mem" }

func (a Addr) String() string { return string(a) }
