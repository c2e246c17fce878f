package crawl

import (
	"slices"
	"testing"

	"github.com/fetchbench/fetchbench/internal/naming"
)

// TestLinesName checks that the limits in the crawl's lines are named by the namer it is
// handed, and worded without one.
func TestLinesName(t *testing.T) {
	t.Parallel()
	res := &Result{Counts: Counts{Requests: 12, Pages: 12, Seen: 39, Duplicate: 24, OverDepth: 1, OverMax: 2}, MaxPages: 12, Depth: 3}
	flags := naming.Namer(func(field string) string {
		return map[string]string{"crawl.Job.Depth": "--depth", "crawl.Job.MaxPages": "--max-pages"}[field]
	})
	for _, tc := range []struct {
		name string
		n    naming.Namer
		want []string
	}{
		{"flags", flags, []string{
			"crawled 12 pages; 39 links seen: 24 duplicate, 0 out of scope, 0 disallowed by robots.txt, 1 over --depth, 2 over --max-pages",
			"stopped at --max-pages 12: 2 links not followed",
			"--depth 3 reached: 1 link deeper not followed",
		}},
		{"no namer", nil, []string{
			"crawled 12 pages; 39 links seen: 24 duplicate, 0 out of scope, 0 disallowed by robots.txt, 1 over the depth limit, 2 over the page limit",
			"stopped at the limit of 12 pages: 2 links not followed",
			"the depth limit of 3 reached: 1 link deeper not followed",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := res.Lines(tc.n); !slices.Equal(got, tc.want) {
				t.Errorf("Lines() =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
