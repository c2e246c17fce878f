package session_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/compare"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/verdict"
	"github.com/fetchbench/fetchbench/report"
	"github.com/fetchbench/fetchbench/session"
)

// summary is a run of strategy s with n requests, errs of them failed (never connected when
// never is set).
func summary(s fetcher.Strategy, n, errs int, never bool) report.Summary {
	sum := report.Summary{Strategy: s, Requests: n, Errors: errs, ErrorClasses: map[fetcher.ErrorClass]int{}}
	if never {
		sum.NeverConnected = n
		sum.ErrorClasses[fetcher.ClassRefused] = n
	}
	return sum
}

func configs(ss ...fetcher.Strategy) []fetcher.Config {
	var cs []fetcher.Config
	for _, s := range ss {
		cs = append(cs, fetcher.Config{Strategy: s, Limits: fetcher.Limits{Slots: 1}})
	}
	return cs
}

// TestVerdicts pins the one verdict table every command ends by.
func TestVerdicts(t *testing.T) {
	t.Parallel()
	breach, _ := report.ParseThresholds("errors>0")
	tests := []struct {
		name       string
		run        func(rep int, cfg fetcher.Config) (session.Outcome, error)
		thresholds []report.Threshold
		is         error  // the error Is this (nil: no error)
		badInput   bool   // the error is bad input
		msg        string // the error's text contains this
		stderr     string // stderr contains this
	}{
		{name: "fine", run: func(_ int, c fetcher.Config) (session.Outcome, error) {
			return session.Outcome{Summary: summary(c.Strategy, 3, 0, false)}, nil
		}},
		{name: "invalid config", badInput: true, msg: "-c", run: func(int, fetcher.Config) (session.Outcome, error) {
			return session.Outcome{}, fmt.Errorf("%w: -c", fetcher.ErrConfig)
		}},
		{name: "write error", msg: "write records: disk full", run: func(int, fetcher.Config) (session.Outcome, error) {
			return session.Outcome{}, errors.New("disk full")
		}},
		{name: "plan's own error", msg: "state gone", run: func(int, fetcher.Config) (session.Outcome, error) {
			return session.Outcome{}, session.Failed(errors.New("state gone"))
		}},
		{name: "interrupted", is: verdict.ErrInterrupted, msg: "the report above is partial", run: func(_ int, c fetcher.Config) (session.Outcome, error) {
			return session.Outcome{Summary: summary(c.Strategy, 3, 3, true), Interrupted: true}, nil
		}},
		{name: "unreachable", msg: "every request failed to connect to 127.0.0.1:1 (connection refused); is it up?", run: func(_ int, c fetcher.Config) (session.Outcome, error) {
			return session.Outcome{Summary: summary(c.Strategy, 3, 3, true), Unreachable: "connection refused"}, nil
		}},
		{name: "threshold", is: verdict.ErrBreached, thresholds: breach, stderr: "fetchbench: ", run: func(_ int, c fetcher.Config) (session.Outcome, error) {
			return session.Outcome{Summary: summary(c.Strategy, 3, 1, false)}, nil
		}},
		{name: "plan's verdict", is: verdict.ErrBreached, run: func(_ int, c fetcher.Config) (session.Outcome, error) {
			return session.Outcome{Summary: summary(c.Strategy, 3, 1, false), Verdict: verdict.Breached("")}, nil
		}},
		{name: "threshold before plan's verdict", is: verdict.ErrBreached, thresholds: breach, stderr: "errors", run: func(_ int, c fetcher.Config) (session.Outcome, error) {
			return session.Outcome{Summary: summary(c.Strategy, 3, 1, false), Verdict: errors.New("not this")}, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			plan := session.Plan{Configs: configs(fetcher.Sequential, fetcher.Semaphore), Host: "http://127.0.0.1:1/",
				Run: func(_ context.Context, rep int, cfg fetcher.Config, cs []report.Consumer) (session.Outcome, error) {
					return tc.run(rep, cfg)
				}}
			err := session.Run(context.Background(), plan, session.Outputs{Thresholds: tc.thresholds, UnreachableHint: "; is it up?",
				Destination: report.Destination{Format: "table", Summary: &stdout, Stderr: &stderr}})
			var be *badinput.Error
			switch {
			case tc.is == nil && tc.msg == "" && err != nil:
				t.Fatalf("err = %v, want nil", err)
			case tc.is != nil && !errors.Is(err, tc.is):
				t.Fatalf("err = %v, want one that Is %v", err, tc.is)
			case tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)):
				t.Fatalf("err = %v, want one saying %q", err, tc.msg)
			case errors.As(err, &be) != tc.badInput:
				t.Fatalf("err = %v: bad input %v, want %v", err, errors.As(err, &be), tc.badInput)
			case !strings.Contains(stderr.String(), tc.stderr):
				t.Fatalf("stderr %q lacks %q", stderr.String(), tc.stderr)
			}
			var ue *compare.UnreachableError
			if errors.As(err, &ue) && stdout.Len() > 0 {
				t.Errorf("an unreachable server got a report:\n%s", stdout.String())
			}
		})
	}
}

// TestRepetitionsRotate: each repetition runs every config, the order rotated by one, and a
// report is written after each; an interruption ends the session after its partial report.
func TestRepetitionsRotate(t *testing.T) {
	t.Parallel()
	var order []string
	var stdout bytes.Buffer
	plan := session.Plan{Configs: configs(fetcher.Sequential, fetcher.Unbounded, fetcher.Semaphore), Repeat: 3,
		Run: func(ctx context.Context, rep int, cfg fetcher.Config, cs []report.Consumer) (session.Outcome, error) {
			order = append(order, fmt.Sprintf("%d:%s", rep, cfg.Strategy))
			return session.Outcome{Summary: summary(cfg.Strategy, 1, 0, false)}, nil
		}}
	err := session.Run(context.Background(), plan, session.Outputs{Destination: report.Destination{Format: "table", Summary: &stdout, Stderr: &stdout}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0:sequential", "0:unbounded", "0:semaphore", "1:unbounded", "1:semaphore", "1:sequential", "2:semaphore", "2:sequential", "2:unbounded"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("run order (-want +got):\n%s", diff)
	}
	if n := strings.Count(stdout.String(), "repetition "); n != 3 {
		t.Errorf("%d repetitions reported, want 3:\n%s", n, stdout.String())
	}

	order = nil
	stdout.Reset()
	plan.Run = func(ctx context.Context, rep int, cfg fetcher.Config, cs []report.Consumer) (session.Outcome, error) {
		order = append(order, fmt.Sprintf("%d:%s", rep, cfg.Strategy))
		return session.Outcome{Summary: summary(cfg.Strategy, 1, 0, false), Interrupted: rep == 1}, nil
	}
	err = session.Run(context.Background(), plan, session.Outputs{Destination: report.Destination{Format: "table", Summary: &stdout, Stderr: &stdout}})
	if !errors.Is(err, verdict.ErrInterrupted) {
		t.Fatalf("err = %v, want interrupted", err)
	}
	if diff := cmp.Diff([]string{"0:sequential", "0:unbounded", "0:semaphore", "1:unbounded"}, order); diff != "" {
		t.Errorf("interrupted run order (-want +got):\n%s", diff)
	}
	if n := strings.Count(stdout.String(), "repetition "); n != 2 {
		t.Errorf("%d repetitions reported, want 2 (the second partial):\n%s", n, stdout.String())
	}
}
