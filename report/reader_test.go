package report

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fetchbench/fetchbench/fetcher"
)

// readAll reads every record of in.
func readAll(in io.Reader) ([]fetcher.Record, error) {
	rr := NewRecordReader(in)
	var out []fetcher.Record
	for {
		r, err := rr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

// hostileText are strings that stress both formats: quotes, separators, line ends, escapes,
// formula starts, the quote that marks them, invalid UTF-8.
var hostileText = []string{
	"", "-", "plain", `say "hi" \ bye`, "a,b;c\"d", "line1\nline2\r\n\ttab", "\r\nlead", "\rlead", "\nlead",
	"bad utf8 \xff\xfe end \xc3", "nul \x00 del \x7f c1 \u0085\u009b ls \u2028", hostileEscapes,
	"=HYPERLINK(\"http://evil/\")", "+1", "-2", "@SUM(A1)", "\tlead", "'quoted", "'=1", "''", "'",
	"日本語 ✓ 🚀", "</script>", " lead and trail ", "strategy,seq",
}

// genRecord is a random valid record whose free text is hostile.
func genRecord(rng *rand.Rand) fetcher.Record {
	text := func() string {
		if rng.IntN(4) == 0 {
			b := make([]byte, rng.IntN(12))
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			return string(b)
		}
		return hostileText[rng.IntN(len(hostileText))]
	}
	d := func(max time.Duration) time.Duration { return time.Duration(rng.Int64N(int64(max))) - max/10 }
	w := func(max time.Duration) time.Duration { return time.Duration(rng.Int64N(int64(max))) } // never negative
	r := fetcher.Record{
		Strategy: fetcher.Strategies[rng.IntN(len(fetcher.Strategies))],
		Params:   text(), Seq: rng.IntN(1e6) - 1, ID: rng.IntN(1e9), URL: text(),
		Kind:  []fetcher.Kind{"", fetcher.KindTarget, fetcher.KindPage, fetcher.KindLink}[rng.IntN(4)],
		Depth: rng.IntN(3), Parent: rng.IntN(100) - 1, Worker: text(), Proto: text(), ConnReused: rng.IntN(2) == 0, Proxy: text(),
		Start: d(time.Hour), Intended: d(time.Hour), Queue: w(time.Minute), Latency: w(time.Minute),
		TTFB: w(time.Second), Total: w(time.Hour), Response: w(time.Hour), Late: rng.IntN(2) == 0,
		Status: rng.IntN(600), Bytes: rng.Int64N(1 << 50), Err: text(), Attempts: rng.IntN(5), Name: text(), Note: text(),
	}
	if rng.IntN(3) > 0 {
		r.Class = fetcher.ErrorClasses[rng.IntN(len(fetcher.ErrorClasses))]
	}
	if rng.IntN(5) > 0 {
		r.StartAt = time.Unix(0, rng.Int64N(4e18)+1).In(time.Local)
	}
	return r
}

// readBack is what a record reads back as from format: durations to the microsecond, invalid
// UTF-8 as U+FFFD, "" kind as target, no parent at depth 0, StartAt in UTC; in CSV a \r\n
// inside a cell reads as \n (encoding/csv).
func readBack(r fetcher.Record, format string) fetcher.Record {
	s := func(x string) string {
		x = string([]rune(x))
		if format == "csv" {
			x = strings.ReplaceAll(x, "\r\n", "\n")
		}
		return x
	}
	us := func(d time.Duration) time.Duration { return d.Round(time.Microsecond) }
	out := fetcher.Record{
		Strategy: r.Strategy, Params: s(r.Params), Seq: r.Seq, ID: r.ID, URL: s(r.URL), Kind: r.Kind,
		Depth: r.Depth, Parent: r.Parent, Worker: s(r.Worker), Proto: s(r.Proto), ConnReused: r.ConnReused, Proxy: s(r.Proxy),
		Start: us(r.Start), Intended: us(r.Intended), Queue: us(r.Queue), Latency: us(r.Latency), TTFB: us(r.TTFB),
		Total: us(r.Total), Response: us(r.Response), Late: r.Late, Status: r.Status, Bytes: r.Bytes,
		Err: s(r.Err), Class: r.Class, Attempts: r.Attempts, Name: s(r.Name), Note: s(r.Note),
	}
	if out.Kind == "" {
		out.Kind = fetcher.KindTarget
	}
	if out.Depth == 0 {
		out.Parent = 0
	}
	if !r.StartAt.IsZero() {
		out.StartAt = r.StartAt.UTC()
	}
	return out
}

func TestRecordReaderRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []fetcher.Record
	for range 2000 {
		recs = append(recs, genRecord(rng))
	}
	recs = append(recs, fetcher.Record{Strategy: fetcher.Sequential}) // every field zero
	for _, format := range []string{"ndjson", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(encodeAll(t, format, recs))
			if err != nil {
				t.Fatal(err)
			}
			want := make([]fetcher.Record, len(recs))
			for i, r := range recs {
				want[i] = readBack(r, format)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzRecordReader reads arbitrary input: it never panics, and what it reads writes and reads
// back the same in both formats.
func FuzzRecordReader(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, format := range []string{"ndjson", "csv"} {
		var buf bytes.Buffer
		rw, _ := NewRecordWriter(&buf, format, false)
		for range 3 {
			_ = rw.Write(genRecord(rng))
		}
		_ = rw.Flush()
		f.Add(buf.Bytes())
	}
	f.Add([]byte("strategy,seq\nsemaphore,1\n"))
	f.Add([]byte(`{"strategy":"unbounded","depth":1,"parent":3}` + "\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		recs, err := readAll(bytes.NewReader(in))
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) || re.Line < 1 {
				t.Fatalf("error %v is not a *RecordError with a line", err)
			}
			return
		}
		for _, format := range []string{"ndjson", "csv"} {
			var buf bytes.Buffer
			rw, _ := NewRecordWriter(&buf, format, false)
			for _, r := range recs {
				_ = rw.Write(r)
			}
			_ = rw.Flush()
			again, err := readAll(&buf)
			if err != nil {
				t.Fatalf("%s: reading back what was read: %v", format, err)
			}
			want := make([]fetcher.Record, len(recs))
			for i, r := range recs {
				want[i] = readBack(r, format)
			}
			if diff := cmp.Diff(want, again, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: read back (-want +got):\n%s", format, diff)
			}
		}
	})
}

func TestRecordReaderErrors(t *testing.T) {
	t.Parallel()
	ok := `{"strategy":"semaphore","seq":0}` + "\n"
	header := "strategy,seq,start_ms,late,depth,parent\n"
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"not JSON", ok + "hello\n", 2, "not a JSON record"},
		{"cut short", ok + `{"strategy":"semaphore"`, 2, "not a JSON record: unexpected end"},
		{"two values", ok + ok[:len(ok)-1] + " {}\n", 2, "more after the JSON record"},
		{"unknown field", ok + `{"strategy":"semaphore","colour":1}` + "\n", 2, `unknown field "colour"`},
		{"ill-typed", ok + `{"strategy":"semaphore","seq":"x"}` + "\n", 2, "seq: want an integer, got string"},
		{"fraction seq", `{"strategy":"semaphore","seq":1.5}` + "\n", 1, "seq: want an integer, got number 1.5"},
		{"late as text", `{"strategy":"semaphore","late":"yes"}` + "\n", 1, "late: want true or false, got string"},
		{"huge duration", `{"strategy":"semaphore","total_ms":1e300}` + "\n", 1, "total_ms: 1e+300 ms is out of range"},
		{"no strategy", "\n" + `{"seq":1}` + "\n", 2, "no strategy"},
		{"unknown strategy", `{"strategy":"fast"}`, 1, `unknown strategy "fast"`},
		{"unknown class", `{"strategy":"sequential","error_class":"oops"}`, 1, `unknown class "oops"`},
		{"unknown kind", `{"strategy":"sequential","kind":"image"}`, 1, `kind: want target, page, link or robots, got "image"`},
		{"parent at depth 0", `{"strategy":"sequential","parent":3}`, 1, "parent: set at depth 0"},
		{"no parent deeper", `{"strategy":"sequential","depth":2,"parent":null}`, 1, "parent: missing at depth 2"},
		{"line too long", ok + `{"strategy":"sequential","url":"` + strings.Repeat("x", MaxRecordLine) + `"}`, 2, "longer than"},
		{"csv unknown column", "strategy,colour\n", 1, `unknown column "colour"`},
		{"neither", "hello world\n", 1, `neither a JSON record nor a records CSV header (unknown column "hello world")`},
		{"csv column twice", "strategy,seq,seq\n", 1, `column "seq" twice`},
		{"csv bad number", header + "semaphore,1,0.5,false,0,\nsemaphore,x,0,false,0,\n", 3, `seq: "x" is not a valid number`},
		{"csv bad duration", header + "semaphore,1,soon,false,0,\n", 2, `start_ms: "soon" is not a valid number`},
		{"csv bad bool", header + "semaphore,1,0,1,0,\n", 2, `late: want true or false, got "1"`},
		{"csv field count", header + "semaphore,1\n", 2, "wrong number of fields"},
		{"csv quoted record over lines", header + "semaphore,1,0,false,0,\n\"sema\nphore\",1,0,false,0,\n", 3, `unknown strategy "sema\nphore"`},
		{"csv bare quote", header + "sema\"phore,1,0,false,0,\n", 2, `bare " in non-quoted-field`},
		{"csv header too long", strings.Repeat("x", MaxRecordLine+10) + "\n", 1, "longer than"},
		{"csv row too long", header + "semaphore,1,0,false,0,\nsemaphore," + strings.Repeat("1", MaxRecordLine), 3, "longer than"},
		{"csv quoted record too long", header + `"` + strings.Repeat("a\n", MaxRecordLine), 524290, "longer than"},
		{"seq overflows", `{"strategy":"semaphore","seq":9223372036854775807}`, 1, "seq: 9223372036854775807 is out of range"},
		{"csv seq overflows", header + "semaphore,-9223372036854775808,0,false,0,\n", 2, "seq: -9223372036854775808 is out of range"},
		{"parent overflows", `{"strategy":"semaphore","depth":1,"parent":9223372036854775807}`, 1, "parent: 9223372036854775807 is out of range"},
		{"negative latency", `{"strategy":"semaphore","latency_ms":-5}`, 1, "latency_ms: -5 is negative"},
		{"negative queue", `{"strategy":"semaphore","queue_ms":-0.001}`, 1, "queue_ms: -0.001 is negative"},
		{"start centuries on", `{"strategy":"semaphore","start_ms":9000000000000}`, 1, "start_ms: 9000000000000 is out of range"},
		{"start overflows", `{"strategy":"semaphore","start_unix_ns":9223372036854775807}`, 1, "start_unix_ns: 9223372036854775807 is out of range"},
		{"negative start", `{"strategy":"semaphore","start_unix_ns":-1}`, 1, "start_unix_ns: -1 is out of range"},
		{"negative bytes", `{"strategy":"semaphore","bytes":-1}`, 1, "bytes: -1 is out of range"},
		{"long escape in a value", `{"strategy":"\u001b[2J` + strings.Repeat("x", 5000) + `"}`, 1, `unknown strategy "\x1b[2Jxxx`},
		{"long field name", `{"strategy":"semaphore","` + strings.Repeat(`\u001b`, 5000) + `":1}`, 1, `unknown field "\x1b`},
		{"long number", `{"strategy":"semaphore","seq":` + strings.Repeat("9", 5000) + `}`, 1, "seq: want an integer, got number 999"},
		{"csv long escape in a header", "\x1b]0;pwned\x07" + strings.Repeat("x", 5000) + "\n", 1, `unknown column "\x1b]0;pwned\ax`},
		{"csv long cell", header + "semaphore," + strings.Repeat("\x1b", 5000) + ",0,false,0,\n", 2, `seq: "\x1b\x1b`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(strings.NewReader(tc.in))
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error %v, want a *RecordError", err)
			}
			if re.Line != tc.line || !strings.Contains(re.Err.Error(), tc.want) {
				t.Errorf("error %.300q, want line %d and %q", err, tc.line, tc.want)
			}
			if msg := err.Error(); len(msg) > 350 || strings.ContainsAny(msg, "\x1b\x07") {
				t.Errorf("error message of %d bytes %.400q, want at most 350 bytes, escaped", len(msg), msg)
			}
		})
	}
}

func TestRecordReaderFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, format string
		n                int
	}{
		{"empty", "", "ndjson", 0},
		{"blank", " \n\n", "ndjson", 0},
		{"ndjson", `{"strategy":"unbounded"}` + "\n" + `{"strategy":"unbounded"}`, "ndjson", 2},
		{"ndjson CRLF and blank lines", `{"strategy":"unbounded"}` + "\r\n\r\n" + `{"strategy":"unbounded"}` + "\r\n", "ndjson", 2},
		{"csv header only", "strategy\n", "csv", 0},
		{"csv before params", strings.Join(RecordFields[:19], ",") + "\n" + "sequential,0,1,u,0,0,1,1,1,200,5,,,1,n,,0,1,false\n", "csv", 1},
		{"csv columns in any order", "seq,strategy\n3,unbounded\n", "csv", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rr := NewRecordReader(strings.NewReader(tc.in))
			n := 0
			for {
				_, err := rr.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if rr.Format() != tc.format || n != tc.n {
				t.Errorf("format %q with %d records, want %q with %d", rr.Format(), n, tc.format, tc.n)
			}
		})
	}
}

func benchmarkRecordReader(b *testing.B, format string) {
	rng := rand.New(rand.NewPCG(5, 6))
	var buf bytes.Buffer
	rw, _ := NewRecordWriter(&buf, format, false)
	const n = 1000
	for i := range n {
		// A typical record: a SWAPI URL and name, a 200.
		r := fetcher.Record{
			Strategy: fetcher.Semaphore, Params: "c=10", Seq: i, ID: i + 1, URL: "https://swapi.dev/api/people/1/",
			StartAt: time.Unix(1_700_000_000, rng.Int64N(1e9)), Start: 1234567 * time.Nanosecond,
			Latency: 102345678 * time.Nanosecond, TTFB: 98765432 * time.Nanosecond, Total: 102345678 * time.Nanosecond,
			Status: 200, Bytes: 637, Attempts: 1, Name: "Luke Skywalker", Kind: fetcher.KindTarget,
		}
		_ = rw.Write(r)
	}
	_ = rw.Flush()
	in := buf.Bytes()
	b.SetBytes(int64(len(in) / n))
	b.ReportAllocs()
	rr := NewRecordReader(bytes.NewReader(in))
	for b.Loop() {
		if _, err := rr.Read(); errors.Is(err, io.EOF) {
			rr = NewRecordReader(bytes.NewReader(in))
		} else if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordReaderNDJSON(b *testing.B) { benchmarkRecordReader(b, "ndjson") }
func BenchmarkRecordReaderCSV(b *testing.B)    { benchmarkRecordReader(b, "csv") }
