// Package bothstores runs a test against each store the bot can use: the
// embedded bbolt store in a temporary directory and a real Redis
// (redistest). It imports testing, so only _test.go files may import it.
package bothstores

import (
	"testing"

	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/boltstore"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

// Run runs fn as the subtests "bolt" and "redis", each on a fresh store.
// Without a Redis (UNIONBOT_TEST_REDIS_URL) the redis subtest is skipped,
// and fails under CI=true.
func Run(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Helper()
	t.Run("bolt", func(t *testing.T) { fn(t, Bolt(t)) })
	t.Run("redis", func(t *testing.T) { fn(t, redistest.MustOpen(t)) })
}

// Bolt opens a bbolt store in a temporary directory, closed when the test
// ends.
func Bolt(t testing.TB) *boltstore.Store {
	t.Helper()
	st, err := boltstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
