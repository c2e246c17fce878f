package fakeswapi

import (
	"testing"

	"github.com/fetchbench/fetchbench/internal/naming"
)

func TestCertLine(t *testing.T) {
	t.Parallel()
	flags := naming.Namer(func(field string) string {
		return map[string]string{"fetcher.Config.RootCAs": "--cacert"}[field]
	})
	for _, tc := range []struct {
		name string
		n    naming.Namer
		want string
	}{
		{"flags", flags, "certificate written to ca.pem: trust it with fetchbench --cacert ca.pem"},
		{"no namer", nil, "certificate written to ca.pem: trust it as a CA certificate in the client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := certLine("ca.pem", tc.n); got != tc.want {
				t.Errorf("certLine() = %q, want %q", got, tc.want)
			}
		})
	}
}
