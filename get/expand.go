package get

import (
	"context"
	"fmt"
	"net/url"
	"sync"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/fetchbench/fetchbench/fetcher"
)

// links keeps the documents that linked URLs (Shape.Expand) answered, by URL: a link is
// pushed to the run's frontier, fetched once by the scheduler like any other request, and
// kept here by its Follow before the frontier reports it done.
type links struct {
	shape *Shape
	mu    sync.Mutex
	docs  map[string]link
}

// link is one linked URL's outcome.
type link struct {
	doc []byte // the linked document, nil when it could not be fetched
	err string // why not
}

func newLinks(s *Shape) *links {
	return &links{shape: s, docs: map[string]link{}}
}

// keep stores the outcome of a link's record.
func (ls *links) keep(rec *fetcher.Record) {
	var l link
	switch doc, isJSON := ls.shape.unwrap(rec); {
	case !rec.OK():
		l.err = rec.Err
	case !isJSON:
		l.err = "not a JSON document"
	default:
		l.doc = doc
	}
	ls.mu.Lock()
	ls.docs[rec.URL] = l
	ls.mu.Unlock()
}

// get pushes u as a link of the record parent and returns its outcome once fetched.
func (ls *links) get(f *fetcher.Frontier, u string, parent *fetcher.Record) link {
	f.Push(fetcher.Target{ID: 0, URL: u}, fetcher.KindLink, parent.Depth+1, parent.Seq)
	if _, ok := f.Wait(context.Background(), u); !ok {
		return link{err: "not fetched"}
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l, ok := ls.docs[u]
	if !ok {
		return link{err: "not fetched"}
	}
	return l
}

// fetched is how many distinct linked URLs were fetched.
func (ls *links) fetched() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return len(ls.docs)
}

// documentOf is the shaped document of a successful record, with its Expand members'
// links replaced by the linked documents.
func documentOf(shape *Shape, f *fetcher.Frontier, ls *links, rec *fetcher.Record, problem func(string)) []byte {
	doc, isJSON := shape.unwrap(rec)
	if isJSON && len(shape.Expand) > 0 {
		doc = ls.expand(f, doc, rec, problem)
	}
	refused := shape.pathsRefused(doc, isJSON)
	if refused != "" {
		problem(rec.URL + ": " + refused)
	}
	return shape.shape(doc, isJSON, refused == "", rec.HTML)
}

// expand replaces, in doc (the document of rec), each Expand member holding a URL or an
// array of URLs by the linked documents, pushing every link at once. Links to another host
// than rec's are not followed. problem receives one message per link that stayed a URL.
func (ls *links) expand(f *fetcher.Frontier, doc []byte, rec *fetcher.Record, problem func(string)) []byte {
	var refs []ref
	for _, m := range ls.shape.Expand {
		path := gjson.Escape(m)
		v := gjson.GetBytes(doc, path)
		switch {
		case v.Type == gjson.String:
			refs = append(refs, ref{at: v.Index, raw: len(v.Raw), path: path, member: m, url: v.String()})
		case v.IsArray():
			i := 0
			v.ForEach(func(_, item gjson.Result) bool {
				if item.Type == gjson.String {
					refs = append(refs, ref{at: item.Index, raw: len(item.Raw), path: fmt.Sprintf("%s.%d", path, i), member: m, url: item.String()})
				}
				i++
				return true
			})
		}
	}
	var wg sync.WaitGroup
	for i := range refs {
		wg.Go(func() { refs[i].doc = ls.follow(f, refs[i].url, rec, refs[i].member, problem) })
	}
	wg.Wait()
	return splice(doc, refs)
}

// ref is one link found in a document: the JSON string at doc[at:at+raw] (at is 0 when its
// offset is unknown), at path, in member, and the document it links to once followed (nil
// when it stays a URL).
type ref struct {
	at, raw      int
	path, member string
	url          string
	doc          []byte
}

// splice returns doc with each ref's string replaced by its linked document, built in one
// pass: refs must be in document order, as expand finds them. A ref whose offset is unknown
// is set by path afterwards.
func splice(doc []byte, refs []ref) []byte {
	var out []byte
	var late []ref
	last := 0
	for _, r := range refs {
		switch {
		case r.doc == nil:
		case r.at <= 0 || r.at < last || r.at+r.raw > len(doc) || doc[r.at] != '"':
			late = append(late, r)
		default:
			out = append(out, doc[last:r.at]...)
			out = append(out, r.doc...)
			last = r.at + r.raw
		}
	}
	if out == nil && late == nil {
		return doc
	}
	out = append(out, doc[last:]...)
	for _, r := range late {
		out, _ = sjson.SetRawBytes(out, r.path, r.doc)
	}
	return out
}

// follow fetches one link of member m, when it is an http(s) URL on rec's host.
func (ls *links) follow(f *fetcher.Frontier, u string, rec *fetcher.Record, m string, problem func(string)) []byte {
	if fetcher.CheckURL(u) != nil {
		return nil // not a link: left as it is
	}
	if !sameHost(u, rec.URL) {
		problem(fmt.Sprintf("%s: --expand %s: %s is on another host; left as a URL", rec.URL, m, u))
		return nil
	}
	l := ls.get(f, u, rec)
	if l.doc == nil {
		problem(fmt.Sprintf("%s: --expand %s: %s: %s", rec.URL, m, u, l.err))
		return nil
	}
	return l.doc
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
}
