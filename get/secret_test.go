package get_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
)

// TestFailuresMaskPasswords: get's failure lines (a target's, and --expand's that share its
// prefix and name the link) never show a URL's password, only its user name.
func TestFailuresMaskPasswords(t *testing.T) {
	t.Parallel()
	var creds string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/doc":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"name":"d","homeworld":"` + creds + `/planet","films":["` + creds + `/gone"]}`)) //nolint:errcheck
		case "/planet":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"name":"p"}`)) //nolint:errcheck
		case "/gone":
			http.NotFound(w, r)
		default:
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	t.Cleanup(srv.Close)
	creds = strings.Replace(srv.URL, "http://", "http://alice:s3cretPW@", 1)
	job := get.Job{
		Config:  fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})},
		Targets: fetcher.TargetList{{ID: 1, URL: creds + "/busy"}, {ID: 2, URL: creds + "/doc"}},
		Shape:   get.Shape{Expand: []string{"homeworld", "films"}},
	}
	var failures []string
	if _, err := get.Run(context.Background(), job, get.Output{
		Document: func([]byte) error { return nil },
		Failure:  func(msg string) { failures = append(failures, msg) },
	}); err != nil {
		t.Fatal(err)
	}
	if len(failures) < 2 {
		t.Fatalf("failures %q, want the target's and the links'", failures)
	}
	for _, f := range failures {
		if strings.Contains(f, "s3cretPW") || !strings.Contains(f, "alice:xxxxx@") {
			t.Errorf("failure %q shows the password or not the masked user", f)

		}
	}
}
