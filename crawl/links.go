package crawl

// This file owns finding the links of a fetched body: string members of JSON documents that
// are URLs, a[href] and link[href] of HTML pages, and loc of sitemaps.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// maxLinkLen bounds a link taken from a body, in bytes; a longer string is not a link.
const maxLinkLen = 2048

// bodyType is how links are read from a body.
type bodyType int

const (
	typeNone bodyType = iota
	typeJSON
	typeHTML
	typeXML
)

// isUTF16 reports whether body starts with a UTF-16 byte order mark.
func isUTF16(body []byte) bool {
	return bytes.HasPrefix(body, []byte{0xfe, 0xff}) || bytes.HasPrefix(body, []byte{0xff, 0xfe})
}

// typeOf is the body type of a response from its Content-Type, else its first bytes.
func typeOf(contentType string, body []byte) bodyType {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case strings.Contains(mt, "json"):
		return typeJSON
	case mt == "text/html" || mt == "application/xhtml+xml":
		return typeHTML
	case strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml"):
		return typeXML
	case mt != "" && mt != "text/plain" && mt != "application/octet-stream":
		return typeNone
	}
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if isUTF16(body) { // a page saved as UTF-16 starts with its byte order mark
		head, _, _ := transform.Bytes(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder(), body[:min(len(body), 64)&^1])
		if b = bytes.TrimLeft(head, " \t\r\n"); len(b) > 0 && b[0] == '<' && !bytes.HasPrefix(b, []byte("<?xml")) {
			return typeHTML
		}
		return typeNone
	}
	switch {
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return typeJSON
	case bytes.HasPrefix(b, []byte("<?xml")):
		return typeXML
	case len(b) > 0 && b[0] == '<':
		return typeHTML
	}
	return typeNone
}

// links calls link with every link of body, whose answer came from page (the URL redirects
// led to), resolved to an absolute URL
// (not yet normalised or scoped): in JSON every string member that is an absolute http(s)
// URL or a path ("/…", "./…", "../…", "?…"); in HTML the href of every a and link element,
// resolved against the page's first base element when it is http(s); in a sitemap (or any
// XML) the text of every loc element. An HTML page in another encoding than UTF-8 (named by
// its byte order mark, its Content-Type or its meta charset) is read as UTF-8 first, as a
// browser does, so that its links are percent-encoded from UTF-8. It returns how many links
// it found, and how many it dropped: not http(s) (mailto:, javascript:), over maxLinkLen
// bytes, or not parsing.
func links(page *url.URL, contentType string, body []byte, link func(string)) (found, dropped int) {
	emit := func(raw string, base *url.URL) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return
		}
		if len(raw) > maxLinkLen {
			dropped++
			return
		}
		u, err := base.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			dropped++
			return
		}
		found++
		link(u.String())
	}
	switch typeOf(contentType, body) {
	case typeJSON:
		jsonLinks(page, body, emit)
	case typeHTML:
		htmlLinks(page, htmlText(contentType, body), emit)
	case typeXML:
		xmlLinks(page, body, emit)
	}
	return found, dropped
}

// looksLikeLink reports whether a JSON string is meant as a URL: absolute http(s), or a path.
func looksLikeLink(s string) bool {
	switch {
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"),
		strings.HasPrefix(s, "HTTP://"), strings.HasPrefix(s, "HTTPS://"):
		return true
	case strings.HasPrefix(s, "/"), strings.HasPrefix(s, "./"), strings.HasPrefix(s, "../"), strings.HasPrefix(s, "?"):
		return !strings.ContainsAny(s, " \t\r\n")
	}
	return false
}

// jsonLinks walks the JSON document body token by token (no tree is built; the fetcher
// already refused documents nested too deep) and emits its string values that look like links.
func jsonLinks(page *url.URL, body []byte, emit func(string, *url.URL)) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []bool // per open container: true for an object
	key := false     // the next string of the innermost object is a key
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, true)
				key = true
				continue
			case '[':
				stack = append(stack, false)
				key = false
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if key {
				key = false
				continue
			}
			if looksLikeLink(t) {
				emit(t, page)
			}
		}
		key = len(stack) > 0 && stack[len(stack)-1]
	}
}

// htmlText is an HTML body as UTF-8: decoded from the encoding its byte order mark, its
// Content-Type or its meta charset names; a page that names none is read as UTF-8 when it is
// valid UTF-8, else as windows-1252. A UTF-8 body is read as it is, invalid bytes included.
func htmlText(contentType string, body []byte) io.Reader {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" || (!certain && name == "windows-1252" && utf8.Valid(body)) {
		return bytes.NewReader(body)
	}
	return transform.NewReader(bytes.NewReader(body), enc.NewDecoder())
}

// htmlLinks tokenizes the page (no DOM) and emits a[href] and link[href], resolved against
// the first base[href] that is an http(s) URL (a javascript: or data: base is ignored).
func htmlLinks(page *url.URL, body io.Reader, emit func(string, *url.URL)) {
	base, based := page, false
	z := html.NewTokenizer(body)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if !hasAttr || (a != atom.A && a != atom.Link && a != atom.Base) {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "href" {
					if a == atom.Base {
						if b, err := page.Parse(strings.TrimSpace(string(v))); !based && err == nil && (b.Scheme == "http" || b.Scheme == "https") {
							base = b
						}
						based = true
					} else {
						emit(string(v), base)
					}
					break
				}
				if !more {
					break
				}
			}
		}
	}
}

// xmlLinks emits the text of every loc element of a sitemap or sitemap index.
func xmlLinks(page *url.URL, body []byte, emit func(string, *url.URL)) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	in := false
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == "loc"
			text.Reset()
		case xml.CharData:
			if in && text.Len() <= maxLinkLen {
				text.Write(t)
			}
		case xml.EndElement:
			if in && t.Name.Local == "loc" {
				emit(text.String(), page)
			}
			in = false
		}
	}
}
