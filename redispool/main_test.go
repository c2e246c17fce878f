package redispool

import (
	"os"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// go-redis probes a server it could not dial once a second until the client is closed.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

// newMini starts a miniredis and returns a client of it; both end with the test.
func newMini(t *testing.T) (*miniredis.Miniredis, *redis.Client) {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return m, rdb
}

// realRedis is a client of the real redis-server in FETCHBENCH_REDIS_URL, on database db
// (flushed); the test is skipped without one, and fails without one under FETCHBENCH_CI=1.
func realRedis(t testing.TB, db int) (*redis.Client, string) {
	t.Helper()
	raw := os.Getenv("FETCHBENCH_REDIS_URL")
	if raw == "" {
		if os.Getenv("FETCHBENCH_CI") == "1" {
			t.Fatal("FETCHBENCH_REDIS_URL is not set (.ci/run starts a redis-server)")
		}
		t.Skip("FETCHBENCH_REDIS_URL is not set: no redis-server to test against")
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	opts.DB = db
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.FlushDB(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	u := *opts
	return rdb, "redis://" + u.Addr + "/" + itoa(db)
}
