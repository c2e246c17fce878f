package fakeswapi

// This file owns the fake's small HTML site, the crawlable counterpart of the API: a few
// pages that link to each other, a robots.txt with a disallowed path and a Crawl-delay, a
// sitemap, and traps of endless generated links.

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SiteOptions shape the fake HTML site.
type SiteOptions struct {
	// CrawlDelay is the Crawl-delay robots.txt asks for; 0 asks for none.
	CrawlDelay time.Duration
}

// SitePages are the site's pages a crawl of it from "/" reaches when it obeys robots.txt,
// apart from the traps (/calendar/, /gen/) and robots.txt itself.
var SitePages = []string{"/", "/about.html", "/docs/", "/docs/a.html", "/docs/b.html", "/docs/c.html", "/style.css", "/sitemap.xml"}

// SiteDisallowed is the path prefix its robots.txt disallows; /private/secret.html is linked
// from "/".
const SiteDisallowed = "/private/"

// NewSite returns the fake HTML site's handler. "/" links to the other pages, to a
// disallowed page, to a page on another host, and to the calendar, whose every month links
// to the next and the one before: endless. /gen/N links to /gen/10N+1 … /gen/10N+10, a
// generated site as large as a crawl will go. /docs/c.html is linked from the sitemap
// alone. Links are relative except the sitemap's, which name the request's host.
func NewSite(opts SiteOptions) http.Handler {
	robots := "User-agent: *\nDisallow: " + SiteDisallowed + "\n"
	if opts.CrawlDelay > 0 {
		robots += "Crawl-delay: " + strconv.FormatFloat(opts.CrawlDelay.Seconds(), 'f', -1, 64) + "\n"
	}
	robots += "Sitemap: /sitemap.xml\n"
	pages := map[string]string{
		"/": page("Home", `<a href="/about.html">About</a> <a href="/about.html#team">Team</a>
<a href="docs/">Docs</a> <a href="/private/secret.html">Secret</a> <a href="/calendar/2025-01">Calendar</a>
<a href="https://example.com/elsewhere">Elsewhere</a> <a href="mailto:someone@example.com">Mail</a>
<a href="javascript:void(0)">Nothing</a> <a>No href</a>`),
		"/about.html":          page("About", `<a href="/">Home</a> <a href="/docs/">Docs</a> <a href="HTTP://`+"{{host}}"+`/about.html">Me, shouting</a>`),
		"/docs/":               page("Docs", `<a href="a.html">A</a> <a href="./b.html">B</a> <a href="../">Up</a>`),
		"/docs/a.html":         page("A", `<a href="b.html">B</a> <a href="/docs/">Docs</a>`),
		"/docs/b.html":         page("B", `<a href="a.html#top">A</a> <a href="/sitemap.xml">Sitemap</a>`),
		"/docs/c.html":         page("C", `<base href="/docs/"><a href="a.html">A</a>`),
		"/private/secret.html": page("Secret", `<a href="/private/more.html">More</a>`),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/robots.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprint(w, robots)
		case p == "/style.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, "body { font-family: sans-serif }\n")
		case p == "/sitemap.xml":
			w.Header().Set("Content-Type", "application/xml")
			base := "http://" + r.Host
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>%[1]s/</loc></url><url><loc>%[1]s/docs/a.html</loc></url><url><loc>%[1]s/docs/c.html</loc></url>
</urlset>
`, html.EscapeString(base))
		case strings.HasPrefix(p, "/calendar/"):
			serveMonth(w, strings.TrimPrefix(p, "/calendar/"))
		case strings.HasPrefix(p, "/gen/"):
			serveGen(w, strings.TrimPrefix(p, "/gen/"))
		default:
			body, ok := pages[p]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, strings.ReplaceAll(body, "{{host}}", html.EscapeString(r.Host)))
		}
	})
}

func page(title, body string) string {
	return "<!doctype html><html><head><title>" + title + `</title><link rel="stylesheet" href="/style.css"></head><body><h1>` +
		title + "</h1>\n" + body + "\n</body></html>\n"
}

// serveMonth is a month of the endless calendar: "2025-01" links to the month before and after.
func serveMonth(w http.ResponseWriter, month string) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, page(t.Format("January 2006"), fmt.Sprintf(`<a href="/calendar/%s">Previous</a> <a href="/calendar/%s">Next</a>`,
		t.AddDate(0, -1, 0).Format("2006-01"), t.AddDate(0, 1, 0).Format("2006-01"))))
}

// serveGen is page N of the generated site: ten links to pages 10N+1 … 10N+10.
func serveGen(w http.ResponseWriter, n string) {
	k, err := strconv.ParseUint(n, 10, 62)
	if err != nil || k > 1<<58 {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<!doctype html><html><body>")
	for i := uint64(1); i <= 10; i++ {
		fmt.Fprintf(&b, `<a href="/gen/%d">%d</a>`, 10*k+i, 10*k+i)
	}
	b.WriteString("</body></html>\n")
	fmt.Fprint(w, b.String())
}

// SiteCrawlDelay is the Crawl-delay of the site that fetchbench serve --site and crawl
// --offline-site run.
const SiteCrawlDelay = 50 * time.Millisecond

// StartSite serves the fake HTML site with opts on ln in a new goroutine until
// Running.Close, which closes ln; Running.URL is its root, "http://ADDR/".
func StartSite(ln net.Listener, opts SiteOptions) *Running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{URL: fmt.Sprintf("http://%s/", ln.Addr()), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		ServeSite(ctx, ln, opts) //nolint:errcheck // nobody to tell; a dead server refuses connections
	}()
	return r
}

// ServeSite serves the fake HTML site with opts on ln until ctx is done, then closes it,
// cancelling the requests in progress; it returns nil then, or the server's error.
func ServeSite(ctx context.Context, ln net.Listener, opts SiteOptions) error {
	srv := &http.Server{
		Handler:           NewSite(opts),
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
