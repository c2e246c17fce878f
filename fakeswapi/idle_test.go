package fakeswapi_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/memnet"
)

const (
	IdleTimeout    = 30 * time.Second
	MaxHeaderBytes = 64 << 10
)

// TestServersLimitClients checks that the API's and the site's servers close a keep-alive
// connection left idle for IdleTimeout, and refuse headers over MaxHeaderBytes.
func TestServersLimitClients(t *testing.T) {
	t.Parallel()
	serve := map[string]func(context.Context, net.Listener) error{
		"api": func(ctx context.Context, ln net.Listener) error {
			fake, err := fakeswapi.New(fakeswapi.Options{})
			if err != nil {
				return err
			}
			return fake.Serve(ctx, ln, io.Discard)
		},
		"site": func(ctx context.Context, ln net.Listener) error {
			return fakeswapi.ServeSite(ctx, ln, fakeswapi.SiteOptions{})
		},
	}
	for name, serve := range serve {
		t.Run(name+"/idle", func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				conn := dialServed(t, serve)
				if got := roundTrip(t, conn, "GET /robots.txt HTTP/1.1\r\nHost: fake.test\r\n\r\n"); got == 0 {
					t.Fatal("no status; want a response on the kept-alive connection")
				}
				idle := time.Now()
				if n, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
					t.Fatalf("read on the idle connection = %d, %v; want io.EOF once the server closes it", n, err)
				}
				if waited := time.Since(idle); waited != IdleTimeout {
					t.Errorf("idle connection closed after %v of the bubble's clock, want IdleTimeout %v", waited, IdleTimeout)
				}
			})
		})
		t.Run(name+"/headers", func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				conn := dialServed(t, serve)
				big := "X-Big: " + strings.Repeat("a", 2*MaxHeaderBytes) + "\r\n"
				if got := roundTrip(t, conn, "GET /robots.txt HTTP/1.1\r\nHost: fake.test\r\n"+big+"\r\n"); got != http.StatusRequestHeaderFieldsTooLarge {
					t.Errorf("status %d for %d bytes of headers, want 431", got, len(big))
				}
			})
		})
	}
}

// dialServed serves with serve on an in-memory listener until the test ends and returns a
// connection to it.
func dialServed(t *testing.T, serve func(context.Context, net.Listener) error) net.Conn {
	t.Helper()
	ln := memnet.Listen("fake.test:80")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln) }()
	conn, err := ln.DialContext(ctx, "tcp", "fake.test:80")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve = %v, want nil after a stop through ctx", err)
		}
	})
	return conn
}

// roundTrip writes req on conn and returns the response's status, its body read whole.
func roundTrip(t *testing.T, conn net.Conn, req string) int {
	t.Helper()
	go io.WriteString(conn, req) //nolint:errcheck // a refused request shows as its response
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}
