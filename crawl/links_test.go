package crawl

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ctype, body string
		want              []string
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
			want: []string{"http://h/s.css", "http://h/docs/a.html#top", "https://other/"},
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
			name: "broken json keeps what came first", ctype: "application/json", body: `{"a":"/x/","b":[`,
			want: []string{"http://h/x/"},
		},
	}
	page, _ := url.Parse("http://h/api/people/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			n := links(page, tt.ctype, []byte(tt.body), func(u string) { got = append(got, u) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
			if n != len(got) {
				t.Errorf("count %d, %d links", n, len(got))
			}
		})
	}
}
