package fetcher

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr string
	}{
		{in: "1", want: []int{1}},
		{in: "1-3,7", want: []int{1, 2, 3, 7}},
		{in: " 2 - 4 , 2", want: []int{2, 3, 4, 2}},
		{in: "5-5", want: []int{5}},
		{in: "5-1", wantErr: "backwards"},
		{in: "abc", wantErr: `bad id "abc"`},
		{in: "0", wantErr: "≥ 1"},
		{in: "-3", wantErr: "missing id"},
		{in: "1,,2", wantErr: "missing id"},
		{in: "", wantErr: "empty"},
		{in: "1-2-3", wantErr: "bad id"},
		{in: "1-99999999999", wantErr: "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseIDs(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseIDs(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseIDs(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"1-9,12,20-25", "5-1", "abc", "", "1,,2", "-", "9999999999-1", "3-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := ParseIDs(s)
		if err != nil {
			return
		}
		if len(ids) == 0 || len(ids) > MaxIDs {
			t.Fatalf("ParseIDs(%q) returned %d ids without error", s, len(ids))
		}
		for _, id := range ids {
			if id < 1 {
				t.Fatalf("ParseIDs(%q) returned id %d", s, id)
			}
		}
	})
}

func TestReadIDs(t *testing.T) {
	t.Parallel()
	got, err := ReadIDs(strings.NewReader("1 2\n\n3-4 # comment\n9\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 9}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = ReadIDs(strings.NewReader("1\n2\nx\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 3:") {
		t.Errorf("error = %v, want it to name line 3", err)
	}
}

func TestReadURLs(t *testing.T) {
	t.Parallel()
	in := "# people\nhttp://h/api/people/1/\n\n  https://h/x  \nhttp://h/api/films/3/\n"
	got, err := ReadURLs(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := TargetList{{ID: 1, URL: "http://h/api/people/1/"}, {URL: "https://h/x"}, {ID: 3, URL: "http://h/api/films/3/"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = ReadURLs(strings.NewReader("http://h/1\nftp://h/2\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 2:") {
		t.Errorf("error = %v, want it to name line 2", err)
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
	if _, err := ResourceTemplate("https://swapi.dev/api", "droids"); err == nil {
		t.Error("unknown resource: want an error")
	}
	if got, _ := ResourceTemplate("https://swapi.dev/api", "films"); got != "https://swapi.dev/api/films/{id}/" {
		t.Errorf("ResourceTemplate = %q", got)
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
