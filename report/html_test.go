package report

import (
	"bytes"
	"context"
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

// htmlFixture is the report of the fixture runs plus a semaphore sweep of three levels.
func htmlFixture(t *testing.T) []byte {
	t.Helper()
	var sums []Summary
	var runs []*HTMLRun
	for _, run := range fixture() {
		h := NewHTMLRun(RunLabel(run.cfg), len(run.records))
		c := NewCollector(run.cfg)
		for _, r := range run.records {
			h.Add(r)
			c.Add(r)
		}
		runs = append(runs, h)
		sums = append(sums, c.Summary(run.stats))
	}
	for _, c := range []int{4, 8} {
		cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Semaphore.Limits(fetcher.Knobs{Concurrency: c})}
		h, col := NewHTMLRun(RunLabel(cfg), 3000), NewCollector(cfg)
		for seq := range 3000 { // past WaterfallRows: sampled
			r := fetcher.Record{Strategy: cfg.Strategy, Seq: seq, Start: time.Duration(seq/c) * time.Millisecond / 5, Latency: time.Millisecond/5 + time.Duration(seq%7)*10*time.Microsecond, Attempts: 1, Status: 200}
			r.Total, r.Queue = r.Latency, r.Start
			h.Add(r)
			col.Add(r)
		}
		runs = append(runs, h)
		sums = append(sums, col.Summary(fetcher.RunStats{}))
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, NewComparison(sums), runs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
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
	if !strings.Contains(page, `"every_kth":2`) {
		t.Error("no sampling note for the 3,000-request runs")
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
