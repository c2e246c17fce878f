package main

// This file owns the way from the target flags to a targets.Spec: their combinations.

import "github.com/fetchbench/fetchbench/targets"

// spec checks the target flags' combinations (set reports whether a flag was given) and the
// fake's flags, and builds the targets' spec. It does no I/O.
func (t *targetFlags) spec(set func(string) bool, fake fakeFlags) (*targets.Spec, error) {
	if err := checkTargetFlags(set, t.src.All, t.offline, fake.h2); err != nil {
		return nil, err
	}
	opts, err := fake.options()
	if err != nil {
		return nil, err
	}
	src := t.src
	src.IDsStdin = set("ids") && t.src.IDs == nil
	return targets.New(targets.Config{Offline: t.offline, Fake: opts, FakeH2: fake.h2, API: t.api,
		BaseURL: t.baseURL, BaseURLSet: set("base-url"), Source: src})
}
