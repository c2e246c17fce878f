package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/report"
)

// TestFakeH2 compares a semaphore of 10 slots over 100 requests on the fake over TLS: with
// HTTP/2 every record says HTTP/2.0 and one connection carries them all; --http1 gives
// HTTP/1.1 on at most one connection per slot.
func TestFakeH2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		proto string
		most  int // connections at most
		line  string
	}{
		{"http/2", nil, "HTTP/2.0", 1, "HTTP/2.0: 100 requests over 1 connection (multiplexed"},
		{"--http1", []string{"--http1"}, "HTTP/1.1", 10, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "r.ndjson")
			args := append([]string{"--offline", "--fake-h2", "--fake-latency", "2ms", "-s", "semaphore", "-c", "10", "-n", "100", "--records", path}, tc.args...)
			res := invoke(t, "", append(args, "-o", "json")...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			s := summaries(t, res.stdout)[0]
			if diff := cmp.Diff(map[string]int{tc.proto: 100}, s.Protocols); diff != "" || s.Connections < 1 || s.Connections > tc.most {
				t.Errorf("protocols (-want +got):\n%s\nconnections %d, want 1..%d", diff, s.Connections, tc.most)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rr := report.NewRecordReader(f)
			for {
				r, err := rr.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.Proto != tc.proto || !strings.HasPrefix(r.URL, "https://127.0.0.1:") {
					t.Fatalf("record %d: %s over %s", r.Seq, r.URL, r.Proto)
				}
			}
			table := invoke(t, "", "report", path)
			if !strings.Contains(table.stdout, tc.line) || (tc.line == "" && strings.Contains(table.stdout, "connections")) {
				t.Errorf("the line under the table does not say %q:\n%s", tc.line, table.stdout)
			}
		})
	}
}

// TestTransportFlags checks that --http1 and --no-proxy reach every run's config.
func TestTransportFlags(t *testing.T) {
	t.Parallel()
	var o compareOptions
	fs := newCompareFlags(&o)
	if err := fs.Parse([]string{"--http1", "--no-proxy", "-s", "all"}); err != nil {
		t.Fatal(err)
	}
	sp, err := o.spec(fs.Changed)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sp.configs {
		if !c.HTTP1 || !c.NoProxy {
			t.Errorf("%s: http1 %v, no proxy %v", c.Strategy, c.HTTP1, c.NoProxy)
		}
	}
}

// connectProxy is a loopback HTTPS proxy that tunnels every CONNECT, whatever host it names,
// to target: nothing leaves the machine.
func connectProxy(t *testing.T, target string) (addr string, connects *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	connects = new(atomic.Int64)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil || req.Method != http.MethodConnect {
					io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\n\r\n") //nolint:errcheck // a refusal
					return
				}
				up, err := net.Dial("tcp", target)
				if err != nil {
					io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n") //nolint:errcheck // a refusal
					return
				}
				defer up.Close()
				connects.Add(1)
				io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n") //nolint:errcheck // the copy fails too
				go func() { io.Copy(up, br); up.(*net.TCPConn).CloseWrite() }()  //nolint:errcheck // ends with the tunnel
				io.Copy(c, up)                                                   //nolint:errcheck // ends with the tunnel
			}()
		}
	}()
	return ln.Addr().String(), connects
}

// TestEnvironmentProxy runs fetchbench with HTTPS_PROXY naming a loopback proxy that tunnels
// to the fake: the summary names the proxy, password masked, in one line and in the JSON.
func TestEnvironmentProxy(t *testing.T) {
	t.Parallel()
	cert, err := fakeswapi.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	fake, err := fakeswapi.New(fakeswapi.Options{Dialect: "py4e"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	running := fake.StartWire(ln, fakeswapi.Wire{Cert: &cert})
	t.Cleanup(running.Close)
	proxy, connects := connectProxy(t, ln.Addr().String())
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.EqualFold(k, "https_proxy") && !strings.EqualFold(k, "http_proxy") && !strings.EqualFold(k, "no_proxy") {
			env = append(env, kv)
		}
	}
	env = append(env, "HTTPS_PROXY=http://ann:s3cret@"+proxy)
	for _, format := range []string{"table", "json"} {
		// The base URL names the real host; the proxy takes every connection to the fake.
		cmd := exec.Command(binary(t), "--base-url", "https://swapi.py4e.com/api/", "--insecure", "-n", "3", "-s", "sequential", "-o", format)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		want := "proxy: 3 of 3 requests went through http://ann:xxxxx@" + proxy
		if format == "json" {
			want = `"proxy": "http://ann:xxxxx@` + proxy + `"`
		}
		if !strings.Contains(string(out), want) || strings.Contains(string(out), "s3cret") {
			t.Errorf("-o %s does not say %q (or shows the password):\n%s", format, want, out)
		}
	}
	if connects.Load() == 0 {
		t.Error("the proxy tunnelled nothing")
	}
}
