package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// MaxRecordLine is the longest record a RecordReader accepts, in bytes: an NDJSON line, a
// CSV record (its header included), the line end aside.
const MaxRecordLine = 1 << 20

// RecordError is a record line that does not parse: Line is its 1-based line number (a CSV
// record that spans lines is named by its first; the header is line 1).
type RecordError struct {
	Line int
	Err  error
}

func (e *RecordError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, message(e.Err)) }

func (e *RecordError) Unwrap() error { return e.Err }

// RecordReader reads back the records a RecordWriter wrote (not for a terminal), one at a
// time, streaming: it holds one line (one CSV record) at a time. The format comes from the
// content: NDJSON when the first thing in it is a '{', else CSV, which starts with its header
// row (RecordFields, or some of them in any order).
// It is strict: a line that is not a record, a field it does not know, a value of the wrong
// type or out of range (an unknown strategy, error class or kind; a parent at depth 0 or none
// deeper; a seq beyond MaxSeq, a negative wait or latency, a time beyond MaxSpan, a start after
// 2200) is a *RecordError, as is a record longer than MaxRecordLine, read no further. Error
// messages quote at most about 100 bytes of a value, escaped for a terminal. A field the input
// lacks (records written before it existed) is zero; only strategy is required. Empty NDJSON
// lines are skipped.
//
// Read gives a record as the writer had it, up to what the format keeps: durations to the
// microsecond, invalid UTF-8 as U+FFFD, an empty Kind as KindTarget, Parent 0 at depth 0,
// StartAt in UTC (the zero time when start_unix_ns is 0).
// A RecordReader is not safe for concurrent use; it does not close r.
type RecordReader struct {
	lim    *lineLimit
	br     *bufio.Reader
	format string // "ndjson" or "csv", "" until the first Read
	line   int    // NDJSON: lines read
	buf    []byte // NDJSON: the current line, when longer than the bufio buffer
	src    bytes.Reader

	csv  *csv.Reader
	cols []int // CSV: the RecordFields index of each column
	err  error // sticky
	last int   // the line of the last record read
}

// NewRecordReader returns a RecordReader of r.
func NewRecordReader(r io.Reader) *RecordReader {
	lim := &lineLimit{r: r, line: 1}
	return &RecordReader{lim: lim, br: bufio.NewReaderSize(lim, 64<<10)}
}

// lineLimit reads r, counting lines, and fails with a *RecordError naming the line where more
// than budget bytes are asked for (0: no budget): RecordReader sets it to what the CSV record
// being read may still take, so that encoding/csv, which has no limit, holds no more.
type lineLimit struct {
	r      io.Reader
	line   int   // the line of the next byte, from 1
	passed int64 // bytes read
	budget int64 // bytes passed may reach; 0 none
	err    error // sticky
}

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.budget > 0 {
		if l.passed >= l.budget {
			l.err = &RecordError{Line: l.line, Err: errTooLong}
			return 0, l.err
		}
		p = p[:min(int64(len(p)), l.budget-l.passed)]
	}
	n, err := l.r.Read(p)
	l.passed += int64(n)
	l.line += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

// errTooLong is the error of a record longer than MaxRecordLine.
var errTooLong = fmt.Errorf("longer than %d bytes", MaxRecordLine)

// Format is the format of the input, "ndjson" or "csv", known after the first Read ("" before).
func (rr *RecordReader) Format() string { return rr.format }

// Line is the line number of the last record Read returned (its first line, for a CSV
// record that spans lines); 0 before the first.
func (rr *RecordReader) Line() int { return rr.last }

// Read returns the next record, io.EOF after the last one, a *RecordError for a malformed
// line, or the underlying reader's error. After an error it returns that error again.
func (rr *RecordReader) Read() (fetcher.Record, error) {
	if rr.err != nil {
		return fetcher.Record{}, rr.err
	}
	if rr.format == "" {
		if rr.err = rr.detect(); rr.err != nil {
			return fetcher.Record{}, rr.err
		}
	}
	var r fetcher.Record
	if rr.csv != nil {
		r, rr.err = rr.readCSV()
	} else {
		r, rr.err = rr.readNDJSON()
	}
	return r, rr.err
}

