package fetcher

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/api/":  "",
		"https://h/x":                 "",
		"http://[::1]:65535/":         "",
		"http://127.0.0.1:99999/api/": `bad url "http://127.0.0.1:99999/api/": port 99999 is not between 1 and 65535`,
		"http://127.0.0.1:0/":         `bad url "http://127.0.0.1:0/": port 0 is not between 1 and 65535`,
		"http://h:/":                  `bad url "http://h:/": empty port`,
		"http://h:http/":              `bad url "http://h:http/": invalid port ":http" after host`,
		"ftp://h/":                    `bad url "ftp://h/": want an absolute http:// or https:// URL`,
		"http://user:s3cret@h:99999/": `bad url "http://user:xxxxx@h:99999/": port 99999 is not between 1 and 65535`,
		"http://user:s3cret@h:bad/":   `bad url "http://user:xxxxx@h:bad/": invalid port ":bad" after host`,
		"ftp://user:s3cret@h/":        `bad url "ftp://user:xxxxx@h/": want an absolute http:// or https:// URL`,
		"http://user:s3cret@h/%zz":    `bad url "http://user:xxxxx@h/%zz": invalid URL escape "%zz"`,
	} {
		got := ""
		if err := CheckURL(in); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTemplateTargets(t *testing.T) {
	t.Parallel()
	tt, err := TemplateTargets("http://h/p/{id}/", []int{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []Target
	for i := range tt.Len() {
		got = append(got, tt.At(i))
	}
	want := []Target{{ID: 2, URL: "http://h/p/2/"}, {ID: 2, URL: "http://h/p/2/"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	rt, err := RangeTargets("http://h/p/{id}/", 3)
	if err != nil {
		t.Fatal(err)
	}
	if rt.Len() != 3 || rt.At(2) != (Target{ID: 3, URL: "http://h/p/3/"}) {
		t.Errorf("RangeTargets: len %d, last %+v", rt.Len(), rt.At(2))
	}
	if _, err := TemplateTargets("http://h/p/", []int{1}); err == nil {
		t.Error("template without {id}: want an error")
	}
}

func TestParseStrategies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []Strategy
		wantErr bool
	}{
		{in: "all", want: Strategies},
		{in: "semaphore,sequential,semaphore", want: []Strategy{Semaphore, Sequential}},
		{in: "nope", wantErr: true},
		{in: "all,sequential", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStrategies(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStrategy(t *testing.T) {
	t.Parallel()
	for _, s := range Strategies {
		if got, err := ParseStrategy(string(s)); got != s || err != nil {
			t.Errorf("ParseStrategy(%q) = %q, %v", s, got, err)
		}
	}
	const want = `unknown strategy "sequential,unbounded" (want sequential, unbounded, semaphore, ratelimit or adaptive)`
	if _, err := ParseStrategy("sequential,unbounded"); err == nil || err.Error() != want {
		t.Errorf("ParseStrategy = %v, want %s", err, want)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Sun, 22 Nov 2026 10:00:05 GMT", 5 * time.Second, true},
		{"Sun, 22 Nov 2026 09:00:00 GMT", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseRetryAfter(tc.in, now)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
