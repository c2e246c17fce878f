package fakeswapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newServer starts a fake with opts on a loopback port, closed when the test ends.
func newServer(t *testing.T, opts fakeswapi.Options) (*faketest.Server, *fakeswapi.Server) {
	t.Helper()
	fake, srv := faketest.Start(t, opts)
	return srv, fake
}

// memAPI is the API base URL of a fake served with faketest.InMemory.
const memAPI = faketest.MemURL + "/api/"

// memGet GETs memAPI+path through c and reads the whole response.
func memGet(t *testing.T, c *http.Client, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, memAPI+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fetch(t, c, req)
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// get fetches url with the server's client, without following redirects.
func get(t *testing.T, srv *faketest.Server, url string) response {
	t.Helper()
	return do(t, srv, http.MethodGet, url)
}

func do(t *testing.T, srv *faketest.Server, method, url string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fetch(t, noRedirect(srv), req)
}

// fetch sends req through c and reads the whole response.
func fetch(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// getErr GETs url through c with ctx, reads the whole body and returns the first error.
func getErr(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

func noRedirect(srv *faketest.Server) *http.Client {
	c := *srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// getJSON fetches url, requires a 200, and decodes the body into v.
func getJSON(t *testing.T, srv *faketest.Server, url string, v any) {
	t.Helper()
	r := get(t, srv, url)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200; body %s", url, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("GET %s: decode: %v", url, err)
	}
}

// remoteStats reads GET /__stats.
func remoteStats(t *testing.T, srv *faketest.Server) fakeswapi.Stats {
	t.Helper()
	var st fakeswapi.Stats
	getJSON(t, srv, srv.URL+"/__stats", &st)
	return st
}
