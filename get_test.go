package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/creack/pty"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// fakeAPI serves the fake SWAPI with opts until the test ends and returns it with its base URL.
func fakeAPI(t *testing.T, opts fakeswapi.Options) (*fakeswapi.Server, string) {
	t.Helper()
	fake, srv := faketest.Start(t, opts)
	return fake, srv.API()
}

// docs decodes NDJSON documents.
func docs(t *testing.T, out string) []map[string]any {
	t.Helper()
	var ds []map[string]any
	for _, l := range lines(out) {
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("not a JSON object line: %q: %v", l, err)
		}
		ds = append(ds, d)
	}
	return ds
}

// TestGetOffline: get --all against the fake of each dialect prints every person and says
// what it discovered (get's TestRunAll checks each dialect's documents and requests).
func TestGetOffline(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		api       string
		people    int
		discovery string
	}{
		{"dev", 82, "discovered 82 people (ids 1–83) in "},
		{"py4e", 87, "discovered 87 people (ids 1–88) in "}, // swapi.py4e.com's own data
		{"tech", 82, "discovered 82 people (ids 1–83) in "},
		{"info", 82, "discovered 82 people (ids 1–83) in "},
	} {
		res := invoke(t, "", "get", "--offline", "--fake-latency", "0", "--api", tt.api, "--all", "--fields", "name", "-o", "csv")
		if res.code != 0 || len(lines(res.stdout)) != tt.people+1 || lines(res.stdout)[1] != "Luke Skywalker" {
			t.Errorf("%s: exit %d, %d lines: %.200s\n%s", tt.api, res.code, len(lines(res.stdout)), res.stdout, res.stderr)
		}
		if !strings.Contains(res.stderr, tt.discovery) {
			t.Errorf("%s: no discovery line: %s", tt.api, res.stderr)
		}
	}
}

func TestGetFields(t *testing.T) {
	t.Parallel()
	_, base := fakeAPI(t, fakeswapi.Options{})
	res := invoke(t, "", "get", "--base-url", base, "-n", "3", "--fields", "name,height", "-q")
	want := `{"name":"Luke Skywalker","height":"172"}
{"name":"C-3PO","height":"167"}
{"name":"R2-D2","height":"96"}
`
	if res.code != 0 || res.stdout != want || res.stderr != "" {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	res = invoke(t, "", "get", "--base-url", base, "-n", "3", "--fields", "name,height", "-o", "csv", "-q")
	if res.stdout != "name,height\nLuke Skywalker,172\nC-3PO,167\nR2-D2,96\n" {
		t.Errorf("csv:\n%s", res.stdout)
	}
	res = invoke(t, "", "get", "--base-url", base, "--ids", "1,4", "--field", "world=homeworld", "--field", "first=films.0", "--field", "films=films.#", "--fields", "name", "-q")
	ds := docs(t, res.stdout)
	if len(ds) != 2 || ds[0]["name"] != "Luke Skywalker" || ds[0]["world"] != base+"planets/1/" || ds[0]["first"] != base+"films/1/" || ds[0]["films"] != 4.0 || len(ds[0]) != 4 {
		t.Errorf("paths: %v", ds)
	}
	res = invoke(t, "", "get", "--base-url", base, "-n", "1", "--fields", "name,nope", "-q")
	if res.stdout != `{"name":"Luke Skywalker","nope":null}`+"\n" {
		t.Errorf("missing member: %s", res.stdout)
	}
	res = invoke(t, "", "get", "--base-url", base, "-n", "2", "-o", "json", "-q")
	var arr []map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &arr); err != nil || len(arr) != 2 || arr[1]["name"] != "C-3PO" || len(arr[0]) != 16 {
		t.Errorf("json array (%v): %.300s", err, res.stdout)
	}
}

// TestGetTerminal runs the binary's code with stdout on a pseudo-terminal: a table by default.
func TestGetTerminal(t *testing.T) {
	t.Parallel()
	_, base := fakeAPI(t, fakeswapi.Options{})
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(ptmx)
		done <- b
	}()
	var errb bytes.Buffer
	err = run(context.Background(), []string{"get", "--base-url", base, "-n", "3", "--fields", "name,height", "-q"}, strings.NewReader(""), tty, &errb)
	tty.Close()
	out := strings.ReplaceAll(string(<-done), "\r\n", "\n")
	want := "name            height\nLuke Skywalker  172\nC-3PO           167\nR2-D2           96\n"
	if err != nil || out != want {
		t.Errorf("err %v, table:\n%q\nwant\n%q\n%s", err, out, want, errb.String())
	}
}

