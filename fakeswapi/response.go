package fakeswapi

import (
	"html"
	"net/http"
	"strings"
)

// response is the normal answer to a request, before faults.
type response struct {
	status   int
	ctype    []string // Content-Type; nil with a location
	body     body
	location string      // a redirect's Location
	header   http.Header // more headers, shared and read-only
	abort    bool        // close the connection without answering (swapi.tech on HEAD, POST...)
}

// isJSON reports whether the body is JSON (faults apply to those).
func (rs response) isJSON() bool {
	return rs.location == "" && len(rs.ctype) == 1 && strings.HasPrefix(rs.ctype[0], "application/json")
}

var (
	jsonType     = []string{"application/json"}
	jsonUTF8Type = []string{"application/json; charset=utf-8"}
	htmlType     = []string{"text/html"}
	htmlUTF8Type = []string{"text/html; charset=utf-8"}
)

func jsonResponse(status int, b body, h http.Header) response {
	return response{status: status, ctype: jsonType, body: b, header: h}
}

// htmlPage is a small HTML page with title and text.
func htmlPage(title, text string) []byte {
	return []byte("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
		html.EscapeString(title) + "</title>\n</head>\n<body>\n<h1>" + html.EscapeString(title) +
		"</h1>\n<pre>" + html.EscapeString(text) + "</pre>\n</body>\n</html>\n")
}
