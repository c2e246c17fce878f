package main

// The coordinator's command line, in process; pool_test.go runs worker processes (e2e).

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/redistest"
)

// TestPoolFailures: one line and exit 1 when no worker is there or Redis cannot be reached,
// and never the password.
func TestPoolFailures(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t, 7)
	host := strings.TrimPrefix(url, "redis://")
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"no worker", url, "no worker in the pool at " + url},
		// The test server has no password: the client goes on without it, and finds no worker.
		{"password", "redis://:s3cret@" + host, "no worker in the pool at redis://:xxxxx@" + host},
		{"nothing listening", "redis://user:s3cret@127.0.0.1:1/0", "Redis at redis://user:xxxxx@127.0.0.1:1/0 does not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, cmd := range [][]string{{"--offline", "-n", "2"}, {"get", "--offline", "-n", "2"}} {
				res := invoke(t, "", append(cmd, "--redis", tt.url)...)
				if res.code != 1 || strings.Count(res.stderr, "\n") != 1 || !strings.Contains(res.stderr, tt.want) || strings.Contains(res.stderr, "s3cret") {
					t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line with %q, no password", cmd, res.code, res.stderr, tt.want)
				}
			}
		})
	}
}

// TestPoolKeepsAdaptive: the pool shares an adaptive limit, so --redis runs -s adaptive and
// keeps it in -s all, with no note.
func TestPoolKeepsAdaptive(t *testing.T) {
	t.Parallel()
	p := poolFlags{redis: "redis://127.0.0.1:1/"}
	if kept, note, err := p.pooled([]fetcher.Strategy{fetcher.Adaptive}, true); err != nil || note != "" || !slices.Equal(kept, []fetcher.Strategy{fetcher.Adaptive}) {
		t.Errorf("-s adaptive with --redis: %v, %q, %v", kept, note, err)
	}
	for _, p := range []poolFlags{p, {}} {
		if kept, note, err := p.pooled(fetcher.Strategies, false); err != nil || note != "" || !slices.Equal(kept, fetcher.Strategies) {
			t.Errorf("-s all, --redis %q: %v, %q, %v", p.redis, kept, note, err)
		}
	}
	res := invoke(t, "", "get", "--redis", "redis://127.0.0.1:1/", "-s", "adaptive", "-n", "1")
	if res.code == exitUsage || !strings.Contains(res.stderr, "does not answer") {
		t.Errorf("get --redis -s adaptive: exit %d, %s; want it to try the Redis", res.code, res.stderr)
	}
}

// TestRedisFlagsAndEnv: FETCHBENCH_REDIS stands for --redis, and a wrong value or a CA for a
// Redis without TLS is a usage error naming the variable or the flag, never the password.
// FETCHBENCH_REDIS is set for each case (empty when the case has none), so the test is not
// parallel.
func TestRedisFlagsAndEnv(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, testCAPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  string // FETCHBENCH_REDIS
		args []string
		code int
		want string
	}{
		{"env not a URL", "http://:s3cret@h:1", []string{"--offline", "-n", "1"}, exitUsage, "FETCHBENCH_REDIS: http://:xxxxx@h:1: not a redis:// or rediss:// URL"},
		{"env for get", "redis://:s3cret@127.0.0.1:1/0", []string{"get", "--offline", "-n", "1"}, 1, "Redis at redis://:xxxxx@127.0.0.1:1/0 does not answer"},
		{"env for worker", "redis://:s3cret@127.0.0.1:1/0", []string{"worker"}, 1, "Redis at redis://:xxxxx@127.0.0.1:1/0 does not answer"},
		{"flag over env", "nonsense", []string{"--offline", "-n", "1", "--redis", "redis://:s3cret@127.0.0.1:1/0"}, 1, "Redis at redis://:xxxxx@127.0.0.1:1/0 does not answer"},
		{"cacert without TLS", "", []string{"--offline", "-n", "1", "--redis", "redis://:s3cret@127.0.0.1:1", "--redis-cacert", ca}, exitUsage, "--redis-cacert: redis://:xxxxx@127.0.0.1:1 is not a rediss:// URL (TLS)"},
		{"cacert without Redis", "", []string{"get", "--offline", "-n", "1", "--redis-cacert", ca}, exitUsage, "--redis-cacert: only with a rediss:// URL (--redis or FETCHBENCH_REDIS)"},
		{"worker cacert without TLS", "redis://127.0.0.1:1", []string{"worker", "--redis-cacert", ca}, exitUsage, "worker: --redis-cacert: redis://127.0.0.1:1 is not a rediss:// URL (TLS)"},
		{"worker without Redis", "", []string{"worker"}, exitUsage, "worker: --redis is required (the pool's Redis URL; or set FETCHBENCH_REDIS)"},
		{"cacert not PEM", "", []string{"worker", "--redis-cacert", os.Args[0]}, exitUsage, "--redis-cacert: no PEM certificate in it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FETCHBENCH_REDIS", tt.env)
			res := invoke(t, "", tt.args...)
			if res.code != tt.code || !strings.Contains(res.stderr, tt.want) || strings.Contains(res.stderr, "s3cret") {
				t.Errorf("exit %d, stderr %q; want exit %d with %q, no password", res.code, res.stderr, tt.code, tt.want)
			}
		})
	}
}

// testCAPEM is a certificate in PEM: the one httptest's TLS servers use.
func testCAPEM(t *testing.T) []byte {
	t.Helper()
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}
