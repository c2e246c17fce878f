package get

import (
	"testing"
	"time"
)

// TestDiscoveryString: counts of one take the singular, of the resource's items too.
func TestDiscoveryString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    Discovery
		want string
	}{
		{"one of each", Discovery{Resource: "people", Items: 1, MinID: 1, MaxID: 1, Requests: 1, Failed: 1, Refused: 1, Wall: time.Second},
			"discovered 1 person (ids 1–1) in 1 list request, 1s; 1 list page failed; 1 item refused (no numeric id)"},
		{"many", Discovery{Resource: "planets", Items: 60, MinID: 1, MaxID: 60, Requests: 6, Failed: 2, Refused: 3, Wall: time.Second},
			"discovered 60 planets (ids 1–60) in 6 list requests, 1s; 2 list pages failed; 3 items refused (no numeric id)"},
		{"one species", Discovery{Resource: "species", Items: 1, Requests: 2, Wall: time.Second},
			"discovered 1 species in 2 list requests, 1s"},
		{"one planet", Discovery{Resource: "planets", Items: 1, Requests: 1, Wall: time.Second},
			"discovered 1 planet in 1 list request, 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.d.String(); got != tc.want {
				t.Errorf("String() =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
