package crawl

// This file owns the crawl's own lines: what was fetched and why links were not followed.

import (
	"fmt"
	"strconv"

	"github.com/fetchbench/fetchbench/internal/naming"
	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// Lines are the crawl's account, one line each: the pages fetched and the links seen with
// why those not followed were not; then, when it applies, the limit that stopped the crawl,
// the pages that failed, the hosts whose robots.txt could not be read and what was left to
// crawl. The limits are named by name, as fields "crawl.Job.Depth" and "crawl.Job.MaxPages"
// (nil: in words).
func (r *Result) Lines(name naming.Namer) []string {
	robots := ""
	if r.Requests > r.Pages {
		robots = fmt.Sprintf(" and %s", plural(r.Requests-r.Pages, "robots.txt", "robots.txt files"))
	}
	resumed := ""
	if r.Resumed {
		resumed = fmt.Sprintf(", going on from the state file (%d URLs left there)", r.Counts.Resumed)
	}
	lines := []string{
		fmt.Sprintf("crawled %s%s%s; %s seen: %d duplicate, %d out of scope, %d disallowed by robots.txt, %d over %s, %d over %s",
			plural(r.Pages, "page", "pages"), robots, resumed, plural(r.Seen, "link", "links"),
			r.Duplicate, r.OutOfScope, r.Robots, r.OverDepth, name.Option(fieldDepth, "", "the depth limit"),
			r.OverMax, name.Option(fieldMaxPages, "", "the page limit")),
	}
	if r.Unusable > 0 {
		lines[0] += fmt.Sprintf(", %d not a URL to fetch (not http(s), over 2,048 bytes or malformed)", r.Unusable)
	}
	if r.OverMax > 0 {
		limit := name.Option(fieldMaxPages, strconv.Itoa(r.MaxPages), fmt.Sprintf("the limit of %d pages", r.MaxPages))
		lines = append(lines, fmt.Sprintf("stopped at %s: %s not followed", limit, plural(r.OverMax, "link", "links")))
	}
	if r.OverDepth > 0 {
		limit := name.Option(fieldDepth, strconv.Itoa(r.Depth), fmt.Sprintf("the depth limit of %d", r.Depth))
		lines = append(lines, fmt.Sprintf("%s reached: %s deeper not followed", limit, plural(r.OverDepth, "link", "links")))
	}
	if r.Failed > 0 {
		lines = append(lines, plural(r.Failed, "page", "pages")+" failed (see the records)")
	}
	if r.UnreadHosts > 0 {
		first := ""
		if r.UnreadHosts > 1 {
			first = "first "
		}
		lines = append(lines, fmt.Sprintf("robots.txt could not be read on %s (%s%s), which disallows the host (RFC 9309): %s not fetched",
			plural(r.UnreadHosts, "host", "hosts"), first, textsafe.Sanitize(r.UnreadFirst), plural(r.Unread, "URL", "URLs")))
	}
	if r.Left > 0 {
		lines = append(lines, plural(r.Left, "URL", "URLs")+" left to crawl")
	}
	return lines
}

// The fields of Job that Lines names.
const (
	fieldDepth    = "crawl.Job.Depth"
	fieldMaxPages = "crawl.Job.MaxPages"
)

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
