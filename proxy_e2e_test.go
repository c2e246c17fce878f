//go:build e2e

package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

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
