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
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

func TestServeStopsOnCancel(t *testing.T) {
	t.Parallel()
	fake, err := fakeswapi.New(fakeswapi.Options{Latency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- fake.Serve(ctx, ln, io.Discard) }()

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	got := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Get("http://" + ln.Addr().String() + "/api/people/1/")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		got <- err
	}()
	for fake.Stats().InFlight == 0 { // the request is waiting out its hour
		select {
		case err := <-got:
			t.Fatalf("request ended before the cancel: %v", err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want nil after a clean stop", err)
	}
	if err := <-got; err == nil {
		t.Error("the hour-long request succeeded; want it cut off by the stop")
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("Serve left its listener open")
	}
}

func TestServeClosedListener(t *testing.T) {
	t.Parallel()
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := fake.Serve(context.Background(), ln, io.Discard); err == nil {
		t.Error("Serve on a closed listener = nil, want an error")
	}
}

func TestStartClose(t *testing.T) {
	t.Parallel()
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	running, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(running.URL, "http://127.0.0.1:") || !strings.HasSuffix(running.URL, "/api/") {
		t.Errorf("URL %q, want http://127.0.0.1:PORT/api/", running.URL)
	}
	tr := &http.Transport{}
	resp, err := (&http.Client{Transport: tr}).Get(running.URL + "films/1/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tr.CloseIdleConnections()
	running.Close()
	running.Close() // a second Close is harmless
	if _, err := http.Get(running.URL); err == nil {
		t.Error("the server still answers after Close")
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
