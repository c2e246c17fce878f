package redispool

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/ratelimit"
)

// reserve runs the GCRA's script once and returns the slot, the server's now and the
// intended time, in µs.
func reserve(t *testing.T, p *Pacer) (slot, now, intended int64) {
	t.Helper()
	v, err := reserveScript.Run(t.Context(), p.rdb, []string{p.keys.job, p.keys.rate, p.keys.starts},
		p.interval.Microseconds(), p.burst, ratelimit.Tolerance.Microseconds()).Slice()
	if err != nil {
		t.Fatal(err)
	}
	slot, _ = strconv.ParseInt(v[0].(string), 10, 64)
	now, _ = strconv.ParseInt(v[1].(string), 10, 64)
	intended, _ = strconv.ParseInt(v[3].(string), 10, 64)
	return slot, now, intended
}

// TestGCRASchedule reserves starts on a settable server clock: burst at once, then one per
// interval, and never more than burst + R·t in any window of t; each start's intended time is
// its place in the schedule of the job's starts, as ratelimit.Pacer reckons it (its
// TestPacerLateCaller and TestPacerTolerance): a late asker is late against it.
func TestGCRASchedule(t *testing.T) {
	t.Parallel()
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	tests := []struct {
		name     string
		rate     float64
		burst    int
		asks     []time.Duration // when each start is asked for, from the first
		want     []time.Duration // its slot, from the first ask
		intended []time.Duration // its intended time, from the first ask
	}{
		{"burst 1, all at once", 10, 1, []time.Duration{0, 0, 0, 0}, []time.Duration{0, ms(100), ms(200), ms(300)},
			[]time.Duration{0, ms(100), ms(200), ms(300)}},
		{"burst 3, all at once", 10, 3, []time.Duration{0, 0, 0, 0, 0}, []time.Duration{0, 0, 0, ms(100), ms(200)},
			[]time.Duration{0, 0, 0, ms(100), ms(200)}},
		{"idle refills the burst", 10, 2, []time.Duration{0, 0, time.Second, time.Second, time.Second},
			[]time.Duration{0, 0, time.Second, time.Second, time.Second + ms(100)},
			[]time.Duration{0, 0, ms(100), ms(200), ms(300)}},
		{"late askers go at once", 50, 1, []time.Duration{0, ms(30), ms(45)}, []time.Duration{0, ms(30), ms(50)},
			[]time.Duration{0, ms(20), ms(40)}},
		{"the schedule absorbs a tolerable lateness", 10, 1, []time.Duration{0, ms(100.5), ms(100.5), ms(302.5), ms(302.5)},
			[]time.Duration{0, ms(100.5), ms(200.5), ms(302.5), ms(402.5)},
			[]time.Duration{0, ms(100.5), ms(200.5), ms(300.5), ms(400.5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, rdb := newMini(t)
			keys := keysOf("gcra")
			rdb.HSet(t.Context(), keys.job, "state", stateRunning)
			p := newPacer(rdb, keys, tt.rate, tt.burst)
			t0 := time.Unix(1744632000, 0)
			var got, intended []time.Duration
			for _, ask := range tt.asks {
				m.SetTime(t0.Add(ask))
				slot, now, in := reserve(t, p)
				if now != t0.Add(ask).UnixMicro() {
					t.Fatalf("the script's clock is %d, want the server's %d", now, t0.Add(ask).UnixMicro())
				}
				got = append(got, time.Duration(slot-t0.UnixMicro())*time.Microsecond)
				intended = append(intended, time.Duration(in-t0.UnixMicro())*time.Microsecond)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.intended, intended); diff != "" {
				t.Errorf("intended (-want +got):\n%s", diff)
			}
			checkWindows(t, got, tt.rate, tt.burst)
		})
	}
}

// checkWindows fails when some window of t holds more than burst + rate·t of slots.
func checkWindows(t *testing.T, slots []time.Duration, rate float64, burst int) {
	t.Helper()
	for i := range slots {
		for j := i; j < len(slots); j++ {
			span := (slots[j] - slots[i]).Seconds()
			if n := j - i + 1; float64(n) > float64(burst)+rate*span+1e-9 {
				t.Errorf("%d starts within %.3fs: more than burst %d + %g/s", n, span, burst, rate)
			}
		}
	}
}

func TestPacerTakeCountsTheRoundTrip(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	keys := keysOf("take")
	rdb.HSet(t.Context(), keys.job, "state", stateRunning)
	p := newPacer(rdb, keys, 1000, 2)
	var grants []ratelimit.Grant
	for range 4 {
		g, err := p.Take(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		grants = append(grants, g)
	}
	for i, g := range grants {
		if g.Index != i {
			t.Errorf("grant %d has index %d", i, g.Index)
		}
		if g.At.Before(g.Intended) {
			t.Errorf("grant %d started %s before its slot", i, g.Intended.Sub(g.At))
		}
	}
	if p.Granted() != 4 {
		t.Errorf("granted %d, want 4", p.Granted())
	}
	rdb.Del(t.Context(), keys.job)
	if _, err := p.Take(t.Context()); !errors.Is(err, ErrJobGone) {
		t.Errorf("take after the job is gone: %v, want ErrJobGone", err)
	}
}

// TestSemaphoreLeases: slots are global, a slot comes back on release, and a dead holder's
// slot comes back once its lease has passed on the server's clock.
func TestSemaphoreLeases(t *testing.T) {
	t.Parallel()
	m, rdb := newMini(t)
	keys := keysOf("sem")
	rdb.HSet(t.Context(), keys.job, "state", stateRunning)
	t0 := time.Unix(1744632000, 0)
	m.SetTime(t0)
	a := newSemaphore(rdb, keys, 2, 10*time.Second, "a")
	b := newSemaphore(rdb, keys, 2, 10*time.Second, "b")
	for _, s := range []*Semaphore{a, a} {
		if _, err := s.Acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	try := func() int {
		n, err := acquireScript.Run(t.Context(), rdb, []string{keys.job, keys.sem}, 2, "probe", 10000).Int()
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			rdb.ZRem(t.Context(), keys.sem, "probe")
		}
		return n
	}
	if try() != 0 {
		t.Fatal("a third slot of two was granted")
	}

	// b waits; a's release hands it the slot.
	got := make(chan error, 1)
	go func() {
		_, err := b.Acquire(t.Context())
		got <- err
	}()
	a.Release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if try() != 0 {
		t.Fatal("a third slot of two was granted after the hand-over")
	}

	// a renews its slot, b dies: past b's lease, its slot is free again, a's is not.
	m.SetTime(t0.Add(8 * time.Second))
	if err := a.Renew(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.SetTime(t0.Add(11 * time.Second))
	if try() != 1 {
		t.Fatal("the dead holder's slot did not come back after its lease")
	}
	n, _ := rdb.ZCard(t.Context(), keys.sem).Result()
	if n != 1 {
		t.Errorf("%d slots held, want a's renewed one", n)
	}

	rdb.Del(t.Context(), keys.job)
	if _, err := b.Acquire(t.Context()); !errors.Is(err, ErrJobGone) {
		t.Errorf("acquire after the job is gone: %v, want ErrJobGone", err)
	}
}

func TestSemaphoreAcquireHonoursCtx(t *testing.T) {
	t.Parallel()
	_, rdb := newMini(t)
	keys := keysOf("ctx")
	rdb.HSet(t.Context(), keys.job, "state", stateRunning)
	s := newSemaphore(rdb, keys, 1, 10*time.Second, "a")
	if _, err := s.Acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan error, 1)
	go func() {
		_, err := s.Acquire(ctx)
		got <- err
	}()
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Errorf("acquire with ctx cancelled: %v", err)
	}
}

// TestRedisClock: Redis's time is mapped from the reservation with the shortest round trip,
// so that a slow one (a loaded machine) does not shift the slots of the others.
func TestRedisClock(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	const skew = 5 * time.Second // Redis's clock is ahead by this much
	// at is Redis's time (µs) when the local clock reads local.
	at := func(local time.Time) int64 { return local.Add(skew).UnixMicro() }
	var c redisClock
	tests := []struct {
		name        string
		asked       time.Duration // from base
		read, rtt   time.Duration // when in the round trip Redis read its clock; the round trip
		slotIn      time.Duration // the slot, after Redis's now
		wantOffBy   time.Duration // the mapped slot's error, at most
		wantLearned time.Duration // the round trip the mapping comes from
	}{
		{"first: read late in a slow round trip", 0, 30 * time.Millisecond, 40 * time.Millisecond, 20 * time.Millisecond, 10 * time.Millisecond, 40 * time.Millisecond},
		{"a quick round trip: learned", time.Second, 100 * time.Microsecond, 200 * time.Microsecond, 20 * time.Millisecond, 0, 200 * time.Microsecond},
		{"a slow one, read early: not learned", 2 * time.Second, time.Microsecond, 50 * time.Millisecond, 20 * time.Millisecond, 0, 200 * time.Microsecond},
		{"a slow one, read late: not learned", 3 * time.Second, 49 * time.Millisecond, 50 * time.Millisecond, 20 * time.Millisecond, 0, 200 * time.Microsecond},
	}
	for _, tt := range tests {
		asked := base.Add(tt.asked)
		readAt := asked.Add(tt.read)
		now := at(readAt)
		slot := now + tt.slotIn.Microseconds()
		got := c.local(slot, now, asked, asked.Add(tt.rtt))
		want := readAt.Add(tt.slotIn)
		if d := got.Sub(want).Abs(); d > tt.wantOffBy {
			t.Errorf("%s: slot mapped to %v, want %v (±%v): off by %v", tt.name, got.Sub(base), want.Sub(base), tt.wantOffBy, d)
		}
		if c.rtt != tt.wantLearned {
			t.Errorf("%s: learned from a round trip of %v, want %v", tt.name, c.rtt, tt.wantLearned)
		}
	}
}

// TestJobGates: every strategy's gates on a worker are what its facts say, in Redis: its
// slots a leased Semaphore (joined to the worker's own capacity), its pace a GCRA of its rate
// and burst, its adapting limit an Adaptive between its floor and its ceiling whose slots the
// worker renews.
func TestJobGates(t *testing.T) {
	t.Parallel()
	capped := fetcher.Knobs{Concurrency: 7, Rate: 20, Burst: 3, CapRate: true, MinConcurrency: 2}
	free := fetcher.Knobs{Concurrency: 7, Rate: 20}
	type gates struct {
		Slots    int           // the global semaphore's (an adaptive limit's ceiling); 0: none
		Floor    int           // an adaptive limit's; 0: none
		Max      int           // the admission's, with the worker's capacity of 5
		Interval time.Duration // the pacer's; 0: none
		Burst    int
	}
	tests := []struct {
		s    fetcher.Strategy
		k    fetcher.Knobs
		want gates
	}{
		{s: fetcher.Sequential, k: capped, want: gates{Slots: 1, Max: 1}},
		{s: fetcher.Unbounded, k: capped, want: gates{Max: 5}},
		{s: fetcher.Semaphore, k: capped, want: gates{Slots: 7, Max: 5}},
		{s: fetcher.RateLimit, k: free, want: gates{Max: 5, Interval: 50 * time.Millisecond, Burst: 1}},
		{s: fetcher.RateLimit, k: capped, want: gates{Slots: 7, Max: 5, Interval: 50 * time.Millisecond, Burst: 3}},
		{s: fetcher.Adaptive, k: capped, want: gates{Slots: 7, Floor: 2, Max: 5}},
	}
	local, _ := ratelimit.NewSemaphore(5)
	for _, tt := range tests {
		l := tt.s.Limits(tt.k)
		t.Run(string(tt.s)+"/"+tt.s.Params(l), func(t *testing.T) {
			t.Parallel()
			kit := &jobGates{keys: keysOf("gates"), lease: time.Second, owner: "w"}
			g, err := tt.s.Gates(l, kit)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.s.Pooled() {
				t.Errorf("%s has gates in the pool but is not Pooled", tt.s)
			}
			var got gates
			if kit.sem != nil {
				got.Slots = kit.sem.slots
				sem := func() *Semaphore { return g.Admission.(slots).Semaphore }
				if a, ok := g.Admission.(*Adaptive); ok {
					got.Floor = int(a.first.Floor)
					sem = func() *Semaphore { return a.sem }
				}
				if sem() != kit.sem {
					t.Error("the admission is not the semaphore the worker renews")
				}
			}
			got.Max = capacity(local, 5, g.Admission).Max()
			if p, ok := g.Pacer.(*Pacer); ok {
				got.Interval, got.Burst = p.interval, p.burst
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// takeAsync starts a Take of p under ctx and waits until its reservation is in Redis (the
// starts count reaches n); its error comes on the channel.
func takeAsync(t *testing.T, ctx context.Context, p *Pacer, n int64) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := p.Take(ctx)
		done <- err
	}()
	for {
		got, _ := p.rdb.Get(t.Context(), p.keys.starts).Int64()
		if got >= n {
			return done
		}
		select {
		case err := <-done:
			t.Fatalf("take ended before its reservation was seen: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
}

// TestPacerCancelledTakeGivesBack: a Take cancelled before its grant gives its reservation
// back when it is the latest, so that the next start gets its slot, as ratelimit.Pacer's
// does; behind a later reservation its slot is lost, as a cancelled rate.Reservation's is.
func TestPacerCancelledTakeGivesBack(t *testing.T) {
	t.Parallel()
	m, rdb := newMini(t)
	keys := keysOf("giveback")
	rdb.HSet(t.Context(), keys.job, "state", stateRunning)
	t0 := time.Unix(1744632000, 0)
	m.SetTime(t0)
	const interval = 100 * time.Second // the second start waits for it: cancelled first
	p := newPacer(rdb, keys, 1/interval.Seconds(), 1)
	if _, err := p.Take(t.Context()); err != nil {
		t.Fatal(err)
	}
	tat := func() time.Duration {
		v, err := rdb.HGet(t.Context(), keys.rate, "tat").Int64()
		if err != nil {
			t.Fatal(err)
		}
		return time.Duration(v-t0.UnixMicro()) * time.Microsecond
	}
	starts := func() int64 {
		n, err := rdb.Get(t.Context(), keys.starts).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	cancelled := func(done <-chan error, cancel context.CancelFunc) {
		t.Helper()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled take: %v, want context.Canceled", err)
		}
	}

	// The latest reservation, cancelled: given back.
	ctx, cancel := context.WithCancel(t.Context())
	cancelled(takeAsync(t, ctx, p, 2), cancel)
	if tat() != interval || starts() != 1 {
		t.Errorf("after a cancelled take: tat %v, %d starts; want %v, 1: its reservation given back", tat(), starts(), interval)
	}
	if slot, _, _ := reserve(t, p); time.Duration(slot-t0.UnixMicro())*time.Microsecond != interval {
		t.Errorf("the next start's slot is %v, want the cancelled one's, %v", time.Duration(slot-t0.UnixMicro())*time.Microsecond, interval)
	}
	if p.Granted() != 1 {
		t.Errorf("granted %d, want 1", p.Granted())
	}

	// Behind a later reservation: lost; the later one, the latest, given back.
	ctx2, cancel2 := context.WithCancel(t.Context())
	ctx3, cancel3 := context.WithCancel(t.Context())
	done2 := takeAsync(t, ctx2, p, 3)
	done3 := takeAsync(t, ctx3, p, 4)
	cancelled(done2, cancel2)
	if tat() != 4*interval || starts() != 4 {
		t.Errorf("after a cancelled take behind another: tat %v, %d starts; want %v, 4", tat(), starts(), 4*interval)
	}
	cancelled(done3, cancel3)
	if tat() != 3*interval || starts() != 3 {
		t.Errorf("after the latest take cancelled: tat %v, %d starts; want %v, 3", tat(), starts(), 3*interval)
	}

	// A take whose ctx is done before it asks reserves nothing.
	if _, err := p.Take(ctx); !errors.Is(err, context.Canceled) || starts() != 3 {
		t.Errorf("take under a done ctx: %v, %d starts; want context.Canceled, 3", err, starts())
	}
}

// TestGiveBackTheFirst: the first start given back takes the schedule's origin with it, so
// that the next first start is not late against it.
func TestGiveBackTheFirst(t *testing.T) {
	t.Parallel()
	m, rdb := newMini(t)
	keys := keysOf("first")
	rdb.HSet(t.Context(), keys.job, "state", stateRunning)
	t0 := time.Unix(1744632000, 0)
	m.SetTime(t0)
	p := newPacer(rdb, keys, 10, 1)
	v, err := reserveScript.Run(t.Context(), rdb, []string{keys.job, keys.rate, keys.starts},
		p.interval.Microseconds(), p.burst, ratelimit.Tolerance.Microseconds()).Slice()
	if err != nil {
		t.Fatal(err)
	}
	n, err := giveBackScript.Run(t.Context(), rdb, []string{keys.rate, keys.starts}, v[4], p.interval.Microseconds(), v[5]).Int()
	if err != nil || n != 1 {
		t.Fatalf("give back: %d, %v", n, err)
	}
	m.SetTime(t0.Add(time.Hour))
	slot, _, intended := reserve(t, p)
	if want := t0.Add(time.Hour).UnixMicro(); slot != want || intended != want {
		t.Errorf("the first start after a given-back one: slot %d, intended %d; want both %d", slot, intended, want)
	}
}
