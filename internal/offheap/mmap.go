//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package offheap

import "syscall"

// mmap maps size zeroed bytes of anonymous private memory; nil if the system refuses.
func mmap(size int) []byte {
	m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return m
}

// munmap returns a mapping of mmap's to the system.
func munmap(m []byte) { _ = syscall.Munmap(m) }
