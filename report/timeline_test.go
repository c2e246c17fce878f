package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

func TestWriteTimelines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		opts   TimelineOptions
	}{
		{"timeline.shared.golden", TimelineOptions{}},
		{"timeline.own.golden", TimelineOptions{Own: true, Width: 40}},
		{"timeline.color.golden", TimelineOptions{Color: true, Width: 30}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			_, _, timelines := recordedRuns(t, recordedCompare)
			if err := WriteTimelines(&buf, timelines, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, buf.Bytes())
			if !tc.opts.Color && strings.Contains(buf.String(), "\x1b") {
				t.Error("escape sequences without Color")
			}
		})
	}
}

// TestTimelineGroups draws 1,000 requests in at most TimelineRows rows, saying so, and counts
// the failures of a row.
func TestTimelineGroups(t *testing.T) {
	t.Parallel()
	const n = 1000
	tl := NewTimeline("semaphore c=100", n)
	for i := range n {
		r := fetcher.Record{Seq: i, Start: time.Duration(i/100) * 100 * time.Millisecond, Total: 100 * time.Millisecond, Attempts: 1}
		r.Queue = r.Start
		if i%250 == 0 {
			r.Class, r.Err = fetcher.ClassHTTP5xx, "http 500"
		}
		tl.Add(r)
	}
	tl.Add(fetcher.Record{Seq: -1, Start: time.Hour}) // an extra request is not drawn
	var buf bytes.Buffer
	if err := WriteTimelines(&buf, []*Timeline{tl}, TimelineOptions{Width: 50}); err != nil {
		t.Fatal(err)
	}
	golden(t, "timeline.groups.golden", buf.Bytes())
	rows := 0
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, "│") {
			rows++
		}
	}
	if rows != 40 {
		t.Errorf("%d rows, want 40:\n%s", rows, buf.String())
	}
}
