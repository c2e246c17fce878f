package fetcher

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// foreignServer is another loopback host that counts the requests it sees.
func foreignServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"name":"foreign"}`)) //nolint:errcheck // test server
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestScopeRedirects(t *testing.T) {
	t.Parallel()
	foreign, hits := foreignServer(t)
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, foreign.URL+"/doc", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/doc", http.StatusFound)
		case "/file":
			w.Header().Set("Location", "file:///etc/passwd")
			w.WriteHeader(http.StatusFound)
		default:
			w.Write([]byte(`{"name":"ok"}`)) //nolint:errcheck // test server
		}
	}))
	t.Cleanup(mirror.Close)
	tests := []struct {
		name    string
		scope   Scope
		path    string
		wantErr string // "" means success
	}{
		{"redirect to another host", Scope{}, "/away", "is outside the hosts you named"},
		{"redirect to another host, scope named", NewScope(mirror.URL), "/away", "is outside the hosts you named"},
		{"redirect to a file url", Scope{}, "/file", "not an http(s) URL"},
		{"redirect on the same host", Scope{}, "/here", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Strategy: Semaphore, Limits: Limits{Slots: 2}, Scope: tt.scope}
			recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: mirror.URL + tt.path}})
			rec := recs[0]
			if tt.wantErr == "" {
				if !rec.OK() {
					t.Fatalf("record: %+v, want success", rec)
				}
				return
			}
			if rec.OK() || !strings.Contains(rec.Err, tt.wantErr) || rec.Class != ClassRedirect {
				t.Errorf("record err %q class %q, want class redirect and an error containing %q", rec.Err, rec.Class, tt.wantErr)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the foreign host saw %d requests, want 0", n)
	}
}

func TestScopeRequestsAndPushes(t *testing.T) {
	t.Parallel()
	foreign, hits := foreignServer(t)
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"name":"ok"}`)) //nolint:errcheck // test server
	}))
	t.Cleanup(mirror.Close)

	// A target outside the configured scope is not requested.
	cfg := Config{Strategy: Semaphore, Limits: Limits{Slots: 2}, Scope: NewScope(mirror.URL)}
	recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: mirror.URL + "/a"}, {URL: foreign.URL + "/b"}})
	if !recs[0].OK() || !strings.Contains(recs[1].Err, "outside the hosts you named") {
		t.Errorf("records %+v, want the mirror's fetched and the foreign one refused", recs)
	}

	// A push outside the frontier's scope is refused and counted.
	f := NewFrontier(TargetList{{URL: mirror.URL + "/a"}}, Scope{})
	for _, u := range []string{foreign.URL + "/x", "file:///etc/passwd", "javascript:alert(1)", mirror.URL + "/b"} {
		f.Push(Target{URL: u}, KindLink, 1, 0)
	}
	if got, want := f.Skipped(), 3; got != want {
		t.Errorf("Skipped() = %d, want %d", got, want)
	}
	if got, want := f.Pushed(), 1; got != want {
		t.Errorf("Pushed() = %d, want %d", got, want)
	}
	if err := f.Scope().Check(foreign.URL); !errors.Is(err, ErrOutOfScope) {
		t.Errorf("Check(foreign) = %v, want ErrOutOfScope", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the foreign host saw %d requests, want 0", n)
	}
}

func TestScopeOf(t *testing.T) {
	t.Parallel()
	many, _ := RangeTargets("http://127.0.0.1:9/api/people/{id}/", 10_000_000)
	perHost, _ := RangeTargets("http://h{id}.test/x", 3)
	tests := []struct {
		name    string
		targets Targets
		want    string
	}{
		{"template, ten million ids", many, "127.0.0.1:9"},
		{"template with the id in the host", perHost, "h1.test, h2.test, h3.test"},
		{"url list", TargetList{{URL: "https://A.test/1"}, {URL: "http://b.test:8080/2"}, {URL: "https://a.test/3"}}, "a.test, b.test:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ScopeOf(tt.targets).String(); got != tt.want {
				t.Errorf("ScopeOf = %q, want %q", got, tt.want)
			}
		})
	}
}
