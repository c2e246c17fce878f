package redispool

import (
	"fmt"
	"strconv"
)

func fmtInt(i int64) string { return strconv.FormatInt(i, 10) }

func fmtAny(v any) string { return fmt.Sprint(v) }
