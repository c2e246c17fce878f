package fdlimit

import (
	"syscall"
	"testing"
)

func TestRaise(t *testing.T) {
	var before syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &before); err != nil {
		t.Skip("no rlimit here:", err)
	}
	tests := []struct {
		name   string
		need   uint64
		wantOK bool
	}{
		{"below the soft limit", before.Cur / 2, true},
		{"at the soft limit", before.Cur, true},
		{"up to the hard limit", before.Max, true},
		{"past anything the kernel allows", 1 << 62, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			limit, ok := Raise(tc.need)
			if ok != tc.wantOK {
				t.Fatalf("Raise(%d) = %d, %v; want ok %v", tc.need, limit, ok, tc.wantOK)
			}
			var now syscall.Rlimit
			if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil {
				t.Fatal(err)
			}
			if ok && now.Cur < tc.need {
				t.Errorf("ok, but the soft limit is %d < %d", now.Cur, tc.need)
			}
			if !ok && limit < now.Cur {
				t.Errorf("reported limit %d below the soft limit %d", limit, now.Cur)
			}
		})
	}
}
