package redispool

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/verdict"
)

// TestJoinEndsInterrupted: a worker's only end is its context's (SIGINT, SIGTERM), and its
// error says it was interrupted, so that the command exits 130 as every other does.
func TestJoinEndsInterrupted(t *testing.T) {
	t.Parallel()
	m, _ := newMini(t)
	ctx, cancel := context.WithCancel(t.Context())
	var talk syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Join(ctx, "redis://"+m.Addr(), nil, WorkerConfig{Name: "w", MaxInFlight: 1}, &talk)
	}()
	for !strings.Contains(talk.String(), "joined") {
		select {
		case err := <-done:
			t.Fatalf("Join = %v before it joined: %s", err, talk.String())
		default:
		}
		waitABit()
	}
	cancel()
	if err := <-done; !errors.Is(err, verdict.ErrInterrupted) || err.Error() != "" {
		t.Errorf("Join = %q, want an unworded error that Is verdict.ErrInterrupted", err)
	}
	if !strings.Contains(talk.String(), "left the pool") {
		t.Errorf("the worker said:\n%s", talk.String())
	}
}

// TestDialRefused: a Redis that answers and refuses the URL's password is bad input, worded
// without the password; one that does not answer is unreachable.
func TestDialRefused(t *testing.T) {
	t.Parallel()
	m, _ := newMini(t)
	m.RequireAuth("right")
	tests := []struct {
		name, url string
		bad       bool
	}{
		{"wrong password", "redis://:s3cret@" + m.Addr(), true},
		{"no password", "redis://" + m.Addr(), true},
		{"nothing listening", "redis://:s3cret@127.0.0.1:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rdb, err := Dial(t.Context(), tt.url, nil)
			if err == nil {
				rdb.Close()
				t.Fatal("Dial succeeded")
			}
			var fe *badinput.FieldError
			var down *UnreachableError
			switch {
			case strings.Contains(err.Error(), "s3cret"):
				t.Errorf("err = %q shows the password", err)
			case tt.bad && (!errors.As(err, &fe) || !fe.Bad || fe.Field != fieldURL || !strings.Contains(err.Error(), "refused by Redis")):
				t.Errorf("err = %#v (%v), want bad input of redispool.URL, refused by Redis", err, err)
			case !tt.bad && !errors.As(err, &down):
				t.Errorf("err = %v, want an *UnreachableError", err)
			}
		})
	}
}
