package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestAllCappedOneRule: get --all and the comparison's --all against a mirror whose page 1
// claims a trillion pages, all listing person 1, both say the cap once, fetch person 1 once
// and exit 3: the server's claim was refused in part.
func TestAllCappedOneRule(t *testing.T) {
	t.Parallel()
	for _, cmd := range [][]string{{"get"}, {"-s", "sequential"}} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			t.Parallel()
			var details atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Path == "/api/people/1/" {
					details.Add(1)
					fmt.Fprint(w, `{"name":"Luke"}`)
					return
				}
				fmt.Fprintf(w, `{"count":1000000000000,"results":[{"name":"Luke","url":"http://%s/api/people/1/"}]}`, r.Host)
			}))
			defer srv.Close()
			var stdout, stderr strings.Builder
			args := append(cmd, "--all", "--resource", "people", "--base-url", srv.URL+"/api/", "-q")
			err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			if code := exitCode(err); code != exitThreshold {
				t.Errorf("exit %d (%v), want %d", code, err, exitThreshold)
			}
			if n := strings.Count(stderr.String(), "claims 1000000000000 pages; capped: only the first 1000 are read"); n != 1 {
				t.Errorf("stderr %q says the cap %d times, want once", stderr.String(), n)
			}
			if n := details.Load(); n > 1 {
				t.Errorf("person 1 fetched %d times, want once", n)
			}
		})
	}
}
