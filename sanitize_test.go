package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/report"
)

func TestServerStringsAreEscaped(t *testing.T) {
	t.Parallel()
	const evil = "\x1b[2J"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/2/") {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"detail":"` + evil + `boom"}`))
			return
		}
		w.Write([]byte(`{"name":"` + `\u001b[2JLuke"}`))
	}))
	t.Cleanup(srv.Close)
	tmpl := srv.URL + "/api/people/{id}/"

	table := invoke(t, "", "--url-template", tmpl, "--ids", "1-2", "-s", "sequential")
	if strings.ContainsRune(table.stdout, 0x1b) || !strings.Contains(table.stdout, `\x1b[2J`) {
		t.Errorf("table must show the escape sequence escaped, got:\n%q", table.stdout)
	}

	js := invoke(t, "", "--url-template", tmpl, "--ids", "1-2", "-s", "sequential", "-o", "json", "--records", "-")
	var doc report.Document // with records on stdout, the summary goes to stderr
	if err := json.Unmarshal([]byte(js.stderr), &doc); err != nil {
		t.Fatalf("summary JSON on stderr: %v\nstderr %q", err, js.stderr)
	}
	if got := doc.Strategies[0].ErrorSample; !strings.Contains(got, evil+"boom") {
		t.Errorf("JSON error_sample = %q, want the server text intact", got)
	}
	if strings.ContainsRune(js.stdout, 0x1b) || strings.ContainsRune(js.stderr, 0x1b) {
		t.Error("raw ESC written; JSON must escape it")
	}
	recs := parseRecords(t, js.stdout)
	if len(recs) != 2 || recs[0].Name != evil+"Luke" {
		t.Errorf("records %+v: want the name with its escape sequence intact after decoding", recs)
	}
}
