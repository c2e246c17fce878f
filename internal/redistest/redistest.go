// Package redistest gives a test a database of its own, flushed, on the redis-servers that
// .ci/run starts: FETCHBENCH_REDIS_URL (plain) and FETCHBENCH_REDISS_URL with
// FETCHBENCH_REDISS_CACERT (TLS, with a password). Without the server a test is skipped, and
// under FETCHBENCH_CI=1 it fails. Tests that run at once (packages too) use distinct databases.
package redistest

import (
	"context"
	"crypto/x509"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// URL is the URL of database db of the plain redis-server, flushed.
func URL(tb testing.TB, db int) string {
	tb.Helper()
	opts, err := redis.ParseURL(need(tb, "FETCHBENCH_REDIS_URL", "a redis-server"))
	if err != nil {
		tb.Fatal(err)
	}
	u := "redis://" + opts.Addr + "/" + strconv.Itoa(db)
	flush(tb, u, nil)
	return u
}

// TLS is the URL of database db of the TLS redis-server, flushed, the file of the CA that
// signed its certificate, and that CA.
func TLS(tb testing.TB, db int) (url, caFile string, roots *x509.CertPool) {
	tb.Helper()
	raw := need(tb, "FETCHBENCH_REDISS_URL", "a redis-server over TLS")
	caFile = need(tb, "FETCHBENCH_REDISS_CACERT", "the CA of the redis-server over TLS")
	pem, err := os.ReadFile(caFile)
	if err != nil {
		tb.Fatal(err)
	}
	roots = x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		tb.Fatalf("no certificate in %s", caFile)
	}
	url = strings.TrimSuffix(raw, "/") + "/" + strconv.Itoa(db)
	flush(tb, url, roots)
	return url, caFile, roots
}

// need is the value of the environment variable name, which says where what is.
func need(tb testing.TB, name, what string) string {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("FETCHBENCH_CI") == "1" {
			tb.Fatalf("%s is not set (.ci/run starts %s)", name, what)
		}
		tb.Skipf("%s is not set: no %s to test against", name, what)
	}
	return v
}

// flush empties the database at url, trusting roots for TLS.
func flush(tb testing.TB, url string, roots *x509.CertPool) {
	tb.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	if opts.TLSConfig != nil {
		opts.TLSConfig.RootCAs = roots
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		tb.Fatalf("flush %s: %v", redacted(opts), err)
	}
}

// redacted names the server and database of opts, without the password.
func redacted(opts *redis.Options) string {
	return opts.Addr + "/" + strconv.Itoa(opts.DB)
}
