package fakeswapi_test

// The fidelity tests replay what the real servers answered (testdata/captures, see its
// README) against the fake and compare status, JSON member order and values, and the headers
// that matter to a client. Every difference kept on purpose is listed below with its reason.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// exchange is one line of a capture.
type exchange struct {
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	ReqHeaders map[string]string `json:"req_headers"`
	Status     int               `json:"status"` // 0: the server closed the connection
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func readCaptures(t *testing.T, dialect string) []exchange {
	t.Helper()
	f, err := os.Open("testdata/captures/" + dialect + ".jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []exchange
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e exchange
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// comparedHeaders are the headers compared, when either side sends them.
var comparedHeaders = []string{
	"content-type", "allow", "location", "retry-after",
	"access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers",
}

// kept is a difference from the real server kept on purpose, for the exchanges whose
// "METHOD path" matches match: the aspects it ignores and why.
type kept struct {
	dialects string // "dev info tech": the dialects it applies to
	match    string // regexp on "METHOD path"
	body     bool   // the body is not compared (its content type and status are)
	members  []string
	headers  []string // headers not compared
	reason   string
}

var keptDifferences = []kept{
	{dialects: "dev info tech", match: `.`, headers: []string{"etag", "content-length", "vary", "x-ratelimit-limit", "x-ratelimit-remaining"},
		reason: "ETag and Content-Length follow bodies whose links name the fake's host; Vary comes from the capture's newer CORS package; " +
			"X-RateLimit-* are sent with --profile live only (the capture raised swapi.tech's limits, so its values say nothing)"},
	{dialects: "dev info tech", match: `^GET /api/(films|people\?name|\w+/\?search=hope)`, members: []string{"opening_crawl"},
		reason: "the opening crawls are the fake's own placeholders (the real ones are not redistributed; the capture emptied them)"},
	{dialects: "tech", match: `^GET /api/`, members: []string{"created", "edited", "_id"},
		reason: "swapi.tech's timestamps and ObjectIds were minted when the capture loaded the data; the fake serves the fixtures' timestamps and a stable _id per document"},
	{dialects: "dev", match: `^GET /api/people/1/\?format=api$|^GET /api/people/1/ text/html$`, body: true,
		reason: "the browsable API's HTML page is the fake's own small page holding the JSON (status and content type match)"},
	{dialects: "dev", match: `^GET /api/nope/|^GET /api/people/1/films/`, body: true,
		reason: "the HTML 404 page is the fake's own (the capture shows Django's debug page)"},
	{dialects: "info", match: `^(GET|POST|DELETE|OPTIONS) /api/(nope|\w+/(abc|0|\d+/films|\d+/?))$|^(POST|DELETE|OPTIONS) `, body: true,
		reason: "swapi.info's 404 and 405 pages are its host's; nginx's stood in for them in the capture, and the fake's omit nginx's version line"},
}

type keptRule struct {
	kept
	re   *regexp.Regexp
	used bool
}

func rulesFor(t *testing.T, dialect string) []*keptRule {
	var rules []*keptRule
	for _, k := range keptDifferences {
		if strings.Contains(" "+k.dialects+" ", " "+dialect+" ") {
			rules = append(rules, &keptRule{kept: k, re: regexp.MustCompile(k.match)})
		}
	}
	return rules
}

// canon rewrites a JSON text compactly, member order kept, strings longer than 300 characters
// emptied (the captures empty them) and the members named in mask replaced by "<kept>".
func canon(b []byte, mask map[string]bool) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out strings.Builder
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				out.WriteByte('{')
				for i := 0; dec.More(); i++ {
					if i > 0 {
						out.WriteByte(',')
					}
					k, err := dec.Token()
					if err != nil {
						return err
					}
					kb, _ := json.Marshal(k)
					out.Write(kb)
					out.WriteByte(':')
					if mask[k.(string)] {
						var skip json.RawMessage
						if err := dec.Decode(&skip); err != nil {
							return err
						}
						out.WriteString(`"<kept>"`)
						continue
					}
					if err := walk(); err != nil {
						return err
					}
				}
				_, err := dec.Token()
				out.WriteByte('}')
				return err
			case '[':
				out.WriteByte('[')
				for i := 0; dec.More(); i++ {
					if i > 0 {
						out.WriteByte(',')
					}
					if err := walk(); err != nil {
						return err
					}
				}
				_, err := dec.Token()
				out.WriteByte(']')
				return err
			}
		case string:
			if len([]rune(v)) > 300 {
				v = ""
			}
			sb, _ := json.Marshal(v)
			out.Write(sb)
		case nil:
			out.WriteString("null")
		default:
			fmt.Fprint(&out, v)
		}
		return nil
	}
	if err := walk(); err != nil {
		return "", err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("trailing data after the JSON value")
	}
	return out.String(), nil
}

// captureCut is the length at which the capture cut a long body that is not compact JSON
// (swapi.info's tab-indented files, Wookiee texts).
const captureCut = 2000

// captureHost is the address the capture's server ran on, visible inside Wookiee bodies,
// whose links the capture could not rewrite to {BASE}.
const captureHost = "127.0.0.1:23103"

