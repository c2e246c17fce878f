package main

// This file owns the way from the target flags to a targets.Spec: their combinations.

import "github.com/fetchbench/fetchbench/targets"

// spec checks the target flags' combinations (set reports whether a flag was given) and the
// fake's flags, and builds the targets' spec. It does no I/O.
func (t *targetFlags) spec(set func(string) bool, fake fakeFlags) (*targets.Spec, error) {
	switch {
	case set("ids") && set("count"):
		return nil, usagef("--ids and -n/--count both choose ids; give one")
	case t.src.All && (set("ids") || set("count")):
		return nil, usagef("--all fetches every item; drop --ids and -n")
	case t.src.All && (set("urls") || set("url-template")):
		return nil, usagef("--all discovers a SWAPI --resource; it cannot be combined with --urls or --url-template")
	case set("urls") && (set("ids") || set("count") || set("url-template") || set("resource") || set("base-url")):
		return nil, usagef("--urls names every target itself; drop --ids, -n, --url-template, --resource and --base-url")
	case set("url-template") && (set("resource") || set("base-url")):
		return nil, usagef("--url-template replaces --resource and --base-url; give one")
	case t.offline && (set("urls") || set("url-template") || set("base-url")):
		return nil, usagef("--offline aims at the built-in fake; it cannot be combined with --urls, --url-template or --base-url")
	case fake.h2 && !t.offline:
		return nil, usagef("--fake-h2 needs --offline (for a fake of your own: fetchbench serve --tls)")
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
