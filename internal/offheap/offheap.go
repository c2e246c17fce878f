// Package offheap allocates byte buffers outside the Go heap, so that large, long-lived,
// pointer-free data does not count toward the garbage collector's heap goal (GOGC).
package offheap

import "runtime"

// Buf is a byte buffer of fixed capacity, mapped from the operating system where it allows
// (mmap on Linux and the BSDs, macOS included), else allocated on the Go heap. The mapping is
// returned to the system some time after the Buf is unreachable, so a slice of B must not be
// used once its Buf may be unreachable: keep the Buf alive (runtime.KeepAlive) while reading B.
// B must not hold pointers to Go memory (the GC does not scan it), and appending to B beyond its
// capacity moves it to the Go heap.
type Buf struct {
	B []byte
}

// New returns an empty Buf of capacity size > 0.
func New(size int) *Buf {
	m := mmap(size)
	if m == nil {
		return &Buf{B: make([]byte, 0, size)}
	}
	b := &Buf{B: m[:0]}
	runtime.AddCleanup(b, release, m)
	return b
}

// release returns a mapping of New's to the system once its Buf is unreachable.
var release = munmap
