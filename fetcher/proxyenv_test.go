package fetcher

import (
	"os"
	"os/exec"
	"testing"
)

// behindProxy is set in the environment of the test binary that TestBehindAProxy starts.
const behindProxy = "FETCHBENCH_TEST_BEHIND_PROXY"

// TestBehindAProxy runs the tests that reach a host by name again in a process whose
// environment names a proxy on a dead loopback port, as a company machine's does: they give
// their transports no proxy and pass there too.
func TestBehindAProxy(t *testing.T) {
	if os.Getenv(behindProxy) != "" {
		t.Skip("this process is the one behind the proxy")
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTransportErrors$", "-test.count=1")
	cmd.Env = append(os.Environ(), behindProxy+"=1",
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9",
		"https_proxy=http://127.0.0.1:9", "http_proxy=http://127.0.0.1:9", "NO_PROXY=", "no_proxy=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("behind HTTPS_PROXY=http://127.0.0.1:9: %v\n%s", err, out)
	}
}
