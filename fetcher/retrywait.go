package fetcher

// This file owns telling a run's first long wait that a server's Retry-After imposes.

import (
	"net/http"
	"time"
)

// retryHolder is an Admission that a server's Retry-After holds: no admission before
// retryHeldUntil.
type retryHolder interface{ retryHeldUntil() time.Time }

func (a adaptive) retryHeldUntil() time.Time { return a.a.HeldUntil() }

// tellRetryAfter tells Config.OnQuotaWait of a wait until until, imposed by the Retry-After
// of an answer that was a 429 when throttled (else a 503), when it is QuotaNoticeAfter or
// longer and none was told before in the run.
func (r *runner) tellRetryAfter(throttled bool, until time.Time) {
	wait := time.Until(until)
	if r.cfg.OnQuotaWait == nil || wait < QuotaNoticeAfter || r.toldRetryAfter.Swap(true) {
		return
	}
	status := http.StatusServiceUnavailable
	if throttled {
		status = http.StatusTooManyRequests
	}
	r.cfg.OnQuotaWait(QuotaWait{Wait: wait, Until: until, Status: status})
}
