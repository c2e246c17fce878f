// Package fdlimit raises the process's open-file limit to what a run needs.
package fdlimit

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Raise makes the soft open-file limit at least need when the hard limit allows it (or the
// process may raise the hard limit too). It reports whether the limit in force now suffices,
// and that limit. When the limit cannot be read, it reports true: there is nothing to raise.
func Raise(need uint64) (limit uint64, ok bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, true
	}
	if lim.Cur >= need {
		return lim.Cur, true
	}
	want := syscall.Rlimit{Cur: max(need, lim.Cur), Max: max(need, lim.Max)}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
		return want.Cur, true
	}
	if lim.Max > lim.Cur {
		want = syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil && want.Cur >= need {
			return want.Cur, true
		}
	}
	return lim.Max, false
}

// SystemMax is the most open files the system lets any process have (Linux's
// /proc/sys/fs/nr_open), or 0 when unknown.
func SystemMax() uint64 {
	b, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}
