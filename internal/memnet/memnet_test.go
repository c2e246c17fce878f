package memnet_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/internal/memnet"
)

// serve serves a handler answering name on ln until the test ends.
func serve(t *testing.T, ln net.Listener, name string) {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Second)
		io.WriteString(w, name+" "+r.Host) //nolint:errcheck // the client reads it or not
	})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln) //nolint:errcheck // http.ErrServerClosed after Close
	}()
	t.Cleanup(func() {
		srv.Close() //nolint:errcheck // closing a memnet listener never fails
		<-served
	})
}

func get(t *testing.T, c *http.Client, url string) (string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestNetworkRoutesByAddress(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var nw memnet.Network
		var addrs []string
		for _, name := range []string{"a", "b"} {
			ln, err := nw.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addrs = append(addrs, ln.Addr().String())
			serve(t, ln, name)
		}
		if d := cmp.Diff([]string{"127.0.0.1:1", "127.0.0.1:2"}, addrs); d != "" {
			t.Errorf("addresses (-want +got):\n%s", d)
		}
		tr := &http.Transport{DialContext: nw.DialContext}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr}
		start := time.Now()
		for i, want := range []string{"a 127.0.0.1:1", "b 127.0.0.1:2"} {
			got, err := get(t, c, "http://"+addrs[i]+"/")
			if err != nil || got != want {
				t.Errorf("GET %s = %q, %v; want %q", addrs[i], got, err, want)
			}
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("two one-second answers took %v of fake time, want 2s", d)
		}
		if _, err := get(t, c, "http://127.0.0.1:3/"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("GET to no listener: %v, want ECONNREFUSED", err)
		}
	})
}

func TestNetworkListen(t *testing.T) {
	t.Parallel()
	var nw memnet.Network
	ln, err := nw.Listen("tcp", "fake.test:80")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nw.Listen("tcp", "fake.test:80"); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("second Listen on the address: %v, want EADDRINUSE", err)
	}
	if _, err := nw.Listen("tcp", "fake.test"); err == nil {
		t.Error("Listen without a port succeeded")
	}
	ln.Close()
	if _, err := nw.DialContext(context.Background(), "tcp", "fake.test:80"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial after Close: %v, want ECONNREFUSED", err)
	}
	again, err := nw.Listen("tcp", "fake.test:80")
	if err != nil {
		t.Fatalf("Listen after Close: %v", err)
	}
	again.Close()
}

func TestListener(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ln := memnet.Listen("swapi.test:80")
		if got := ln.Addr().String() + " " + ln.Addr().Network(); got != "swapi.test:80 mem" {
			t.Errorf("Addr = %q, want %q", got, "swapi.test:80 mem")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := ln.DialContext(ctx, "tcp", "anywhere:1"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("dial nobody accepts: %v, want the ctx's deadline", err)
		}
		serve(t, ln, "lone")
		c := &http.Client{Transport: &http.Transport{DialContext: ln.DialContext}}
		defer c.CloseIdleConnections()
		if got, err := get(t, c, "http://anywhere.test/"); err != nil || got != "lone anywhere.test" {
			t.Errorf("GET = %q, %v; want %q", got, err, "lone anywhere.test")
		}
		ln.Close()
		if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
		if _, err := ln.DialContext(context.Background(), "tcp", "x:1"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial after Close: %v, want ECONNREFUSED", err)
		}
	})
}
