package plural

import "testing"

func TestN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 pages"},
		{1, "1 page"},
		{-1, "-1 pages"},
		{2, "2 pages"},
		{1 << 40, "1099511627776 pages"},
	}
	for _, tc := range tests {
		if got := N(tc.n, "page", "pages"); got != tc.want {
			t.Errorf("N(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := N(uint8(1), "item", "items"); got != "1 item" {
		t.Errorf("N(uint8 1) = %q", got)
	}
	if got := N(uint64(1<<63), "item", "items"); got != "9223372036854775808 items" {
		t.Errorf("N(1<<63) = %q", got)
	}
}
