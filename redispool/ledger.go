package redispool

// This file owns the job's ledger of pushed work: the fetcher.Ledger a coordinator's
// frontier admits pushed URLs through, so that each is enqueued once per job whichever
// process pushes it, and the coordinator keeps in memory only the URLs still in progress.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fetcher"
)

// ledgerTimeout bounds one round trip of the ledger.
const ledgerTimeout = 5 * time.Second

// ledger is a job's fetcher.Ledger: the pushed URLs' keys in the job's seen hash (URLKey →
// "seq", then "seq status class err" once settled) and the next Seq in its next string.
// first is the Seq of the frontier's first pushed URL: items from first on are pushed work,
// deduplicated again when enqueued.
type ledger struct {
	rdb   redis.Cmdable
	keys  jobKeys
	first int
	slash fetcher.Slash
}

var _ fetcher.Ledger = (*ledger)(nil)

func (l *ledger) Begin(ctx context.Context, slash fetcher.Slash, next int, admitted map[string]int) error {
	l.first, l.slash = next, slash
	args := make([]any, 0, 1+2*len(admitted))
	args = append(args, next)
	for key, seq := range admitted {
		l.first = min(l.first, seq)
		args = append(args, key, seq)
	}
	ctx, cancel := context.WithTimeout(ctx, ledgerTimeout)
	defer cancel()
	n, err := beginScript.Run(ctx, l.rdb, []string{l.keys.job, l.keys.seen, l.keys.next}, args...).Int()
	if err == nil && n < 0 {
		return ErrJobGone
	}
	return err
}

func (l *ledger) Admit(ctx context.Context, key string) (int, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, ledgerTimeout)
	defer cancel()
	v, err := admitScript.Run(ctx, l.rdb, []string{l.keys.job, l.keys.seen, l.keys.next}, key).Int64Slice()
	switch {
	case err != nil:
		return 0, false, err
	case len(v) != 2:
		return 0, false, fmt.Errorf("admit: %d values from the script", len(v))
	case v[0] < 0:
		return 0, false, ErrJobGone
	}
	return int(v[1]), v[0] == 1, nil
}

func (l *ledger) Settle(ctx context.Context, key string, o fetcher.Outcome) error {
	ctx, cancel := context.WithTimeout(ctx, ledgerTimeout)
	defer cancel()
	n, err := settleScript.Run(ctx, l.rdb, []string{l.keys.job, l.keys.seen}, key, formatOutcome(o)).Int()
	if err == nil && n < 0 {
		return ErrJobGone
	}
	return err
}

func (l *ledger) Outcome(ctx context.Context, key string) (fetcher.Outcome, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, ledgerTimeout)
	defer cancel()
	v, err := l.rdb.HGet(ctx, l.keys.seen, key).Result()
	if err == redis.Nil {
		return fetcher.Outcome{}, false, nil
	}
	if err != nil {
		return fetcher.Outcome{}, false, err
	}
	return parseOutcome(v)
}

// key is the URL key the enqueue script deduplicates it by: its fetcher.Key under the
// frontier's rule when it is pushed work, else "".
func (l *ledger) key(it fetcher.Item) string {
	if l == nil || it.Seq < l.first {
		return ""
	}
	return fetcher.Key(it.URL, l.slash)
}

// formatOutcome is o as the seen hash holds it: "seq status class err".
func formatOutcome(o fetcher.Outcome) string {
	return strconv.Itoa(o.Seq) + " " + strconv.Itoa(o.Status) + " " + string(o.Class) + " " + o.Err
}

// parseOutcome reads a seen hash value; ok is false for one not settled ("seq" alone).
func parseOutcome(v string) (fetcher.Outcome, bool, error) {
	f := strings.SplitN(v, " ", 4)
	seq, err := strconv.Atoi(f[0])
	if err != nil {
		return fetcher.Outcome{}, false, fmt.Errorf("seen: %q: %w", v, err)
	}
	if len(f) < 4 {
		return fetcher.Outcome{Seq: seq}, false, nil
	}
	status, err := strconv.Atoi(f[1])
	if err != nil {
		return fetcher.Outcome{}, false, fmt.Errorf("seen: %q: %w", v, err)
	}
	return fetcher.Outcome{Seq: seq, Status: status, Class: fetcher.ErrorClass(f[2]), Err: f[3]}, true, nil
}
