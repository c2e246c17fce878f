package get_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
)

// TestInterruptedSummarised: a Ctrl-C after the 5th of 2,000 requests, targets or links of
// one expanded document, prints no line per request it left unfetched: the links the run
// stopped before fetching are counted in one line naming the first three.
func TestInterruptedSummarised(t *testing.T) {
	t.Parallel()
	const n = 2000
	stoppedLine := regexp.MustCompile(`^(\d+) links not fetched, the run stopped first; left as URLs: \S+/f/\d+, \S+/f/\d+, \S+/f/\d+ and (\d+) more$`)
	tests := []struct {
		name      string
		expand    bool
		wantLines int // at most
	}{
		{name: "links", expand: true, wantLines: 2},
		{name: "targets", wantLines: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var body []byte
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Path == "/doc" {
					w.Write(body) //nolint:errcheck
					return
				}
				if hits.Add(1) == 5 {
					cancel()
				}
				w.Write([]byte(`{"title":"A New Hope"}`)) //nolint:errcheck
			}))
			t.Cleanup(srv.Close)
			body = linking(srv.URL, n, true)
			job := get.Job{Config: fetcher.Config{Strategy: fetcher.Sequential, Limits: fetcher.Limits{Slots: 1}}}
			if tt.expand {
				job.Targets = fetcher.TargetList{{ID: 1, URL: srv.URL + "/doc"}}
				job.Shape = get.Shape{Expand: []string{"films"}}
			} else {
				ts := make(fetcher.TargetList, n)
				for i := range ts {
					ts[i] = fetcher.Target{ID: i + 1, URL: fmt.Sprintf("%s/f/%d", srv.URL, i)}
				}
				job.Targets = ts
			}
			var failures []string
			res, err := get.Run(ctx, job, get.Output{
				Document: func([]byte) error { return nil },
				Failure:  func(msg string) { failures = append(failures, msg) },
			})
			if err != nil || !res.Interrupted {
				t.Fatalf("Run = %+v, %v; want interrupted", res, err)
			}
			if len(failures) > tt.wantLines {
				t.Fatalf("%d failure lines, want at most %d; the first: %.300q", len(failures), tt.wantLines, failures[:3])
			}
			if !tt.expand {
				return
			}
			for _, f := range failures {
				m := stoppedLine.FindStringSubmatch(f)
				if m == nil {
					continue
				}
				total, _ := strconv.Atoi(m[1])
				more, _ := strconv.Atoi(m[2])
				if total < n-10 || more != total-3 || res.Problems < total {
					t.Errorf("%q with %d problems; want about %d links, 3 named, all counted as problems", f, res.Problems, n)
				}
				return
			}
			t.Errorf("failures %q, want one matching %s", failures, stoppedLine)
		})
	}
}
