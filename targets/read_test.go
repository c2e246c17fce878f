package targets

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/swapi"
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
		// Ranges ending at the int64 maximum used to loop forever: id++ overflowed.
		{in: "9223372036854775807", want: []int{9223372036854775807}},
		{in: "9223372036854775805-9223372036854775807", want: []int{9223372036854775805, 9223372036854775806, 9223372036854775807}},
		{in: "1-9223372036854775807", wantErr: "more than 10000000 ids"},
		{in: "9223372036854775807-9223372036854775807,1-10000000", wantErr: "more than 10000000 ids"},
		{in: "1-9999999,9223372036854775807", want: nil},
		{in: "9223372036854775808", wantErr: `bad id "9223372036854775808"`},
		{in: "1\n2x", wantErr: `bad id "1\n2x"`},
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
			if tc.want == nil {
				return // too many to list; the fuzzer checks their shape
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseIDs(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// FuzzParseIDs checks parseIDList against a reference that never expands a range: the ids come
// back in order, range by range, each range complete and no larger than MaxIDs in all. Its
// seeds sit at the int64 limits, where a loop `id <= b; id++` never ends.
func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"1-9,12,20-25", "5-1", "abc", "", "1,,2", "-", "9999999999-1", "3-3",
		"9223372036854775807", "9223372036854775806-9223372036854775807", "1-9223372036854775807",
		"9223372036854775807-9223372036854775807,9223372036854775807", "9223372036854775808", "1-10000000", "1-10000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The reference: the ranges, parsed with no arithmetic on them.
		var spans [][2]int
		total := 0
		for _, part := range strings.Split(s, ",") {
			lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
			a, errA := strconv.Atoi(strings.TrimSpace(lo))
			b, errB := a, error(nil)
			if isRange {
				b, errB = strconv.Atoi(strings.TrimSpace(hi))
			}
			if errA != nil || errB != nil || a < 1 || b < a || strings.TrimSpace(s) == "" {
				spans = nil
				break
			}
			spans = append(spans, [2]int{a, b})
			if total < MaxIDs+1 {
				total += int(min(uint64(b)-uint64(a)+1, MaxIDs+1))
			}
		}
		ids, err := parseIDList(s)
		switch {
		case spans == nil || total > MaxIDs:
			if err == nil {
				t.Fatalf("ParseIDs(%q) = %d ids, want an error", s, len(ids))
			}
			return
		case err != nil:
			t.Fatalf("ParseIDs(%q): %v", s, err)
		case len(ids) != total:
			t.Fatalf("ParseIDs(%q) = %d ids, want %d", s, len(ids), total)
		}
		i := 0
		for _, sp := range spans {
			if ids[i] != sp[0] || ids[i+sp[1]-sp[0]] != sp[1] {
				t.Fatalf("ParseIDs(%q): range %d-%d came out as %d…%d", s, sp[0], sp[1], ids[i], ids[i+sp[1]-sp[0]])
			}
			i += sp[1] - sp[0] + 1
		}
	})
}

// FuzzReadURLs checks that any input either yields targets that all pass CheckURL, one per
// non-blank, non-comment line, or fails naming a line.
func FuzzReadURLs(f *testing.F) {
	for _, s := range []string{"http://h/1\nhttps://h/2/\n", "# c\n\nhttp://h:8080/x", "ftp://h/", "http://h:99999/",
		"http://u:secret@h/x\nnot a url", "http://[::1]:0/", "\x00", strings.Repeat("x", 100) + "\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := readURLList(strings.NewReader(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") && err.Error() != "no urls read" {
				t.Fatalf("ReadURLs(%q) error %q names no line", s, err)
			}
			return
		}
		want := 0
		for _, line := range strings.Split(s, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
				want++
			}
		}
		if len(ts) != want {
			t.Fatalf("ReadURLs(%q) = %d targets, want %d", s, len(ts), want)
		}
		for _, tg := range ts {
			if err := fetcher.CheckURL(tg.URL); err != nil {
				t.Fatalf("ReadURLs(%q) accepted %q: %v", s, tg.URL, err)
			}
		}
	})
}

func TestReadIDs(t *testing.T) {
	t.Parallel()
	got, err := readIDs(strings.NewReader("1 2\n\n3-4 # comment\n9\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 9}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = readIDs(strings.NewReader("1\n2\nx\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 3:") {
		t.Errorf("error = %v, want it to name line 3", err)
	}
}

func TestReadURLs(t *testing.T) {
	t.Parallel()
	in := "# people\nhttp://h/api/people/1/\n\n  https://h/x  \nhttp://h/api/films/3/\n"
	got, err := readURLList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := fetcher.TargetList{{ID: 1, URL: "http://h/api/people/1/"}, {URL: "https://h/x"}, {ID: 3, URL: "http://h/api/films/3/"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = readURLList(strings.NewReader("http://h/1\nftp://h/2\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 2:") {
		t.Errorf("error = %v, want it to name line 2", err)
	}
	long := "http://h/1\nhttp://h/" + strings.Repeat("x", maxLine) + "\n"
	if _, err = readURLList(strings.NewReader(long)); err == nil || err.Error() != "line 2: longer than 1048576 bytes" {
		t.Errorf("long line: error = %v", err)
	}
	if _, err = readIDs(strings.NewReader("1\n2\n" + strings.Repeat("3 ", maxLine))); err == nil || err.Error() != "line 3: longer than 1048576 bytes" {
		t.Errorf("long id line: error = %v", err)
	}
	if _, err = readIDs(strings.NewReader("9223372036854775807\n1-9999999\n5-6")); err == nil || err.Error() != "line 3: more than 10000000 ids" {
		t.Errorf("too many ids over lines: error = %v", err)
	}
}

func TestResourceTemplate(t *testing.T) {
	t.Parallel()
	if _, err := resourceTemplate(swapi.Dev, "https://swapi.dev/api", "droids"); err == nil {
		t.Error("unknown resource: want an error")
	}
	if got, _ := resourceTemplate(swapi.Dev, "https://swapi.dev/api", "films"); got != "https://swapi.dev/api/films/{id}/" {
		t.Errorf("ResourceTemplate = %q", got)
	}
	if got, _ := resourceTemplate(swapi.Tech, "https://www.swapi.tech/api/", "films"); got != "https://www.swapi.tech/api/films/{id}" {
		t.Errorf("resourceTemplate(tech) = %q", got)
	}
}
