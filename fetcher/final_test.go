package fetcher

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFinalURL: a record names the URL its answer came from after redirects (FinalURL, and
// Final), without user information; it names none when no redirect was followed, and a
// redirect refused leaves the hop before it.
func TestFinalURL(t *testing.T) {
	t.Parallel()
	foreign, hits := foreignServer(t)
	var creds string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/a":
			http.Redirect(w, r, "/dir/b", http.StatusMovedPermanently)
		case p == "/chain/1":
			http.Redirect(w, r, "2", http.StatusFound)
		case p == "/chain/2":
			http.Redirect(w, r, "/chain/3?q=1", http.StatusTemporaryRedirect)
		case p == "/creds":
			http.Redirect(w, r, creds+"/dir/b", http.StatusFound)
		case p == "/away":
			http.Redirect(w, r, foreign.URL+"/x", http.StatusFound)
		case p == "/hop-away":
			http.Redirect(w, r, "/away", http.StatusFound)
		case strings.HasPrefix(p, "/loop/"):
			var n int
			fmt.Sscanf(p, "/loop/%d", &n) //nolint:errcheck // test server
			http.Redirect(w, r, fmt.Sprintf("/loop/%d", n+1), http.StatusFound)
		default:
			w.Write([]byte(`{"name":"ok"}`)) //nolint:errcheck // test server
		}
	}))
	t.Cleanup(srv.Close)
	creds = strings.Replace(srv.URL, "http://", "http://bob:pw2secret@", 1)
	tests := []struct {
		name      string
		path      string
		wantFinal string // FinalURL's path on srv; "" for none
		wantClass ErrorClass
	}{
		{"no redirect", "/dir/b", "", ClassNone},
		{"one redirect", "/a", "/dir/b", ClassNone},
		{"a chain, relative Locations", "/chain/1", "/chain/3?q=1", ClassNone},
		{"a redirect with credentials", "/creds", "/dir/b", ClassNone},
		{"off scope at once", "/away", "", ClassRedirect},
		{"off scope after a hop", "/hop-away", "/away", ClassRedirect},
		{"too many redirects: the last answer kept", "/loop/0", fmt.Sprintf("/loop/%d", MaxRedirects-1), ClassRedirect},
	}
	var ts TargetList
	for _, tt := range tests {
		ts = append(ts, Target{URL: srv.URL + tt.path})
	}
	cfg := Config{Strategy: Semaphore, Limits: Limits{Slots: 3}, Scope: NewScope(srv.URL)}
	recs, _ := collect(t, context.Background(), cfg, ts)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recs[i]
			want, wantBase := "", rec.URL
			if tt.wantFinal != "" {
				want = srv.URL + tt.wantFinal
				wantBase = want
			}
			if rec.FinalURL != want || rec.Final() != wantBase || rec.Class != tt.wantClass {
				t.Errorf("FinalURL %q Final %q class %q (err %q), want %q %q %q", rec.FinalURL, rec.Final(), rec.Class, rec.Err,
					want, wantBase, tt.wantClass)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the foreign host saw %d requests, want 0", n)
	}
}
