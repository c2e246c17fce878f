package fakeswapi

// This file answers as swapi.info does: static files behind its hosting's rewrites.

import (
	"net/http"
	"strings"
)

// InfoBase is the base URL in the links of swapi.info's files (Options.AbsoluteLinks).
const InfoBase = "https://swapi.info/api/"

var (
	infoHeader = http.Header{
		"Access-Control-Allow-Origin":  {"*"},
		"Access-Control-Allow-Methods": {"GET, OPTIONS"},
		"Access-Control-Allow-Headers": {"Content-Type"},
	}
	infoNotFound = newBody([]byte("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n" +
		"<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n"))
	infoNotAllowed = newBody([]byte("<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n" +
		"<center><h1>405 Not Allowed</h1></center>\r\n</body>\r\n</html>\r\n"))
)

// infoRoute is what a path addresses on swapi.info: its rewrites map /api, /api/R/,
// /api/R/all, /api/R/:id/ and /api/R/:id.json to its files.
type infoRoute struct {
	kind routeKind
	res  resource
	id   int
}

func parseInfo(path string) infoRoute {
	if path == "/api" || path == "/api/" {
		return infoRoute{kind: routeRoot}
	}
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return infoRoute{}
	}
	name, rest, _ := strings.Cut(rest, "/")
	res, ok := resourceByName(name)
	if !ok {
		return infoRoute{}
	}
	switch rest {
	case "", "all", "all.json":
		return infoRoute{kind: routeAll, res: res}
	case "schema", "schema/":
		return infoRoute{kind: routeSchema, res: res}
	}
	rest = strings.TrimSuffix(rest, "/")
	if s, ok := strings.CutSuffix(rest, ".json"); ok {
		rest = s
	}
	id, ok := fileID(rest)
	if !ok {
		return infoRoute{}
	}
	return infoRoute{kind: routeDetail, res: res, id: id}
}

// answerInfo answers r as swapi.info does; the query is ignored.
func (s *Server) answerInfo(r *http.Request) response {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return response{status: http.StatusMethodNotAllowed, ctype: htmlType, body: infoNotAllowed}
	}
	rt := parseInfo(r.URL.Path)
	base := InfoBase
	if !s.opts.AbsoluteLinks {
		base = baseURL(r.TLS != nil, requestHost(r))
	}
	switch rt.kind {
	case routeRoot:
		return jsonResponse(http.StatusOK, s.expanded(base, s.cat.root, func(st *site) body { return st.root }), infoHeader)
	case routeAll:
		return jsonResponse(http.StatusOK, s.expanded(base, s.cat.pages[rt.res][0], func(st *site) body { return st.pages[rt.res][0] }), infoHeader)
	case routeSchema:
		return jsonResponse(http.StatusOK, newBody(s.cat.schemas[rt.res]), infoHeader)
	case routeDetail:
		if rt.id < len(s.cat.docs[rt.res]) && s.cat.docs[rt.res][rt.id] != nil {
			return jsonResponse(http.StatusOK, s.expanded(base, s.cat.docs[rt.res][rt.id], func(st *site) body { return st.docs[rt.res][rt.id] }), infoHeader)
		}
	}
	return response{status: http.StatusNotFound, ctype: htmlType, body: infoNotFound}
}
