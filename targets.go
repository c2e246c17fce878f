package main

// This file owns the way from the target flags to a targets.Spec and the fake it aims at.

import (
	"fmt"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/targets"
)

// targetSpec is where a command's targets are, and, offline, the fake that serves them.
type targetSpec struct {
	*targets.Spec
	fake *fakeStart // nil: online
}

// fakeStart is the in-process fake a command starts (--offline).
type fakeStart struct {
	opts fakeswapi.Options
	wire fakeswapi.Wire
	// trust is what a run must trust to reach the fake over TLS (--fake-h2), nil otherwise.
	trust *fetcher.CACerts
}

// spec checks the target flags' combinations (set reports whether a flag was given) and the
// fake's flags, and builds the targets' spec. It does no I/O but for making the certificate
// of a TLS fake.
func (t *targetFlags) spec(set func(string) bool, fake fakeFlags) (*targetSpec, error) {
	if err := checkTargetFlags(set, t.src.All, t.offline, fake.h2); err != nil {
		return nil, err
	}
	opts, err := fake.options()
	if err != nil {
		return nil, err
	}
	src := t.src
	src.IDsStdin = set("ids") && t.src.IDs == nil
	sp, err := targets.New(targets.Config{Offline: t.offline, FakeTimeScale: opts.TimeScale, API: t.api,
		BaseURL: t.baseURL, BaseURLSet: set("base-url"), Source: src})
	if err != nil {
		return nil, err
	}
	ts := &targetSpec{Spec: sp}
	if !t.offline {
		return ts, nil
	}
	opts.Dialect = sp.Dialect.Name
	ts.fake = &fakeStart{opts: opts}
	if fake.h2 {
		cert, err := fakeswapi.NewCertificate()
		if err != nil {
			return nil, fmt.Errorf("the fake SWAPI's %w", err)
		}
		if ts.fake.trust, err = fetcher.ParseCACerts(fakeswapi.CertificatePEM(&cert)); err != nil {
			return nil, fmt.Errorf("the fake SWAPI's certificate: %w", err)
		}
		ts.fake.wire = fakeswapi.Wire{Cert: &cert}
	}
	return ts, nil
}

// trust is what a run must trust to reach the targets' fake, nil when nothing more.
func (t *targetSpec) trust() *fetcher.CACerts {
	if t.fake == nil {
		return nil
	}
	return t.fake.trust
}

// start starts the fake in e when offline and aims the spec at it; stop stops it.
func (t *targetSpec) start(e *env) (stop func(), err error) {
	if t.fake == nil {
		return func() {}, nil
	}
	running, err := e.startFake(t.fake.opts, t.fake.wire)
	if err != nil {
		return nil, err
	}
	t.Aim(running.URL)
	return running.Close, nil
}
