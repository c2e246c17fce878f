package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fetcher"
)

// sizeValue is a byte count flag accepting plain bytes or KB/KiB/MB/MiB/GB/GiB suffixes.
type sizeValue int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
}

func (s *sizeValue) String() string {
	v := int64(*s)
	for _, u := range slices.Backward(sizeUnits[:3]) { // GiB, MiB, KiB
		if v >= u.mult && v%u.mult == 0 {
			return strconv.FormatInt(v/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(v, 10)
}

func (s *sizeValue) Set(v string) error {
	num, mult := strings.TrimSpace(v), int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return fmt.Errorf("want a size such as 512KiB or 10MiB")
	}
	*s = sizeValue(n * mult)
	return nil
}

func (s *sizeValue) Type() string { return "size" }

const usageHeader = `fetchbench fetches N resources (SWAPI people by default) with four concurrency
strategies — sequential, unbounded, semaphore, ratelimit — measures every request,
and prints one table comparing what each strategy costs and buys.

Usage:
  fetchbench [flags]           run the chosen strategies and print the comparison
  fetchbench serve [flags]     run the fake SWAPI in the foreground (see fetchbench serve --help)

Examples:
  # all four strategies against the built-in fake SWAPI (100 ms per request)
  fetchbench --offline

  # one strategy, 50 requests, at most 5 in flight, against the real SWAPI
  fetchbench -s semaphore -c 5 -n 50

  # stream the names of people 1..9 to jq; stdout carries only records
  fetchbench --offline -n 9 -s unbounded --records - -q | jq -r .name

  # per-request records as CSV to a file, a markdown summary to paste in a PR
  fetchbench --offline --ids 1-30 --records runs.csv -o markdown

  # a CI gate: fail (exit 3) if any strategy errs or its p99 exceeds 500ms
  fetchbench --offline -s ratelimit -r 20 --fail-on 'errors>0,p99>500ms'

  # serve the fake SWAPI on 127.0.0.1:8080 with 4 server-side workers
  fetchbench serve --fake-latency 50ms --fake-workers 4

Exit codes: 0 done, 1 the run could not be performed, 2 usage error,
3 a threshold or deadline failed, 130 interrupted (after the partial report).

Flags:
`

func writeUsage(w io.Writer, fs *pflag.FlagSet) error {
	_, err := io.WriteString(w, usageHeader+fs.FlagUsagesWrapped(100))
	return err
}

// progress draws one status line on stderr while a strategy runs.
type progress struct {
	w       io.Writer
	enabled bool
	total   int
	done    atomic.Int64
	errs    atomic.Int64
	name    string
	stopCh  chan struct{}
	wg      sync.WaitGroup
}

func newProgress(w io.Writer, mode string, total int) *progress {
	p := &progress{w: w, total: total}
	switch mode {
	case "always":
		p.enabled = true
	case "auto":
		p.enabled = isTerminal(w)
	}
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) start(s fetcher.Strategy) {
	p.done.Store(0)
	p.errs.Store(0)
	p.name = string(s)
	if !p.enabled {
		return
	}
	p.stopCh = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stopCh:
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
}

func (p *progress) draw() {
	done, total := p.done.Load(), int64(p.total)
	const width = 30
	fill := 0
	if total > 0 {
		fill = int(done * width / total)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%-10s [%s%s] %d/%d  %d errors", p.name,
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total, p.errs.Load())
}

func (p *progress) add(r fetcher.Record) {
	p.done.Add(1)
	if !r.OK() {
		p.errs.Add(1)
	}
}

func (p *progress) stop() {
	if p.stopCh != nil {
		close(p.stopCh)
		p.wg.Wait()
		p.stopCh = nil
	}
}

// checkFDs raises the open-file limit to what an unbounded run needs, or explains what it needs.
func checkFDs(p *benchPlan, offline bool) error {
	need := uint64(0)
	for _, c := range p.configs {
		if c.Strategy == fetcher.Unbounded {
			need = uint64(p.targets.Len())
		}
	}
	if offline {
		need *= 2 // the in-process fake holds the server side of every connection
	}
	need += 256
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil
	}
	if lim.Cur >= need {
		return nil
	}
	want := syscall.Rlimit{Cur: max(need, lim.Cur), Max: max(need, lim.Max)}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
		return nil
	}
	if lim.Max > lim.Cur {
		want = syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want)
		if want.Cur >= need {
			return nil
		}
	}
	hint := ""
	if offline {
		hint = ", run the fake in its own process (fetchbench serve) to halve the need,"
	}
	return fmt.Errorf("unbounded with %d requests needs about %d open files but the limit is %d; raise it (ulimit -n %d)%s or use -s semaphore",
		p.targets.Len(), need, lim.Max, need, hint)
}
