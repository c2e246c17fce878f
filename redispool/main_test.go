package redispool

import (
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/fetchbench/fetchbench/internal/redistest"
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

// realRedis is a client of database db of the real redis-server (redistest.URL), and its URL.
func realRedis(t testing.TB, db int) (*redis.Client, string) {
	t.Helper()
	u := redistest.URL(t, db)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return rdb, u
}
