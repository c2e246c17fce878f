package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestCompareDiscoveryIsPolite: the comparison's --all reads the list pages under the
// politest of the chosen strategies, not as a semaphore at -c's first level.
func TestCompareDiscoveryIsPolite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		wantS fetcher.Strategy
		wantL fetcher.Limits
	}{
		{[]string{"-s", "ratelimit", "-r", "2"}, fetcher.RateLimit, fetcher.Limits{Rate: 2, Burst: 1}},
		{[]string{"-s", "unbounded,ratelimit", "-r", "5,2"}, fetcher.RateLimit, fetcher.Limits{Rate: 2, Burst: 1}},
		{[]string{"-s", "semaphore", "-c", "8,2"}, fetcher.Semaphore, fetcher.Limits{Slots: 2}},
		{[]string{"-s", "sequential,unbounded"}, fetcher.Semaphore, fetcher.Limits{Slots: 1}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var o compareOptions
			fs := newCompareFlags(&o)
			if err := fs.Parse(append([]string{"--all", "--resource", "people", "--base-url", "http://127.0.0.1:1/api/"}, tt.args...)); err != nil {
				t.Fatal(err)
			}
			sp, err := o.spec(fs.Changed)
			if err != nil {
				t.Fatal(err)
			}
			if sp.discovery.Strategy != tt.wantS || sp.discovery.Limits != tt.wantL {
				t.Errorf("discovery runs as %s %+v, want %s %+v", sp.discovery.Strategy, sp.discovery.Limits, tt.wantS, tt.wantL)
			}
		})
	}
}

// TestAllAgainstLyingMirrors: get --all and the comparison's --all end the same way, with
// one line naming the --api a mirror needs, and without "is it up?" for a server that answered.
func TestAllAgainstLyingMirrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want string
	}{
		{"info mirror without --api", `[{"name":"Luke","url":"https://swapi.info/api/people/1"}]`, "try --api info"},
		{"tech mirror without --api", `{"message":"ok","total_records":1,"total_pages":1,"results":[{"uid":"1","url":"x"}]}`, "try --api tech"},
		{"empty list", `{"count":0,"next":null,"previous":null,"results":[]}`, "the people list is empty"},
		{"malformed page", `{"count":"many"}`, "not a list page of --api dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			codes := map[string]int{}
			for _, cmd := range [][]string{{"get"}, {}} {
				var stdout, stderr strings.Builder
				args := append(cmd, "--all", "--resource", "people", "--base-url", srv.URL+"/api/", "-q")
				err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
				msg := stderr.String()
				if err != nil {
					msg += err.Error()
				}
				name := strings.Join(append([]string{"fetchbench"}, cmd...), " ")
				codes[name] = exitCode(err)
				if !strings.Contains(msg, tt.want) || strings.Contains(msg, "Go value") || strings.Contains(msg, "is it up?") {
					t.Errorf("%s: %q, want one line containing %q and no Go type or is-it-up hint", name, msg, tt.want)
				}
				if exitCode(err) == 0 {
					t.Errorf("%s exits 0", name)
				}
			}
			if codes["fetchbench get"] != codes["fetchbench"] {
				t.Errorf("exit codes %v, want the same for get and the comparison", codes)
			}
		})
	}
}
