package targets

import (
	"github.com/fetchbench/fetchbench/fetcher"
)

// ParseIDs parses --ids: ids and ranges (fetcher.ParseIDs), or "-" for stdin (nil, read
// when the targets are resolved; see Source.IDsStdin).
func ParseIDs(s string) ([]int, error) {
	if s == "-" {
		return nil, nil
	}
	return fetcher.ParseIDs(s)
}
