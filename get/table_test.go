package get

import (
	"bufio"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// TestTableStreams: past tableWindow rows the table holds none (it held every row: 200k rows
// took 909 MB), its widths are those of the first rows, and a later, wider cell is cut to
// its column with "…", but for the last column's.
func TestTableStreams(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := &tableWriter{w: bufio.NewWriter(&b)}
	n := 3 * tableWindow
	for i := range n {
		name := fmt.Sprintf("p%d", i%10) // two runes in the window
		if i == n-1 {
			name = "a much longer name"
		}
		if err := w.Write(fmt.Appendf(nil, `{"name":%q,"id":%d}`, name, i)); err != nil {
			t.Fatal(err)
		}
		if i >= tableWindow && len(w.rows) > 0 {
			t.Fatalf("after %d rows the table holds %d", i+1, len(w.rows))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != n+1 {
		t.Fatalf("%d lines, want %d", len(lines), n+1)
	}
	if lines[0] != "name  id" || lines[1] != "p0    0" {
		t.Errorf("head:\n%s\n%s", lines[0], lines[1])
	}
	if got, want := lines[n], "a m…  2999"; got != want {
		t.Errorf("last row %q, want %q (cut to the fixed width)", got, want)
	}
	if got, want := lines[tableWindow+1], "p0    1000"; got != want {
		t.Errorf("first streamed row %q, want %q", got, want)
	}
}

// TestTableShort: a table of fewer than tableWindow rows is aligned on all of them.
func TestTableShort(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := &tableWriter{w: bufio.NewWriter(&b)}
	for _, d := range []string{`{"a":"x","b":1}`, `{"a":"a longer value","b":22}`} {
		if err := w.Write([]byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "a               b\nx               1\na longer value  22\n"
	if b.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", b.String(), want)
	}
}

// BenchmarkTable writes tables of 10k and 200k SWAPI-like rows: B/op per row and the live
// heap once written (live-MB) stay flat as the rows grow.
func BenchmarkTable(b *testing.B) {
	doc := []byte(`{"name":"Luke Skywalker","height":"172","mass":"77","hair_color":"blond","skin_color":"fair","eye_color":"blue","birth_year":"19BBY","gender":"male","homeworld":"https://swapi.dev/api/planets/1/","url":"https://swapi.dev/api/people/1/"}`)
	for _, rows := range []int{10_000, 200_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			var live uint64
			for b.Loop() {
				w, _ := NewWriter(io.Discard, "table", nil, false)
				for range rows {
					if err := w.Write(doc); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				live = max(live, ms.HeapAlloc)
				runtime.KeepAlive(w)
				b.StartTimer()
				w.Close()
			}
			b.ReportMetric(float64(live)/(1<<20), "live-MB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}

// TestTableEmptyDocuments: documents without members stream too.
func TestTableEmptyDocuments(t *testing.T) {
	t.Parallel()
	w := &tableWriter{w: bufio.NewWriter(io.Discard)}
	for range tableWindow + 2 {
		if err := w.Write([]byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
