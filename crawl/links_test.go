package crawl

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

func TestLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ctype, body string
		want              []string
		dropped           int
	}{
		{
			name: "json strings that are URLs", ctype: "application/json",
			body: `{"name":"Luke","url":"http://h/api/people/1/","films":["http://h/api/films/1/","/api/films/2/"],
				"next":"?page=2","/not/a/key":1,"note":"see /api/x for more","nested":{"a":[["../up/"]]},"n":3,"mail":"mailto:x@y"}`,
			want: []string{"http://h/api/people/1/", "http://h/api/films/1/", "http://h/api/films/2/", "http://h/api/people/?page=2", "http://h/api/up/"},
		},
		{
			name: "json by its first byte", ctype: "",
			body: `["https://h/x"]`,
			want: []string{"https://h/x"},
		},
		{
			name: "html anchors and links, after base", ctype: "text/html; charset=utf-8",
			body: `<html><head><link rel="stylesheet" href="/s.css"><base href="/docs/"></head>
				<body><a href="a.html#top">A</a><a name="x">no href</a><A HREF="mailto:x@y">m</A>
				<a href="javascript:void(0)">j</a><img src="/i.png"><a href=" https://other/ ">o</a></body></html>`,
			want:    []string{"http://h/s.css", "http://h/docs/a.html#top", "https://other/"},
			dropped: 2,
		},
		{
			name: "links dropped: another scheme, too long, not parsing", ctype: "text/html",
			body: `<a href="tel:+1">t</a><a href="ftp://h/x">f</a><a href="/` + strings.Repeat("x", 2048) + `">long</a>
				<a href="http://[::1">bad</a><a href="http://h/%zz">bad escape</a><a href="">empty is the page</a><a href="/ok">ok</a>`,
			want:    []string{"http://h/ok"},
			dropped: 5,
		},
		{
			name: "json link over 2,048 bytes", ctype: "application/json",
			body:    `{"a":"http://h/` + strings.Repeat("x", 2048) + `","b":"/ok"}`,
			want:    []string{"http://h/ok"},
			dropped: 1,
		},
		{
			name: "sitemap", ctype: "application/xml",
			body: `<?xml version="1.0"?><urlset><url><loc> http://h/a </loc><lastmod>2025</lastmod></url><url><loc>http://h/b</loc></url></urlset>`,
			want: []string{"http://h/a", "http://h/b"},
		},
		{
			name: "css has no links", ctype: "text/css", body: `a { background: url(/x.png) }`,
		},
		{
			name: "utf-16le page with its byte order mark", ctype: "text/html",
			body: "\xff\xfe" + utf16LE("<a href=\"/caf\u00e9\">x</a><a href=\"b\">"),
			want: []string{"http://h/caf%C3%A9", "http://h/api/people/b"},
		},
		{
			name: "utf-16le page sniffed as Go's server labels it", ctype: "text/plain; charset=utf-16le",
			body: "\xff\xfe" + utf16LE(` <html><a href="/x">x</a>`),
			want: []string{"http://h/x"},
		},
		{
			name: "utf-16be page by its charset, no byte order mark", ctype: "text/html; charset=utf-16be",
			body: utf16BE("<a href=\"/\u00fc\">x</a>"),
			want: []string{"http://h/%C3%BC"},
		},
		{
			name: "windows-1252 page by its Content-Type", ctype: "text/html; charset=windows-1252",
			body: "<a href=\"/caf\xe9\">x</a><a href=\"/\x80\">euro</a>",
			want: []string{"http://h/caf%C3%A9", "http://h/%E2%82%AC"},
		},
		{
			name: "latin-1 page by its meta charset", ctype: "text/html",
			body: "<html><head><meta charset=\"iso-8859-1\"></head><a href=\"/\xfcber\">x</a>",
			want: []string{"http://h/%C3%BCber"},
		},
		{
			name: "page naming no charset, not UTF-8: windows-1252", ctype: "text/html",
			body: "<a href=\"/caf\xe9\">x</a>",
			want: []string{"http://h/caf%C3%A9"},
		},
		{
			name: "page naming no charset, UTF-8 past its first KiB", ctype: "text/html",
			body: "<p>" + strings.Repeat("a", 1100) + "</p><a href=\"/caf\u00e9\">x</a>",
			want: []string{"http://h/caf%C3%A9"},
		},
		{
			name: "javascript base is ignored, and so is a base after it", ctype: "text/html",
			body: `<base href="javascript:alert(1)//"><base href="http://evil/"><a href="a">A</a><a href="/b">B</a>`,
			want: []string{"http://h/api/people/a", "http://h/b"},
		},
		{
			name: "data base is ignored", ctype: "text/html",
			body: `<base href="data:text/html,x"><a href="a">A</a>`,
			want: []string{"http://h/api/people/a"},
		},
		{
			name: "broken json keeps what came first", ctype: "application/json", body: `{"a":"/x/","b":[`,
			want: []string{"http://h/x/"},
		},
	}
	page, _ := url.Parse("http://h/api/people/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			n, dropped := links(page, tt.ctype, []byte(tt.body), func(u string) { got = append(got, u) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
			if n != len(got) || dropped != tt.dropped {
				t.Errorf("count %d, %d dropped; want %d and %d", n, dropped, len(got), tt.dropped)
			}
		})
	}
}

// utf16LE and utf16BE are s in UTF-16, without a byte order mark.
func utf16LE(s string) string { return utf16Bytes(s, false) }
func utf16BE(s string) string { return utf16Bytes(s, true) }

func utf16Bytes(s string, big bool) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if big {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}
