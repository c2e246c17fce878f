package report

import (
	"bytes"
	"context"
	"encoding/json"
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

// htmlFixture is the report of the recorded sweep: every strategy, semaphore at five levels,
// replayed from records of a real run against the fake (the README's screenshot).
func htmlFixture(t *testing.T) []byte {
	t.Helper()
	c, runs, _ := recordedRuns(t, recordedSweep)
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
// series stays within its peak (sequential at most 1), says its bucket, and its area is the
// run's mean in flight over its wall; the sweep names its knee in words.
func TestHTMLInFlightData(t *testing.T) {
	t.Parallel()
	d := pageData(t, htmlFixture(t))
	if len(d.Runs) != 8 {
		t.Fatalf("%d runs, want 8", len(d.Runs))
	}
	for _, r := range d.Runs {
		top, area := 0.0, 0.0
		for _, v := range r.InFlight {
			top, area = max(top, v), area+v*r.BucketMS
		}
		if top > float64(r.Peak) || (r.Label == "sequential" && top > 1) || r.Peak == 0 || r.BucketMS <= 0 {
			t.Errorf("%s: the series reaches %v, peak %d, bucket %v ms", r.Label, top, r.Peak, r.BucketMS)
		}
		if mean := area / r.WallMS; math.Abs(mean-r.MeanInFlight) > 0.01*r.MeanInFlight+0.002 {
			t.Errorf("%s: the series averages %v in flight, the summary says %v", r.Label, mean, r.MeanInFlight)
		}
	}
	if len(d.Sweeps) != 1 || !strings.Contains(d.Sweeps[0].Knee, "knee") {
		t.Errorf("sweeps %+v", d.Sweeps)
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
	if err := os.WriteFile(page, htmlFixture(t), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1200, 900), chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("proxy-server", "127.0.0.1:9"), // any request that leaves would fail anyway
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	url := "file://" + page
	listen := chromedp.Listen(ctx, func(ev any) {
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
	})
	if listen != nil {
		t.Fatalf("start chromium: %v", listen)
	}
	err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`body[data-charts-drawn="true"]`)))
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("the charts did not draw: %v (problems: %v)", err, problems)
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
