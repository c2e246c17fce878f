package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// startFake serves the fake SWAPI on 127.0.0.1 at a free port and returns its API base URL
// ("http://127.0.0.1:PORT/api/") and a stop function that shuts it down and waits for it.
func startFake(opts fakeswapi.Options) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	fake := fakeswapi.New(opts)
	fake.Warm(ln.Addr().String())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = serve(ctx, ln, fake, io.Discard)
	}()
	return fmt.Sprintf("http://%s/api/", ln.Addr()), func() { cancel(); <-done }, nil
}
