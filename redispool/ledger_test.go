package redispool

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// backends are the Redis servers the ledger's tests run on: miniredis, and redis-server
// itself on database db when FETCHBENCH_REDIS_URL names one.
func backends(t *testing.T, db int) map[string]func(t *testing.T) []redis.UniversalClient {
	return map[string]func(t *testing.T) []redis.UniversalClient{
		"miniredis": func(t *testing.T) []redis.UniversalClient {
			m, a := newMini(t)
			b := redis.NewClient(&redis.Options{Addr: m.Addr()})
			t.Cleanup(func() { b.Close() })
			return []redis.UniversalClient{a, b}
		},
		"redis-server": func(t *testing.T) []redis.UniversalClient {
			a, _ := realRedis(t, db)
			b := redis.NewClient(a.Options())
			t.Cleanup(func() { b.Close() })
			return []redis.UniversalClient{a, b}
		},
	}
}

// openJob creates a job's hash (a minute to live) and its work stream.
func openJob(t *testing.T, rdb redis.UniversalClient, id string) jobKeys {
	t.Helper()
	keys := keysOf(id)
	ctx := t.Context()
	rdb.HSet(ctx, keys.job, "state", stateRunning)
	rdb.PExpire(ctx, keys.job, time.Minute)
	if err := rdb.XGroupCreateMkStream(ctx, keys.work, group, "0").Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestLedgerAdmitsEachURLOnce: two coordinators' frontiers (two clients) on one job push the
// same URLs, in several spellings, from racing goroutines; each URL is admitted once between
// them, under Seqs that follow the base targets without a gap, and what a frontier forgot is
// found in Redis.
func TestLedgerAdmitsEachURLOnce(t *testing.T) {
	t.Parallel()
	for name, clients := range backends(t, 12) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rdbs := clients(t)
			keys := openJob(t, rdbs[0], "ledger")
			const base, n = 3, 150
			var fs []*fetcher.Frontier
			for _, rdb := range rdbs {
				f := fetcher.NewFrontier(targets("http://h/", base), fetcher.Scope{})
				if err := f.Share(t.Context(), &ledger{rdb: rdb, keys: keys}); err != nil {
					t.Fatal(err)
				}
				fs = append(fs, f)
			}
			type admission struct {
				url string
				by  int // the frontier that admitted it
			}
			var mu sync.Mutex
			seqs := map[int]admission{}
			var wg sync.WaitGroup
			for g := range 8 {
				f := fs[g%2]
				wg.Go(func() {
					for i := range n {
						u := fmt.Sprintf("http://h/links/%d", i)
						if g%4 >= 2 {
							u = fmt.Sprintf("http://H:80/links/%d/", i) // one URLKey
						}
						if it, isNew := f.Push(fetcher.Target{URL: u}, fetcher.KindLink, 1, 0); isNew {
							mu.Lock()
							if old, dup := seqs[it.Seq]; dup {
								t.Errorf("seq %d given to %s and %s", it.Seq, old.url, u)
							}
							seqs[it.Seq] = admission{u, g % 2}
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			if len(seqs) != n || fs[0].Pushed()+fs[1].Pushed() != n {
				t.Fatalf("%d URLs admitted (%d + %d), want %d", len(seqs), fs[0].Pushed(), fs[1].Pushed(), n)
			}
			for seq := base; seq < base+n; seq++ {
				if _, ok := seqs[seq]; !ok {
					t.Errorf("no URL holds seq %d", seq)
				}
			}
			if got := rdbs[0].HLen(t.Context(), keys.seen).Val(); got != n {
				t.Errorf("the seen hash holds %d URLs, want %d", got, n)
			}
			if ttl := rdbs[0].PTTL(t.Context(), keys.seen).Val(); ttl <= 0 {
				t.Errorf("the seen hash has no time to live (%s)", ttl)
			}

			// The first frontier hands its items out and forgets each once Done; the other
			// frontier's Wait reads their outcomes from Redis, and the first has none for
			// the URLs the other admitted and has not done.
			f, other := fs[0], fs[1]
			ctx, cancel := context.WithCancel(t.Context())
			cancel() // Next hands out what is left without waiting
			for {
				it, ok := f.Next(ctx)
				if !ok {
					break
				}
				f.Done(it, &fetcher.Record{Status: 200 + it.Seq%3, Class: "http", Err: "e " + it.URL})
			}
			if held := f.Held(); held != 0 {
				t.Errorf("the frontier holds %d URLs once Done, want 0", held)
			}
			for seq, a := range seqs {
				if a.by == 1 {
					if o, ok := f.Wait(t.Context(), a.url); ok {
						t.Errorf("%s, pending in the other frontier: outcome %+v", a.url, o)
					}
					continue
				}
				want := fetcher.Outcome{Seq: seq, Status: 200 + seq%3, Class: "http", Err: "e " + a.url}
				if o, ok := other.Wait(t.Context(), a.url); !ok || o != want {
					t.Errorf("%s: outcome %+v, %v; want %+v", a.url, o, ok, want)
				}
			}
		})
	}
}

// TestEnqueueDeduplicatesPushedURLs: the enqueue script adds a pushed URL once per job, even
// when two coordinators (or a restarted one) enqueue it under different seqs; a retried
// enqueue of the same items adds nothing; items that are not pushed are never deduplicated.
func TestEnqueueDeduplicatesPushedURLs(t *testing.T) {
	t.Parallel()
	for name, clients := range backends(t, 13) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rdbs := clients(t)
			keys := openJob(t, rdbs[0], "enqueue")
			ks := []string{keys.job, keys.work, keys.queued, keys.seen}
			enqueue := func(rdb redis.UniversalClient, items ...any) []int64 {
				t.Helper()
				var args []any
				for i := 0; i < len(items); i += 3 {
					args = itemArgs(args, fetcher.Item{Target: fetcher.Target{URL: items[i+1].(string)}, Seq: items[i].(int)}, items[i+2].(string))
				}
				v, err := enqueueScript.Run(t.Context(), rdb, ks, args...).Int64Slice()
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			k := fetcher.URLKey
			if v := enqueue(rdbs[0], 0, "http://h/1", "", 1, "http://h/1", "", 2, "http://h/a", k("http://h/a")); fmtAny(v) != "[3]" {
				t.Errorf("first enqueue: %v, want [3]", v)
			}
			if v := enqueue(rdbs[0], 2, "http://h/a", k("http://h/a")); fmtAny(v) != "[0]" {
				t.Errorf("retried enqueue: %v, want [0]", v)
			}
			if v := enqueue(rdbs[1], 7, "http://h/a/", k("http://h/a/"), 8, "http://h/b", k("http://h/b")); fmtAny(v) != "[1 7 2]" {
				t.Errorf("another coordinator's enqueue: %v, want [1 7 2] (one added; 7 refused, held by 2)", v)
			}
			if n := rdbs[0].XLen(t.Context(), keys.work).Val(); n != 4 {
				t.Errorf("%d work entries, want 4", n)
			}

			// Racing enqueues from two clients of one pushed URL under distinct seqs: one lands.
			var wg sync.WaitGroup
			var mu sync.Mutex
			added := 0
			for i := range 40 {
				wg.Go(func() {
					v := enqueue(rdbs[i%2], 100+i, "http://h/race", k("http://h/race"))
					mu.Lock()
					added += int(v[0])
					mu.Unlock()
				})
			}
			wg.Wait()
			if added != 1 {
				t.Errorf("a URL enqueued under 40 seqs by racing clients was added %d times", added)
			}
		})
	}
}

// TestPoolPushesEachLinkOnce: every target's Follow pushes the same links from goroutines of
// its own and waits for them, through the pool: each link is one record and one request, and
// once the run is over the coordinator's frontier holds no URL.
func TestPoolPushesEachLinkOnce(t *testing.T) {
	t.Parallel()
	for name, clients := range backends(t, 14) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rdb := clients(t)[0]
			fake, srv := faketest.Start(t, fakeswapi.Options{})
			startWorkers(t, rdb, 3, WorkerConfig{})
			const n, links = 30, 10
			f := fetcher.NewFrontier(targets(srv.API(), n), fetcher.Scope{})
			cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 6}}
			cfg.Follow = func(rec *fetcher.Record) {
				if rec.Kind != fetcher.KindTarget {
					return
				}
				var wg sync.WaitGroup
				for i := range links {
					u := fmt.Sprintf("%splanets/%d/", srv.API(), i+1)
					wg.Go(func() {
						f.Push(fetcher.Target{URL: u}, fetcher.KindLink, 1, rec.Seq)
						if o, ok := f.Wait(t.Context(), u); !ok || o.Status != 200 {
							t.Errorf("%s: outcome %+v, %v", u, o, ok)
						}
					})
				}
				wg.Wait()
			}
			got, stats, err := schedule(t, t.Context(), rdb, cfg, f, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			byURL := map[string]int{}
			for _, r := range got {
				if r.Kind == fetcher.KindLink {
					byURL[r.URL]++
				}
			}
			if len(got) != n+links || stats.Requests != n+links || len(byURL) != links {
				t.Errorf("%d records (%d counted), %d links; want %d and %d", len(got), stats.Requests, len(byURL), n+links, links)
			}
			for u, k := range byURL {
				if k != 1 {
					t.Errorf("%s recorded %d times", u, k)
				}
			}
			if r := fake.Stats().Requests; r != n+links {
				t.Errorf("the fake saw %d requests, want %d", r, n+links)
			}
			if held := f.Held(); held != 0 {
				t.Errorf("the coordinator's frontier holds %d URLs after the run, want 0", held)
			}
		})
	}
}
