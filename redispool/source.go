package redispool

// This file owns a job's work as a worker sees it: the fetcher.Source that reads the job's
// work stream through the consumer group, claims what dead workers left, and keeps the leases
// of what it holds; and the publisher that sends records back in batches and acknowledges
// their entries.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/waitctx"
)

// workSource is a job's fetcher.Source on one worker. Next reads the work stream as the
// consumer `consumer` of the job's group, first claiming (XAUTOCLAIM) entries idle for longer
// than a lease; entries it handed out stay pending until the publisher acknowledges them with
// their records, and Renew keeps them from being claimed meanwhile. Targets outside the
// worker's allowed hosts never reach the scheduler: each becomes one refused record.
type workSource struct {
	rdb      redis.Cmdable
	keys     jobKeys
	consumer string
	lease    time.Duration
	start    time.Time // the run's start: when base items were queued
	count    int64     // entries read at once
	allowed  func(u string) bool
	refuse   func(it fetcher.Item)

	buf       []fetcher.Item
	lastClaim time.Time

	mu      sync.Mutex
	pending map[int]string // entry id by seq, handed out and not yet acknowledged
}

// Next hands out the next item; it returns false once ctx is done (after the items it
// already read) or Redis cannot be read while ctx lasts.
func (s *workSource) Next(ctx context.Context) (fetcher.Item, bool) {
	for {
		if len(s.buf) > 0 {
			it := s.buf[0]
			s.buf = s.buf[1:]
			return it, true
		}
		if ctx.Err() != nil {
			return fetcher.Item{}, false
		}
		if err := s.read(ctx); err != nil && !errors.Is(err, redis.Nil) {
			if !waitctx.Sleep(ctx, 100*time.Millisecond) { // the job's watcher ends a job Redis stays gone from
				return fetcher.Item{}, false
			}
		}
	}
}

// block is how long one read waits for new entries.
const block = 200 * time.Millisecond

// read claims entries idle past their lease, at most once per half lease, else reads new ones.
func (s *workSource) read(ctx context.Context) error {
	if time.Since(s.lastClaim) > s.lease/2 {
		s.lastClaim = time.Now()
		msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: s.keys.work, Group: group,
			Consumer: s.consumer, MinIdle: s.lease, Start: "0-0", Count: s.count}).Result()
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			s.take(ctx, msgs)
			return nil
		}
	}
	streams, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: s.consumer,
		Streams: []string{s.keys.work, ">"}, Count: s.count, Block: block}).Result()
	if err != nil {
		return err
	}
	for _, st := range streams {
		s.take(ctx, st.Messages)
	}
	return nil
}

// take queues the items of msgs, refusing those outside the allowed hosts and removing those
// that are no item, so that no worker reads them again.
func (s *workSource) take(ctx context.Context, msgs []redis.XMessage) {
	for _, m := range msgs {
		it, err := itemOf(m.Values, s.start)
		if err != nil {
			pipe := s.rdb.Pipeline()
			pipe.XAck(ctx, s.keys.work, group, m.ID)
			pipe.XDel(ctx, s.keys.work, m.ID)
			_, _ = pipe.Exec(ctx)
			continue
		}
		s.mu.Lock()
		s.pending[it.Seq] = m.ID
		s.mu.Unlock()
		if !s.allowed(it.URL) {
			s.refuse(it)
			continue
		}
		s.buf = append(s.buf, it)
	}
}

// Done does nothing: the publisher acknowledges an item with its record.
func (s *workSource) Done(fetcher.Item, *fetcher.Record) {}

// ack removes seq from the pending items and returns its entry id.
func (s *workSource) ack(seq int) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.pending[seq]
	delete(s.pending, seq)
	return id, ok
}