// detect reads the start of the input to choose the format, and a CSV header.
func (rr *RecordReader) detect() error {
	head, err := rr.br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("read records: %w", err)
	}
	if i := bytes.IndexFunc(head, func(r rune) bool { return !unicode.IsSpace(r) }); i < 0 && len(head) < 512 {
		rr.format = "ndjson" // blank: no records
		return nil
	} else if i >= 0 && head[i] == '{' {
		rr.format = "ndjson"
		return nil
	}
	rr.format = "csv"
	rr.csv = csv.NewReader(rr.br)
	rr.csv.ReuseRecord = true
	rr.lim.budget = MaxRecordLine + 2
	header, err := rr.csv.Read()
	if err != nil {
		return rr.csvError(err)
	}
	rr.lim.budget = rr.csv.InputOffset() + MaxRecordLine + 2
	seen := make([]bool, len(RecordFields))
	for _, name := range header {
		i := slices.Index(RecordFields, name)
		switch {
		case i < 0 && len(rr.cols) == 0:
			return &RecordError{Line: 1, Err: fmt.Errorf("neither a JSON record nor a records CSV header (unknown column %s)", quote(name))}
		case i < 0:
			return &RecordError{Line: 1, Err: fmt.Errorf("unknown column %s", quote(name))}
		case seen[i]:
			return &RecordError{Line: 1, Err: fmt.Errorf("column %s twice", quote(name))}
		}
		seen[i] = true
		rr.cols = append(rr.cols, i)
	}
	return nil
}

// csvError turns an encoding/csv error into a *RecordError, or a read error.
func (rr *RecordReader) csvError(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	var re *RecordError
	if errors.As(err, &re) {
		return re
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RecordError{Line: pe.StartLine, Err: pe.Err}
	}
	return fmt.Errorf("read records: %w", err)
}

func (rr *RecordReader) readCSV() (fetcher.Record, error) {
	row, err := rr.csv.Read()
	if err != nil {
		return fetcher.Record{}, rr.csvError(err)
	}
	rr.lim.budget = rr.csv.InputOffset() + MaxRecordLine + 2
	line, _ := rr.csv.FieldPos(0)
	rr.last = line
	var f fields
	for c, cell := range row {
		i := rr.cols[c]
		if err := f.setCell(i, cell); err != nil {
			return fetcher.Record{}, &RecordError{Line: line, Err: fmt.Errorf("%s: %w", RecordFields[i], err)}
		}
	}
	r, err := f.record()
	if err != nil {
		return fetcher.Record{}, &RecordError{Line: line, Err: err}
	}
	return r, nil
}

// nextLine returns the next line without its end, valid until the next call.
func (rr *RecordReader) nextLine() ([]byte, error) {
	rr.line++
	rr.buf = rr.buf[:0]
	for {
		chunk, err := rr.br.ReadSlice('\n')
		if len(rr.buf)+len(chunk) > MaxRecordLine+2 {
			return nil, &RecordError{Line: rr.line, Err: errTooLong}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			rr.buf = append(rr.buf, chunk...)
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return nil, fmt.Errorf("read records: %w", err)
		case err != nil && len(chunk) == 0 && len(rr.buf) == 0:
			return nil, io.EOF
		}
		line := chunk
		if len(rr.buf) > 0 {
			rr.buf = append(rr.buf, chunk...)
			line = rr.buf
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		return bytes.TrimSuffix(line, []byte("\r")), nil
	}
}

func (rr *RecordReader) readNDJSON() (fetcher.Record, error) {
	for {
		line, err := rr.nextLine()
		if err != nil {
			return fetcher.Record{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rr.last = rr.line
		var j jsonFields
		rr.src.Reset(line)
		dec := json.NewDecoder(&rr.src)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			return fetcher.Record{}, &RecordError{Line: rr.line, Err: jsonError(err)}
		}
		if len(bytes.TrimSpace(line[dec.InputOffset():])) > 0 {
			return fetcher.Record{}, &RecordError{Line: rr.line, Err: errors.New("more after the JSON record")}
		}
		f, err := j.fields()
		if err == nil {
			var r fetcher.Record
			if r, err = f.record(); err == nil {
				return r, nil
			}
		}
		return fetcher.Record{}, &RecordError{Line: rr.line, Err: err}
	}
}

// maxQuoted is about how many bytes of a value an error message quotes.
const maxQuoted = 100

// quote is s quoted for an error message: at most maxQuoted bytes of it (cut on a character
// boundary, then "…"), with control characters escaped (strconv.Quote).
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(strings.TrimSuffix(cutN(s, maxQuoted), "…")) + "…"
}

// snippet is text for an error message: at most maxQuoted bytes of s, safe on a terminal
// (textsafe.Sanitize).
func snippet(s string) string { return textsafe.Sanitize(cutN(s, maxQuoted)) }

// message is err's text for a record's error: at most maxMessage bytes, safe on a terminal,
// whatever the record held.
func message(err error) string { return textsafe.Sanitize(cutN(err.Error(), maxMessage)) }

// maxMessage is the most bytes of a record's error message.
const maxMessage = 3 * maxQuoted

// cutN is s when it is at most n bytes long, else its first n bytes less a character cut in
// two, and "…".
func cutN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// jsonError shortens encoding/json's messages: "seq: want a number, got string".
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: want %s, got %s", snippet(te.Field), jsonKind(te.Type.Kind().String()), snippet(te.Value))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not a JSON record: %v", se)
	}
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		return errors.New("unknown field " + snippet(strings.TrimPrefix(err.Error(), "json: unknown field ")))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("not a JSON record: unexpected end")
	}
	return err
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64":
		return "an integer"
	case "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	}
	return k
}

