package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// jsonRecord is the NDJSON record schema, decoded with encoding/json.
type jsonRecord struct {
	Strategy   string  `json:"strategy"`
	Seq        int     `json:"seq"`
	ID         int     `json:"id"`
	URL        string  `json:"url"`
	StartMS    float64 `json:"start_ms"`
	QueueMS    float64 `json:"queue_ms"`
	LatencyMS  float64 `json:"latency_ms"`
	TTFBMS     float64 `json:"ttfb_ms"`
	TotalMS    float64 `json:"total_ms"`
	Status     int     `json:"status"`
	Bytes      int64   `json:"bytes"`
	Error      string  `json:"error"`
	ErrorClass string  `json:"error_class"`
	Attempts   int     `json:"attempts"`
	Name       string  `json:"name"`
	Note       string  `json:"note"`
	IntendedMS float64 `json:"intended_ms"`
	ResponseMS float64 `json:"response_ms"`
	Late       bool    `json:"late"`
	Params     string  `json:"params"`
	StartUnix  int64   `json:"start_unix_ns"`
	Kind       string  `json:"kind"`
	Depth      int     `json:"depth"`
	Parent     *int    `json:"parent"`
	Worker     string  `json:"worker"`
	Phase      string  `json:"phase"`
	Proto      string  `json:"proto"`
	ConnReused bool    `json:"conn_reused"`
	Proxy      string  `json:"proxy"`
	Limit      int     `json:"limit"`
}

// expect is what a record should decode to: durations rounded to the microsecond, each
// invalid UTF-8 byte replaced by U+FFFD (as encoding/json does).
func expect(r fetcher.Record) jsonRecord {
	s := func(x string) string { return string([]rune(x)) }
	return jsonRecord{
		Strategy: s(string(r.Strategy)), Seq: r.Seq, ID: r.ID, URL: s(r.URL),
		StartMS: ms(r.Start), QueueMS: ms(r.Queue), LatencyMS: ms(r.Latency), TTFBMS: ms(r.TTFB), TotalMS: ms(r.Total),
		Status: r.Status, Bytes: r.Bytes, Error: s(r.Err), ErrorClass: s(string(r.Class)), Attempts: r.Attempts, Name: s(r.Name),
		Note: s(r.Note), IntendedMS: ms(r.Intended), ResponseMS: ms(r.Response), Late: r.Late,
		Params: s(r.Params), StartUnix: unixNano(r.StartAt), Kind: s(string(kind(r.Kind))), Depth: r.Depth, Parent: parent(r),
		Worker: s(r.Worker), Phase: s(r.Phase), Proto: s(r.Proto), ConnReused: r.ConnReused, Proxy: s(r.Proxy), Limit: r.Limit,
	}
}

// parent is r.Parent as the records write it: nil (null, empty) when r.Depth is 0.
func parent(r fetcher.Record) *int {
	if r.Depth == 0 {
		return nil
	}
	return &r.Parent
}

// hostileEscapes holds every terminal escape a server might send: a screen clear, an OSC
// title set ended by BEL, a bare BEL, a C1 CSI, a bidi override and a NUL.
const hostileEscapes = "\x1b[2J\x1b]0;pwned\x07\a\u009b31m\u202eevil\x00"

