package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// RecordFields are the record field names, in the order both record formats write them.
// Durations are milliseconds with up to three decimals; start_ms and intended_ms are offsets
// from the strategy's start (intended_ms is the slot in the rate schedule, equal to start_ms
// when the run is not paced); response_ms is end − intended start; late is true when the
// start came more than 1 ms after the slot; error, error_class, name and note are "" when absent; status is 0 when no
// response was received. Then: params is the run's parameter string (fetcher.Strategy.Params:
// "-", "c=10", "r=10/s b=1 c=5"); start_unix_ns the wall-clock moment of start_ms in
// nanoseconds since the Unix epoch (0 when unknown); kind "target", "page", "link" or "robots" ("" reads
// as target); depth the hops from a target; parent the seq of the request that led to this one
// (NDJSON null, CSV empty, when depth is 0); worker the process that made the request ("" for
// a local run); phase "" for a strategy's run, "discovery" for the list pages a comparison
// read before its runs; proto the protocol of the final attempt's response ("HTTP/1.1",
// "HTTP/2.0", "" without one); conn_reused whether that attempt went on a connection used
// before; proxy the proxy it went through, password masked ("" for none); limit the adaptive
// concurrency limit when the request was admitted (0 for a strategy whose limit does not adapt).
var RecordFields = []string{
	"strategy", "seq", "id", "url", "start_ms", "queue_ms", "latency_ms", "ttfb_ms",
	"total_ms", "status", "bytes", "error", "error_class", "attempts", "name", "note",
	"intended_ms", "response_ms", "late",
	"params", "start_unix_ns", "kind", "depth", "parent", "worker", "phase",
	"proto", "conn_reused", "proxy", "limit",
}

// RecordWriter encodes records one per line. Writes are buffered: call Flush when done.
// A RecordWriter is not safe for concurrent use, and it does not close the underlying writer.
type RecordWriter interface {
	// Write encodes one record. After an error every later call fails too.
	Write(r fetcher.Record) error
	// Flush writes any buffered data to the underlying writer.
	Flush() error
}

// FormatFromPath is the record format a file name implies: "csv" for a .csv extension (any
// case), "ndjson" for anything else, including "-".
func FormatFromPath(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return "csv"
	}
	return "ndjson"
}

// NewRecordWriter returns a RecordWriter for format "ndjson" (one JSON object per line, fields
// in RecordFields order) or "csv" (a RecordFields header row, then one row per record).
// NDJSON strings keep their content, with control, C1, line-separator and bidi characters
// escaped as \uXXXX; CSV cells are server strings as csvCell makes them for a terminal or
// not; invalid UTF-8 becomes U+FFFD in both.
func NewRecordWriter(w io.Writer, format string, terminal bool) (RecordWriter, error) {
	switch format {
	case "ndjson":
		return &ndjsonWriter{w: bufio.NewWriterSize(w, 64<<10)}, nil
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(RecordFields)
		return &csvWriter{w: cw, row: make([]string, len(RecordFields)), terminal: terminal}, nil
	}
	return nil, fmt.Errorf("%w %q (want ndjson or csv)", ErrUnknownFormat, format)
}

// ndjsonWriter encodes each record by hand into a reused line buffer.
type ndjsonWriter struct {
	w   *bufio.Writer
	buf []byte
}

func (e *ndjsonWriter) Write(r fetcher.Record) error {
	b := e.buf[:0]
	b = append(b, `{"strategy":`...)
	b = appendJSONString(b, string(r.Strategy))
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, int64(r.Seq), 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, int64(r.ID), 10)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, textsafe.RedactURL(r.URL))
	b = append(b, `,"start_ms":`...)
	b = appendMS(b, r.Start)
	b = append(b, `,"queue_ms":`...)
	b = appendMS(b, r.Queue)
	b = append(b, `,"latency_ms":`...)
	b = appendMS(b, r.Latency)
	b = append(b, `,"ttfb_ms":`...)
	b = appendMS(b, r.TTFB)
	b = append(b, `,"total_ms":`...)
	b = appendMS(b, r.Total)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = append(b, `,"error":`...)
	b = appendJSONString(b, textsafe.Redact(r.Err))
	b = append(b, `,"error_class":`...)
	b = appendJSONString(b, string(r.Class))
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(r.Attempts), 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, r.Name)
	b = append(b, `,"note":`...)
	b = appendJSONString(b, r.Note)
	b = append(b, `,"intended_ms":`...)
	b = appendMS(b, r.Intended)
	b = append(b, `,"response_ms":`...)
	b = appendMS(b, r.Response)
	b = append(b, `,"late":`...)
	b = strconv.AppendBool(b, r.Late)
	b = append(b, `,"params":`...)
	b = appendJSONString(b, r.Params)
	b = append(b, `,"start_unix_ns":`...)
	b = strconv.AppendInt(b, unixNano(r.StartAt), 10)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(kind(r.Kind)))
	b = append(b, `,"depth":`...)
	b = strconv.AppendInt(b, int64(r.Depth), 10)
	b = append(b, `,"parent":`...)
	if r.Depth == 0 {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(r.Parent), 10)
	}
	b = append(b, `,"worker":`...)
	b = appendJSONString(b, r.Worker)
	b = append(b, `,"phase":`...)
	b = appendJSONString(b, r.Phase)
	b = append(b, `,"proto":`...)
	b = appendJSONString(b, r.Proto)
	b = append(b, `,"conn_reused":`...)
	b = strconv.AppendBool(b, r.ConnReused)
	b = append(b, `,"proxy":`...)
	b = appendJSONString(b, r.Proxy)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(r.Limit), 10)
	b = append(b, "}\n"...)
	e.buf = b
	if _, err := e.w.Write(b); err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	return nil
}

