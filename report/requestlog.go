package report

// This file owns what a Collector keeps of each request until Close: its service time and its
// final attempt's wire interval, delta-encoded in arrival order, outside the Go heap past the
// first 64 KiB.

import (
	"encoding/binary"
	"math"
	"runtime"
	"slices"
	"unsafe"

	"github.com/fetchbench/fetchbench/internal/offheap"
)

// Chunk sizes of a requestLog: the first is small, so that a short run keeps little; each next
// one doubles, up to logChunkMax. Chunks of logChunkMax are allocated outside the Go heap
// (offheap), so that a long run's log does not raise the GC's heap goal.
const (
	logChunkMin = 256
	logChunkMax = 64 << 10
)

// logEntryMax is the most bytes one entry takes: four varints.
const logEntryMax = 4 * binary.MaxVarintLen64

// requestLog is each request's Seq, service time (µs, as IdealWall reads it) and wire interval
// ([start, end) µs, when it went on the wire), kept in arrival order as varints in chunks of at
// most 64 KiB, past the first 64 KiB outside the Go heap. An entry is
//
//	zigzag(seq − previous seq)
//	0 for a request never on the wire, else zigzag(end − previous end)<<2 | exception<<1 | 1,
//	  then end − start, then zigzag(service − (end − start)) if exception
//
// so that a request with one attempt (service = latency = end − start) and a completion order
// close to the start order takes 5 to 6 bytes. The zero value is an empty log.
type requestLog struct {
	chunks  []*offheap.Buf
	n       int   // entries
	wired   int   // entries with a wire interval
	maxSeq  int   // the largest Seq ≥ 0, −1 for none
	prevSeq int   // Seq of the last entry
	prevEnd int64 // end of the last wire interval (µs)
	lo, hi  int64 // the earliest start and the latest end of the wire intervals (µs)
}

// add appends a request's entry: its Seq, its service time in µs, and its wire interval
// [start, end) µs, end > start, when wired.
func (l *requestLog) add(seq int, service uint32, start, end int64, wired bool) {
	if l.n == 0 {
		l.maxSeq = -1
	}
	last := len(l.chunks) - 1
	if last < 0 || cap(l.chunks[last].B)-len(l.chunks[last].B) < logEntryMax {
		size := logChunkMin
		if last >= 0 {
			size = min(2*cap(l.chunks[last].B), logChunkMax)
		}
		if size == logChunkMax {
			l.chunks = append(l.chunks, offheap.New(size))
		} else {
			l.chunks = append(l.chunks, &offheap.Buf{B: make([]byte, 0, size)})
		}
		last++
	}
	chunk := l.chunks[last]
	b := binary.AppendVarint(chunk.B, int64(uint64(seq)-uint64(l.prevSeq)))
	l.prevSeq = seq
	if seq >= 0 {
		l.maxSeq = max(l.maxSeq, seq)
	}
	if !wired {
		chunk.B = append(b, 0)
		l.n++
		return
	}
	length := end - start
	head := zigzag(end-l.prevEnd)<<2 | 1
	exception := int64(service) != length
	if exception {
		head |= 2
	}
	b = binary.AppendUvarint(b, head)
	b = binary.AppendUvarint(b, uint64(length))
	if exception {
		b = binary.AppendVarint(b, int64(service)-length)
	}
	chunk.B = b
	if l.wired == 0 || start < l.lo {
		l.lo = start
	}
	if l.wired == 0 || end > l.hi {
		l.hi = end
	}
	l.prevEnd = end
	l.n++
	l.wired++
}

// zigzag maps a signed delta to an unsigned varint value, small for small magnitudes.
func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// each calls f with every entry in arrival order: Seq, service time (µs), and the wire
// interval when wired.
func (l *requestLog) each(f func(seq int, service uint32, start, end int64, wired bool)) {
	var seq int
	var end int64
	for _, chunk := range l.chunks {
		for b := chunk.B; len(b) > 0; {
			d, k := binary.Varint(b)
			b = b[k:]
			seq = int(uint64(seq) + uint64(d))
			head, k := binary.Uvarint(b)
			b = b[k:]
			if head == 0 {
				f(seq, 0, 0, 0, false)
				continue
			}
			z := head >> 2
			end += int64(z>>1) ^ -int64(z&1)
			length, k := binary.Uvarint(b)
			b = b[k:]
			service := int64(length)
			if head&2 != 0 {
				e, k := binary.Varint(b)
				b = b[k:]
				service += e
			}
			f(seq, uint32(service), end-int64(length), end, true)
		}
		runtime.KeepAlive(chunk)
	}
}

// services is the service times in µs indexed by Seq, a later entry's overwriting an earlier
// one's of the same Seq; entries of a negative Seq are left out.
func (l *requestLog) services() []uint32 {
	if l.n == 0 {
		return nil
	}
	s := make([]uint32, l.maxSeq+1)
	l.each(func(seq int, service uint32, _, _ int64, _ bool) {
		if seq >= 0 {
			s[seq] = service
		}
	})
	return s
}

// peak is the largest number of wire intervals that overlap at some moment; an interval that
// ends when another starts does not overlap it. It decodes them as offsets from the earliest
// start: 8 bytes an interval while they fit an int32 (about 35 minutes), else 16.
func (l *requestLog) peak() int {
	if l.hi-l.lo <= math.MaxInt32 {
		return peakOf[int32](l)
	}
	return peakOf[int64](l)
}

// peakOf is l's peak, with offsets decoded as T.
func peakOf[T int32 | int64](l *requestLog) int {
	starts, ends := make([]T, 0, l.wired), make([]T, 0, l.wired)
	l.each(func(_ int, _ uint32, start, end int64, wired bool) {
		if wired {
			starts, ends = append(starts, T(start-l.lo)), append(ends, T(end-l.lo))
		}
	})
	return sweep(starts, ends)
}

// size is the bytes l holds, on the Go heap and off it.
func (l *requestLog) size() int {
	n := cap(l.chunks) * 8
	for _, chunk := range l.chunks {
		n += int(unsafe.Sizeof(*chunk)) + cap(chunk.B)
	}
	return n
}

// sweep is the peak overlap of intervals given by their starts and ends, which it sorts.
func sweep[T int32 | int64](starts, ends []T) int {
	slices.Sort(starts)
	slices.Sort(ends)
	peak, cur, j := 0, 0, 0
	for _, s := range starts {
		for j < len(ends) && ends[j] <= s {
			cur--
			j++
		}
		cur++
		peak = max(peak, cur)
	}
	return peak
}
