package offheap

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestNew(t *testing.T) {
	t.Parallel()
	for _, size := range []int{1, 4095, 4096, 64 << 10, 1<<20 + 3} {
		b := New(size)
		if len(b.B) != 0 || cap(b.B) != size {
			t.Fatalf("New(%d): len %d cap %d, want 0 and %d", size, len(b.B), cap(b.B), size)
		}
		full := b.B[:size]
		for i := range full {
			if full[i] != 0 {
				t.Fatalf("New(%d): byte %d is %d, want 0", size, i, full[i])
			}
			full[i] = byte(i)
		}
		for i := range full {
			if full[i] != byte(i) {
				t.Fatalf("New(%d): byte %d reads %d, want %d", size, i, full[i], byte(i))
			}
		}
		runtime.KeepAlive(b)
	}
}

// TestReleased checks that a Buf's mapping is released once the Buf is unreachable. It
// replaces release, so it does not run in parallel.
func TestReleased(t *testing.T) {
	m := mmap(1)
	if m == nil {
		t.Skip("no mmap here: Bufs live on the Go heap")
	}
	munmap(m)
	var released atomic.Int64
	defer func(r func([]byte)) { release = r }(release)
	release = func(m []byte) {
		released.Add(1)
		munmap(m)
	}
	const n = 10
	for range n {
		b := New(64 << 10)
		b.B = append(b.B, 1)
	}
	for i := 0; released.Load() < n; i++ {
		if i == 10_000 {
			t.Fatalf("%d of %d mappings released after %d collections", released.Load(), n, i)
		}
		runtime.GC()
		runtime.Gosched()
	}
}
