package get

import (
	"cmp"
	"container/list"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/swapi"
)

// links keeps the documents that linked URLs (Shape.Expand) answered, by URL: a link is
// pushed to the run's frontier, fetched once by the scheduler like any other request, and
// kept here by its Follow before the frontier reports it done.
//
// What it keeps is bounded: the linked documents, least recently used first out, up to
// Shape.ExpandBudget bytes, and for every link fetched a small outcome. A document that a
// document being expanded waits for is kept until that one has it, budget or not (so past
// the budget are at most the links of the documents being expanded at once). The frontier fetches a URL once per run, so a link whose document was
// dropped stays a URL in the documents that ask for it later, each with one problem saying
// so. links is safe for concurrent use.
//
// Links are told apart by their fetcher.URLKey (planets/1 is planets/1/), and fetched in the
// form form gives them.
type links struct {
	shape  *Shape
	budget int64
	form   func(url string) string
	name   naming.Namer // names Expand's option in the problems

	mu      sync.Mutex
	docs    map[string]*kept // every link fetched, by URLKey
	lru     list.List        // of *kept holding a document, most recently used first
	bytes   int64            // allocated for the documents held (their capacity)
	waiting map[string]int   // documents waiting for a link, by URLKey
	stopped stopped          // links the run stopped before fetching
}

// link is one linked URL's outcome.
type link struct {
	doc     []byte // the linked document, nil when it could not be fetched or was dropped
	err     string // why not
	stopped bool   // the run stopped before the link was fetched
}

// kept is a link's outcome in links, with its place in the LRU while it holds a document.
type kept struct {
	link
	key string // the link's URLKey
	at  *list.Element
}

// newLinks returns the links of documents shaped by s, fetched in the form form gives a URL
// (nil: as found), whose problems name the options of s by name.
func newLinks(s *Shape, form func(string) string, name naming.Namer) *links {
	if form == nil {
		form = func(u string) string { return u }
	}
	return &links{shape: s, budget: cmp.Or(s.ExpandBudget, DefaultExpandBudget), form: form, name: name, docs: map[string]*kept{}, waiting: map[string]int{}}
}

// keep stores the outcome of a link's record, dropping the least recently used documents
// past the budget.
func (ls *links) keep(rec *fetcher.Record) {
	var l link
	switch doc, isJSON := ls.shape.unwrap(rec); {
	case !rec.OK():
		l.err, l.stopped = rec.Err, rec.Class == fetcher.ClassCancelled
	case !isJSON:
		l.err = "not a JSON document"
	default:
		l.doc = doc
	}
	key := fetcher.URLKey(rec.URL)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if old := ls.docs[key]; old != nil && old.at != nil {
		ls.drop(old, "")
	}
	k := &kept{link: l, key: key}
	ls.docs[key] = k
	if l.doc == nil {
		return
	}
	k.at = ls.lru.PushFront(k)
	ls.bytes += int64(cap(l.doc))
	ls.evict()
}

// evict drops the least recently used documents no one waits for until the budget holds.
// The caller holds ls.mu.
func (ls *links) evict() {
	for e := ls.lru.Back(); e != nil && ls.bytes > ls.budget; {
		k := e.Value.(*kept)
		e = e.Prev()
		if ls.waiting[k.key] == 0 {
			ls.drop(k, fmt.Sprintf("fetched for an earlier document and not kept (%s keeps %d MiB of linked documents)", ls.name.Option(fieldExpand, "", "expansion"), ls.budget>>20))
		}
	}
}

// drop lets k's document go, leaving err as its outcome. The caller holds ls.mu.
func (ls *links) drop(k *kept, err string) {
	ls.lru.Remove(k.at)
	ls.bytes -= int64(cap(k.doc))
	k.at, k.doc, k.err = nil, nil, err
}

