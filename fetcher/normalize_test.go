package fetcher

import "testing"

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		fails          bool
	}{
		{name: "as is", in: "http://127.0.0.1:8080/api/people/1/", want: "http://127.0.0.1:8080/api/people/1/"},
		{name: "scheme and host case", in: "HTTP://SWAPI.Dev/api/People/", want: "http://swapi.dev/api/People/"},
		{name: "http default port", in: "http://swapi.dev:80/api/", want: "http://swapi.dev/api/"},
		{name: "https default port", in: "https://swapi.dev:443/api/", want: "https://swapi.dev/api/"},
		{name: "other port kept", in: "https://swapi.dev:8443/api/", want: "https://swapi.dev:8443/api/"},
		{name: "http port on https kept", in: "https://swapi.dev:80/api/", want: "https://swapi.dev:80/api/"},
		{name: "fragment dropped", in: "http://h/docs/a.html#top", want: "http://h/docs/a.html"},
		{name: "empty query dropped", in: "http://h/docs/?", want: "http://h/docs/"},
		{name: "query kept", in: "http://h/api/people/?page=2", want: "http://h/api/people/?page=2"},
		{name: "empty path", in: "http://h", want: "http://h/"},
		{name: "trailing slash kept", in: "http://h/api/people/1/", want: "http://h/api/people/1/"},
		{name: "no trailing slash kept", in: "http://h/api/people/1", want: "http://h/api/people/1"},
		{name: "dot segments", in: "http://h/a/./b/../c/", want: "http://h/a/c/"},
		{name: "escapes kept", in: "http://h/a%2Fb?q=a%20b", want: "http://h/a%2Fb?q=a%20b"},
		{name: "escape after a dot segment", in: "http://h/.well-known/a%20b", want: "http://h/.well-known/a%20b"},
		{name: "escape with dot segments", in: "http://h/x/../.well-known/./a%20b%2Fc", want: "http://h/.well-known/a%20b%2Fc"},
		{name: "escaped dot segments", in: "http://h/a/b/%2e%2e/%2E/c", want: "http://h/a/c"},
		{name: "escaped dots in a name", in: "http://h/a/%2e%2ex", want: "http://h/a/..x"},
		{name: "dot segment at the end", in: "http://h/a/b/..", want: "http://h/a/"},
		{name: "dot segments above the root", in: "http://h/../../a", want: "http://h/a"},
		{name: "unreserved escapes decoded", in: "http://h/%73ame/%7Euser?q=%61", want: "http://h/same/~user?q=a"},
		{name: "escape case", in: "http://h/a%2fb%c3%a9", want: "http://h/a%2Fb%C3%A9"},
		{name: "raw space escaped once", in: "http://h/a b/./c", want: "http://h/a%20b/c"},
		{name: "escaped percent kept", in: "http://h/./a%2520b", want: "http://h/a%2520b"},
		{name: "ipv6", in: "http://[::1]:80/x", want: "http://[::1]/x"},
		{name: "ipv6 port", in: "http://[::1]:8080/x", want: "http://[::1]:8080/x"},
		{name: "trailing dot host", in: "http://swapi.dev./api/", want: "http://swapi.dev/api/"},
		{name: "ftp", in: "ftp://h/x", fails: true},
		{name: "relative", in: "/api/people/", fails: true},
		{name: "credentials", in: "http://u:p@h/", fails: true},
		{name: "garbage", in: "http://h/%zz", fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeURL(tt.in)
			if tt.fails {
				if err == nil {
					t.Fatalf("NormalizeURL(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if again, _ := NormalizeURL(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}
