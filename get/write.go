package get

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// Formats lists the document formats of NewWriter.
var Formats = []string{"ndjson", "json", "csv", "table"}

// Writer prints documents in one format. Write takes one clean JSON document (as Run's
// Output.Document gives it); Close ends the output and flushes it.
type Writer interface {
	Write(doc []byte) error
	Close() error
}

// NewWriter returns a Writer of format ("ndjson", "json", "csv" or "table") on w. columns are
// the CSV and table columns; nil means the members of the first document. terminal escapes
// control characters in CSV cells, as the table always does.
func NewWriter(w io.Writer, format string, columns []string, terminal bool) (Writer, error) {
	bw := bufio.NewWriter(w)
	switch format {
	case "ndjson":
		return &ndjsonWriter{w: bw}, nil
	case "json":
		return &arrayWriter{w: bw}, nil
	case "csv":
		return &csvWriter{w: bw, cw: csv.NewWriter(bw), cols: columns, terminal: terminal}, nil
	case "table":
		return &tableWriter{w: bw, cols: columns}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want ndjson, json, csv or table)", format)
}

type ndjsonWriter struct{ w *bufio.Writer }

func (n *ndjsonWriter) Write(doc []byte) error {
	n.w.Write(doc) //nolint:errcheck // bufio keeps the first error for Flush
	n.w.WriteByte('\n')
	// A pipeline reader sees each document as soon as it is fetched.
	return n.w.Flush()
}

func (n *ndjsonWriter) Close() error { return n.w.Flush() }

type arrayWriter struct {
	w *bufio.Writer
	n int
}

func (a *arrayWriter) Write(doc []byte) error {
	sep := ",\n"
	if a.n == 0 {
		sep = "[\n"
	}
	a.n++
	a.w.WriteString(sep) //nolint:errcheck // bufio keeps the first error for Flush
	a.w.Write(doc)       //nolint:errcheck
	return nil
}

func (a *arrayWriter) Close() error {
	if a.n == 0 {
		a.w.WriteString("[]\n") //nolint:errcheck
	} else {
		a.w.WriteString("\n]\n") //nolint:errcheck
	}
	return a.w.Flush()
}

// columnsOf are the member names of a JSON object, in order, or ["value"] for anything else.
// They are copies: they never keep doc.
func columnsOf(doc []byte) []string {
	r := gjson.Parse(view(doc))
	if !r.IsObject() {
		return []string{"value"}
	}
	var cols []string
	r.ForEach(func(k, _ gjson.Result) bool {
		cols = append(cols, strings.Clone(k.String()))
		return true
	})
	return cols
}

// cells are doc's values for cols: strings as they are, null as "", numbers and booleans as
// written, arrays and objects as compact JSON. They may be parts of doc: valid while doc is.
func cells(doc []byte, cols []string) []string {
	r := gjson.Parse(view(doc))
	out := make([]string, len(cols))
	if !r.IsObject() {
		out[0] = cell(r)
		return out
	}
	for i, c := range cols {
		out[i] = cell(r.Get(gjson.Escape(c)))
	}
	return out
}

func cell(v gjson.Result) string {
	switch v.Type {
	case gjson.Null:
		return ""
	case gjson.String:
		return v.String()
	}
	return v.Raw
}

type csvWriter struct {
	w        *bufio.Writer
	cw       *csv.Writer
	cols     []string
	terminal bool
	started  bool
}

func (c *csvWriter) Write(doc []byte) error {
	if !c.started {
		c.started = true
		if c.cols == nil {
			c.cols = columnsOf(doc)
		}
		if err := c.cw.Write(c.safe(c.cols)); err != nil {
			return err
		}
	}
	if err := c.cw.Write(c.safe(cells(doc, c.cols))); err != nil {
		return err
	}
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.w.Flush()
}

// safe is row as displayed: control characters escaped on a terminal, spreadsheet formulas
// defused elsewhere. It returns a new slice: row (the columns, which are also the members'
// lookup keys) is left as it is.
func (c *csvWriter) safe(row []string) []string {
	out := make([]string, len(row))
	for i, s := range row {
		switch {
		case c.terminal:
			out[i] = textsafe.Sanitize(s)
		case s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) && !isNumber(s):
			out[i] = "'" + s
		default:
			out[i] = s
		}
	}
	return out
}

// isNumber reports whether s is a JSON number, which a spreadsheet reads as a number.
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && json.Valid([]byte(s))
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.w.Flush()
}

// maxCell is the widest table cell, in runes; longer values are cut with "…".
const maxCell = 40

// tableWindow is how many rows a table measures its column widths on: up to it, rows are
// held and printed aligned on Close; past it, the widths are fixed from the rows held, those
// are printed, and every later row is printed as it comes, a cell wider than its column cut
// with "…" (but for the last column's, which ends the line). Memory stays bounded however
// many documents come.
const tableWindow = 1000

// tableWriter prints documents as an aligned table; see tableWindow.
type tableWriter struct {
	w     *bufio.Writer
	cols  []string
	rows  [][]string // held until the widths are fixed
	width []int      // the fixed widths, once streaming
	line  strings.Builder
}

func (t *tableWriter) Write(doc []byte) error {
	if t.cols == nil {
		t.cols = columnsOf(doc)
	}
	row := cells(doc, t.cols)
	for i, s := range row {
		row[i] = strings.Clone(clip(textsafe.Sanitize(s), maxCell)) // a held row never keeps doc
	}
	if t.width == nil {
		t.rows = append(t.rows, row)
		if len(t.rows) < tableWindow {
			return nil
		}
		t.start()
		return t.w.Flush()
	}
	for i := range max(len(row)-1, 0) { // the last column ends the line: nothing to keep aligned
		row[i] = clip(row[i], t.width[i])
	}
	t.print(row)
	return t.w.Flush()
}

// clip cuts s to at most n runes, the last one "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	return string([]rune(s)[:n-1]) + "…"
}

// start fixes the widths on the header and the rows held, prints them and lets them go.
func (t *tableWriter) start() {
	head := make([]string, len(t.cols))
	for i, c := range t.cols {
		head[i] = clip(textsafe.Sanitize(c), maxCell)
	}
	t.width = make([]int, len(head))
	for i, s := range head {
		t.width[i] = max(utf8.RuneCountInString(s), 1)
	}
	for _, row := range t.rows {
		for i, s := range row {
			t.width[i] = max(t.width[i], utf8.RuneCountInString(s))
		}
	}
	t.print(head)
	for _, row := range t.rows {
		t.print(row)
	}
	t.rows = nil
}

// print writes one row padded to the widths.
func (t *tableWriter) print(row []string) {
	b := &t.line
	b.Reset()
	for i, s := range row {
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(s)
		for range t.width[i] - utf8.RuneCountInString(s) {
			b.WriteByte(' ')
		}
	}
	t.w.WriteString(strings.TrimRight(b.String(), " ")) //nolint:errcheck // bufio keeps the first error for Flush
	t.w.WriteByte('\n')                                 //nolint:errcheck
}

func (t *tableWriter) Close() error {
	if t.width == nil && len(t.rows) > 0 {
		t.start()
	}
	return t.w.Flush()
}
