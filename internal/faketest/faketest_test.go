package faketest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// luke GETs people/1/ from srv and checks it is Luke.
func luke(t *testing.T, srv *faketest.Server) {
	t.Helper()
	resp, err := srv.Client().Get(srv.API() + "people/1/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Luke Skywalker") {
		t.Errorf("GET people/1/: %d %.60s %v; want 200 with Luke", resp.StatusCode, b, err)
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	fake, srv := faketest.Start(t, fakeswapi.Options{})
	if !strings.HasPrefix(srv.API(), "http://127.0.0.1:") {
		t.Errorf("API() = %q, want a loopback URL", srv.API())
	}
	luke(t, srv)
	if n := fake.Stats().Requests; n != 1 {
		t.Errorf("fake saw %d requests, want 1", n)
	}
}

func TestInMemory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := faketest.InMemory(t, faketest.New(t, fakeswapi.Options{Latency: time.Hour}))
		start := time.Now()
		luke(t, srv)
		if d := time.Since(start); d != time.Hour {
			t.Errorf("an hour's latency took %v of fake time", d)
		}
	})
}

func TestHandlerInMemory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := faketest.HandlerInMemory(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello "+r.Host) //nolint:errcheck // the client reads it or not
		}))
		resp, err := srv.Client().Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b, _ := io.ReadAll(resp.Body); string(b) != "hello fake.test" {
			t.Errorf("body %q, want %q", b, "hello fake.test")
		}
		srv.Close()
		if _, err := srv.Client().Get(srv.URL + "/x"); err == nil {
			t.Error("GET after Close succeeded")
		}
	})
}
