// Package redistest opens a Redis-backed store for tests. It imports
// testing, so only _test.go files may import it; the binary never links it.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/redisstore"
)

// URLEnv names the environment variable holding the Redis URL that tests
// use; DefaultURL applies when it is unset. Database 15 keeps test keys away
// from a developer's real data in database 0.
const (
	URLEnv     = "UNIONBOT_TEST_REDIS_URL"
	DefaultURL = "redis://127.0.0.1:6379/15"
)

// URL returns the Redis URL tests use: UNIONBOT_TEST_REDIS_URL, or
// DefaultURL when it is unset.
func URL() string {
	if url := os.Getenv(URLEnv); url != "" {
		return url
	}
	return DefaultURL
}

// MustOpen opens a Store for a test, on the server named by
// UNIONBOT_TEST_REDIS_URL, under a random prefix so that tests running in
// parallel (or left over from a crashed run) never share keys. When the test
// ends the Store is closed and every key under its prefix is deleted.
//
// Without a reachable Redis the test is skipped, so that `go test ./...`
// works on a laptop with nothing installed; with CI=true it fails instead,
// because in CI a missing Redis is a broken pipeline, not a choice.
//
// opts configure the Store (redisstore.WithChangeLogLength, say).
func MustOpen(t testing.TB, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	url := URL()
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	prefix := "unionbot-test:" + hex.EncodeToString(rnd[:]) + ":"

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var s *redisstore.Store
	err := probe(ctx, url)
	if err == nil {
		s, err = redisstore.Open(ctx, url, prefix, opts...)
	}
	if err != nil {
		if !errors.Is(err, store.ErrUnavailable) {
			// Reached but unusable (bad URL, wrong password): a
			// configuration mistake that skipping would hide.
			t.Fatalf("redistest: cannot use Redis for tests at %s (set %s): %v", url, URLEnv, err)
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("redistest: no Redis for tests at %s (set %s): %v", url, URLEnv, err)
		}
		t.Skipf("redistest: skipping, no Redis at %s (set %s to point elsewhere; CI=true makes this fatal): %v", url, URLEnv, err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		// The test may have closed the Store itself, so clean up through
		// a client of our own.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		o, err := redis.ParseURL(url)
		if err != nil {
			t.Errorf("redistest: cleanup: %v", err)
			return
		}
		c := redis.NewClient(o)
		defer c.Close()
		if err := deletePrefix(ctx, c, prefix); err != nil {
			t.Errorf("redistest: cleanup of %s*: %v", prefix, err)
		}
	})
	return s
}

// probe checks the server once, without go-redis's dial and command
// retries, so that a missing Redis skips each test at once instead of after
// seconds of retrying. It pings through a Store so that the error is
// classified the way the Store classifies it (store.ErrUnavailable for a
// server that cannot be reached).
func probe(ctx context.Context, url string) error {
	o, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	o.MaxRetries, o.DialerRetries = -1, 1
	s := redisstore.New(redis.NewClient(o), "")
	defer s.Close()
	return s.Ping(ctx)
}

// deletePrefix deletes every key starting with prefix. The prefix is random
// hex and fixed text, so it holds no glob metacharacters.
func deletePrefix(ctx context.Context, c *redis.Client, prefix string) error {
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := c.Del(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return c.Del(ctx, batch...).Err()
	}
	return nil
}
