package lesson

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fetchbench/fetchbench/internal/memnet"
)

// TestScaleRefused: a scale that leaves the lesson's shortest step under ten times what a
// request costs is refused before anything runs, naming the least scale that works.
func TestScaleRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lesson string
		scale  float64
		want   string
	}{
		{"restaurant", 0.001, "lesson restaurant: time scale too small for this machine: its shortest step, 1s, lasts 1ms at scale 0.001, but a request costs 2ms more here; use a scale of 0.02 or more"},
		{"workers", 0.001, "lesson workers: time scale too small for this machine: its shortest step, 2s, lasts 2ms at scale 0.001, but a request costs 2ms more here; use a scale of 0.01 or more"},
		{"gather", 0.01, "lesson gather: time scale too small for this machine: its shortest step, 400ms, lasts 4ms at scale 0.01, but a request costs 2ms more here; use a scale of 0.05 or more"},
	}
	for _, tc := range tests {
		t.Run(tc.lesson, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			cfg := inMemory(tc.scale)
			cfg.Overhead = 2 * time.Millisecond
			err := Run(context.Background(), tc.lesson, cfg, &out)
			if !errors.Is(err, ErrScale) || err.Error() != tc.want {
				t.Errorf("Run = %v\nwant %s", err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %q, want nothing", out.String())
			}
		})
	}
}

// TestScaleMeasured: on fake time a request costs nothing beyond its delay: the measured
// overhead is 0 and the smallest scale runs.
func TestScaleMeasured(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		got, err := inMemory(0.001).measureOverhead(context.Background(), time.Millisecond)
		if err != nil || got != 0 {
			t.Errorf("measureOverhead = %v, %v; want 0", got, err)
		}
	})
}

// heldUpConn is a connection whose write takes 50 ms on the bubble's clock while *held > 0,
// which each write counts down: moments when other work held the machine up.
type heldUpConn struct {
	net.Conn
	held *int
}

func (c heldUpConn) Write(p []byte) (int, error) {
	if *c.held > 0 {
		*c.held--
		time.Sleep(50 * time.Millisecond)
	}
	return c.Conn.Write(p)
}

// TestScaleMeasuredQuickest: the overhead is what the machine can keep, the quickest of the
// requests measured, not a slow moment's: four of five requests held up 50 ms do not count.
func TestScaleMeasuredQuickest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		nw := new(memnet.Network)
		held := 4
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nw.DialContext(ctx, network, addr)
			return heldUpConn{c, &held}, err
		}
		cfg := Config{Scale: 0.001, Listen: nw.Listen, Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
		got, err := cfg.measureOverhead(context.Background(), time.Millisecond)
		if err != nil || got != 0 {
			t.Errorf("measureOverhead = %v, %v; want 0", got, err)
		}
	})
}

// slowConn is a connection whose every write takes extra on the bubble's clock: a machine
// where each request costs that much.
type slowConn struct {
	net.Conn
	extra time.Duration
}

func (c slowConn) Write(p []byte) (int, error) {
	time.Sleep(c.extra)
	return c.Conn.Write(p)
}

// slowMemory is inMemory(scale) on a machine where each request costs extra, with Overhead
// set so small that the scale is not refused.
func slowMemory(scale float64, extra time.Duration) Config {
	nw := new(memnet.Network)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nw.DialContext(ctx, network, addr)
		return slowConn{c, extra}, err
	}
	return Config{Scale: scale, Listen: nw.Listen, Transport: &http.Transport{DialContext: dial}, Overhead: time.Nanosecond}
}

// TestContradicted: when requests cost more than the scale leaves room for, the lesson says
// so in its last lines and Run returns ErrContradicted (exit 3), instead of "as the lesson
// says: no" and success.
func TestContradicted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lesson string
		extra  time.Duration
		want   string
	}{
		{"restaurant", 5 * time.Millisecond, "over the lesson's own: at scale 0.01 each request's own cost here\nadds up and the lesson does not hold; a larger time scale brings them closer.\n"},
		{"workers", 25 * time.Millisecond, "did not behave as the lesson says: at scale 0.01 each request's own cost here\neats the clients' margin; a larger time scale gives it back.\n"},
	}
	for _, tc := range tests {
		t.Run(tc.lesson, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var out bytes.Buffer
				err := Run(context.Background(), tc.lesson, slowMemory(0.01, tc.extra), &out)
				if !errors.Is(err, ErrContradicted) {
					t.Errorf("Run = %v, want ErrContradicted", err)
				}
				if !strings.HasSuffix(out.String(), tc.want) {
					t.Errorf("output ends:\n%s\nwant it to end with\n%s", tail(out.String(), 400), tc.want)
				}
			})
		})
	}
}

func tail(s string, n int) string { return s[max(len(s)-n, 0):] }
