package fetcher

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// maxHeaderBytes bounds a response's header block; a larger one fails the attempt.
const maxHeaderBytes = 1 << 20

// boundedTransport hands colly response bodies that never yield more than max bytes, counted
// after decoding, and names the error of an exchange that outlived its deadline (the
// worker's exchange context applies it, redirects and body included). It decodes a gzip or
// x-gzip Content-Encoding itself and marks every response Uncompressed, so colly, which would
// otherwise gunzip some bodies (by Content-Encoding, by a gzip Content-Type, by a .xml.gz
// path) after applying its own limit to the compressed bytes, never inflates anything.
//
// The timeout is not http.Client's: the client's wraps every request through a RoundTripper
// it does not know in a goroutine, a timer and a dozen allocations.
//
// It notes on its worker's attempt the protocol of each response and the proxy each request
// goes through.
type boundedTransport struct {
	base  *http.Transport
	max   int64
	x     *exchange
	a     *attempt
	body  limitedBody // reused: a response's body is closed before the next request
	proxy proxyCache
}

func (t *boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.a.proxy = t.proxy.lookup(t.base.Proxy, req)
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, t.timedOut("awaiting headers", err)
	}
	t.a.proto = res.Proto
	if !res.Uncompressed {
		switch strings.ToLower(strings.TrimSpace(res.Header.Get("Content-Encoding"))) {
		case "gzip", "x-gzip":
			res.Body = &gunzipBody{rc: res.Body}
			res.Header.Del("Content-Encoding")
			res.Header.Del("Content-Length")
			res.ContentLength = -1
		}
		res.Uncompressed = true
	}
	t.body = limitedBody{rc: res.Body, max: t.max, left: t.max, t: t}
	res.Body = &t.body
	return res, nil
}

// timedOut names err as the timeout it is when the exchange's deadline passed.
func (t *boundedTransport) timedOut(while string, err error) error {
	if limit, ok := t.x.timedOut(); ok {
		return fmt.Errorf("timeout after %s %s: %w", limit, while, err)
	}
	return err
}

// limitedBody yields at most max bytes of rc, then fails with errBodyTooLarge if more remain.
type limitedBody struct {
	rc        io.ReadCloser
	max, left int64
	t         *boundedTransport
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a larger one.
		var one [1]byte
		n, err := io.ReadFull(b.rc, one[:])
		if n == 0 {
			return 0, err
		}
		return 0, fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, b.max)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		err = b.t.timedOut("reading the body", err)
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// bodyTransport reads each body colly is to read (every answer but a redirect the client
// follows) into its attempt itself, and hands colly a body that is already at its end: colly's
// io.ReadAll would hold the body being read in growing chunks and then copy them into one
// slice, two copies of each document at once. A body whose Content-Length is known (and
// within max) ends in one slice of that size (readBody); any other is read as io.ReadAll
// reads it (there is no reading a body of unknown size into one slice without a copy). The
// read, and its errors, happen in colly's read of the body, so that its timing and failures
// are the attempt's as before. It is the outermost transport of a worker, above the cache.
type bodyTransport struct {
	next http.RoundTripper
	max  int64
	a    *attempt
	body wholeBody // reused: a response's body is read before the next request
}

func (t *bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(req)
	if err != nil || followed(res) {
		return res, err
	}
	size := res.ContentLength
	if size > t.max {
		size = -1 // the limit fails it once max bytes are read, not before
	}
	t.body = wholeBody{rc: res.Body, size: size, a: t.a}
	res.Body = &t.body
	return res, nil
}

// followed reports whether res is a redirect http.Client may follow, whose body it discards.
func followed(res *http.Response) bool {
	switch res.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return res.Header.Get("Location") != ""
	}
	return false
}

// wholeBody reads all of rc into its attempt's body on the first Read, which then reports
// the end of the body (or the read's error).
type wholeBody struct {
	rc   io.ReadCloser
	size int64 // the body's length, -1 when unknown
	a    *attempt
	read bool
}

func (b *wholeBody) Read([]byte) (int, error) {
	if b.read {
		return 0, io.EOF
	}
	b.read = true
	body, err := readBody(b.rc, b.size)
	if err != nil {
		return 0, err
	}
	b.a.body, b.a.bodyRead = body, true
	return 0, io.EOF
}

func (b *wholeBody) Close() error { return b.rc.Close() }

// readBody reads r to its end. With size ≥ 0 (a Content-Length) it grows its slice with the
// bytes that arrive, fourfold from 64 KiB and never past size, so that an honest size ends in
// one slice of exactly size bytes (at most 1.25 × size held while the last growth copies) and
// a lying one costs no more than four times what was sent; more than size is appended, at
// the cost of a copy, and less is io.ErrUnexpectedEOF. Without a size it reads as io.ReadAll.
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(r)
	}
	body := make([]byte, 0, min(size, firstChunk))
	for int64(len(body)) < size {
		if len(body) == cap(body) {
			grown := make([]byte, len(body), min(size, 4*int64(cap(body))))
			copy(grown, body)
			body = grown
		}
		n, err := r.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		switch {
		case err == io.EOF && int64(len(body)) < size:
			return nil, io.ErrUnexpectedEOF
		case err == io.EOF:
			return body, nil
		case err != nil:
			return nil, err
		}
	}
	rest, err := io.ReadAll(r)
	if len(rest) > 0 {
		body = append(body, rest...)
	}
	return body, err
}

// firstChunk is readBody's first allocation for a body of known size.
const firstChunk = 64 << 10

// gunzipBody decodes rc, reading the gzip header on the first Read so that a stalled or
// malformed body fails inside the body read, with the status already known.
type gunzipBody struct {
	rc io.ReadCloser
	zr *gzip.Reader
}

func (g *gunzipBody) Read(p []byte) (int, error) {
	if g.zr == nil {
		zr, err := gzip.NewReader(g.rc)
		if err != nil {
			return 0, fmt.Errorf("gzip body: %w", err)
		}
		g.zr = zr
	}
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip body: %w", err)
	}
	return n, err
}

func (g *gunzipBody) Close() error { return g.rc.Close() }

// countDials wraps tr's dialer so that every connection established adds one to n.
func countDials(tr *http.Transport, n *atomic.Int64) {
	dial := tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil {
			n.Add(1)
		}
		return c, err
	}
}

// proxyCache remembers the proxy of the last scheme and host asked about, so that the
// environment's rules are not matched again for every request to the same host.
type proxyCache struct {
	scheme, host, proxy string
}

// lookup is the proxy, password masked, that proxy (the transport's Proxy, nil for none)
// chooses for req; "" for none or when it fails (the transport then fails the request).
func (c *proxyCache) lookup(proxy func(*http.Request) (*url.URL, error), req *http.Request) string {
	if proxy == nil {
		return ""
	}
	if req.URL.Scheme == c.scheme && req.URL.Host == c.host {
		return c.proxy
	}
	c.scheme, c.host, c.proxy = req.URL.Scheme, req.URL.Host, ""
	if u, err := proxy(req); err == nil && u != nil {
		c.proxy = u.Redacted()
	}
	return c.proxy
}