// hostile are records whose strings and numbers stress the encoders.
func hostile() []fetcher.Record {
	names := []string{
		"\x1b[2J",
		`say "hi" \ bye`,
		"line1\nline2\r\n\ttab",
		"bad utf8 \xff\xfe end \xc3",
		"nul \x00 del \x7f c1 \u0085\u009b ls \u2028 ps \u2029",
		"Luke Skywalker",
		"日本語 ✓ 🚀",
		"",
		"</script><b>&amp;",
		"a,b;c\"d",
		hostileEscapes,
		"=HYPERLINK(\"http://evil/\",\"x\")",
		"+1+1", "-2", "@SUM(A1)", "\tlead", "\rlead", "'quoted", "'=1",
	}
	var out []fetcher.Record
	for i, n := range names {
		out = append(out, fetcher.Record{
			Strategy: fetcher.Semaphore, Seq: i, ID: i + 1,
			URL:     "http://x/api/people/" + strconv.Itoa(i+1) + "/?q=" + n,
			Start:   time.Duration(i) * 1234567 * time.Nanosecond,
			Queue:   time.Duration(i) * 999 * time.Microsecond,
			Latency: 102345678 * time.Nanosecond,
			TTFB:    1500 * time.Nanosecond,
			Total:   time.Duration(i) * time.Hour,
			Status:  200 + i, Bytes: int64(i) << 40,
			Err: n, Class: fetcher.ErrorClass(n), Attempts: i, Name: n, Note: n,
			Intended: time.Duration(i) * 1111111 * time.Nanosecond, Response: time.Duration(i) * 7 * time.Minute, Late: i%2 == 1,
			Params: n, StartAt: time.Unix(1_700_000_000+int64(i), int64(i)*123_456_789), Kind: fetcher.Kind(n),
			Depth: i % 3, Parent: i - 1, Worker: n, Proto: n, ConnReused: i%3 == 1, Proxy: n, Limit: i,
		})
	}
	out = append(out, fetcher.Record{Seq: -1, Start: -1500 * time.Microsecond, Latency: 499 * time.Nanosecond, Kind: fetcher.KindLink, Depth: 2, Parent: -7})
	return out
}

