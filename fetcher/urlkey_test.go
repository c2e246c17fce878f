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
		{"unreserved escape in a name", "http://h/%73ame", "http://h/same", true},
		{"escaped dot segments", "http://h/a/b/%2E%2e/c", "http://h/a/c", true},
		{"escape after a dot segment", "http://h/./.well-known/a%20b", "http://h/.well-known/a%20b", true},
		{"escaped percent", "http://h/a%2520b", "http://h/a%20b", false},
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

// TestKeySlash: the trailing-slash rule is the only difference between the two identities,
// and the fetched form (NormalizeURL) has the key of the URL it came from under either.
func TestKeySlash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		a, b       string
		counts, ig bool // same under SlashCounts, under SlashIgnored
	}{
		{"dev vs tech", "http://h/api/people/1/", "http://h/api/people/1", false, true},
		{"root", "http://h/", "http://h", true, true},
		{"dot segment to a slash", "http://h/api/people/1/.", "http://h/api/people/1/", true, true},
		{"escaped slash is no slash", "http://h/a%2F", "http://h/a", false, false},
		{"query after the slash", "http://h/a/?x=1", "http://h/a?x=1", false, true},
		{"both spellings", "http://LOCALHOST:80/api/%70eople/1/", "http://127.0.0.1/api/people/1", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, r := range []struct {
				slash fetcher.Slash
				same  bool
			}{{fetcher.SlashCounts, tc.counts}, {fetcher.SlashIgnored, tc.ig}} {
				ka, kb := fetcher.Key(tc.a, r.slash), fetcher.Key(tc.b, r.slash)
				if (ka == kb) != r.same {
					t.Errorf("rule %d: Key(%q) = %q, Key(%q) = %q; same %v, want %v", r.slash, tc.a, ka, tc.b, kb, ka == kb, r.same)
				}
				for _, u := range []string{tc.a, tc.b} {
					n, err := fetcher.NormalizeURL(u)
					if err != nil {
						t.Fatal(err)
					}
					if kn, ku := fetcher.Key(n, r.slash), fetcher.Key(u, r.slash); kn != ku {
						t.Errorf("rule %d: Key(NormalizeURL(%q)) = %q, Key(%q) = %q", r.slash, u, kn, u, ku)
					}
				}
			}
		})
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
