package report

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/fetcher"

	goldenfile "github.com/fetchbench/fetchbench/internal/golden"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func msd(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

// fixtureRun is one strategy's hand-made records and run statistics, for unit tests that
// compute what they expect by hand; golden files come from recorded runs (recordedRuns).
type fixtureRun struct {
	cfg     fetcher.Config
	stats   fetcher.RunStats
	records []fetcher.Record
}

// rec builds a record with the usual defaults: one attempt, TTFB 80% of latency, total equal to
// latency, 200 and 1000 bytes unless class says otherwise.
func rec(s fetcher.Strategy, seq int, start, queue, latency float64, class fetcher.ErrorClass) fetcher.Record {
	r := fetcher.Record{
		Strategy: s,
		Seq:      seq,
		ID:       seq + 1,
		URL:      "http://127.0.0.1:8080/api/people/" + string(rune('1'+seq)) + "/",
		Start:    msd(start),
		Queue:    msd(queue),
		Latency:  msd(latency),
		TTFB:     msd(latency * 0.8),
		Total:    msd(latency),
		Intended: msd(start),
		Response: msd(latency),
		Status:   200,
		Bytes:    1000,
		Attempts: 1,
		Name:     "Person " + string(rune('1'+seq)),
	}
	switch class {
	case fetcher.ClassNone:
	case fetcher.ClassHTTP4xx:
		r.Status, r.Bytes, r.Name = 404, 23, ""
		r.Err, r.Class = "http 404 Not Found", class
	case fetcher.ClassTimeout:
		r.Status, r.Bytes, r.TTFB, r.Name = 0, 0, 0, ""
		r.Err, r.Class = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)", class
	case fetcher.ClassCancelled:
		r.Status, r.Bytes, r.TTFB, r.Latency, r.Total, r.Response, r.Attempts, r.Name = 0, 0, 0, 0, 0, 0, 0, ""
		r.Err, r.Class = "context deadline exceeded", class
	}
	return r
}

// fixtureT0 is when the fixture's first run started.
var fixtureT0 = time.Date(2025, 4, 14, 12, 0, 0, 0, time.UTC)

// fixture is four strategy runs over six targets; the last target is a 404 everywhere,
// semaphore hits its deadline, ratelimit retries one request, and one name is hostile.
func fixture() []fixtureRun {
	seq, unb, sem, rl := fetcher.Sequential, fetcher.Unbounded, fetcher.Semaphore, fetcher.RateLimit
	runs := []fixtureRun{
		{
			cfg:   fetcher.Config{Strategy: seq, Limits: seq.Limits(fetcher.Knobs{})},
			stats: fetcher.RunStats{Strategy: seq, Requests: 6},
			records: []fetcher.Record{
				rec(seq, 0, 0, 0, 100, ""),
				rec(seq, 1, 101, 0, 120, ""),
				rec(seq, 2, 222, 0, 80, ""),
				rec(seq, 3, 303, 0, 150, ""),
				rec(seq, 4, 454, 0, 90, ""),
				rec(seq, 5, 545, 0, 20, fetcher.ClassHTTP4xx),
			},
		},
		{
			cfg:   fetcher.Config{Strategy: unb},
			stats: fetcher.RunStats{Strategy: unb, Requests: 6},
			records: []fetcher.Record{
				rec(unb, 5, 0.3, 0, 30, fetcher.ClassHTTP4xx),
				rec(unb, 2, 0.1, 0, 110, ""),
				rec(unb, 4, 0.2, 0, 120, ""),
				rec(unb, 0, 0, 0, 130, ""),
				rec(unb, 1, 0.05, 0, 140, ""),
				rec(unb, 3, 0.15, 0, 160, ""),
			},
		},
		{
			cfg:   fetcher.Config{Strategy: sem, Limits: sem.Limits(fetcher.Knobs{Concurrency: 2}), Deadline: 250 * time.Millisecond},
			stats: fetcher.RunStats{Strategy: sem, Requests: 6, DeadlineExceeded: true},
			records: []fetcher.Record{
				rec(sem, 0, 0, 0, 100, ""),
				rec(sem, 1, 0.1, 0, 120, ""),
				rec(sem, 2, 100.2, 100.2, 90, ""),
				rec(sem, 3, 120.3, 120.3, 129.7, fetcher.ClassTimeout),
				rec(sem, 4, 250, 250, 0, fetcher.ClassCancelled),
				rec(sem, 5, 250, 250, 0, fetcher.ClassCancelled),
			},
		},
		{
			cfg: fetcher.Config{Strategy: rl, Limits: rl.Limits(fetcher.Knobs{Rate: 10})},
			// Request 2's retry takes the token of 300ms, so the ones after it start 100ms later.
			stats: fetcher.RunStats{Strategy: rl, Requests: 6},
			records: []fetcher.Record{
				rec(rl, 0, 0, 0, 100, ""),
				rec(rl, 1, 100, 100, 110, ""),
				rec(rl, 3, 400, 400, 105, ""),
				rec(rl, 2, 200, 200, 90, ""),
				rec(rl, 4, 500, 500, 95, ""),
				rec(rl, 5, 600, 600, 25, fetcher.ClassHTTP4xx),
			},
		},
	}
	retried := &runs[3].records[3]
	retried.Attempts, retried.Total, retried.Response = 2, msd(190), msd(190)
	// The last request's token came 2ms after its slot.
	late := &runs[3].records[5]
	late.Intended, late.Response, late.Late = msd(598), msd(27), true
	runs[3].records[4].Name = "Evil \x1b[0m\"Name\"\\\n\xff"
	// Each run starts a second after the one before it, on the wall clock.
	for i := range runs {
		run := &runs[i]
		for j := range run.records {
			r := &run.records[j]
			r.Params = run.cfg.Strategy.Params(run.cfg.Limits)
			r.StartAt = fixtureT0.Add(time.Duration(i)*time.Second + r.Start)
		}
	}
	return runs
}

