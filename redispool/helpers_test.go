package redispool

import (
	"fmt"
	"time"
)

func fmtAny(v any) string { return fmt.Sprint(v) }

// waitABit pauses a poll loop.
func waitABit() { time.Sleep(10 * time.Millisecond) }