func (e *ndjsonWriter) Flush() error {
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("flush records: %w", err)
	}
	return nil
}

// csvWriter encodes records with encoding/csv, reusing one row.
type csvWriter struct {
	w        *csv.Writer
	row      []string
	buf      []byte
	terminal bool
}

func (e *csvWriter) Write(r fetcher.Record) error {
	row := e.row
	row[0] = csvCell(string(r.Strategy), e.terminal)
	row[1] = strconv.Itoa(r.Seq)
	row[2] = strconv.Itoa(r.ID)
	row[3] = csvCell(textsafe.RedactURL(r.URL), e.terminal)
	row[4] = e.ms(r.Start)
	row[5] = e.ms(r.Queue)
	row[6] = e.ms(r.Latency)
	row[7] = e.ms(r.TTFB)
	row[8] = e.ms(r.Total)
	row[9] = strconv.Itoa(r.Status)
	row[10] = strconv.FormatInt(r.Bytes, 10)
	row[11] = csvCell(textsafe.Redact(r.Err), e.terminal)
	row[12] = csvCell(string(r.Class), e.terminal)
	row[13] = strconv.Itoa(r.Attempts)
	row[14] = csvCell(r.Name, e.terminal)
	row[15] = csvCell(r.Note, e.terminal)
	row[16] = e.ms(r.Intended)
	row[17] = e.ms(r.Response)
	row[18] = strconv.FormatBool(r.Late)
	row[19] = csvCell(r.Params, e.terminal)
	row[20] = strconv.FormatInt(unixNano(r.StartAt), 10)
	row[21] = csvCell(string(kind(r.Kind)), e.terminal)
	row[22] = strconv.Itoa(r.Depth)
	row[23] = ""
	if r.Depth != 0 {
		row[23] = strconv.Itoa(r.Parent)
	}
	row[24] = csvCell(r.Worker, e.terminal)
	row[25] = csvCell(r.Phase, e.terminal)
	row[26] = csvCell(r.Proto, e.terminal)
	row[27] = strconv.FormatBool(r.ConnReused)
	row[28] = csvCell(r.Proxy, e.terminal)
	row[29] = strconv.Itoa(r.Limit)
	if err := e.w.Write(row); err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	return nil
}

func (e *csvWriter) ms(d time.Duration) string {
	e.buf = appendMS(e.buf[:0], d)
	return string(e.buf)
}

func (e *csvWriter) Flush() error {
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return fmt.Errorf("flush records: %w", err)
	}
	return nil
}

// kind is k, or KindTarget when k is empty.
func kind(k fetcher.Kind) fetcher.Kind {
	if k == "" {
		return fetcher.KindTarget
	}
	return k
}

// unixNano is t in nanoseconds since the Unix epoch, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// csvCell is a string that came from a server (or a user) as a CSV cell. For a terminal it is
// escaped as the table escapes it (Sanitize). Otherwise it keeps its content, invalid UTF-8
// aside, so a CSV reader gets it back; but a cell starting with = + - @, a tab or a carriage
// return gets a leading ' so that a spreadsheet shows it as text rather than run it as a
// formula (a lone "-" is no formula and stays); so does a cell starting with ' itself, so that a reader drops exactly one leading '
// to get the string back (see ReadRecords).
func csvCell(s string, terminal bool) string {
	if terminal {
		return Sanitize(s)
	}
	s = csvString(s)
	if s != "" && s != "-" && strings.ContainsRune(csvQuoted, rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvQuoted are the first characters that make csvCell prefix a cell with '.
const csvQuoted = "=+-@\t\r'"

// csvString replaces each invalid UTF-8 byte in s with U+FFFD, as the NDJSON encoder does.
func csvString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

// appendMS appends d in milliseconds rounded to the microsecond, without trailing zeros:
// "102.345", "100", "0.005".
func appendMS(b []byte, d time.Duration) []byte {
	us := int64(d.Round(time.Microsecond) / time.Microsecond)
	if us < 0 {
		b = append(b, '-')
		us = -us
	}
	b = strconv.AppendInt(b, us/1000, 10)
	frac := us % 1000
	if frac == 0 {
		return b
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, digits[:n]...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Quotes and backslashes are escaped, control
// characters (C0, DEL, C1), line separators and bidi controls (see unsafeRune) become \uXXXX
// (\n, \r, \t keep their short forms), and invalid UTF-8 becomes \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case unsafeRune(r):
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