func TestGetHTML(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>t</title><h1>Page %s</h1><p><a href="/next%s">next</a> <a href="/x">x</a>`, r.URL.Path[1:], r.URL.Path[1:])
	}))
	defer srv.Close()
	urls := srv.URL + "/1\n" + srv.URL + "/2\n"
	res := invoke(t, urls, "get", "--urls", "-", "--field", "title=h1", "--field", "link=a@href", "--field", "none=table td", "-q")
	want := `{"title":"Page 1","link":"/next1","none":null}
{"title":"Page 2","link":"/next2","none":null}
`
	if res.code != 0 || res.stdout != want {
		t.Errorf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	res = invoke(t, urls, "get", "--urls", "-", "--field", "title=h1", "--field", "none=table td", "-o", "csv", "-q")
	if res.stdout != "title,none\nPage 1,\nPage 2,\n" {
		t.Errorf("csv:\n%s", res.stdout)
	}
}

func TestGetExpand(t *testing.T) {
	t.Parallel()
	for _, api := range []string{"dev", "tech"} {
		fake, base := fakeAPI(t, fakeswapi.Options{Dialect: api})
		res := invoke(t, "", "get", "--base-url", base, "--api", api, "--all", "-s", "unbounded", "--expand", "homeworld", "--fields", "name,homeworld")
		if res.code != 0 {
			t.Fatalf("%s: exit %d: %s", api, res.code, res.stderr)
		}
		ds := docs(t, res.stdout)
		worlds := map[string]bool{}
		for _, d := range ds {
			hw, ok := d["homeworld"].(map[string]any)
			if !ok || hw["name"] == nil {
				t.Fatalf("%s: homeworld not expanded: %v", api, d)
			}
			worlds[hw["url"].(string)] = true
		}
		pages := map[string]int64{"dev": 9, "tech": 9 + 82}[api]
		if got := fake.Stats().Requests; len(ds) != 82 || got != pages+int64(len(worlds)) {
			t.Errorf("%s: %d documents, %d requests; want 82 and %d + %d distinct homeworlds", api, len(ds), got, pages, len(worlds))
		}
		if !strings.Contains(res.stderr, fmt.Sprintf("expanded %d distinct links", len(worlds))) {
			t.Errorf("%s: stderr lacks the expansion count:\n%s", api, res.stderr)
		}
	}
}

func TestGetFailures(t *testing.T) {
	t.Parallel()
	fake, _ := fakeAPI(t, fakeswapi.Options{})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch r.URL.Path {
		case "/api/people/500/":
			w.WriteHeader(500)
			io.WriteString(w, `{"detail":"boom"}`)
		case "/api/people/66/":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"name":"trunc`)
		default:
			fake.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	base := srv.URL + "/api/"
	for _, order := range []string{"input", "completion"} {
		res := invoke(t, "", "get", "--base-url", base, "--ids", "1,17,2,500,66,3", "--fields", "name", "-s", "unbounded", "--order", order, "-q")
		if res.code != 3 {
			t.Errorf("exit %d, want 3", res.code)
		}
		got := lines(res.stdout)
		if order == "completion" {
			slices.Sort(got)
		}
		want := []string{`{"name":"Luke Skywalker"}`, `{"name":"C-3PO"}`, `{"name":"R2-D2"}`}
		if order == "completion" {
			want = []string{`{"name":"C-3PO"}`, `{"name":"Luke Skywalker"}`, `{"name":"R2-D2"}`}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s order documents %q", order, got)
		}
		errs := lines(res.stderr)
		slices.Sort(errs)
		if len(errs) != 3 || !strings.Contains(errs[0], base+"people/17/: http 404 Not Found") ||
			!strings.Contains(errs[1], base+"people/500/: http 500") || !strings.Contains(errs[2], base+"people/66/: invalid json") {
			t.Errorf("stderr:\n%s", res.stderr)
		}
	}
	res := invoke(t, "", "get", "--base-url", base, "--ids", "17,500", "-q")
	if res.code != 1 || !strings.Contains(res.stderr, "none of the 2 targets could be fetched") {
		t.Errorf("all failed: exit %d\n%s", res.code, res.stderr)
	}
	res = invoke(t, "", "get", "--base-url", "http://127.0.0.1:1/api/", "-n", "2", "-q")
	if res.code != 1 || !strings.Contains(res.stderr, "every request failed to connect to 127.0.0.1:1 (connection refused); is it up? try --offline") ||
		!strings.Contains(res.stderr, "--api py4e (") || !strings.Contains(res.stderr, "--api info for heavy runs (") ||
		!strings.Contains(res.stderr, "never for benchmarks") {
		t.Errorf("unreachable: exit %d\n%s", res.code, res.stderr)
	}
}

