package get

import (
	"fmt"
	"net/url"
	"sync"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/fetchbench/fetchbench/fetcher"
)

// expander replaces linked URLs by the linked documents, fetching each distinct URL once:
// concurrent askers of a URL in flight wait for the one fetch (single flight), and later
// askers get its remembered outcome (the visited map), failures included.
type expander struct {
	shape   *Shape
	mu      sync.Mutex
	visited map[string]*link
	fetched int // distinct URLs fetched
}

// link is one linked URL's outcome, ready once done is closed.
type link struct {
	done chan struct{}
	doc  []byte // the linked document, nil when it could not be fetched
	err  string // why not
}

func newExpander(s *Shape) *expander {
	return &expander{shape: s, visited: map[string]*link{}}
}

// get returns u's document, fetching it with fetch unless it was fetched or is in flight.
func (e *expander) get(u string, fetch func(string) fetcher.Record) *link {
	e.mu.Lock()
	l, ok := e.visited[u]
	if !ok {
		l = &link{done: make(chan struct{})}
		e.visited[u] = l
		e.fetched++
	}
	e.mu.Unlock()
	if ok {
		<-l.done
		return l
	}
	defer close(l.done)
	rec := fetch(u)
	if !rec.OK() {
		l.err = rec.Err
		return l
	}
	doc, isJSON := e.shape.unwrap(&rec)
	if !isJSON {
		l.err = "not a JSON document"
		return l
	}
	l.doc = doc
	return l
}

// expand replaces, in doc (fetched from docURL), each Expand member holding a URL or an array
// of URLs by the linked documents, fetching the links concurrently unless serial. Links to
// another host than docURL's are not followed. problem receives one message per link that
// stayed a URL.
func (e *expander) expand(doc []byte, docURL string, serial bool, fetch func(string) fetcher.Record, problem func(string)) []byte {
	type ref struct {
		path, member, url string
		doc               []byte
	}
	var refs []ref
	for _, m := range e.shape.Expand {
		path := gjson.Escape(m)
		v := gjson.GetBytes(doc, path)
		switch {
		case v.Type == gjson.String:
			refs = append(refs, ref{path: path, member: m, url: v.String()})
		case v.IsArray():
			for i, item := range v.Array() {
				if item.Type == gjson.String {
					refs = append(refs, ref{path: fmt.Sprintf("%s.%d", path, i), member: m, url: item.String()})
				}
			}
		}
	}
	each(len(refs), serial, func(i int) {
		refs[i].doc, _ = e.follow(refs[i].url, docURL, refs[i].member, fetch, problem)
	})
	for _, r := range refs {
		if r.doc != nil {
			doc, _ = sjson.SetRawBytes(doc, r.path, r.doc)
		}
	}
	return doc
}

// each calls fn(0..n-1), one after another when serial, else each in its own goroutine,
// and returns when every call has.
func each(n int, serial bool, fn func(int)) {
	if serial || n < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}

// follow fetches one link of member m, when it is an http(s) URL on docURL's host.
func (e *expander) follow(u, docURL, m string, fetch func(string) fetcher.Record, problem func(string)) ([]byte, bool) {
	if fetcher.CheckURL(u) != nil {
		return nil, false // not a link: left as it is
	}
	if !sameHost(u, docURL) {
		problem(fmt.Sprintf("%s: --expand %s: %s is on another host; left as a URL", docURL, m, u))
		return nil, false
	}
	l := e.get(u, fetch)
	if l.doc == nil {
		problem(fmt.Sprintf("%s: --expand %s: %s: %s", docURL, m, u, l.err))
		return nil, false
	}
	return l.doc, true
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
}

// distinct is how many distinct URLs were fetched.
func (e *expander) distinct() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fetched
}
