package crawl

// This file owns the crawl's own lines: what was fetched and why links were not followed.

import (
	"fmt"
	"strconv"

	"github.com/fetchbench/fetchbench/internal/textsafe"
)

// Lines are the crawl's account, one line each: the pages fetched and the links seen with
// why those not followed were not; then, when it applies, the limit that stopped the crawl,
// the pages that failed, the hosts whose robots.txt could not be read and what was left to
// crawl.
func (r *Result) Lines() []string {
	robots := ""
	if r.Requests > r.Pages {
		robots = fmt.Sprintf(" and %s", plural(r.Requests-r.Pages, "robots.txt", "robots.txt files"))
	}
	resumed := ""
	if r.Resumed {
		resumed = fmt.Sprintf(", going on from the state file (%d URLs left there)", r.Counts.Resumed)
	}
	lines := []string{
		fmt.Sprintf("crawled %s%s%s; %s seen: %d duplicate, %d out of scope, %d disallowed by robots.txt, %d over --depth, %d over --max-pages",
			plural(r.Pages, "page", "pages"), robots, resumed, plural(r.Seen, "link", "links"),
			r.Duplicate, r.OutOfScope, r.Robots, r.OverDepth, r.OverMax),
	}
	if r.Unusable > 0 {
		lines[0] += fmt.Sprintf(", %d not a URL to fetch (not http(s), over 2,048 bytes or malformed)", r.Unusable)
	}
	if r.OverMax > 0 {
		lines = append(lines, fmt.Sprintf("stopped at --max-pages %d: %s not followed", r.MaxPages, plural(r.OverMax, "link", "links")))
	}
	if r.OverDepth > 0 {
		lines = append(lines, fmt.Sprintf("--depth %d reached: %s deeper not followed", r.Depth, plural(r.OverDepth, "link", "links")))
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

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
