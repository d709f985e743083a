package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/redisstore"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
	"github.com/unionbot/unionbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return redistest.MustOpen(t)
	})
}

// TestIncrFixedWindow checks what the portable suite cannot observe without
// waiting: the first increment starts the expiry window and later ones do
// not extend it.
func TestIncrFixedWindow(t *testing.T) {
	s := redistest.MustOpen(t)
	ctx := t.Context()
	key := s.Prefix() + "ctr:w"
	if _, err := s.Incr(ctx, "w", time.Hour); err != nil {
		t.Fatal(err)
	}
	first, err := s.Client().PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if first <= 0 || first > time.Hour {
		t.Fatalf("PTTL after the first Incr = %v, want within (0, 1h]", first)
	}
	if _, err := s.Incr(ctx, "w", time.Hour); err != nil {
		t.Fatal(err)
	}
	second, err := s.Client().PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if second > first {
		t.Fatalf("PTTL grew from %v to %v: the second Incr extended the window", first, second)
	}

	if _, err := s.Incr(ctx, "forever", 0); err != nil {
		t.Fatal(err)
	}
	if ttl, err := s.Client().PTTL(ctx, s.Prefix()+"ctr:forever").Result(); err != nil || ttl != -1 {
		t.Fatalf("PTTL of a counter without ttl = %v, %v; want -1 (none)", ttl, err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	// Port 1 is reserved and nothing listens there.
	_, err := redisstore.Open(ctx, "redis://127.0.0.1:1/0?max_retries=-1&dial_timeout=1s", "x:")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open of an unreachable server: err = %v, want ErrUnavailable", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := redisstore.Open(t.Context(), "http://127.0.0.1:6379", "x:")
	if err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open of a bad URL: err = %v, want a parse error", err)
	}
}

func TestClosedIsUnavailable(t *testing.T) {
	s := redistest.MustOpen(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after Close: err = %v, want ErrUnavailable", err)
	}
	if _, err := s.Get(t.Context(), "c", "a"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get after Close: err = %v, want ErrUnavailable", err)
	}
}

func TestKeysCarryPrefix(t *testing.T) {
	s := redistest.MustOpen(t)
	ctx := t.Context()
	storetestWriteEverything(t, s)
	keys, err := s.Client().Keys(ctx, s.Prefix()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 6 {
		t.Fatalf("only %d keys under the prefix: %q", len(keys), keys)
	}
}

func storetestWriteEverything(t *testing.T, s *redisstore.Store) {
	ctx := t.Context()
	if _, err := s.Update(ctx, "c", "a", func([]byte) ([]byte, error) { return []byte("1"), nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Incr(ctx, "n", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "k", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "l", []byte("e")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, "q", []byte("p")); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateReleasesItsWatch: an Update that writes nothing (its function
// refuses, or reports no change) must not leave its WATCH on the pooled
// connection, where it would make the next transaction on that connection
// fail for a write it never read.
func TestUpdateReleasesItsWatch(t *testing.T) {
	base := redistest.MustOpen(t)
	o, err := redis.ParseURL(redistest.URL())
	if err != nil {
		t.Fatal(err)
	}
	o.PoolSize = 1 // every command shares one connection
	s := redisstore.New(redis.NewClient(o), base.Prefix())
	defer s.Close()
	ctx := t.Context()
	refuse := errors.New("refused")
	for _, ret := range []error{refuse, store.ErrNoChange} {
		if _, err := s.Update(ctx, "a", "x", func([]byte) ([]byte, error) { return nil, ret }); !errors.Is(err, ret) {
			t.Fatalf("Update returned %v, want %v", err, ret)
		}
		// Another client writes the watched hash.
		if err := base.Client().HSet(ctx, base.Prefix()+"doc:{a}", "x", "other").Err(); err != nil {
			t.Fatal(err)
		}
		calls := 0
		if _, err := s.Update(ctx, "b", "y", func([]byte) ([]byte, error) { calls++; return []byte("v"), nil }); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("after an Update that ended with %v, the next Update ran %d times: a WATCH was left on the connection", ret, calls)
		}
	}
}

func TestChangeLog(t *testing.T) {
	storetest.RunChangeLog(t, func(t *testing.T, length int) storetest.LogStore {
		return redistest.MustOpen(t, redisstore.WithChangeLogLength(length))
	})
}

// TestChangeLogAfterUpgrade: a collection written before the change log
// existed (no log and no floor) reports its old versions truncated, and
// its log starts at the next write, by Update or Delete.
func TestChangeLogAfterUpgrade(t *testing.T) {
	s := redistest.MustOpen(t)
	ctx := t.Context()
	for _, id := range []string{"a", "b"} {
		if _, err := s.Update(ctx, "c", id, func([]byte) ([]byte, error) { return []byte(id), nil }); err != nil {
			t.Fatal(err)
		}
	}
	// As an older release left it: documents and version, no log.
	if err := s.Client().Del(ctx, s.Prefix()+"chg:{c}", s.Prefix()+"chgfloor:{c}").Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Since(ctx, "c", 1); !errors.Is(err, store.ErrLogTruncated) {
		t.Fatalf("Since(1) without a log: err = %v, want ErrLogTruncated", err)
	}
	if changed, removed, now, err := s.Since(ctx, "c", 2); err != nil || len(changed) != 0 || len(removed) != 0 || now != 2 {
		t.Fatalf("Since(2) at version 2 = %v, %v, %d, %v; want nothing at 2", changed, removed, now, err)
	}
	if err := s.Delete(ctx, "c", "a"); err != nil { // 3
		t.Fatal(err)
	}
	if changed, removed, now, err := s.Since(ctx, "c", 2); err != nil || len(changed) != 0 || len(removed) != 1 || removed[0] != "a" || now != 3 {
		t.Fatalf("Since(2) after the first logged write = %v, %v, %d, %v; want a removed at 3", changed, removed, now, err)
	}
	if _, _, _, err := s.Since(ctx, "c", 1); !errors.Is(err, store.ErrLogTruncated) {
		t.Fatalf("Since(1): err = %v, want ErrLogTruncated", err)
	}
}

// TestChangeLogIsBounded: however many writes, the log holds at most its
// length of ids, so a Since costs at most that much.
func TestChangeLogIsBounded(t *testing.T) {
	s := redistest.MustOpen(t, redisstore.WithChangeLogLength(5))
	ctx := t.Context()
	for i := range 20 {
		id := string(rune('a' + i))
		if _, err := s.Update(ctx, "c", id, func([]byte) ([]byte, error) { return []byte(id), nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Client().ZCard(ctx, s.Prefix()+"chg:{c}").Result(); err != nil || n != 5 {
		t.Fatalf("the log holds %d ids (%v), want 5", n, err)
	}
	if floor, err := s.Client().Get(ctx, s.Prefix()+"chgfloor:{c}").Int64(); err != nil || floor != 15 {
		t.Fatalf("the log's floor is %d (%v), want 15", floor, err)
	}
}
