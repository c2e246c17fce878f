package redispool

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/internal/badinput"
)

func TestResolveURL(t *testing.T) {
	t.Parallel()
	roots := x509.NewCertPool()
	tests := []struct {
		name, flag, env string
		cacert          *x509.CertPool
		want            string
		bad             string // part of the bad-input message, "" for none
	}{
		{"none", "", "", nil, "", ""},
		{"flag wins", "redis://127.0.0.1:1", "redis://127.0.0.1:2", nil, "redis://127.0.0.1:1", ""},
		{"env", "", "redis://127.0.0.1:2", nil, "redis://127.0.0.1:2", ""},
		{"bad env", "", "http://x", nil, "", "FETCHBENCH_REDIS: "},
		{"cacert without URL", "", "", roots, "", "only with a rediss:// URL"},
		{"cacert plain", "redis://:secret@127.0.0.1:1", "", roots, "", "is not a rediss:// URL"},
		{"cacert TLS", "rediss://127.0.0.1:1", "", roots, "rediss://127.0.0.1:1", ""},
	}
	for _, tt := range tests {
		got, err := ResolveURL(tt.flag, tt.env, tt.cacert, "worker: ")
		var be *badinput.Error
		switch {
		case tt.bad == "" && (err != nil || got != tt.want):
			t.Errorf("%s: ResolveURL = %q, %v; want %q", tt.name, got, err, tt.want)
		case tt.bad != "" && (!errors.As(err, &be) || !strings.HasPrefix(err.Error(), "worker: ") || !strings.Contains(err.Error(), tt.bad)):
			t.Errorf("%s: ResolveURL error %v, want bad input with %q", tt.name, err, tt.bad)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("%s: error %q shows the password", tt.name, err)
		}
	}
}

func TestWorkerName(t *testing.T) {
	t.Parallel()
	if got, err := WorkerName("w1", true); got != "w1" || err != nil {
		t.Errorf("WorkerName(w1) = %q, %v", got, err)
	}
	if got, err := WorkerName("", false); got != DefaultName() || err != nil {
		t.Errorf("WorkerName(unset) = %q, %v; want %q", got, err, DefaultName())
	}
	var be *badinput.Error
	if _, err := WorkerName("  ", true); !errors.As(err, &be) {
		t.Errorf("WorkerName(blank) error %v, want bad input", err)
	}
}