// jsonFields is one NDJSON record as encoding/json decodes it.
type jsonFields struct {
	Strategy   *string  `json:"strategy"`
	Seq        int      `json:"seq"`
	ID         int      `json:"id"`
	URL        string   `json:"url"`
	StartMS    *float64 `json:"start_ms"`
	QueueMS    *float64 `json:"queue_ms"`
	LatencyMS  *float64 `json:"latency_ms"`
	TTFBMS     *float64 `json:"ttfb_ms"`
	TotalMS    *float64 `json:"total_ms"`
	Status     int      `json:"status"`
	Bytes      int64    `json:"bytes"`
	Error      string   `json:"error"`
	ErrorClass string   `json:"error_class"`
	Attempts   int      `json:"attempts"`
	Name       string   `json:"name"`
	Note       string   `json:"note"`
	IntendedMS *float64 `json:"intended_ms"`
	ResponseMS *float64 `json:"response_ms"`
	Late       bool     `json:"late"`
	Params     string   `json:"params"`
	StartUnix  int64    `json:"start_unix_ns"`
	Kind       string   `json:"kind"`
	Depth      int      `json:"depth"`
	Parent     *int     `json:"parent"`
	Worker     string   `json:"worker"`
	Phase      string   `json:"phase"`
	Proto      string   `json:"proto"`
	ConnReused bool     `json:"conn_reused"`
	Proxy      string   `json:"proxy"`
	Limit      int      `json:"limit"`
}

func (j *jsonFields) fields() (fields, error) {
	f := fields{
		seq: j.Seq, id: j.ID, url: j.URL, status: j.Status, bytes: j.Bytes, err: j.Error,
		class: j.ErrorClass, attempts: j.Attempts, name: j.Name, note: j.Note, late: j.Late,
		params: j.Params, startUnix: j.StartUnix, kind: j.Kind, depth: j.Depth, parent: j.Parent,
		worker: j.Worker, phase: j.Phase, proto: j.Proto, reused: j.ConnReused, proxy: j.Proxy, limit: j.Limit,
	}
	if j.Strategy != nil {
		f.strategy, f.hasStrategy = *j.Strategy, true
	}
	for _, d := range []struct {
		name string
		ms   *float64
		to   *time.Duration
	}{
		{"start_ms", j.StartMS, &f.start}, {"queue_ms", j.QueueMS, &f.queue},
		{"latency_ms", j.LatencyMS, &f.latency}, {"ttfb_ms", j.TTFBMS, &f.ttfb},
		{"total_ms", j.TotalMS, &f.total}, {"intended_ms", j.IntendedMS, &f.intended},
		{"response_ms", j.ResponseMS, &f.response},
	} {
		if d.ms == nil {
			continue
		}
		v, err := fromMS(*d.ms)
		if err != nil {
			return fields{}, fmt.Errorf("%s: %w", d.name, err)
		}
		*d.to = v
	}
	return f, nil
}

