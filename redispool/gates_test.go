package redispool

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/ratelimit"
)

// reserve runs the GCRA's script once and returns the slot's offset from the server's now.
func reserve(t *testing.T, p *Pacer) (slot, now int64) {
	t.Helper()
	v, err := reserveScript.Run(t.Context(), p.rdb, []string{p.keys.job, p.keys.rate, p.keys.starts},
		p.interval.Microseconds(), p.burst).Slice()
	if err != nil {
		t.Fatal(err)
	}
	slot, _ = strconv.ParseInt(v[0].(string), 10, 64)
	now, _ = strconv.ParseInt(v[1].(string), 10, 64)
	return slot, now
}

// TestGCRASchedule reserves starts on a settable server clock: burst at once, then one per
// interval, and never more than burst + R·t in any window of t.
func TestGCRASchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rate  float64
		burst int
		asks  []time.Duration // when each start is asked for, from the first
		want  []time.Duration // its slot, from the first ask
	}{
		{"burst 1, all at once", 10, 1, []time.Duration{0, 0, 0, 0}, []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}},
		{"burst 3, all at once", 10, 3, []time.Duration{0, 0, 0, 0, 0}, []time.Duration{0, 0, 0, 100 * time.Millisecond, 200 * time.Millisecond}},
		{"idle refills the burst", 10, 2, []time.Duration{0, 0, time.Second, time.Second, time.Second},
			[]time.Duration{0, 0, time.Second, time.Second, time.Second + 100*time.Millisecond}},
		{"late askers go at once", 50, 1, []time.Duration{0, 30 * time.Millisecond, 45 * time.Millisecond}, []time.Duration{0, 30 * time.Millisecond, 50 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, rdb := newMini(t)
			keys := keysOf("gcra")
			rdb.HSet(t.Context(), keys.job, "state", stateRunning)
			p := newPacer(rdb, keys, tt.rate, tt.burst)
			t0 := time.Unix(1744632000, 0)
			var got []time.Duration
			for _, ask := range tt.asks {
				m.SetTime(t0.Add(ask))
				slot, now := reserve(t, p)
				if now != t0.Add(ask).UnixMicro() {
					t.Fatalf("the script's clock is %d, want the server's %d", now, t0.Add(ask).UnixMicro())
				}
				got = append(got, time.Duration(slot-t0.UnixMicro())*time.Microsecond)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
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