// Renew resets the idle time of the entries held, so that no other worker claims them while
// this one works on them (XCLAIM ... JUSTID to itself).
func (s *workSource) Renew(ctx context.Context) error {
	s.mu.Lock()
	ids := make([]string, 0, len(s.pending))
	for _, id := range s.pending {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for len(ids) > 0 {
		n := min(len(ids), 500)
		err := s.rdb.XClaimJustID(ctx, &redis.XClaimArgs{Stream: s.keys.work, Group: group, Consumer: s.consumer,
			MinIdle: 0, Messages: ids[:n]}).Err()
		if err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// handBackBatch is the most pending entries one run of the hand-back script looks at.
const handBackBatch = 500

// HandBack returns every entry still pending for the consumer, answered by no published
// record, to the pool at once: another worker reads it as new work instead of claiming it
// after a lease. It returns how many it handed back; a job gone is not an error.
func (s *workSource) HandBack(ctx context.Context) (int, error) {
	total := 0
	for {
		v, err := handBackScript.Run(ctx, s.rdb, []string{s.keys.job, s.keys.work}, s.consumer, handBackBatch).Int64Slice()
		if err != nil || len(v) != 2 || v[0] < 0 {
			return total, err
		}
		total += int(v[0])
		if v[1] < handBackBatch {
			s.mu.Lock()
			clear(s.pending)
			s.mu.Unlock()
			return total, nil
		}
	}
}

// allowList is a worker's --allow-hosts: a host matches with any port, host:port only with
// that port. An empty list allows every host.
type allowList map[string]bool

func newAllowList(hosts []string) allowList {
	a := allowList{}
	for _, h := range hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			a[h] = true
		}
	}
	return a
}

func (a allowList) allows(u string) bool {
	if len(a) == 0 {
		return true
	}
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	return a[strings.ToLower(p.Host)] || a[strings.ToLower(p.Hostname())]
}

// scope is the part of the job's scope a's hosts allow: redirects stay within both.
func (a allowList) scope(job []string) fetcher.Scope {
	if len(a) == 0 {
		return scopeOf(job)
	}
	var hosts []string
	if len(job) == 0 {
		for h := range a {
			hosts = append(hosts, h)
		}
	}
	for _, h := range job {
		if a.allows("http://" + h) {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) == 0 {
		hosts = []string{"refused.invalid"} // a scope that lets nothing through
	}
	return scopeOf(hosts)
}

// publisher sends a job's records to its results stream in batches, each batch with the
// acknowledgement of the entries it answers, and is safe for concurrent use. Add never waits
// for Redis.
type publisher struct {
	rdb    redis.Cmdable
	keys   jobKeys
	worker string
	src    *workSource
	gone   func() bool // the job was abandoned: stop trying to send

	mu     sync.Mutex
	queue  []*outBatch // the last one fills up
	wake   chan struct{}
	closed bool
	done   chan struct{}
	err    error
}

// outBatch is one results entry: records, one JSON line each, and the entries they answer.
type outBatch struct {
	records []byte
	ids     []any
	n       int
}

// batch limits: a batch is closed at maxBatch records or maxBatchBytes bytes; it goes as soon
// as the publisher is free.
const (
	maxBatch      = 256
	maxBatchBytes = 1 << 20
)

func newPublisher(rdb redis.Cmdable, keys jobKeys, worker string, src *workSource, gone func() bool) *publisher {
	p := &publisher{rdb: rdb, keys: keys, worker: worker, src: src, gone: gone, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go p.loop()
	return p
}

// Add queues rec, stamped with the worker's name.
func (p *publisher) Add(rec fetcher.Record) {
	rec.Worker = p.worker
	p.mu.Lock()
	var last *outBatch
	if k := len(p.queue); k > 0 && p.queue[k-1].n < maxBatch && len(p.queue[k-1].records) < maxBatchBytes {
		last = p.queue[k-1]
	} else {
		last = &outBatch{}
		p.queue = append(p.queue, last)
	}
	if b, err := appendRecord(last.records, &rec); err == nil {
		last.records = b
		last.n++
		if id, ok := p.src.ack(rec.Seq); ok {
			last.ids = append(last.ids, id)
		}
	}
	p.mu.Unlock()
	p.poke()
}

func (p *publisher) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Close sends what is queued and stops; it returns the first error that lost records.
func (p *publisher) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.poke()
	<-p.done
	return p.err
}

func (p *publisher) loop() {
	defer close(p.done)
	for range p.wake {
		for {
			p.mu.Lock()
			closed := p.closed
			var b *outBatch
			if len(p.queue) > 0 {
				b = p.queue[0]
				p.queue[0] = nil
				p.queue = p.queue[1:]
			}
			p.mu.Unlock()
			if b == nil {
				if closed {
					return
				}
				break
			}
			if err := p.send(b); err != nil && p.err == nil {
				p.err = err
			}
		}
	}
}

// send publishes one batch, retrying for a while when Redis fails, unless the job is gone.
func (p *publisher) send(b *outBatch) error {
	args := append([]any{p.worker, b.records}, b.ids...)
	var err error
	for try := range 20 {
		if p.gone() {
			return ErrJobGone
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var n int
		n, err = publishScript.Run(ctx, p.rdb, []string{p.keys.job, p.keys.results, p.keys.work}, args...).Int()
		cancel()
		switch {
		case err == nil && n < 0:
			return ErrJobGone
		case err == nil:
			return nil
		}
		time.Sleep(time.Duration(try+1) * 50 * time.Millisecond)
	}
	return fmt.Errorf("publish records: %w", err)
}
