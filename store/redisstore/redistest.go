package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/unionbot/unionbot/store"
)

// TestURLEnv names the environment variable holding the Redis URL that
// tests use; DefaultTestURL applies when it is unset. Database 15 keeps test
// keys away from a developer's real data in database 0.
const (
	TestURLEnv     = "UNIONBOT_TEST_REDIS_URL"
	DefaultTestURL = "redis://127.0.0.1:6379/15"
)

// MustOpenTest opens a Store for a test, on the server named by
// UNIONBOT_TEST_REDIS_URL, under a random prefix so that tests running in
// parallel (or left over from a crashed run) never share keys. When the test
// ends the Store is closed and every key under its prefix is deleted.
//
// Without a reachable Redis the test is skipped, so that `go test ./...`
// works on a laptop with nothing installed; with CI=true it fails instead,
// because in CI a missing Redis is a broken pipeline, not a choice.
func MustOpenTest(t testing.TB) *Store {
	t.Helper()
	url := os.Getenv(TestURLEnv)
	if url == "" {
		url = DefaultTestURL
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	prefix := "unionbot-test:" + hex.EncodeToString(rnd[:]) + ":"

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var s *Store
	err := probe(ctx, url)
	if err == nil {
		s, err = Open(ctx, url, prefix)
	}
	if err != nil {
		if !errors.Is(err, store.ErrUnavailable) {
			// Reached but unusable (bad URL, wrong password): a
			// configuration mistake that skipping would hide.
			t.Fatalf("redisstore: cannot use Redis for tests at %s (set %s): %v", url, TestURLEnv, err)
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("redisstore: no Redis for tests at %s (set %s): %v", url, TestURLEnv, err)
		}
		t.Skipf("redisstore: skipping, no Redis at %s (set %s to point elsewhere; CI=true makes this fatal): %v", url, TestURLEnv, err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		// The test may have closed the Store itself, so clean up through
		// a client of our own.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		o, err := redis.ParseURL(url)
		if err != nil {
			t.Errorf("redisstore: cleanup: %v", err)
			return
		}
		c := redis.NewClient(o)
		defer c.Close()
		if err := deletePrefix(ctx, c, prefix); err != nil {
			t.Errorf("redisstore: cleanup of %s*: %v", prefix, err)
		}
	})
	return s
}

// probe checks the server once, without go-redis's dial and command
// retries, so that a missing Redis skips each test at once instead of after
// seconds of retrying.
func probe(ctx context.Context, url string) error {
	o, err := redis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("redisstore: parse url: %w", err)
	}
	o.MaxRetries, o.DialerRetries = -1, 1
	c := redis.NewClient(o)
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: connect to %s: %w", o.Addr, mapErr(err))
	}
	return nil
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
