package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
)

// TestRecordsMaskPasswords: a record file shows a URL's user name but never its password,
// in the url field and in the error text (a redirect's URL quoted by Go), in both formats.
func TestRecordsMaskPasswords(t *testing.T) {
	t.Parallel()
	rec := fetcher.Record{Strategy: fetcher.Sequential, URL: "http://alice:s3cretPW@127.0.0.1:8080/api/people/1/",
		Err: `Get "http://bob:pw2@127.0.0.1:8080/x": EOF`, Class: fetcher.ClassReset}
	for _, format := range []string{"ndjson", "csv"} {
		var b bytes.Buffer
		w, err := NewRecordWriter(&b, format, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		got := b.String()
		if strings.Contains(got, "s3cretPW") || strings.Contains(got, "pw2") ||
			!strings.Contains(got, "http://alice:xxxxx@127.0.0.1:8080/api/people/1/") || !strings.Contains(got, "http://bob:xxxxx@127.0.0.1:8080/x") {
			t.Errorf("%s: %s", format, got)
		}
	}
}
