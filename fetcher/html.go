package fetcher

import (
	"bytes"
	"runtime"
	"strings"
	"sync"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// MaxHTMLValue bounds one value taken from an HTML page (Config.HTML), in bytes: a longer
// text or attribute is cut there, at a rune boundary.
const MaxHTMLValue = 64 << 10

// scraper takes Config.HTML's values from an HTML page: for each selector, the trimmed text
// (or the attribute) of its first match in document order, and nothing of the other matches.
// The page is parsed once, its DOM dropped when the values are taken, so what a page costs
// is its parse (bounded by Config.MaxBody) and its values (bounded by MaxHTMLValue each).
// A DOM costs about ten times its page: the workers of one engine share one scraper, which
// parses at most GOMAXPROCS pages at once (parsing is CPU-bound, so no more would run anyway)
// and pages of at most budget bytes together (a page larger than budget is parsed alone), so
// the DOMs alive at once cost about ten times budget, whatever -c. A scraper is safe for
// concurrent use.
type scraper struct {
	sels  []Selector
	match []cascadia.Selector // nil where a selector does not compile: it matches nothing
	parse chan struct{}       // one token per page being parsed

	mu     sync.Mutex
	cond   *sync.Cond
	budget int64 // bytes of pages that may be parsed at once
	left   int64 // of budget, not taken by pages being parsed
}

// newScraper returns the scraper of sels; budget is the bytes of pages parsed at once
// (Config.MaxBody).
func newScraper(sels []Selector, budget int64) *scraper {
	s := &scraper{sels: sels, match: make([]cascadia.Selector, len(sels)), parse: make(chan struct{}, runtime.GOMAXPROCS(0)),
		budget: budget, left: budget}
	s.cond = sync.NewCond(&s.mu)
	for i, sel := range sels {
		s.match[i], _ = cascadia.Compile(sel.CSS)
	}
	return s
}

// scrape returns the values of the page body, by selector name; a selector that matches
// nothing has none. It returns nil when the page cannot be parsed.
func (s *scraper) scrape(body []byte) map[string]string {
	s.parse <- struct{}{}
	defer func() { <-s.parse }()
	n := min(int64(len(body)), s.budget)
	s.mu.Lock()
	for s.left < n {
		s.cond.Wait()
	}
	s.left -= n
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.left += n
		s.mu.Unlock()
		s.cond.Broadcast()
	}()
	return s.values(body)
}

// values parses body and takes the values.
func (s *scraper) values(body []byte) map[string]string {
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var vals map[string]string
	for i, sel := range s.sels {
		if s.match[i] == nil {
			continue
		}
		n := cascadia.Query(root, s.match[i])
		if n == nil {
			continue
		}
		v := attr(n, sel.Attr)
		if sel.Attr == "" {
			v = strings.TrimSpace(text(n))
		}
		if vals == nil {
			vals = map[string]string{}
		}
		vals[sel.Name] = v
	}
	return vals
}

// attr is n's attribute name, at most MaxHTMLValue bytes, or "".
func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return clip(a.Val, MaxHTMLValue)
		}
	}
	return ""
}

// text is the text of n and its descendants, in document order, as goquery's Text gives it,
// cut after MaxHTMLValue bytes.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.TextNode {
			b.WriteString(clip(n.Data, MaxHTMLValue-b.Len()))
			return b.Len() < MaxHTMLValue
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(n)
	return b.String()
}

// clip is s cut to at most max bytes at a rune boundary.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && max < len(s) && s[max]&0xC0 == 0x80 {
		max--
	}
	return s[:max]
}
