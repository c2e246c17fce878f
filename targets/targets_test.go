package targets_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/swapi"
	"github.com/fetchbench/fetchbench/targets"
)

func TestNew(t *testing.T) {
	t.Parallel()
	people := targets.Source{Resource: "people", Count: 1}
	tests := []struct {
		name    string
		cfg     targets.Config
		dialect string
		base    string
		input   string   // the InputError's Field and Arg, "" for no error
		hint    []string // the other SWAPIs Others names, in order
	}{
		{name: "default", cfg: targets.Config{Source: people},
			dialect: "py4e", base: swapi.PY4E.BaseURL, hint: []string{"info", "tech"}},
		{name: "api", cfg: targets.Config{API: "tech", Source: people},
			dialect: "tech", base: swapi.Tech.BaseURL, hint: []string{"py4e", "info"}},
		{name: "base URL host", cfg: targets.Config{BaseURL: "https://swapi.info/api/", BaseURLSet: true, Source: people},
			dialect: "info", base: "https://swapi.info/api/", hint: []string{"py4e", "tech"}},
		{name: "other host", cfg: targets.Config{BaseURL: "http://127.0.0.1:1/api/", BaseURLSet: true, Source: people},
			dialect: "dev", base: "http://127.0.0.1:1/api/", hint: []string{"py4e", "info", "tech"}},
		{name: "offline", cfg: targets.Config{Offline: true, Source: people}, dialect: "dev", base: swapi.Dev.BaseURL},
		{name: "empty base URL given", cfg: targets.Config{BaseURLSet: true, Source: people}, input: "BaseURL"},
		{name: "template without id", cfg: targets.Config{Source: targets.Source{Template: "http://x/"}}, input: "Template"},
		{name: "unknown api", cfg: targets.Config{API: "nope", Source: people}, input: "API"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sp, err := targets.New(tc.cfg)
			var ie *targets.InputError
			if tc.input != "" {
				if !errors.As(err, &ie) || strings.TrimSpace(ie.Field+" "+ie.Arg) != tc.input {
					t.Fatalf("New = %v, want an InputError for %s", err, tc.input)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{sp.Dialect.Name, sp.Base}
			if diff := cmp.Diff([]string{tc.dialect, tc.base}, got); diff != "" {
				t.Errorf("dialect, base (-want +got):\n%s", diff)
			}
			var others []string
			for _, d := range sp.Others() {
				others = append(others, d.Name)
			}
			if diff := cmp.Diff(tc.hint, others); diff != "" {
				t.Errorf("Others (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tmpl := "http://127.0.0.1:1/api/people/{id}/"
	tests := []struct {
		name  string
		src   targets.Source
		stdin string
		want  []string // the targets' URLs
		input string   // the InputError's Field and Arg, "" for no error
	}{
		{name: "count", src: targets.Source{Template: tmpl, Count: 2},
			want: []string{"http://127.0.0.1:1/api/people/1/", "http://127.0.0.1:1/api/people/2/"}},
		{name: "ids", src: targets.Source{Template: tmpl, IDs: []int{7}}, want: []string{"http://127.0.0.1:1/api/people/7/"}},
		{name: "ids from stdin", src: targets.Source{Template: tmpl, IDsStdin: true}, stdin: "3\n",
			want: []string{"http://127.0.0.1:1/api/people/3/"}},
		{name: "bad ids from stdin", src: targets.Source{Template: tmpl, IDsStdin: true}, stdin: "x\n", input: "IDs -"},
		{name: "urls from stdin", src: targets.Source{URLs: "-"}, stdin: "http://127.0.0.1:1/a\n", want: []string{"http://127.0.0.1:1/a"}},
		{name: "missing urls file", src: targets.Source{URLs: "/nonexistent/urls.txt"}, input: "URLs"},
		{name: "bad url on stdin", src: targets.Source{URLs: "-"}, stdin: "ftp://x\n", input: "URLs stdin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sp, err := targets.New(targets.Config{Source: tc.src})
			if err != nil {
				t.Fatal(err)
			}
			ts, discovered, err := sp.Resolve(context.Background(), strings.NewReader(tc.stdin), nil)
			if tc.input != "" {
				var ie *targets.InputError
				if !errors.As(err, &ie) || strings.TrimSpace(ie.Field+" "+ie.Arg) != tc.input {
					t.Fatalf("Resolve = %v, want an InputError for %s", err, tc.input)
				}
				return
			}
			if err != nil || discovered != "" {
				t.Fatalf("Resolve = %q, %v", discovered, err)
			}
			var got []string
			for i := range ts.Len() {
				got = append(got, ts.At(i).URL)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("URLs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveAll(t *testing.T) {
	t.Parallel()
	sp, err := targets.New(targets.Config{API: "py4e", Source: targets.Source{Resource: "films", All: true}})
	if err != nil {
		t.Fatal(err)
	}
	// Only a server that did not answer is asked whether it is up.
	for _, tc := range []struct {
		name string
		err  error
		hint string
	}{
		{"no answer", fmt.Errorf("down: %w", fetcher.ErrNoAnswer), "; is it up? other SWAPIs: info, tech"},
		{"answered with a malformed page", fmt.Errorf("malformed: %w", swapi.ErrListPage), ""},
	} {
		discover := func(_ context.Context, d *swapi.Dialect, base, resource string) (fetcher.Targets, string, error) {
			return nil, "", fmt.Errorf("%s %s %s %w", d.Name, base, resource, tc.err)
		}
		_, _, err = sp.Resolve(context.Background(), nil, discover)
		want := "py4e " + swapi.PY4E.BaseURL + " films " + tc.err.Error() + tc.hint
		if err == nil || err.Error() != want {
			t.Errorf("%s: Resolve = %v, want %q", tc.name, err, want)
		}
	}
	discover := func(context.Context, *swapi.Dialect, string, string) (fetcher.Targets, string, error) {
		return nil, "", errors.New("down")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := sp.Resolve(ctx, nil, discover); !errors.Is(err, targets.ErrInterrupted) || err.Error() != "interrupted during discovery" {
		t.Errorf("Resolve after cancel = %v, want ErrInterrupted during discovery", err)
	}
}

func TestResolveStdinInterrupted(t *testing.T) {
	t.Parallel()
	sp, err := targets.New(targets.Config{Source: targets.Source{Template: "http://127.0.0.1:1/{id}", IDsStdin: true}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	block := blockingReader{}
	if _, _, err := sp.Resolve(ctx, block, nil); !errors.Is(err, targets.ErrInterrupted) || err.Error() != "interrupted while reading stdin" {
		t.Errorf("Resolve = %v, want ErrInterrupted while reading stdin", err)
	}
}

// blockingReader never returns, like a terminal nobody types into.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }
