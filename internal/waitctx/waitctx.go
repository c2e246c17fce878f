// Package waitctx waits for a duration unless a context ends first.
package waitctx

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, whichever comes first, and reports whether the full
// wait elapsed (false when ctx ended). A d ≤ 0 returns at once, reporting whether ctx is live.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
