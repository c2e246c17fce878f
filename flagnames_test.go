package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// flagNames are the long and short names of every command's flags.
func flagNames() (long, short map[string]bool) {
	long, short = map[string]bool{}, map[string]bool{}
	var scale float64
	sets := []*pflag.FlagSet{
		newCompareFlags(&compareOptions{}), newGetFlags(&getOptions{}), newCrawlFlags(&crawlOptions{}),
		newServeFlags(&serveOptions{}), newReportFlags(&outputs{}), newWorkerFlags(&workerOptions{}),
		newLessonFlags(&scale),
	}
	for _, fs := range sets {
		fs.VisitAll(func(f *pflag.Flag) {
			long[f.Name] = true
			if f.Shorthand != "" {
				short[f.Shorthand] = true
			}
		})
	}
	long["help"], short["h"] = true, true
	return long, short
}

var (
	// fmtVerbRE matches a fmt verb, so that "%-8s" is not read as -8 or -s.
	fmtVerbRE = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?(\d+|\*)?(\.(\d+|\*)?)?(\[\d+\])?[a-zA-Z%]`)
	longRE    = regexp.MustCompile(`--([a-z0-9][a-z0-9-]*)`)
	shortRE   = regexp.MustCompile(`(?:^|[^\w-])-([a-zA-Z])(?:$|[^\w-])`)
)

// flagsNamed lists the flags that the string s names: --name of a long flag, -x of a short one
// standing as a word, or s itself when it is exactly a hyphenated long flag's name
// ("fake-latency", a table of flag names). fmt verbs are not read as flags.
func flagsNamed(s string, long, short map[string]bool) []string {
	if strings.Contains(s, "-") && long[s] {
		return []string{"--" + s}
	}
	s = fmtVerbRE.ReplaceAllString(s, "\x00")
	var named []string
	for _, m := range longRE.FindAllStringSubmatch(s, -1) {
		if name := strings.TrimRight(m[1], "-"); long[name] {
			named = append(named, "--"+name)
		}
	}
	for _, m := range shortRE.FindAllStringSubmatch(s, -1) {
		if short[m[1]] {
			named = append(named, "-"+m[1])
		}
	}
	return named
}

func TestFlagsNamed(t *testing.T) {
	t.Parallel()
	long := map[string]bool{"concurrency": true, "fake-rate": true, "redis": true}
	short := map[string]bool{"c": true, "o": true, "s": true}
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"lower -c to %d", []string{"-c"}},
		{"-o: %v", []string{"-o"}},
		{"--fake-rate %v: %w", []string{"--fake-rate"}},
		{"with --redis, --concurrency=4", []string{"--redis", "--concurrency"}},
		{"--fake-rate-x", nil},
		{"%-8s|%-s", nil},
		{"Content-Type", nil},
		{"a-c b", nil},
		{"-x -1 --unknown", nil},
		{"--", nil},
		{"fake-rate", []string{"--fake-rate"}},
		{"concurrency", nil},
		{"fake-rate ", nil},
	} {
		if got := flagsNamed(tc.in, long, short); !slices.Equal(got, tc.want) {
			t.Errorf("flagsNamed(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNoFlagNamesInLibraries fails when a string literal of a library (any package but main
// and internal/cliflag) names a command-line flag, or is a hyphenated flag's bare name
// ("fake-latency"): main owns the flags and words them.
func TestNoFlagNamesInLibraries(t *testing.T) {
	t.Parallel()
	long, short := flagNames()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || path == filepath.Join("internal", "cliflag")) {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Dir(path) == "." || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Errorf("%s: %v", fset.Position(lit.Pos()), err)
				return true
			}
			if named := flagsNamed(s, long, short); len(named) > 0 {
				t.Errorf("%s: %s names %s: a library returns a typed error, main words it", fset.Position(lit.Pos()), lit.Value, strings.Join(named, ", "))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
