package report

import (
	"io"
	"sync"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
)

// FlushEvery is how often a RecordStream flushes buffered records, so that a reader at the
// other end of a pipe sees them while a run goes on.
const FlushEvery = 200 * time.Millisecond

// RecordStream writes the records of every run of an invocation to one writer, one line per
// record, in completion order or, within each run, in input order (Record.Seq). It flushes at
// least every FlushEvery. Create it with NewRecordStream, take one Consumer per run from Run,
// and Close it at the end; it does not close the underlying writer.
type RecordStream struct {
	inputOrder bool

	mu  sync.Mutex
	w   RecordWriter
	err error // the first write or flush error; every later write is skipped

	stop chan struct{}
	done chan struct{}
}

// NewRecordStream returns a stream of records to w in format ("ndjson" or "csv", see
// NewRecordWriter, also for terminal), reordered into input order within each run when
// inputOrder is set. It
// starts the flushing goroutine, which Close stops.
func NewRecordStream(w io.Writer, format string, inputOrder, terminal bool) (*RecordStream, error) {
	rw, err := NewRecordWriter(w, format, terminal)
	if err != nil {
		return nil, err
	}
	s := &RecordStream{inputOrder: inputOrder, w: rw, stop: make(chan struct{}), done: make(chan struct{})}
	go s.flushLoop()
	return s, nil
}

func (s *RecordStream) flushLoop() {
	defer close(s.done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			s.keep(s.w.Flush())
			s.mu.Unlock()
		}
	}
}

// keep records err if it is the first. The caller holds s.mu.
func (s *RecordStream) keep(err error) {
	if s.err == nil {
		s.err = err
	}
}

func (s *RecordStream) write(r fetcher.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.keep(s.w.Write(r))
	}
	return s.err
}

// Run returns the Consumer of one run's records, Failing once a write failed. Its Close emits the records held back for
// input order and returns the stream's first error.
func (s *RecordStream) Run() Consumer {
	if s.inputOrder {
		return &orderedRun{s: s, order: NewReorderer(s.write)}
	}
	return plainRun{s}
}

// Close stops flushing, flushes what is buffered and returns the first error the stream met.
// It is safe to call more than once.
func (s *RecordStream) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep(s.w.Flush())
	return s.err
}

// Flush writes the records buffered so far to the underlying writer now (records held back
// for input order stay held) and returns the stream's first error.
func (s *RecordStream) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.keep(s.w.Flush())
	}
	return s.err
}

func (s *RecordStream) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

type plainRun struct{ s *RecordStream }

func (p plainRun) Add(r fetcher.Record) { _ = p.s.write(r) }
func (p plainRun) Close() error         { return p.s.firstErr() }
func (p plainRun) Err() error           { return p.s.firstErr() }

type orderedRun struct {
	s     *RecordStream
	order *Reorderer
}

func (o *orderedRun) Add(r fetcher.Record) { _ = o.order.Add(r) }

// Err is the stream's first error: the run stops there (see Failing).
func (o *orderedRun) Err() error { return o.s.firstErr() }

func (o *orderedRun) Close() error {
	if err := o.s.firstErr(); err != nil {
		return err
	}
	return o.order.Flush()
}
