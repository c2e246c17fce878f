package redispool

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/naming"
)

// flags is a front end's naming of the pool's options, as package main's.
var flags = naming.Namer(func(field string) string {
	return map[string]string{
		"redispool.CoordinatorConfig.URL":   "--redis",
		"redispool.CoordinatorConfig.Lease": "--redis-lease",
		"redispool.Dial.Roots":              "--redis-cacert",
		"redispool.WorkerConfig.AllowHosts": "--allow-hosts",
	}[field]
})

// TestErrorsNameOptions: the pool's errors name its options as a Namer does (naming.Text),
// and word them without one.
func TestErrorsNameOptions(t *testing.T) {
	t.Parallel()
	noWorker := &noWorkerError{url: "redis://127.0.0.1:1", wait: 50 * time.Millisecond}
	untrusted := &UnreachableError{URL: "rediss://127.0.0.1:1", Err: errors.New("tls: failed to verify certificate"), UnknownCA: true}
	for _, tc := range []struct {
		name       string
		err        error
		flags, nil string
	}{
		{"no worker", fmt.Errorf("%w; the records received are written", noWorker),
			"no worker in the pool at redis://127.0.0.1:1 after 50ms (start one: fetchbench worker --redis URL); the records received are written",
			"no worker in the pool at redis://127.0.0.1:1 after 50ms (start a worker on this Redis); the records received are written"},
		{"unknown CA", untrusted,
			"Redis at rediss://127.0.0.1:1 does not answer: tls: failed to verify certificate (trust its CA with --redis-cacert FILE)",
			"Redis at rediss://127.0.0.1:1 does not answer: tls: failed to verify certificate (its CA is not among the roots trusted)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := naming.Text(tc.err, flags); got != tc.flags {
				t.Errorf("worded with flags\n%q\nwant\n%q", got, tc.flags)
			}
			if got := tc.err.Error(); got != tc.nil {
				t.Errorf("Error()\n%q\nwant\n%q", got, tc.nil)
			}
		})
	}
	if !errors.Is(noWorker, ErrNoWorker) {
		t.Error("the no-worker error is not ErrNoWorker")
	}
}

// TestPooledNamesNoFlag: Pooled keeps every strategy, adaptive too; its refusal (of a
// strategy no pool can run) is bad input in the pool's URL field, and its note leaves the
// option's name to the front end.
func TestPooledNamesNoFlag(t *testing.T) {
	t.Parallel()
	kept, note, err := Pooled(fetcher.Strategies, false)
	if err != nil || note != "" || !slices.Equal(kept, fetcher.Strategies) {
		t.Errorf("Pooled(all) = %v, %q, %v; want every strategy, no note", kept, note, err)
	}
	if kept, _, err := Pooled([]fetcher.Strategy{fetcher.Adaptive}, true); err != nil || len(kept) != 1 {
		t.Errorf("Pooled(adaptive) = %v, %v; want adaptive", kept, err)
	}
	bogus := fetcher.Strategy("bogus")
	_, _, err = Pooled([]fetcher.Strategy{bogus}, true)
	var fe *badinput.FieldError
	if !errors.As(err, &fe) || fe.Field != "redispool.CoordinatorConfig.URL" || !fe.Bad {
		t.Fatalf("Pooled error %#v: want bad input in redispool.CoordinatorConfig.URL", err)
	}
	_, note, err = Pooled([]fetcher.Strategy{fetcher.Semaphore, bogus}, false)
	if want := "bogus left out (it cannot run across workers)"; err != nil || note != want {
		t.Errorf("Pooled = %q, %v; want %q", note, err, want)
	}
}

// TestRefusedNamesAllowHosts: a record refused by a worker names its allowed hosts' option
// as the worker's OptionNamer does.
func TestRefusedNamesAllowHosts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    naming.Namer
		want string
	}{
		{flags, "refused by worker w1: host other.example is not in its --allow-hosts"},
		{nil, "refused by worker w1: host other.example is not in its allowed hosts"},
	} {
		w := &Worker{cfg: WorkerConfig{Name: "w1", OptionNamer: tc.n}}
		if got := w.refused(&spec{}, fetcher.Item{Target: fetcher.Target{URL: "http://other.example/x"}}).Err; got != tc.want {
			t.Errorf("refused record's error %q, want %q", got, tc.want)
		}
	}
}