func TestFidelity(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"dev", "info", "tech"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fake, err := fakeswapi.New(fakeswapi.Options{Dialect: dialect})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			client := srv.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			rules := rulesFor(t, dialect)
			caps := readCaptures(t, dialect)
			for i, e := range caps {
				key := e.Method + " " + e.Path
				if a := e.ReqHeaders["Accept"]; a != "" {
					key += " " + a
				}
				ignoreBody, ignoreHeaders, mask := false, map[string]bool{}, map[string]bool{}
				for _, r := range rules {
					if r.re.MatchString(key) {
						r.used = true
						ignoreBody = ignoreBody || r.body
						for _, h := range r.headers {
							ignoreHeaders[h] = true
						}
						for _, m := range r.members {
							mask[m] = true
						}
					}
				}
				compareExchange(t, client, srv.URL, i, key, e, ignoreBody, ignoreHeaders, mask)
			}
			for _, r := range rules {
				if !r.used {
					t.Errorf("kept difference %q matches no exchange: remove it", r.match)
				}
			}
		})
	}
}

func compareExchange(t *testing.T, client *http.Client, base string, i int, key string, e exchange,
	ignoreBody bool, ignoreHeaders, mask map[string]bool) {
	t.Helper()
	req, err := http.NewRequest(e.Method, base+e.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range e.ReqHeaders {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if e.Status == 0 {
		if err == nil {
			resp.Body.Close()
			t.Errorf("#%d %s: status %d, want the connection closed without an answer", i, key, resp.StatusCode)
		}
		return
	}
	if err != nil {
		t.Errorf("#%d %s: %v", i, key, err)
		return
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Errorf("#%d %s: read body: %v", i, key, err)
		return
	}
	if resp.StatusCode != e.Status {
		t.Errorf("#%d %s: status %d, want %d", i, key, resp.StatusCode, e.Status)
	}
	for _, h := range comparedHeaders {
		if ignoreHeaders[h] {
			continue
		}
		want, gotH := e.Headers[h], resp.Header.Get(h)
		if h == "location" {
			want = strings.ReplaceAll(want, "{BASE}", base)
		}
		if want != gotH {
			t.Errorf("#%d %s: header %s = %q, want %q", i, key, h, gotH, want)
		}
	}
	if ignoreBody || e.Method == http.MethodHead {
		return
	}
	host := strings.TrimPrefix(base, "http://")
	want := strings.ReplaceAll(strings.ReplaceAll(e.Body, "{BASE}", base), captureHost, host)
	wc, werr := canon([]byte(want), mask)
	gc, gerr := canon(got, mask)
	if werr != nil { // not JSON (an HTML page, a Wookiee text): byte for byte
		switch {
		case len(e.Body) == captureCut && strings.HasPrefix(e.Body, "{\""+"oaoohuwhao"):
			if !strings.HasPrefix(string(got), want) {
				t.Errorf("#%d %s: body (the capture holds its start) differs at %s", i, key, firstDiff(string(got), want))
			}
		case len(e.Body) == captureCut:
			if err := tokensPrefix([]byte(want), got, mask); err != nil {
				t.Errorf("#%d %s: body (the capture holds its start): %v", i, key, err)
			}
		case want != string(got):
			t.Errorf("#%d %s: body differs at %s", i, key, firstDiff(string(got), want))
		}
		return
	}
	if gerr != nil {
		t.Errorf("#%d %s: body is not JSON (%v): %.300q", i, key, gerr, got)
		return
	}
	if wc != gc {
		t.Errorf("#%d %s: body differs at %s", i, key, firstDiff(gc, wc))
	}
}

// tokensPrefix checks that the JSON tokens of want, a body the capture cut short, begin the
// tokens of got; strings longer than 300 characters count as empty, masked members as absent.
func tokensPrefix(want, got []byte, mask map[string]bool) error {
	tokens := func(b []byte) []string {
		dec := json.NewDecoder(bytes.NewReader(b))
		var out []string
		skip := false
		for {
			tok, err := dec.Token()
			if err != nil {
				return out
			}
			if s, ok := tok.(string); ok {
				if skip {
					skip = false
					continue
				}
				if mask[s] {
					skip = true
				}
				if len([]rune(s)) > 300 {
					tok = ""
				}
			}
			out = append(out, fmt.Sprintf("%T %v", tok, tok))
		}
	}
	w, g := tokens(want), tokens(got)
	if len(w) > 0 {
		w = w[:len(w)-1] // the last token may be cut
	}
	if len(w) == 0 || len(g) < len(w) {
		return fmt.Errorf("%d tokens, the capture's start has %d", len(g), len(w))
	}
	for i := range w {
		if w[i] != g[i] {
			return fmt.Errorf("token %d is %s, want %s", i, g[i], w[i])
		}
	}
	return nil
}

// firstDiff shows where got and want part.
func firstDiff(got, want string) string {
	n := 0
	for n < len(got) && n < len(want) && got[n] == want[n] {
		n++
	}
	from := max(0, n-120)
	return fmt.Sprintf("byte %d:\n got …%.240s\nwant …%.240s", n, got[from:], want[from:])
}
