package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fetchbench/fetchbench/fetcher"
)

// htmlFixture is the report of the recorded files, by default the recorded sweep: every
// fixed strategy, semaphore at five levels, replayed from records of a real run against the
// fake (the README's screenshot).
func htmlFixture(t *testing.T, files ...string) []byte {
	t.Helper()
	if len(files) == 0 {
		files = recordedSweep
	}
	c, runs, _ := recordedRuns(t, files)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, c, runs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pageData is the JSON the page embeds for its script.
func pageData(t *testing.T, page []byte) htmlData {
	t.Helper()
	const open = `<script id="data" type="application/json">`
	_, rest, ok := strings.Cut(string(page), open)
	js, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 {
		t.Fatal("no data in the page")
	}
	var d htmlData
	if err := json.Unmarshal([]byte(js), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestHTMLSelfContained checks that the page refers to nothing outside itself.
func TestHTMLSelfContained(t *testing.T) {
	t.Parallel()
	page := string(htmlFixture(t))
	for _, ref := range []string{"src=", "href=", "@import", "url(http", "<link"} {
		if strings.Contains(page, ref) {
			t.Errorf("the page contains %q", ref)
		}
	}
}

// TestHTMLInFlightData reads the data the recorded sweep's page embeds: each run's in-flight
// series stays within its peak (sequential at most 1), the peak is the summary's, the series
// says its bucket, and its area is the run's mean in flight over its wall; the sweep names its
// knee in words.
func TestHTMLInFlightData(t *testing.T) {
	t.Parallel()
	d := pageData(t, htmlFixture(t))
	c, _, _ := recordedRuns(t, recordedSweep)
	if len(d.Runs) != 8 || len(c.Summaries) != 8 {
		t.Fatalf("%d runs drawn, %d summarised; want 8", len(d.Runs), len(c.Summaries))
	}
	for i, r := range d.Runs {
		top, area := 0.0, 0.0
		for _, v := range r.InFlight {
			top, area = max(top, v), area+v*r.BucketMS
		}
		if top > float64(r.Peak) || (r.Label == "sequential" && top > 1) || r.Peak == 0 || r.BucketMS <= 0 {
			t.Errorf("%s: the series reaches %v, peak %d, bucket %v ms", r.Label, top, r.Peak, r.BucketMS)
		}
		if r.Peak != c.Summaries[i].PeakInFlight {
			t.Errorf("%s: peak %d in the data, %d in the summary", r.Label, r.Peak, c.Summaries[i].PeakInFlight)
		}
		if mean := area / r.WallMS; math.Abs(mean-r.MeanInFlight) > 0.01*r.MeanInFlight+0.002 {
			t.Errorf("%s: the series averages %v in flight, the summary says %v", r.Label, mean, r.MeanInFlight)
		}
		if r.LimitMin != nil || r.LimitMax != nil || r.LimitSettled != 0 {
			t.Errorf("%s: a limit series on a fixed strategy", r.Label)
		}
	}
	if len(d.Sweeps) != 1 || !strings.Contains(d.Sweeps[0].Knee, "knee") {
		t.Errorf("sweeps %+v", d.Sweeps)
	}
}

// TestHTMLLimitSeries reads the limit series the page embeds for the recorded adaptive run
// against the records it was replayed from: each bucket's lowest and highest limit are the
// least and the most Record.Limit of the requests started in it, every record's limit lies
// within its bucket's, every change of the summary's trajectory lies within the bucket of its
// moment, and the settled limit is the summary's.
func TestHTMLLimitSeries(t *testing.T) {
	t.Parallel()
	c, runs, _ := recordedRuns(t, recordedAdaptive)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, c, runs); err != nil {
		t.Fatal(err)
	}
	d := pageData(t, buf.Bytes())
	if len(d.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(d.Runs))
	}
	r, s := d.Runs[0], c.Summaries[0]
	n := len(r.TimeMS)
	if len(r.LimitMin) != n || len(r.LimitMax) != n || n < 2 {
		t.Fatalf("%d limit_min, %d limit_max for %d times", len(r.LimitMin), len(r.LimitMax), n)
	}
	if r.LimitSettled != s.LimitSettled || s.LimitSettled == 0 {
		t.Errorf("settled limit %d, the summary's %d", r.LimitSettled, s.LimitSettled)
	}
	// buckets are the buckets whose span holds at (ms), either one when at is within a
	// microsecond of their border.
	buckets := func(at float64) []int {
		var in []int
		for i := range n - 1 {
			if at >= r.TimeMS[i]-0.0015 && at < r.TimeMS[i+1]+0.0015 {
				in = append(in, i)
			}
		}
		return in
	}
	within := func(l int, in []int) bool {
		for _, i := range in {
			if r.LimitMax[i] != nil && int(*r.LimitMin[i]) <= l && l <= int(*r.LimitMax[i]) {
				return true
			}
		}
		return false
	}
	lo, hi := map[int]int{}, map[int]int{}
	for _, rec := range recordedRecords(t, recordedAdaptive[0]) {
		at := float64(rec.Start) / float64(time.Millisecond)
		in := buckets(at)
		if !within(rec.Limit, in) {
			t.Errorf("request %d started at %.3f ms under limit %d: outside its bucket's %v", rec.Seq, at, rec.Limit, in)
		}
		if len(in) == 1 {
			i := in[0]
			if _, ok := hi[i]; !ok {
				lo[i], hi[i] = rec.Limit, rec.Limit
			}
			lo[i], hi[i] = min(lo[i], rec.Limit), max(hi[i], rec.Limit)
		}
	}
	for i := range n {
		switch {
		case r.LimitMax[i] == nil:
			if _, ok := hi[i]; ok {
				t.Errorf("bucket %d (%.3f ms): no limit, yet requests started in it", i, r.TimeMS[i])
			}
		case hi[i] != 0 && (int(*r.LimitMin[i]) != lo[i] || int(*r.LimitMax[i]) != hi[i]):
			t.Errorf("bucket %d (%.3f ms): limit %d–%d, its requests' %d–%d", i, r.TimeMS[i], *r.LimitMin[i], *r.LimitMax[i], lo[i], hi[i])
		}
	}
	if len(s.LimitTrajectory) < 2 {
		t.Fatalf("trajectory %v: want the limit to change", s.LimitTrajectory)
	}
	for _, p := range s.LimitTrajectory {
		if !within(p.Limit, buckets(p.AtMS)) {
			t.Errorf("trajectory point %+v: outside the series at %.3f ms", p, p.AtMS)
		}
	}
}

// TestHTMLWaterfallSampled draws every k-th request of a run past WaterfallRows, and says so.
func TestHTMLWaterfallSampled(t *testing.T) {
	t.Parallel()
	h := NewHTMLRun("semaphore c=8", 3000)
	for seq := range 3000 {
		h.Add(fetcher.Record{Strategy: fetcher.Semaphore, Seq: seq, Latency: time.Millisecond, Total: time.Millisecond, Attempts: 1, Status: 200})
	}
	d := h.data(Summary{})
	if d.EveryKth != 2 || len(d.Rows) != 1500 {
		t.Errorf("every %d-th request drawn, %d rows; want every 2nd, 1500", d.EveryKth, len(d.Rows))
	}
}

// startChromium starts headless Chromium (browser) with its profile in dir, listening with
// onEvent, for a minute at most. A browser that fails to start (a loaded machine can time out
// its start) is started again, three times in all.
func startChromium(t *testing.T, browser, dir string, onEvent func(ev any)) context.Context {
	t.Helper()
	var err error
	for attempt := range 3 {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.WindowSize(1200, 900), chromedp.UserDataDir(filepath.Join(dir, fmt.Sprintf("profile%d", attempt))),
			chromedp.Flag("proxy-server", "127.0.0.1:9"), // any request that leaves would fail anyway
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(actx)
		ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
		cancel := func() { cancelTimeout(); cancelCtx(); cancelAlloc() }
		if err = chromedp.Listen(ctx, onEvent); err == nil {
			t.Cleanup(cancel)
			return ctx
		}
		cancel()
	}
	t.Fatalf("start chromium: %v", err)
	return nil
}

// chromium is the browser the HTML test runs, or "" when none is installed.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestHTMLInBrowser opens the report in headless Chromium, offline: it waits until every chart
// has drawn, fails on any console error, exception or network request, and saves a
// screenshot (to $FETCHBENCH_SCREENSHOT when set, for the README).
func TestHTMLInBrowser(t *testing.T) {
	browser := chromium()
	if browser == "" {
		if os.Getenv("FETCHBENCH_CI") != "" {
			t.Fatal("no chromium to open the HTML report in (.ci/run installs it)")
		}
		t.Skip("no chromium installed")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, htmlFixture(t, append(recordedSweep, recordedAdaptive...)...), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var problems []string
	url := "file://" + page
	onEvent := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, "console "+string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text+" "+exceptionText(ev.ExceptionDetails))
		case *network.EventRequestWillBeSent:
			if ev.Request.URL != url && !strings.HasPrefix(ev.Request.URL, "data:") {
				problems = append(problems, "request: "+ev.Request.URL)
			}
		}
	}
	ctx := startChromium(t, browser, dir, onEvent)
	err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`body[data-charts-drawn="true"]`)))
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("the charts did not draw: %v (problems: %v)", err, problems)
	}
	limitNote, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll("p.note")].some(p => /adaptive limit \d+–\d+, settled at \d+/.test(p.textContent))`))
	if err != nil {
		t.Fatal(err)
	}
	if !limitNote {
		t.Error("no adaptive limit note beside the adaptive run's in-flight chart")
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	out := os.Getenv("FETCHBENCH_SCREENSHOT")
	if out == "" {
		out = filepath.Join(dir, "report.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(shot) < 10000 {
		t.Errorf("screenshot of %d bytes: blank?", len(shot))
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}
