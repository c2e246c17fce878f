package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// startFake serves the fake SWAPI on 127.0.0.1 at a free port and returns its API base URL
// ("http://127.0.0.1:PORT/api/") and a stop function that shuts it down.
func startFake(opts fakeswapi.Options) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: fakeswapi.New(opts), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the client side records every failure
		}
	}()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
		<-done
	}
	return fmt.Sprintf("http://%s/api/", ln.Addr()), stop, nil
}