// fields are one record's values as read, before they are checked.
type fields struct {
	strategy                                  string
	hasStrategy                               bool
	seq, id, status, attempts, depth, limit   int
	parent                                    *int
	bytes, startUnix                          int64
	url, err, class, name, note, params, kind string
	worker, phase, proto, proxy               string
	start, queue, latency, ttfb, total        time.Duration
	intended, response                        time.Duration
	late, reused                              bool
}

// The ranges of a record's values: what a run can have made.
const (
	// MaxSeq is the largest seq (and parent) a record may hold either way from 0.
	MaxSeq = 1 << 40
	// MaxSpan is the largest duration a record may hold, and the largest offset from its run's
	// start, either way.
	MaxSpan = 10 * 366 * 24 * time.Hour
	// maxBytes is the most body bytes a record may claim (a pebibyte).
	maxBytes = 1 << 50
	// maxStartUnix is the latest start_unix_ns: 2200-01-01 UTC.
	maxStartUnix = 7258118400 * int64(time.Second)
)

// maxMS is the largest duration in milliseconds a record may hold.
const maxMS = float64(math.MaxInt64/int64(time.Millisecond)) - 1

// fromMS converts milliseconds, to the microsecond, to a duration.
func fromMS(ms float64) (time.Duration, error) {
	if math.IsNaN(ms) || math.Abs(ms) > maxMS {
		return 0, fmt.Errorf("%v ms is out of range", ms)
	}
	return time.Duration(math.Round(ms*1e3)) * time.Microsecond, nil
}

// setCell sets field i of RecordFields from its CSV cell.
func (f *fields) setCell(i int, cell string) error {
	var err error
	integer := func(to *int) {
		var v int64
		v, err = strconv.ParseInt(cell, 10, 0)
		*to = int(v)
	}
	duration := func(to *time.Duration) {
		var v float64
		if v, err = strconv.ParseFloat(cell, 64); err == nil {
			*to, err = fromMS(v)
		}
	}
	text := func(to *string) { *to = strings.TrimPrefix(cell, "'") }
	switch RecordFields[i] {
	case "strategy":
		text(&f.strategy)
		f.hasStrategy = true
	case "seq":
		integer(&f.seq)
	case "id":
		integer(&f.id)
	case "url":
		text(&f.url)
	case "start_ms":
		duration(&f.start)
	case "queue_ms":
		duration(&f.queue)
	case "latency_ms":
		duration(&f.latency)
	case "ttfb_ms":
		duration(&f.ttfb)
	case "total_ms":
		duration(&f.total)
	case "status":
		integer(&f.status)
	case "bytes":
		f.bytes, err = strconv.ParseInt(cell, 10, 64)
	case "error":
		text(&f.err)
	case "error_class":
		text(&f.class)
	case "attempts":
		integer(&f.attempts)
	case "name":
		text(&f.name)
	case "note":
		text(&f.note)
	case "intended_ms":
		duration(&f.intended)
	case "response_ms":
		duration(&f.response)
	case "late":
		f.late, err = boolCell(cell)
	case "conn_reused":
		f.reused, err = boolCell(cell)
	case "proto":
		text(&f.proto)
	case "proxy":
		text(&f.proxy)
	case "params":
		text(&f.params)
	case "start_unix_ns":
		f.startUnix, err = strconv.ParseInt(cell, 10, 64)
	case "kind":
		text(&f.kind)
	case "depth":
		integer(&f.depth)
	case "parent":
		if cell != "" {
			f.parent = new(int)
			integer(f.parent)
		}
	case "worker":
		text(&f.worker)
	case "phase":
		text(&f.phase)
	case "limit":
		integer(&f.limit)
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return fmt.Errorf("%s is not a valid number", quote(cell))
	}
	return err
}

// boolCell parses a CSV cell "true" or "false".
func boolCell(cell string) (bool, error) {
	switch cell {
	case "true", "false":
		return cell == "true", nil
	}
	return false, fmt.Errorf("want true or false, got %s", quote(cell))
}

