package waitctx

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		if !Sleep(context.Background(), time.Second) {
			t.Error("full wait reported as cut short")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		if Sleep(ctx, time.Hour) || time.Since(start) != time.Second {
			t.Errorf("cancelled wait: returned after %v, want false after 1s", time.Since(start))
		}
		if Sleep(ctx, 0) {
			t.Error("zero wait on a dead context reported true")
		}
		if !Sleep(context.Background(), -time.Second) {
			t.Error("negative wait on a live context reported false")
		}
	})
}
