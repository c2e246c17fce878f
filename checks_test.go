package main

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/redispool"
)

func TestCrawlFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format            string
		several, terminal bool
		want              string
		bad               bool
	}{
		{"", true, false, "table", false},
		{"ndjson", true, false, "", true},
		{"markdown", true, false, "markdown", false},
		{"markdown", false, false, "", true},
		{"", false, true, "table", false},
		{"", false, false, "ndjson", false},
		{"csv", false, true, "csv", false},
	}
	for _, tt := range tests {
		got, err := crawlFormat(tt.format, tt.several, tt.terminal)
		var be *badinput.Error
		if got != tt.want || (err != nil) != tt.bad || (err != nil && (!errors.As(err, &be) || !strings.HasPrefix(err.Error(), "-o: "))) {
			t.Errorf("crawlFormat(%q, %v, %v) = %q, %v; want %q, bad input %v", tt.format, tt.several, tt.terminal, got, err, tt.want, tt.bad)
		}
	}
}

func TestResolveRedisURL(t *testing.T) {
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
		{"cacert without URL", "", "", roots, "", "--redis-cacert: only with a rediss:// URL"},
		{"cacert plain", "redis://:secret@127.0.0.1:1", "", roots, "", "is not a rediss:// URL"},
		{"cacert TLS", "rediss://127.0.0.1:1", "", roots, "rediss://127.0.0.1:1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := resolveRedisURL(tt.flag, tt.env, tt.cacert, "worker: ")
			var be *badinput.Error
			switch {
			case tt.bad == "" && (err != nil || got != tt.want):
				t.Errorf("resolveRedisURL = %q, %v; want %q", got, err, tt.want)
			case tt.bad != "" && (!errors.As(err, &be) || !strings.HasPrefix(err.Error(), "worker: ") || !strings.Contains(err.Error(), tt.bad)):
				t.Errorf("resolveRedisURL error %v, want bad input with %q", err, tt.bad)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestWorkerName(t *testing.T) {
	t.Parallel()
	if got, err := workerName("w1", true); got != "w1" || err != nil {
		t.Errorf("workerName(w1) = %q, %v", got, err)
	}
	if got, err := workerName("", false); got != redispool.DefaultName() || err != nil {
		t.Errorf("workerName(unset) = %q, %v; want %q", got, err, redispool.DefaultName())
	}
	var be *badinput.Error
	if _, err := workerName("  ", true); !errors.As(err, &be) || err.Error() != "worker: --name must not be empty" {
		t.Errorf("workerName(blank) error %v, want bad input naming --name", err)
	}
}
