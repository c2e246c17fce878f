package fakeswapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// hourBody is a fake whose every body takes an hour: a request stays in progress, its
// headers already received, until the server stops.
var hourBody = fakeswapi.Options{SlowBodyRate: 1, SlowBody: time.Hour}

func TestServeStopsOnCancel(t *testing.T) {
	t.Parallel()
	fake := faketest.New(t, hourBody)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- fake.Serve(ctx, ln, io.Discard) }()

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + ln.Addr().String() + "/api/people/1/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want nil after a stop through ctx", err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the hour-long body arrived whole; want it cut off by the stop")
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("Serve left its listener open")
	}
}

func TestServeCancelsRequestsAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := faketest.New(t, fakeswapi.Options{Latency: time.Hour})
		srv := faketest.InMemory(t, fake)
		client := srv.Client()
		got := make(chan error, 1)
		go func() { got <- getErr(context.Background(), client, memAPI+"people/1/") }()
		synctest.Wait()
		if n := fake.Stats().InFlight; n != 1 {
			srv.Close()
			t.Fatalf("in_flight %d, want 1 request waiting out its hour", n)
		}
		start := time.Now()
		srv.Close()
		if elapsed := time.Since(start); elapsed >= fakeswapi.ShutdownTimeout {
			t.Errorf("Serve stopped after %v of the bubble's clock, want less than ShutdownTimeout %v",
				elapsed, fakeswapi.ShutdownTimeout)
		}
		if err := <-got; err == nil {
			t.Error("the hour-long request succeeded; want it cut off by the stop")
		}
		if st := fake.Stats(); st.InFlight != 0 || st.Canceled != 1 {
			t.Errorf("in_flight %d, canceled %d after Serve returned; want 0, 1", st.InFlight, st.Canceled)
		}
	})
}

func TestServeClosedListener(t *testing.T) {
	t.Parallel()
	fake := faketest.New(t, fakeswapi.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := fake.Serve(context.Background(), ln, io.Discard); err == nil {
		t.Error("Serve on a closed listener = nil, want an error")
	}
}

// TestStartClose is not parallel: it checks that no goroutine outlives Close.
func TestStartClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	running, err := faketest.New(t, hourBody).Start()
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close() // a second Close is harmless
	if !strings.HasPrefix(running.URL, "http://127.0.0.1:") || !strings.HasSuffix(running.URL, "/api/") {
		t.Errorf("URL %q, want http://127.0.0.1:PORT/api/", running.URL)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(running.URL + "films/1/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	running.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the hour-long body arrived whole; want it cut off by Close")
	}
}

func ExampleServer_Start() {
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		panic(err)
	}
	running, err := fake.Start()
	if err != nil {
		panic(err)
	}
	defer running.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(running.URL + "people/1/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var person struct{ Name, Homeworld string }
	if err := json.NewDecoder(resp.Body).Decode(&person); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, person.Name, strings.HasPrefix(person.Homeworld, running.URL))
	// Output: 200 Luke Skywalker true
}
