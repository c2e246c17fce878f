package redispool

import (
	"crypto/x509"
	"strings"

	"github.com/fetchbench/fetchbench/internal/badinput"
)

// EnvURL names the environment variable that holds the Redis URL when --redis is not given:
// a password there stays out of ps.
const EnvURL = "FETCHBENCH_REDIS"

// ResolveURL is the pool's Redis URL: flag when given, else env (the value of EnvURL). It
// checks that cacert goes with a rediss:// URL; its errors are bad input starting with prefix
// ("worker: " or "") and never show a password.
func ResolveURL(flag, env string, cacert *x509.CertPool, prefix string) (string, error) {
	url := flag
	if url == "" && env != "" {
		if _, err := ParseURL(env); err != nil {
			return "", badinput.Errorf("%s%s: %v", prefix, EnvURL, err)
		}
		url = env
	}
	switch {
	case cacert == nil:
	case url == "":
		return "", badinput.Errorf("%s--redis-cacert: only with a rediss:// URL (--redis or %s)", prefix, EnvURL)
	case !strings.HasPrefix(strings.ToLower(url), "rediss://"):
		return "", badinput.Errorf("%s--redis-cacert: %s is not a rediss:// URL (TLS)", prefix, Redact(url))
	}
	return url, nil
}

// CheckURL checks a --redis value and returns it; its error never shows the password.
func CheckURL(s string) (string, error) {
	if _, err := ParseURL(s); err != nil {
		return "", err
	}
	return s, nil
}

// WorkerName is the worker command's --name: name, or DefaultName when it was not given
// (set false); a given name that is blank is bad input.
func WorkerName(name string, set bool) (string, error) {
	switch {
	case set && strings.TrimSpace(name) == "":
		return "", badinput.Errorf("worker: --name must not be empty")
	case name == "":
		return DefaultName(), nil
	}
	return name, nil
}