// record checks f and returns its record.
func (f *fields) record() (fetcher.Record, error) {
	strategy := fetcher.Strategy(f.strategy)
	kind := fetcher.Kind(f.kind)
	class := fetcher.ErrorClass(f.class)
	switch {
	case !f.hasStrategy:
		return fetcher.Record{}, errors.New("no strategy")
	case !strategy.Valid():
		return fetcher.Record{}, fmt.Errorf("strategy: unknown strategy %s", quote(f.strategy))
	case class != fetcher.ClassNone && !slices.Contains(fetcher.ErrorClasses, class):
		return fetcher.Record{}, fmt.Errorf("error_class: unknown class %s", quote(f.class))
	case kind != "" && kind != fetcher.KindTarget && kind != fetcher.KindPage && kind != fetcher.KindLink && kind != fetcher.KindRobots:
		return fetcher.Record{}, fmt.Errorf("kind: want target, page, link or robots, got %s", quote(f.kind))
	case f.phase != "" && f.phase != fetcher.PhaseDiscovery:
		return fetcher.Record{}, fmt.Errorf("phase: want \"\" or %s, got %s", fetcher.PhaseDiscovery, quote(f.phase))
	case f.depth < 0:
		return fetcher.Record{}, fmt.Errorf("depth: %d is negative", f.depth)
	case f.depth == 0 && f.parent != nil:
		return fetcher.Record{}, errors.New("parent: set at depth 0")
	case f.depth > 0 && f.parent == nil:
		return fetcher.Record{}, fmt.Errorf("parent: missing at depth %d", f.depth)
	case f.attempts < 0:
		return fetcher.Record{}, fmt.Errorf("attempts: %d is negative", f.attempts)
	case f.limit < 0:
		return fetcher.Record{}, fmt.Errorf("limit: %d is negative", f.limit)
	case f.seq < -MaxSeq || f.seq > MaxSeq:
		return fetcher.Record{}, fmt.Errorf("seq: %d is out of range (at most %d either way)", f.seq, MaxSeq)
	case f.parent != nil && (*f.parent < -MaxSeq || *f.parent > MaxSeq):
		return fetcher.Record{}, fmt.Errorf("parent: %d is out of range (at most %d either way)", *f.parent, MaxSeq)
	case f.bytes < 0 || f.bytes > maxBytes:
		return fetcher.Record{}, fmt.Errorf("bytes: %d is out of range (0 to %d)", f.bytes, maxBytes)
	case f.startUnix < 0 || f.startUnix > maxStartUnix:
		return fetcher.Record{}, fmt.Errorf("start_unix_ns: %d is out of range (0 for none, else before %d)", f.startUnix, time.Unix(0, maxStartUnix).UTC().Year())
	}
	for _, d := range []struct {
		name     string
		v        time.Duration
		negative bool // allowed
	}{
		{"start_ms", f.start, true}, {"intended_ms", f.intended, true}, {"queue_ms", f.queue, false},
		{"latency_ms", f.latency, false}, {"ttfb_ms", f.ttfb, false}, {"total_ms", f.total, false},
		{"response_ms", f.response, false},
	} {
		switch {
		case d.v < 0 && !d.negative:
			return fetcher.Record{}, fmt.Errorf("%s: %s is negative", d.name, appendMS(nil, d.v))
		case d.v < -MaxSpan || d.v > MaxSpan:
			return fetcher.Record{}, fmt.Errorf("%s: %s is out of range (at most %.0f days)", d.name, appendMS(nil, d.v), MaxSpan.Hours()/24)
		}
	}
	if kind == "" {
		kind = fetcher.KindTarget
	}
	r := fetcher.Record{
		Strategy: strategy, Params: f.params, Seq: f.seq, ID: f.id, URL: f.url,
		Kind: kind, Depth: f.depth, Worker: f.worker, Phase: f.phase, Limit: f.limit,
		Start: f.start, Intended: f.intended, Queue: f.queue, Latency: f.latency, TTFB: f.ttfb,
		Total: f.total, Response: f.response, Late: f.late, Status: f.status, Bytes: f.bytes,
		Err: f.err, Class: class, Attempts: f.attempts, Name: f.name, Note: f.note,
		Proto: f.proto, ConnReused: f.reused, Proxy: f.proxy,
	}
	if f.parent != nil {
		r.Parent = *f.parent
	}
	if f.startUnix != 0 {
		r.StartAt = time.Unix(0, f.startUnix).UTC()
	}
	return r, nil
}
