package report

// This file owns turning the names of record files into Replay's inputs, stdin's spool, and
// naming them in a message.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// ErrStdinTwice is returned by OpenInputs when "-" (stdin) is named more than once.
var ErrStdinTwice = errors.New("- (stdin) given twice")

// MaxSpool is how many bytes of stdin OpenInputs keeps for Replay's second pass.
const MaxSpool = 1 << 30

// ErrSpoolFull is the error of reading more than MaxSpool bytes of records from stdin.
var ErrSpoolFull = fmt.Errorf("more than %d MiB of records on stdin: save them to a file and report that", MaxSpool>>20)

// OpenInputs checks that every named file can be opened (Replay opens them again later) and
// returns their inputs; "-" names stdin. Replay reads its inputs twice: stdin is read once,
// as a stream, by the first pass, which stops at its first malformed line and when ctx is
// done (even while stdin sends nothing), and what it read is kept for the second in a
// temporary file, at most MaxSpool bytes (ErrSpoolFull past them). The file is removed as
// soon as it is created where the system allows (so nothing is left whatever ends the
// process), else by cleanup. cleanup, never nil, closes it; call it even on an error.
// An unreadable file is os.Open's *os.PathError; a second "-" is ErrStdinTwice.
func OpenInputs(ctx context.Context, names []string, stdin io.Reader) (inputs []ReplayInput, cleanup func(), err error) {
	return openInputs(ctx, names, stdin, MaxSpool)
}

func openInputs(ctx context.Context, names []string, stdin io.Reader, limit int64) (inputs []ReplayInput, cleanup func(), err error) {
	cleanup = func() {}
	if i := slices.Index(names, "-"); i >= 0 && slices.Contains(names[i+1:], "-") {
		return nil, cleanup, ErrStdinTwice
	}
	for _, name := range names {
		if name == "-" {
			s, err := newSpool(ctx, stdin, limit)
			if err != nil {
				return nil, cleanup, err
			}
			cleanup = s.close
			inputs = append(inputs, ReplayInput{Name: name, Open: s.open})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, cleanup, err
		}
		f.Close()
		inputs = append(inputs, ReplayInput{Name: name, Open: func() (io.ReadCloser, error) { return os.Open(name) }})
	}
	return inputs, cleanup, nil
}

// spool is stdin as Replay reads it: the first open reads stdin and keeps what it read in a
// temporary file; later opens read that file.
type spool struct {
	src     *ctxReader
	file    *os.File
	removed bool  // the file's name is gone already
	limit   int64 // bytes the file may hold
	n       int64 // bytes it holds
	opened  bool
}

func newSpool(ctx context.Context, stdin io.Reader, limit int64) (*spool, error) {
	f, err := os.CreateTemp("", "fetchbench-report-*")
	if err != nil {
		return nil, fmt.Errorf("spool stdin: %w", err)
	}
	return &spool{src: newCtxReader(ctx, stdin), file: f, removed: os.Remove(f.Name()) == nil, limit: limit}, nil
}

func (s *spool) open() (io.ReadCloser, error) {
	if !s.opened {
		s.opened = true
		return io.NopCloser(s), nil
	}
	return io.NopCloser(io.NewSectionReader(s.file, 0, s.n)), nil
}

// Read reads stdin, keeping what it returns.
func (s *spool) Read(p []byte) (int, error) {
	n, err := s.src.Read(p)
	if n > 0 {
		if s.n+int64(n) > s.limit {
			return 0, ErrSpoolFull
		}
		if _, werr := s.file.Write(p[:n]); werr != nil {
			return 0, fmt.Errorf("spool stdin: %w", werr)
		}
		s.n += int64(n)
	}
	return n, err
}

func (s *spool) close() {
	s.file.Close()
	if !s.removed {
		os.Remove(s.file.Name())
	}
}

// ctxReader reads r until ctx is done: a Read blocked on r returns ctx's error then, and r's
// read goes on in the background into ctxReader's own buffer, to be dropped.
type ctxReader struct {
	ctx     context.Context
	r       io.Reader
	results chan readResult // capacity 1: the background read never blocks on sending
	reading bool            // a background read is under way
	pending []byte          // read but not yet returned
	err     error           // sticky
}

type readResult struct {
	b   []byte
	err error
}

func newCtxReader(ctx context.Context, r io.Reader) *ctxReader {
	return &ctxReader{ctx: ctx, r: r, results: make(chan readResult, 1)}
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if len(c.pending) == 0 && c.err == nil {
		if err := c.ctx.Err(); err != nil {
			return 0, err
		}
		if !c.reading {
			c.reading = true
			go func(r io.Reader, results chan<- readResult) {
				buf := make([]byte, 64<<10)
				n, err := r.Read(buf)
				results <- readResult{buf[:n], err}
			}(c.r, c.results)
		}
		select {
		case <-c.ctx.Done():
			return 0, c.ctx.Err()
		case res := <-c.results:
			c.reading = false
			c.pending, c.err = res.b, res.err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	if len(c.pending) == 0 && c.err != nil {
		return n, c.err
	}
	return n, nil
}

// ctxCheck is r whose reads fail with ctx's error once ctx is done.
type ctxCheck struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxCheck) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// JoinNames joins names for a message: "a", "a and b", "a, b and c".
func JoinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