func TestGetCache(t *testing.T) {
	t.Parallel()
	fake, base := fakeAPI(t, fakeswapi.Options{})
	dir := t.TempDir()
	args := []string{"get", "--base-url", base, "--ids", "1-3,17", "--cache", dir, "-q"}
	first := invoke(t, "", args...)
	second := invoke(t, "", args...)
	if first.code != 3 || second.code != 3 || first.stdout != second.stdout || len(lines(second.stdout)) != 3 {
		t.Errorf("exit %d then %d\n%s---\n%s", first.code, second.code, first.stdout, second.stdout)
	}
	if got := fake.Stats().Requests; got != 4+1 {
		t.Errorf("the fake saw %d requests, want 5 (the 404 is asked again)", got)
	}
	rec := invoke(t, "", append(args, "--records", dir+"/r.ndjson")...)
	b, _ := os.ReadFile(dir + "/r.ndjson")
	if rec.code != 3 || strings.Count(string(b), `"note":"from cache"`) != 3 {
		t.Errorf("records:\n%s", b)
	}
}

func TestCompareAllTech(t *testing.T) {
	t.Parallel()
	res := invoke(t, "", "--offline", "--fake-latency", "0", "--api", "tech", "--all", "-s", "sequential,unbounded,semaphore,ratelimit", "-r", "2000",
		"--records", "-", "-q")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	recs := lines(res.stdout)
	if len(recs) != 9+4*82 {
		t.Fatalf("%d records, want %d (9 list pages, then 82 people per strategy)", len(recs), 9+4*82)
	}
	perStrategy := map[string]map[string]bool{}
	for i, l := range recs {
		var r recordLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if i < 9 {
			if r.Phase != "discovery" || r.Kind != "page" || r.Strategy != "ratelimit" || r.Status != 200 {
				t.Errorf("discovery record %d: %s", i, l)
			}
			continue
		}
		if r.Phase != "" || r.Kind != "target" {
			t.Errorf("record %d is not a strategy's target: %s", i, l)
		}
		if r.Status != 200 || r.Name == "" || strings.HasSuffix(r.URL, "/") {
			t.Errorf("record %+v", r)
		}
		if perStrategy[r.Strategy] == nil {
			perStrategy[r.Strategy] = map[string]bool{}
		}
		perStrategy[r.Strategy][r.URL] = true
	}
	for s, urls := range perStrategy {
		if len(urls) != 82 {
			t.Errorf("%s fetched %d distinct URLs", s, len(urls))
		}
	}
	if strings.Count(res.stderr, "\n") != 0 {
		t.Errorf("-q printed: %s", res.stderr)
	}
}

// TestGetCacheOffline: the fake listens on a new port every run, yet a second offline run
// is answered from the cache, which does not grow.
func TestGetCacheOffline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	args := []string{"get", "--offline", "--fake-latency", "0", "-n", "3", "--cache", cache, "-q"}
	first := invoke(t, "", args...)
	second := invoke(t, "", append(args, "--records", filepath.Join(dir, "r.ndjson"))...)
	if first.code != 0 || second.code != 0 || first.stdout != second.stdout {
		t.Fatalf("exit %d then %d; stderr %q", first.code, second.code, second.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "r.ndjson"))
	if n := strings.Count(string(b), `"note":"from cache"`); n != 3 {
		t.Errorf("second run: %d of 3 from cache:\n%s", n, b)
	}
	invoke(t, "", args...)
	if files, _ := filepath.Glob(filepath.Join(cache, "*", "*.json")); len(files) != 3 {
		t.Errorf("cache holds %d entries after three runs, want 3", len(files))
	}
	// Another dialect's fake serves other data: its entries are its own.
	other := invoke(t, "", "get", "--offline", "--api", "py4e", "--fake-latency", "0", "-n", "3", "--cache", cache, "-q")
	if other.code != 0 {
		t.Fatalf("py4e: exit %d: %s", other.code, other.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(cache, "*", "*.json")); len(files) != 6 {
		t.Errorf("cache holds %d entries after a py4e run, want 6", len(files))
	}
}

// TestGetCacheRefused: a --cache directory others may write to, or a symlink, is refused
// with one line naming --cache; one that cannot be written is used with a one-line warning.
func TestGetCacheRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{open, link} {
		res := invoke(t, "", "get", "--offline", "-n", "1", "--cache", d)
		if ls := lines(res.stderr); res.code != 2 || len(ls) != 1 || !strings.Contains(ls[0], "--cache") {
			t.Errorf("--cache %s: exit %d, stderr %q; want 2 and one line naming --cache", d, res.code, res.stderr)
		}
	}
}

// TestGetCacheReadOnly: a read-only --cache (here a directory of /proc, read-only even for
// root) is used with one warning line.
func TestGetCacheReadOnly(t *testing.T) {
	t.Parallel()
	const ro = "/proc/1"
	if fi, err := os.Lstat(ro); err != nil || !fi.IsDir() {
		t.Skip("no /proc/1")
	}
	res := invoke(t, "", "get", "--offline", "--fake-latency", "0", "-n", "1", "--cache", ro, "-q")
	want := "fetchbench: --cache /proc/1 is read-only: answers found there are used, new ones are not kept\n"
	if res.code != 0 || res.stderr != want {
		t.Errorf("exit %d, stderr %q; want 0 and %q", res.code, res.stderr, want)
	}
}
