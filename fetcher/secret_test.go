package fetcher_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestRedirectErrorsMaskPasswords: a redirect to a URL with a password, whose request then
// fails or whose Location does not parse, leaves an error text with the user name and
// never the password.
func TestRedirectErrorsMaskPasswords(t *testing.T) {
	t.Parallel()
	var creds string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-closed":
			w.Header().Set("Location", creds+"/closed")
			w.WriteHeader(http.StatusFound)
		case "/to-unparsable":
			w.Header().Set("Location", creds+"/%zz")
			w.WriteHeader(http.StatusFound)
		case "/closed":
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
		}
	}))
	t.Cleanup(srv.Close)
	creds = strings.Replace(srv.URL, "http://", "http://bob:pw2secret@", 1)
	ts := fetcher.TargetList{{URL: srv.URL + "/to-closed"}, {URL: srv.URL + "/to-unparsable"}}
	cfg := fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Sequential.Limits(fetcher.Knobs{})}
	recs, _ := runAll(t, cfg, ts)
	for _, r := range recs {
		if r.Err == "" || strings.Contains(r.Err, "pw2secret") || !strings.Contains(r.Err, "bob:xxxxx@") {
			t.Errorf("%s: error %q, want one naming bob:xxxxx@ and no password", r.URL, r.Err)
		}
	}
}