// encodeAll writes recs with a RecordWriter of format and returns the output.
func encodeAll(t *testing.T, format string, recs []fetcher.Record) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	rw, err := NewRecordWriter(&buf, format, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := rw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestNDJSONRoundTrip(t *testing.T) {
	t.Parallel()
	recs := hostile()
	buf := encodeAll(t, "ndjson", recs)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(recs) {
		t.Fatalf("got %d lines, want %d", len(lines), len(recs))
	}
	for i, line := range lines {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if strings.IndexFunc(line, func(r rune) bool { return r < 0x20 || r == 0x7f || unsafeRune(r) }) >= 0 {
				t.Errorf("line has a raw control character: %q", line)
			}
			if !json.Valid([]byte(line)) {
				t.Fatalf("invalid JSON: %s", line)
			}
			var got jsonRecord
			dec := json.NewDecoder(strings.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(expect(recs[i]), got); diff != "" {
				t.Errorf("record %d mismatch (-want +got):\n%s", i, diff)
			}
			var keys []string
			d := json.NewDecoder(strings.NewReader(line))
			for {
				tok, err := d.Token()
				if err != nil {
					break
				}
				if k, ok := tok.(string); ok && d.More() && len(keys) < len(RecordFields) && k == RecordFields[len(keys)] {
					keys = append(keys, k)
				}
			}
			if diff := cmp.Diff(RecordFields, keys); diff != "" {
				t.Errorf("field order mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	recs := hostile()
	buf := encodeAll(t, "csv", recs)
	rows, err := csv.NewReader(buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(RecordFields, rows[0]); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	if len(rows) != len(recs)+1 {
		t.Fatalf("got %d rows, want %d", len(rows), len(recs)+1)
	}
	f := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	n := func(s string) int {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	n64 := func(s string) int64 {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i, row := range rows[1:] {
		bytesN := n64(row[10])
		got := jsonRecord{
			Strategy: row[0], Seq: n(row[1]), ID: n(row[2]), URL: row[3],
			StartMS: f(row[4]), QueueMS: f(row[5]), LatencyMS: f(row[6]), TTFBMS: f(row[7]), TotalMS: f(row[8]),
			Status: n(row[9]), Bytes: bytesN, Error: row[11], ErrorClass: row[12], Attempts: n(row[13]), Name: row[14],
			Note: row[15], IntendedMS: f(row[16]), ResponseMS: f(row[17]), Late: row[18] == "true",
			Params: row[19], StartUnix: n64(row[20]), Kind: row[21], Depth: n(row[22]), Worker: row[24],
			Phase: row[25], Proto: row[26], ConnReused: row[27] == "true", Proxy: row[28], Limit: n(row[29]),
		}
		if row[23] != "" {
			p := n(row[23])
			got.Parent = &p
		}
		want := expect(recs[i])
		// Server strings that a spreadsheet would run as a formula get a leading '.
		for _, p := range []*string{&want.Strategy, &want.URL, &want.Error, &want.ErrorClass, &want.Name, &want.Note, &want.Params, &want.Kind, &want.Worker, &want.Proto, &want.Proxy} {
			if *p != "" && *p != "-" && strings.ContainsRune("=+-@\t\r'", rune((*p)[0])) {
				*p = "'" + *p
			}
		}
		// encoding/csv reads \r\n inside a quoted field as \n.
		want.Name = strings.ReplaceAll(want.Name, "\r\n", "\n")
		want.Error = strings.ReplaceAll(want.Error, "\r\n", "\n")
		want.ErrorClass = strings.ReplaceAll(want.ErrorClass, "\r\n", "\n")
		want.URL = strings.ReplaceAll(want.URL, "\r\n", "\n")
		want.Note = strings.ReplaceAll(want.Note, "\r\n", "\n")
		want.Params = strings.ReplaceAll(want.Params, "\r\n", "\n")
		want.Kind = strings.ReplaceAll(want.Kind, "\r\n", "\n")
		want.Worker = strings.ReplaceAll(want.Worker, "\r\n", "\n")
		want.Proto = strings.ReplaceAll(want.Proto, "\r\n", "\n")
		want.Proxy = strings.ReplaceAll(want.Proxy, "\r\n", "\n")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("row %d mismatch (-want +got):\n%s", i, diff)
		}
	}
}

// TestCSVForTerminal checks that CSV for a terminal carries no raw control, C1 or bidi
// character: server strings are escaped as in the table.
func TestCSVForTerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	rw, err := NewRecordWriter(&buf, "csv", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range hostile() {
		if err := rw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if i := strings.IndexFunc(out, func(r rune) bool { return r != '\n' && (r < 0x20 || r == 0x7f || unsafeRune(r)) }); i >= 0 {
		t.Errorf("raw control character %q in %q", out[i], out[max(0, i-20):min(len(out), i+20)])
	}
	if want := `\x1b[2J\x1b]0;pwned\x07\x07\u009b31m\u202eevil\x00`; !strings.Contains(out, want) {
		t.Errorf("output lacks the escaped form %s:\n%s", want, out)
	}
}

func TestRecordsGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"ndjson", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			rw, err := NewRecordWriter(&buf, format, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, file := range recordedRecordFiles {
				for _, r := range recordedRecords(t, file) {
					if err := rw.Write(r); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := rw.Flush(); err != nil {
				t.Fatal(err)
			}
			golden(t, "records."+format+".golden", buf.Bytes())
		})
	}
}

func TestAppendMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0"},
		{499 * time.Nanosecond, "0"},
		{500 * time.Nanosecond, "0.001"},
		{5 * time.Microsecond, "0.005"},
		{1500 * time.Microsecond, "1.5"},
		{100 * time.Millisecond, "100"},
		{102345678 * time.Nanosecond, "102.346"},
		{time.Hour, "3600000"},
		{-1500 * time.Microsecond, "-1.5"},
		{-400 * time.Nanosecond, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := string(appendMS(nil, tt.d)); got != tt.want {
				t.Errorf("appendMS(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"plain", `"plain"`},
		{"\x1b[2J", `"\u001b[2J"`},
		{`"\`, `"\"\\"`},
		{"\n\r\t\x00\x7f", `"\n\r\t\u0000\u007f"`},
		{"\u0085\u2028\u2029", `"\u0085\u2028\u2029"`},
		{"a\xffb", `"a\ufffdb"`},
		{"é✓🚀", `"é✓🚀"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			got := string(appendJSONString(nil, tt.in))
			if got != tt.want {
				t.Errorf("appendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
			}
			var back string
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Fatal(err)
			}
			if want := string([]rune(tt.in)); back != want {
				t.Errorf("round trip = %q, want %q", back, want)
			}
		})
	}
}

func TestNewRecordWriterUnknown(t *testing.T) {
	t.Parallel()
	if _, err := NewRecordWriter(io.Discard, "xml", false); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("NewRecordWriter(xml) error = %v, want ErrUnknownFormat", err)
	}
}

func TestRecordWriterErrors(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"ndjson", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			rw, err := NewRecordWriter(failWriter{}, format, false)
			if err != nil {
				t.Fatal(err)
			}
			var werr error
			for i := 0; i < 10000 && werr == nil; i++ {
				werr = rw.Write(fetcher.Record{Seq: i, Name: strings.Repeat("x", 100)})
			}
			if ferr := rw.Flush(); !errors.Is(ferr, os.ErrClosed) {
				t.Errorf("Flush = %v, want os.ErrClosed", ferr)
			}
			if werr != nil && !errors.Is(werr, os.ErrClosed) {
				t.Errorf("Write = %v, want os.ErrClosed", werr)
			}
		})
	}
}

func TestFormatFromPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"out.csv", "csv"},
		{"/tmp/OUT.CSV", "csv"},
		{"out.ndjson", "ndjson"},
		{"out.json", "ndjson"},
		{"csv", "ndjson"},
		{"-", "ndjson"},
		{"", "ndjson"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			if got := FormatFromPath(tt.path); got != tt.want {
				t.Errorf("FormatFromPath(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestReorderer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		in          []int
		wantAdd     []int // emitted by Add
		wantPending int
		wantFlush   []int // emitted by Add then Flush
	}{
		{name: "in order", in: []int{0, 1, 2}, wantAdd: []int{0, 1, 2}, wantFlush: []int{0, 1, 2}},
		{name: "reversed", in: []int{3, 2, 1, 0}, wantAdd: []int{0, 1, 2, 3}, wantFlush: []int{0, 1, 2, 3}},
		{name: "shuffled", in: []int{2, 0, 4, 1, 3, 5}, wantAdd: []int{0, 1, 2, 3, 4, 5}, wantFlush: []int{0, 1, 2, 3, 4, 5}},
		{name: "gap", in: []int{1, 3, 4, 0}, wantAdd: []int{0, 1}, wantPending: 2, wantFlush: []int{0, 1, 3, 4}},
		{name: "missing first", in: []int{2, 1}, wantAdd: nil, wantPending: 2, wantFlush: []int{1, 2}},
		{name: "duplicate and negative pass through", in: []int{0, 0, -1, 1}, wantAdd: []int{0, 0, -1, 1}, wantFlush: []int{0, 0, -1, 1}},
		{name: "empty", in: nil, wantAdd: nil, wantFlush: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []int
			o := NewReorderer(func(r fetcher.Record) error {
				got = append(got, r.Seq)
				return nil
			})
			for _, seq := range tt.in {
				if err := o.Add(fetcher.Record{Seq: seq}); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.wantAdd, got); diff != "" {
				t.Errorf("emitted by Add (-want +got):\n%s", diff)
			}
			if o.Pending() != tt.wantPending {
				t.Errorf("Pending = %d, want %d", o.Pending(), tt.wantPending)
			}
			if err := o.Flush(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantFlush, got); diff != "" {
				t.Errorf("emitted by Add and Flush (-want +got):\n%s", diff)
			}
			if o.Pending() != 0 {
				t.Errorf("Pending after Flush = %d, want 0", o.Pending())
			}
		})
	}
}

func TestReordererError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	var got []int
	o := NewReorderer(func(r fetcher.Record) error {
		if r.Seq == 1 {
			return boom
		}
		got = append(got, r.Seq)
		return nil
	})
	for _, seq := range []int{2, 1, 3} {
		_ = o.Add(fetcher.Record{Seq: seq})
	}
	if err := o.Add(fetcher.Record{Seq: 0}); !errors.Is(err, boom) {
		t.Errorf("Add = %v, want boom", err)
	}
	if o.Pending() != 2 {
		t.Errorf("Pending = %d, want 2", o.Pending())
	}
	if err := o.Flush(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{0, 2, 3}, got); diff != "" {
		t.Errorf("emitted (-want +got):\n%s", diff)
	}
}

// TestReordererWithWriter feeds a record writer in input order, as the CLI's --order input does.
func TestReordererWithWriter(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	rw, err := NewRecordWriter(&buf, "ndjson", false)
	if err != nil {
		t.Fatal(err)
	}
	o := NewReorderer(rw.Write)
	for _, r := range fixture()[1].records {
		if err := o.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	var seqs []int
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var r jsonRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, r.Seq)
	}
	if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 5}, seqs); diff != "" {
		t.Errorf("seqs (-want +got):\n%s", diff)
	}
}

