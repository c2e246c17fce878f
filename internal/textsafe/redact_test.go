package textsafe

import "testing"

func TestRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"no url here @ all", "no url here @ all"},
		{"http://h/x@y", "http://h/x@y"},
		{"http://alice@h/", "http://alice@h/"},
		{"http://alice:s3cretPW@127.0.0.1:8080/api/1: http 429 Too Many Requests",
			"http://alice:xxxxx@127.0.0.1:8080/api/1: http 429 Too Many Requests"},
		{`Get "http://bob:***@h/x": EOF`, `Get "http://bob:xxxxx@h/x": EOF`},
		{`failed to parse Location header "http://bob:pw@h/%zz": invalid URL escape`,
			`failed to parse Location header "http://bob:xxxxx@h/%zz": invalid URL escape`},
		{"a https://u:p@h?q=1 and http://v:w:x@g#f, then http://h2", "a https://u:xxxxx@h?q=1 and http://v:xxxxx@g#f, then http://h2"},
		{"http://u:p@w@h/", "http://u:xxxxx@h/"},
		{"http://u:p@h", "http://u:xxxxx@h"},
		{"://u:p@h", "://u:xxxxx@h"},
		{"http://u:p", "http://u:p"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		"http://user:s3cret@h:99999/": "http://user:xxxxx@h:99999/",
		"http://user@h/":              "http://user@h/",
		"not a url":                   "not a url",
		"http://u:p@h/x@y":            "http://u:xxxxx@h/x@y",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"http://a:b@c/", "x://:@", "://@", "http://u:p@h http://v:q@g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Redact(s)
		if Redact(got) != got {
			t.Fatalf("Redact(%q) = %q is not stable", s, got)
		}
	})
}
