package targets

import (
	"github.com/fetchbench/fetchbench/internal/badinput"
)

// CheckFlags checks the combinations of the target flags: set reports whether a flag was
// given, all is --all, offline --offline and fakeH2 --fake-h2. Its errors are bad input
// naming the flags.
func CheckFlags(set func(string) bool, all, offline, fakeH2 bool) error {
	switch {
	case set("ids") && set("count"):
		return badinput.Errorf("--ids and -n/--count both choose ids; give one")
	case all && (set("ids") || set("count")):
		return badinput.Errorf("--all fetches every item; drop --ids and -n")
	case all && (set("urls") || set("url-template")):
		return badinput.Errorf("--all discovers a SWAPI --resource; it cannot be combined with --urls or --url-template")
	case set("urls") && (set("ids") || set("count") || set("url-template") || set("resource") || set("base-url")):
		return badinput.Errorf("--urls names every target itself; drop --ids, -n, --url-template, --resource and --base-url")
	case set("url-template") && (set("resource") || set("base-url")):
		return badinput.Errorf("--url-template replaces --resource and --base-url; give one")
	case offline && (set("urls") || set("url-template") || set("base-url")):
		return badinput.Errorf("--offline aims at the built-in fake; it cannot be combined with --urls, --url-template or --base-url")
	case fakeH2 && !offline:
		return badinput.Errorf("--fake-h2 needs --offline (for a fake of your own: fetchbench serve --tls)")
	}
	return nil
}

// ParseIDs parses --ids: ids and ranges (parseIDList), or "-" for stdin (nil, read
// when the targets are resolved; see Source.IDsStdin).
func ParseIDs(s string) ([]int, error) {
	if s == "-" {
		return nil, nil
	}
	return parseIDList(s)
}
