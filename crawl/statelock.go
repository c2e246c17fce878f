package crawl

// This file owns the lock of a state file: one crawl at a time uses it.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// LockedError is the error of a state file another crawl is using; it Is ErrState.
type LockedError struct {
	Path string
	PID  int // the process holding it; 0 when its lock file does not say
}

func (e *LockedError) Error() string {
	if e.PID == 0 {
		return textsafe.Sanitize(e.Path) + " is in use by another crawl"
	}
	return fmt.Sprintf("%s is in use by another crawl (pid %d)", textsafe.Sanitize(e.Path), e.PID)
}

// Is reports whether target is ErrState.
func (e *LockedError) Is(target error) bool { return target == ErrState }

// lockPath is the lock file of the state file at path.
func lockPath(path string) string { return path + ".lock" }

// lockState takes the lock of the state file at path, an advisory flock(2) on its lock file,
// which holds the pid of the crawl holding it. It fails with a *LockedError when another
// process (or another open of the file) holds it. unlock removes the lock file and releases
// the lock; the lock is released when the process ends, whatever way.
func lockState(path string) (unlock func(), err error) {
	lp := lockPath(path)
	for {
		f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrState, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			b, _ := io.ReadAll(io.LimitReader(f, 32))
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
				return nil, &LockedError{Path: path, PID: max(pid, 0)}
			}
			return nil, fmt.Errorf("%w: lock %s: %w", ErrState, lp, err)
		}
		// The crawl before may have removed the file between its open here and the lock: the
		// lock is the file's at the path now.
		held, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: %w", ErrState, err)
		}
		now, err := os.Stat(lp)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !os.SameFile(held, now)) {
			f.Close()
			continue
		}
		if err == nil {
			err = f.Truncate(0)
		}
		if err == nil {
			_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: %w", ErrState, err)
		}
		return func() {
			os.Remove(lp)
			f.Close()
		}, nil
	}
}
