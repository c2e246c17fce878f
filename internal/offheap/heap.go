//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package offheap

// mmap is nil: New allocates on the Go heap.
func mmap(int) []byte { return nil }

// munmap is never called.
func munmap([]byte) {}
