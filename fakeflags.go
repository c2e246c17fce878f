package main

// This file owns the --fake-* flags, shared by serve, the comparison and get.

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/internal/cliflag"
)

// fakeFlags holds the fake SWAPI knobs shared by serve and the benchmark's --offline; the flags
// write straight into opts.
type fakeFlags struct {
	opts    fakeswapi.Options
	h2      bool                     // --fake-h2: the in-process fake speaks TLS with HTTP/2
	workers fakeswapi.WorkerSchedule // --fake-workers, copied into opts by options
}

// capacity is the fake's true capacity when the run is offline; 0 when unknown.
func (f *fakeFlags) capacity(offline bool) int {
	if !offline {
		return 0
	}
	return f.workers.Capacity()
}

// addFakeFlags registers the --fake-* flags on fs, storing into f.
func addFakeFlags(fs *pflag.FlagSet, f *fakeFlags, defaultLatency time.Duration) {
	o := &f.opts
	fs.DurationVar(&o.Latency, "fake-latency", defaultLatency, "fake SWAPI: latency added to every request")
	fs.DurationVar(&o.Jitter, "fake-jitter", 0, "fake SWAPI: spread the latency uniformly by ± this much")
	fs.Float64Var(&o.ErrorRate, "fake-error-rate", 0, "fake SWAPI: share of requests answered 500 (0..1)")
	fs.Var(cliflag.Parsed(&f.workers, "0", func(string) string { return " " }, fakeswapi.ParseWorkerSchedule), "fake-workers",
		"fake SWAPI: requests served at once, the rest queue: a sync server with `K` workers (0 = unlimited); 8@0s,2@5s,8@10s changes K during the run")
	fs.Float64Var(&o.Rate, "fake-rate", 0,
		"fake SWAPI: requests per second accepted, the rest get 429 + Retry-After (0 = no limit)")
	fs.IntVar(&o.Burst, "fake-burst", 1, "fake SWAPI: token bucket size for --fake-rate")
	fs.Int64Var(&o.Seed, "fake-seed", 1, "fake SWAPI: seed of the jitter and fault draws (same seed, same sequence)")
	fs.Float64Var(&o.ResetRate, "fake-reset-rate", 0, "fake SWAPI: share of connections cut mid-body (0..1)")
	fs.Float64Var(&o.MalformedRate, "fake-malformed-rate", 0,
		"fake SWAPI: share of 200 answers with truncated JSON (0..1)")
	fs.Float64Var(&o.SlowBodyRate, "fake-slow-body-rate", 0,
		"fake SWAPI: share of bodies dripped over --fake-slow-body (0..1)")
	fs.DurationVar(&o.SlowBody, "fake-slow-body", fakeswapi.DefaultSlowBody, "fake SWAPI: how long a slow body takes")
	fs.Float64Var(&o.OversizeRate, "fake-oversize-rate", 0,
		"fake SWAPI: share of 200 answers with a --fake-oversize-bytes body (0..1)")
	fs.Var(cliflag.Size(&o.OversizeBytes, fakeswapi.DefaultOversizeBytes, 0), "fake-oversize-bytes", "fake SWAPI: size of an oversize body (e.g. 64KiB, 11MiB)")
}

// addFakeH2Flag registers --fake-h2, for the commands that start the fake in-process.
func addFakeH2Flag(fs *pflag.FlagSet, f *fakeFlags) {
	fs.BoolVar(&f.h2, "fake-h2", false, "fake SWAPI (--offline): serve over TLS with HTTP/2, a certificate made at start and trusted by this run")
}

// addProfileFlags registers the live profile's flags, named prefix+"profile" and
// prefix+"time-scale" (serve's --profile, the others' --fake-profile).
func addProfileFlags(fs *pflag.FlagSet, f *fakeFlags, prefix string) {
	o := &f.opts
	fs.Var(cliflag.Choice(&o.Profile, "", fakeswapi.Profiles, func(s string) error {
		return cliflag.Valuef("want live, got %q", s)
	}), prefix+"profile", "fake SWAPI: live adds the dialect's real limits (tech: 100 per 15 min and a growing slow-down; dev: 10,000 a day; py4e, info: none)")
	fs.Var(cliflag.Scale(&o.TimeScale, 1), prefix+"time-scale", "fake SWAPI: multiply the live profile's windows and delays by this (0.001..10), e.g. 0.01 for a 9 s window")
}

// options validates the flags into fakeswapi.Options; an invalid value is a usage error naming its flag.
func (f *fakeFlags) options() (fakeswapi.Options, error) {
	o := f.opts
	o.Workers, o.WorkerSteps = f.workers.Workers, f.workers.Steps
	if err := o.Validate(); err != nil {
		return fakeswapi.Options{}, wordFakeOptions(o, err)
	}
	return o, nil
}
