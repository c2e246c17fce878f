package ratelimit

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Pacer paces starts with one token bucket shared by every caller: Rate tokens per second, at
// most Burst held, starting full. A token is taken at the moment Take returns, the moment the
// caller starts, never at a time computed in advance: a wake-up that comes late is not paid
// back by an early one. So in any window of length t at most Burst + Rate·t calls of Take
// return, and with Burst 1 no two return closer than 1/Rate apart.
//
// To keep the achieved rate at Rate despite timers that fire late (by about 0.5 ms, up to
// several ms under load), Take sleeps until shortly before the token is due and spins the rest
// of the way; the spin margin follows the lateness the timer shows, up to MaxSpin. Waiting
// therefore costs CPU: about margin·Rate of one core, all of it when 1/Rate is shorter than
// the margin.
//
// A Pacer is safe for concurrent use; waiters are served one at a time, roughly in arrival
// order.
type Pacer struct {
	lim   *rate.Limiter
	rate  float64
	burst int
	lock  chan struct{} // held by the one caller waiting for the next token
	// The fields below are guarded by lock.
	timer   *time.Timer
	margin  time.Duration // how long before a token is due the sleep ends and the spin begins
	late    time.Duration // decaying maximum of the timer's observed lateness
	start   time.Time     // the first grant: the schedule's origin
	shift   time.Duration // lateness up to Tolerance absorbed into the schedule
	granted atomic.Int64

	oversleep func() time.Duration // test hook: added to every timer sleep
}

// Tolerance is how late a start may come after its slot and still count as on time: the
// schedule moves with it, so that the microseconds a wake-up costs never add up to a late
// start. A later start leaves the schedule where it was: it, and every start that cannot
// catch up, is late (Grant.Late).
const Tolerance = time.Millisecond

// MaxSpin bounds how long before a token is due a Pacer stops sleeping and spins.
const MaxSpin = 4 * time.Millisecond

// NewPacer returns a pacer granting r starts per second with bursts of at most burst. r must
// be > 0 and burst ≥ 1.
func NewPacer(r float64, burst int) (*Pacer, error) {
	if !(r > 0) {
		return nil, fmt.Errorf("rate %g: must be greater than 0", r)
	}
	if burst < 1 {
		return nil, fmt.Errorf("burst %d: must be at least 1", burst)
	}
	p := &Pacer{lim: rate.NewLimiter(rate.Limit(r), burst), rate: r, burst: burst, lock: make(chan struct{}, 1)}
	p.late = time.Millisecond
	p.margin = p.spinFor(p.late)
	return p, nil
}

// Grant is one start granted by Take.
type Grant struct {
	// Index is the grant's 0-based position in the schedule.
	Index int
	// At is when the token was taken: the start.
	At time.Time
	// Intended is the grant's slot in the schedule: when it would have started had every
	// start come on time, the first grant's time plus max(0, Index−Burst+1)/Rate, moved by
	// the lateness absorbed (see Tolerance); At when that is earlier (never later than At).
	// At is later than Intended, by more than Tolerance, when a start was late (a wake-up
	// that came very late, or a caller that came late for its slot: the schedule does not
	// restart after an idle spell, so that the lateness counts, as coordinated omission
	// asks); with Burst 1 lateness is never made up.
	Intended time.Time
	// Wait is how long Take waited.
	Wait time.Duration
}

// Late is how much later than its slot the grant started, 0 when on time.
func (g Grant) Late() time.Duration { return max(0, g.At.Sub(g.Intended)) }

// Take waits for a token and takes it, at the moment it returns. On error (ctx done) it takes
// nothing: the token, and its slot in the schedule, go to the next caller, as if it had never
// asked (rate.Limiter.Wait gives back its reservation likewise).
func (p *Pacer) Take(ctx context.Context) (Grant, error) {
	if err := ctx.Err(); err != nil {
		return Grant{}, err
	}
	asked := time.Now()
	select {
	case p.lock <- struct{}{}:
	case <-ctx.Done():
		return Grant{}, ctx.Err()
	}
	defer func() { <-p.lock }()
	for {
		now := time.Now()
		// A token less than a nanosecond away counts as here: float rounding must not
		// cost a second wait.
		need := time.Duration((1 - p.lim.TokensAt(now)) / p.rate * 1e9)
		if need <= 0 {
			p.lim.ReserveN(now, 1)
			i := int(p.granted.Add(1) - 1)
			if i == 0 {
				p.start = now
			}
			intended := p.slot(i)
			switch late := now.Sub(intended); {
			case late <= 0:
				intended = now
			case late <= Tolerance:
				p.shift += late
				intended = now
			}
			return Grant{Index: i, At: now, Intended: intended, Wait: now.Sub(asked)}, nil
		}
		if err := p.sleepUntil(ctx, now.Add(need)); err != nil {
			return Grant{}, err
		}
	}
}

// slot is the time of slot i of the schedule: the first grant's time plus
// max(0, i−Burst+1)/Rate, plus the lateness absorbed so far. It needs the lock and a first
// grant.
func (p *Pacer) slot(i int) time.Time {
	k := max(0, i-p.burst+1)
	return p.start.Add(time.Duration(float64(k)/p.rate*1e9) + p.shift)
}

// Rate is the starts per second it grants.
func (p *Pacer) Rate() float64 { return p.rate }

// Burst is the most starts it grants at once.
func (p *Pacer) Burst() int { return p.burst }

// Granted is the number of grants so far.
func (p *Pacer) Granted() int { return int(p.granted.Load()) }

// sleepUntil blocks until the clock reads until or later, or ctx is done: a timer sleep that
// ends margin early, then a spin. A clock that does not move while spinning (a fake clock, as
// in testing/synctest) makes it sleep the rest instead.
func (p *Pacer) sleepUntil(ctx context.Context, until time.Time) error {
	if d := time.Until(until) - p.margin; d > 0 {
		if p.oversleep != nil {
			d += p.oversleep()
		}
		wake := time.Now().Add(d)
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
		p.observe(time.Since(wake))
	}
	last, still := time.Now(), 0
	for now := last; now.Before(until); now = time.Now() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if now.Equal(last) {
			if still++; still > 100 {
				return p.sleep(ctx, until.Sub(now))
			}
		}
		last = now
	}
	return nil
}

// sleep waits d on the pacer's one timer, or until ctx is done.
func (p *Pacer) sleep(ctx context.Context, d time.Duration) error {
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	select {
	case <-p.timer.C:
		return nil
	case <-ctx.Done():
		p.timer.Stop()
		return ctx.Err()
	}
}

// observe adapts the spin margin to a timer wake-up that came late by d.
func (p *Pacer) observe(d time.Duration) {
	p.late = max(d, p.late-p.late/64)
	p.margin = p.spinFor(p.late)
}

// spinFor is the spin margin for a timer late by up to late: that plus a quarter and 100µs, at
// most MaxSpin. A token due sooner than that is spun for all the way.
func (p *Pacer) spinFor(late time.Duration) time.Duration {
	return min(late+late/4+100*time.Microsecond, MaxSpin)
}
