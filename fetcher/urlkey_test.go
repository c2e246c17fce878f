package fetcher_test

import (
	"context"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestURLKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"trailing slash", "http://h/api/planets/1", "http://h/api/planets/1/", true},
		{"localhost", "http://localhost:8080/api/people/1/", "http://127.0.0.1:8080/api/people/1/", true},
		{"host case", "http://SWAPI.Dev/api/", "http://swapi.dev/api/", true},
		{"scheme case", "HTTP://h/x", "http://h/x", true},
		{"host trailing dot", "http://swapi.dev./api/", "http://swapi.dev/api/", true},
		{"default http port", "http://h:80/x", "http://h/x", true},
		{"default https port", "https://h:443/x", "https://h/x", true},
		{"443 is not http's", "http://h:443/x", "http://h/x", false},
		{"other port", "http://h:8080/x", "http://h/x", false},
		{"fragment", "http://h/x#top", "http://h/x", true},
		{"empty query", "http://h/x?", "http://h/x", true},
		{"query kept", "http://h/x?page=2", "http://h/x?page=3", false},
		{"query order kept", "http://h/x?a=1&b=2", "http://h/x?b=2&a=1", false},
		{"empty path", "http://h", "http://h/", true},
		{"dot segments", "http://h/api/people/../planets/./1/", "http://h/api/planets/1/", true},
		{"unreserved escapes", "http://h/%7Euser/%61", "http://h/~user/a", true},
		{"escape case", "http://h/a%2fb", "http://h/a%2Fb", true},
		{"escaped slash is not a slash", "http://h/a%2Fb", "http://h/a/b", false},
		{"scheme differs", "https://h/x", "http://h/x", false},
		{"path case kept", "http://h/People/1", "http://h/people/1", false},
		{"ipv6 default port", "http://[::1]:80/x", "http://[::1]/x", true},
		{"ipv6 port", "http://[::1]:8080/x", "http://[::1]/x", false},
		{"users differ", "http://a@h/x", "http://b@h/x", false},
		{"not absolute", "planets/1", "planets/1/", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ka, kb := fetcher.URLKey(tc.a), fetcher.URLKey(tc.b)
			if (ka == kb) != tc.same {
				t.Errorf("URLKey(%q) = %q, URLKey(%q) = %q; same %v, want %v", tc.a, ka, tc.b, kb, ka == kb, tc.same)
			}
			if again := fetcher.URLKey(ka); again != ka {
				t.Errorf("URLKey is not idempotent: %q → %q", ka, again)
			}
		})
	}
	if got, want := fetcher.URLKey("HTTP://LocalHost:80/api/planets/1/#x"), "http://127.0.0.1/api/planets/1"; got != want {
		t.Errorf("URLKey = %q, want %q", got, want)
	}
}

// TestFrontierPushNormalises: a URL pushed again in another form is not new work; it shares
// the first form's item and outcome, and the first form is what is fetched.
func TestFrontierPushNormalises(t *testing.T) {
	t.Parallel()
	f := fetcher.NewFrontier(nil, fetcher.Scope{})
	first, ok := f.Push(fetcher.Target{URL: "http://127.0.0.1:8080/api/planets/1/"}, fetcher.KindLink, 1, 0)
	if !ok {
		t.Fatal("first push refused")
	}
	for _, u := range []string{
		"http://127.0.0.1:8080/api/planets/1",
		"http://LOCALHOST:8080/api/planets/1/",
		"http://127.0.0.1:8080/api/planets/1/#x",
		"http://127.0.0.1:8080/api/people/../planets/1",
	} {
		if it, ok := f.Push(fetcher.Target{URL: u}, fetcher.KindLink, 1, 0); ok || it.Seq != first.Seq {
			t.Errorf("Push(%q) = seq %d, new %v; want seq %d, not new", u, it.Seq, ok, first.Seq)
		}
	}
	if _, ok := f.Push(fetcher.Target{URL: "http://127.0.0.1:8080/api/planets/2/"}, fetcher.KindLink, 1, 0); !ok {
		t.Error("another planet refused")
	}
	if f.Pushed() != 2 {
		t.Errorf("Pushed = %d, want 2", f.Pushed())
	}
	it, _ := f.Next(context.Background())
	if it.URL != first.URL {
		t.Errorf("fetched %q, want the first form %q", it.URL, first.URL)
	}
	f.Done(it, &fetcher.Record{Status: 200})
	if o, ok := f.Wait(context.Background(), "http://localhost:8080/api/planets/1"); !ok || o.Seq != first.Seq || o.Status != 200 {
		t.Errorf("Wait by another form = %+v, %v", o, ok)
	}
}
