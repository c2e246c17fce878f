package fakeswapi

// This file owns the quota headers the fake states when it has a rate.

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// QuotaHeaders states in h, at now, the quota of lim, a token bucket, in the forms clients
// read: the IETF draft's (draft-ietf-httpapi-ratelimit-headers-09 and later)
//
//	RateLimit-Policy: "fake";q=<per window>;w=<window seconds>
//	RateLimit: "fake";r=<tokens left>;t=<seconds until the bucket is full, rounded down>
//
// and the older X-RateLimit-Limit (the bucket's size), X-RateLimit-Remaining and
// X-RateLimit-Reset (the same seconds). The policy is the bucket's rate over 1 second when
// that is a whole number, else over 60 seconds (rounded down). A client that keeps within
// the policy's rate and the remaining tokens gets no 429.
func QuotaHeaders(h http.Header, lim *rate.Limiter, now time.Time) {
	per, window := float64(lim.Limit()), 1
	if per != math.Trunc(per) {
		per, window = math.Floor(per*60), 60
	}
	tokens := max(0, lim.TokensAt(now))
	full := (float64(lim.Burst()) - tokens) / float64(lim.Limit())
	remaining := strconv.Itoa(int(tokens))
	reset := strconv.Itoa(int(max(0, full)))
	h.Set("RateLimit-Policy", `"fake";q=`+strconv.Itoa(int(per))+";w="+strconv.Itoa(window))
	h.Set("RateLimit", `"fake";r=`+remaining+";t="+reset)
	h.Set("X-RateLimit-Limit", strconv.Itoa(lim.Burst()))
	h.Set("X-RateLimit-Remaining", remaining)
	h.Set("X-RateLimit-Reset", reset)
}