func ExampleNewRecordWriter() {
	rw, err := NewRecordWriter(os.Stdout, "ndjson", false)
	if err != nil {
		panic(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	_ = rw.Write(fetcher.Record{
		Params: "c=10", StartAt: t0.Add(120 * time.Microsecond), Kind: fetcher.KindTarget,
		Strategy: fetcher.Semaphore, Seq: 0, ID: 1, URL: "https://swapi.dev/api/people/1/",
		Start: 120 * time.Microsecond, Queue: 0, Latency: 102345 * time.Microsecond, TTFB: 98500 * time.Microsecond,
		Total: 102345 * time.Microsecond, Status: 200, Bytes: 637, Attempts: 1, Name: "Luke Skywalker",
		Intended: 120 * time.Microsecond, Response: 102345 * time.Microsecond, Proto: "HTTP/2.0",
	})
	_ = rw.Write(fetcher.Record{
		Params: "c=10", StartAt: t0.Add(140 * time.Microsecond), Kind: fetcher.KindLink, Depth: 1, Parent: 0,
		Strategy: fetcher.Semaphore, Seq: 1, ID: 17, URL: "https://swapi.dev/api/people/17/",
		Start: 140 * time.Microsecond, Latency: 40 * time.Millisecond, TTFB: 39 * time.Millisecond, Total: 40 * time.Millisecond,
		Status: 404, Bytes: 23, Err: "http 404 Not Found", Class: fetcher.ClassHTTP4xx, Attempts: 1, Name: "\x1b[2J",
		Intended: 140 * time.Microsecond, Response: 40 * time.Millisecond, Proto: "HTTP/2.0", ConnReused: true,
	})
	if err := rw.Flush(); err != nil {
		panic(err)
	}
	fmt.Println(FormatFromPath("records.csv"), FormatFromPath("-"))
	// Output:
	// {"strategy":"semaphore","seq":0,"id":1,"url":"https://swapi.dev/api/people/1/","start_ms":0.12,"queue_ms":0,"latency_ms":102.345,"ttfb_ms":98.5,"total_ms":102.345,"status":200,"bytes":637,"error":"","error_class":"","attempts":1,"name":"Luke Skywalker","note":"","intended_ms":0.12,"response_ms":102.345,"late":false,"params":"c=10","start_unix_ns":1700000000000120000,"kind":"target","depth":0,"parent":null,"worker":"","phase":"","proto":"HTTP/2.0","conn_reused":false,"proxy":"","limit":0}
	// {"strategy":"semaphore","seq":1,"id":17,"url":"https://swapi.dev/api/people/17/","start_ms":0.14,"queue_ms":0,"latency_ms":40,"ttfb_ms":39,"total_ms":40,"status":404,"bytes":23,"error":"http 404 Not Found","error_class":"http 4xx","attempts":1,"name":"\u001b[2J","note":"","intended_ms":0.14,"response_ms":40,"late":false,"params":"c=10","start_unix_ns":1700000000000140000,"kind":"link","depth":1,"parent":0,"worker":"","phase":"","proto":"HTTP/2.0","conn_reused":true,"proxy":"","limit":0}
	// csv ndjson
}

func BenchmarkNDJSONWrite(b *testing.B) {
	rw, err := NewRecordWriter(io.Discard, "ndjson", false)
	if err != nil {
		b.Fatal(err)
	}
	r := fetcher.Record{
		Strategy: fetcher.Semaphore, ID: 1, URL: "https://swapi.dev/api/people/1/",
		Start: 1234567 * time.Nanosecond, Queue: 55 * time.Microsecond, Latency: 102345678 * time.Nanosecond,
		TTFB: 98765432 * time.Nanosecond, Total: 102345678 * time.Nanosecond, Status: 200, Bytes: 637, Attempts: 1,
		Name: "Luke Skywalker",
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Seq = i
		if err := rw.Write(r); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := rw.Flush(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkCSVWrite(b *testing.B) {
	rw, err := NewRecordWriter(io.Discard, "csv", false)
	if err != nil {
		b.Fatal(err)
	}
	r := fetcher.Record{
		Strategy: fetcher.Semaphore, ID: 1, URL: "https://swapi.dev/api/people/1/",
		Latency: 102345678 * time.Nanosecond, Total: 102345678 * time.Nanosecond, Status: 200, Bytes: 637, Attempts: 1,
		Name: "Luke Skywalker",
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rw.Write(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		b.Fatal(err)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "\"\\\n\xff", "\u0085\u2028🚀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, enc, err)
		}
		if want := string([]rune(s)); got != want {
			t.Fatalf("%q round-trips to %q, want %q", s, got, want)
		}
	})
}