// get pushes u as a link of the record parent and returns its outcome once fetched.
func (ls *links) get(f *fetcher.Frontier, u string, parent *fetcher.Record) link {
	key := fetcher.URLKey(u)
	ls.mu.Lock()
	ls.waiting[key]++
	ls.mu.Unlock()
	defer func() {
		ls.mu.Lock()
		if ls.waiting[key]--; ls.waiting[key] == 0 {
			delete(ls.waiting, key)
			ls.evict()
		}
		ls.mu.Unlock()
	}()
	f.Push(fetcher.Target{ID: 0, URL: u}, fetcher.KindLink, parent.Depth+1, parent.Seq)
	if _, ok := f.Wait(context.Background(), u); !ok {
		return link{err: "not fetched", stopped: true}
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	k, ok := ls.docs[key]
	if !ok {
		return link{err: "not fetched", stopped: true}
	}
	if k.at != nil {
		ls.lru.MoveToFront(k.at)
	}
	return k.link
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
	refused := shape.pathsRefused(doc, isJSON, ls.name)
	if refused != "" {
		problem(rec.URL + ": " + refused)
	}
	return shape.shape(doc, isJSON, refused == "", rec.HTML)
}

// expand replaces, in doc (the document of rec), each Expand member holding a URL or an
// array of URLs by the linked documents, pushing every link at once. Links outside the
// frontier's Scope (the hosts the user named) are not followed. problem receives one message per link that stayed a URL.
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
// pass into one slice of its exact size: refs must be in document order, as expand finds
// them. A ref whose offset is unknown is set by path afterwards.
func splice(doc []byte, refs []ref) []byte {
	var now, late []ref
	last, size := 0, len(doc)
	for _, r := range refs {
		switch {
		case r.doc == nil:
		case r.at <= 0 || r.at < last || r.at+r.raw > len(doc) || doc[r.at] != '"':
			late = append(late, r)
		default:
			now = append(now, r)
			size += len(r.doc) - r.raw
			last = r.at + r.raw
		}
	}
	if now == nil && late == nil {
		return doc
	}
	out := make([]byte, 0, size)
	last = 0
	for _, r := range now {
		out = append(out, doc[last:r.at]...)
		out = append(out, r.doc...)
		last = r.at + r.raw
	}
	out = append(out, doc[last:]...)
	for _, r := range late {
		out, _ = sjson.SetRawBytes(out, r.path, r.doc)
	}
	return out
}

// follow fetches one link of member m, when it is an http(s) URL, or a path resolved against
// the URL rec's answer came from (Record.Final), within the frontier's Scope.
func (ls *links) follow(f *fetcher.Frontier, raw string, rec *fetcher.Record, m string, problem func(string)) []byte {
	u, ok := resolve(rec.Final(), raw)
	if !ok {
		return nil // not a link: left as it is
	}
	expand := ls.name.Option(fieldExpand, m, "expanding "+m)
	if err := f.Scope().Check(u); err != nil {
		problem(fmt.Sprintf("%s: %s: %s: %v; left as a URL", rec.URL, expand, u, err))
		return nil
	}
	l := ls.get(f, ls.form(u), rec)
	if l.stopped {
		ls.stopped.add(u)
		return nil
	}
	if l.doc == nil {
		problem(fmt.Sprintf("%s: %s: %s: %s", rec.URL, expand, u, l.err))
		return nil
	}
	return l.doc
}

// resolve is link as an absolute http(s) URL: link itself when it is one, else link resolved
// against base when it is a path ("/…", "./…", "../…", "?…", no white space); ok is false
// for any other string, which is not a link.
func resolve(base, link string) (u string, ok bool) {
	if fetcher.CheckURL(link) == nil {
		return link, true
	}
	if !strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "./") && !strings.HasPrefix(link, "../") &&
		!strings.HasPrefix(link, "?") || strings.ContainsAny(link, " \t\r\n") {
		return "", false
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	r, err := b.Parse(link)
	if err != nil || fetcher.CheckURL(r.String()) != nil {
		return "", false
	}
	return r.String(), true
}

// linkForm is u in the form dialect d fetches it: under base, for a dialect whose URLs end in
// "/" (dev answers planets/1 with a redirect to planets/1/), with the slash; else as it is.
func linkForm(d *swapi.Dialect, base, u string) string {
	if d == nil || !d.Slash() {
		return u
	}
	pu, err := url.Parse(u)
	if err != nil || pu.RawQuery != "" || pu.ForceQuery || pu.Fragment != "" || strings.HasSuffix(pu.Path, "/") {
		return u
	}
	if !strings.HasPrefix(fetcher.URLKey(u), strings.TrimSuffix(fetcher.URLKey(base), "/")+"/") {
		return u
	}
	return u + "/"
}
