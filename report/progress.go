package report

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/plural"
)

// ProgressEvery is how often a Progress redraws its line.
const ProgressEvery = 200 * time.Millisecond

// Progress is a Consumer that draws one status line for a run on w, for a terminal:
// "semaphore  [#########.....................] 12/40  1 errors", redrawn every ProgressEvery
// from its own goroutine and erased by Close. Add is safe for concurrent use.
type Progress struct {
	w     io.Writer
	name  string
	total int64
	done  atomic.Int64
	errs  atomic.Int64
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

// NewProgress starts drawing the progress of a run called name (sanitized) of total records
// (≤ 0: not known up front; the line then counts without a bar).
func NewProgress(w io.Writer, name string, total int) *Progress {
	p := &Progress{w: w, name: Sanitize(name), total: int64(total), stop: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-t.C:
				p.draw()
			}
		}
	})
	return p
}

func (p *Progress) draw() {
	done := p.done.Load()
	if p.total <= 0 { // work found as the run goes (a crawl): no end to measure against
		fmt.Fprintf(p.w, "\r\x1b[K%-10s %d done  %s", p.name, done, plural.N(p.errs.Load(), "error", "errors"))
		return
	}
	const width = 30
	fill := int(min(done, p.total) * width / p.total)
	fmt.Fprintf(p.w, "\r\x1b[K%-10s [%s%s] %d/%d  %s", p.name,
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, p.total, plural.N(p.errs.Load(), "error", "errors"))
}

// Add counts r.
func (p *Progress) Add(r fetcher.Record) {
	p.done.Add(1)
	if !r.OK() {
		p.errs.Add(1)
	}
}

// Close stops drawing and erases the line. It never fails and is safe to call twice.
func (p *Progress) Close() error {
	p.once.Do(func() { close(p.stop) })
	p.wg.Wait()
	return nil
}

// IsTerminal reports whether w is a terminal (not merely a character device: /dev/null is not).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
