package targets

// ParseIDs parses an id list: ids and ranges (parseIDList), or "-" for stdin (nil, read
// when the targets are resolved; see Source.IDsStdin).
func ParseIDs(s string) ([]int, error) {
	if s == "-" {
		return nil, nil
	}
	return parseIDList(s)
}
