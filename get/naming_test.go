package get_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/swapi"
)

// flags is a front end's naming of get's options, as package main's.
var flags = naming.Namer(func(field string) string {
	return map[string]string{"get.Shape.Keep": "--fields", "get.Shape.Fields": "--field", "get.Shape.Expand": "--expand",
		"targets.Config.API": "--api"}[field]
})

// TestFailuresNameOptions: the lines get says about its documents and list pages name the
// options as Output.OptionNamer names them, and word them without one.
func TestFailuresNameOptions(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/doc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name":"x","films":["http://%s/missing","http://127.0.0.1:1/f/1"],"x":%s}`, r.Host, deep(get.MaxPathDepth+1))
	})
	mux.HandleFunc("/api/people/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[]`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	field, err := get.ParseField("n=name")
	if err != nil {
		t.Fatal(err)
	}
	cfg := fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}}
	for _, tc := range []struct {
		name string
		n    naming.Namer
		want []string
	}{
		{"flags", flags, []string{
			srv.URL + "/doc: --expand films: " + srv.URL + "/missing: ",
			srv.URL + "/doc: --expand films: http://127.0.0.1:1/f/1: ",
			srv.URL + "/doc: nested deeper than 1000 levels: --field paths not evaluated",
			"list page 1 " + srv.URL + "/api/people/?page=1: not a list page of --api dev: ",
		}},
		{"no namer", nil, []string{
			srv.URL + "/doc: expanding films: " + srv.URL + "/missing: ",
			srv.URL + "/doc: expanding films: http://127.0.0.1:1/f/1: ",
			srv.URL + "/doc: nested deeper than 1000 levels: field paths not evaluated",
			"list page 1 " + srv.URL + "/api/people/?page=1: not a list page of dialect dev: ",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var failures []string
			out := get.Output{
				Document:    func([]byte) error { return nil },
				Failure:     func(msg string) { failures = append(failures, msg) },
				OptionNamer: tc.n,
			}
			job := get.Job{Config: cfg, Targets: fetcher.TargetList{{ID: 1, URL: srv.URL + "/doc"}},
				Shape: get.Shape{Keep: []string{"name", "films"}, Fields: []get.Field{field}, Expand: []string{"films"}}}
			if _, err := get.Run(context.Background(), job, out); err != nil {
				t.Fatal(err)
			}
			all := get.Job{Config: cfg, All: true, Base: srv.URL + "/api/", Resource: "people", Dialect: swapi.Dev}
			if _, err := get.Run(context.Background(), all, out); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !slices.ContainsFunc(failures, func(f string) bool { return strings.HasPrefix(f, want) }) {
					t.Errorf("no failure line starts with %q; lines:\n%s", want, strings.Join(failures, "\n"))
				}
			}
		})
	}
}

// TestColumnErrorWord: a name given to two columns is a *get.ColumnError that names both
// options.
func TestColumnErrorWord(t *testing.T) {
	t.Parallel()
	_, err := get.ParseShape([]string{"name"}, []string{"name=title"}, nil)
	var ce *get.ColumnError
	if !errors.As(err, &ce) {
		t.Fatalf("ParseShape error %v: want a *get.ColumnError", err)
	}
	for _, tc := range []struct {
		n    naming.Namer
		want string
	}{
		{flags, `"name" is both a --fields member and a --field name, or named twice`},
		{nil, `"name" is both a kept member and a field name, or named twice`},
	} {
		if got := ce.Word(tc.n); got != tc.want {
			t.Errorf("Word() = %q, want %q", got, tc.want)
		}
	}
}