// fixtureSummaries feeds each fixture run to a Collector.
func fixtureSummaries() []Summary {
	var sums []Summary
	for _, run := range fixture() {
		c := NewCollector(run.cfg)
		for _, r := range run.records {
			c.Add(r)
		}
		sums = append(sums, c.Summary(run.stats))
	}
	return sums
}

// Recorded runs: records of real runs against the fake, written once by fetchbench --records
// and kept in testdata/runs, the inputs of every golden file and of the README's screenshot:
//
//	compare.ndjson  fetchbench --offline -n 24 -s all -c 4 -r 40 --fake-latency 20ms --fake-jitter 5ms --fake-error-rate 0.1 --retries 1
//	deadline.csv    fetchbench --offline -n 40 -s semaphore -c 2 --fake-latency 20ms --deadline 150ms
//	sweep.ndjson    fetchbench --offline -s all -c 1..16 -n 40
//	adaptive.ndjson fetchbench --offline --fake-workers 8@0s,2@1s,8@2s --fake-latency 50ms --ids 1-16,18-83,1-16,18-83,1-16,18-83 -s adaptive
//
// They are never edited by hand; re-record them with the commands above.
var (
	recordedCompare     = []string{"compare.ndjson"}
	recordedRecordFiles = []string{"compare.ndjson", "deadline.csv"}
	recordedSweep       = []string{"sweep.ndjson"}
	recordedAdaptive    = []string{"adaptive.ndjson"}
)

// recordedRuns replays the recorded files through Replay, as fetchbench report does, and
// returns the comparison with each run's HTML part and timeline.
func recordedRuns(t *testing.T, files []string) (Comparison, []*HTMLRun, []*Timeline) {
	t.Helper()
	var inputs []ReplayInput
	for _, f := range files {
		path := filepath.Join("testdata", "runs", f)
		inputs = append(inputs, ReplayInput{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }})
	}
	var htmls []*HTMLRun
	var timelines []*Timeline
	r, err := Replay(context.Background(), inputs, func(cfg fetcher.Config, n int) []Consumer {
		h, tl := NewHTMLRun(RunLabel(cfg), n), NewTimeline(RunLabel(cfg), n)
		htmls, timelines = append(htmls, h), append(timelines, tl)
		return []Consumer{h, tl}
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.Comparison, htmls, timelines
}

// recordedRecords reads the records of a recorded file, in file order.
func recordedRecords(t *testing.T, file string) []fetcher.Record {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "runs", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rr := NewRecordReader(f)
	var recs []fetcher.Record
	for {
		r, err := rr.Read()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
}
