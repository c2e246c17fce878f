package report

import (
	"os"
	"testing"
)

// TestDevNullIsNoTerminal: /dev/null is a character device, not a terminal: output sent
// there is for machines (get's default format there is NDJSON, not a table).
func TestDevNullIsNoTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("IsTerminal(/dev/null) = true")
	}
}
