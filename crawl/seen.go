package crawl

// This file owns the crawl's seen set: the fetcher.Ledger in memory that admits each URL
// identity once and numbers what it admits.

import (
	"context"
	"hash/fnv"
	"sync"

	"github.com/fetchbench/fetchbench/fetcher"
)

// slash is a crawl's trailing-slash rule: a site's "a/" and "a" may be two resources.
const slash = fetcher.SlashCounts

// hash is the 64-bit FNV-1a hash of u's identity (fetcher.Key under the crawl's rule): what
// the seen set and the state file keep of an admitted URL.
func hash(u string) uint64 { return keyHash(fetcher.Key(u, slash)) }

func keyHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

// seen is the crawl's fetcher.Ledger in memory: each admitted key as its 64-bit hash with
// the Seq it was admitted under (about 20 bytes a URL with the map's overhead), and the
// outcomes settled (the crawl settles none: it waits on no outcome). A key restored from a
// state file holds Seq -1, its Seq not being kept there, as does a key marked (a redirect's
// target). It is safe for concurrent use.
type seen struct {
	mu       sync.Mutex
	next     int
	seqs     map[uint64]int
	outcomes map[uint64]fetcher.Outcome
}

var _ fetcher.Ledger = (*seen)(nil)

func newSeen() *seen { return &seen{seqs: map[uint64]int{}} }

// Begin takes the next Seq and the keys admitted so far; keys are the crawl's (slash).
func (s *seen) Begin(_ context.Context, _ fetcher.Slash, next int, admitted map[string]int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = max(s.next, next)
	for k, seq := range admitted {
		s.seqs[keyHash(k)] = seq
	}
	return nil
}

func (s *seen) Admit(_ context.Context, key string) (int, bool, error) {
	h := keyHash(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq, ok := s.seqs[h]; ok {
		return seq, false, nil
	}
	seq := s.next
	s.next++
	s.seqs[h] = seq
	return seq, true, nil
}

func (s *seen) Settle(_ context.Context, key string, o fetcher.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outcomes == nil {
		s.outcomes = map[uint64]fetcher.Outcome{}
	}
	s.outcomes[keyHash(key)] = o
	return nil
}

func (s *seen) Outcome(_ context.Context, key string) (fetcher.Outcome, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.outcomes[keyHash(key)]
	return o, ok, nil
}

// restore marks the hashes of a state file as admitted, and next as the next Seq.
func (s *seen) restore(next int, hashes []uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = max(s.next, next)
	for _, h := range hashes {
		if _, ok := s.seqs[h]; !ok {
			s.seqs[h] = -1
		}
	}
}

// nextSeq is the Seq the next admitted key takes.
func (s *seen) nextSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}

// each calls fn with the hash of every key admitted but skip's.
func (s *seen) each(skip map[uint64]bool, fn func(uint64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h := range s.seqs {
		if !skip[h] {
			fn(h)
		}
	}
}

// mark marks key as admitted, under no Seq of its own (-1), unless it was; it reports
// whether it was not.
func (s *seen) mark(key string) bool {
	h := keyHash(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seqs[h]; ok {
		return false
	}
	s.seqs[h] = -1
	return true
}

// has reports whether key was admitted.
func (s *seen) has(key string) bool {
	h := keyHash(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.seqs[h]
	return ok
}
