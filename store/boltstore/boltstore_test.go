package boltstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/storetest"
)

func open(t *testing.T, dir string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, t.TempDir())
	})
}

// clock is a manual clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "c", "a", func([]byte) ([]byte, error) { return []byte("doc"), nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Incr(ctx, "n", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "k", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "l", []byte("e1")); err != nil {
		t.Fatal(err)
	}
	id1, err := s.Publish(ctx, "q", []byte("p1"))
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.Publish(ctx, "q", []byte("p2"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.Claim(ctx, "q", "g", "c", 1, time.Millisecond, time.Hour)
	if err != nil || len(ds) != 1 || ds[0].ID != id1 {
		t.Fatalf("Claim = %v, %v", ds, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s = open(t, dir)
	if got, err := s.Get(ctx, "c", "a"); err != nil || string(got) != "doc" {
		t.Fatalf("Get after reopen = %q, %v", got, err)
	}
	if v, err := s.Version(ctx, "c"); err != nil || v != 1 {
		t.Fatalf("Version after reopen = %d, %v", v, err)
	}
	if v, err := s.Incr(ctx, "n", 0); err != nil || v != 2 {
		t.Fatalf("Incr after reopen = %d, %v", v, err)
	}
	if got, err := s.Peek(ctx, "k"); err != nil || string(got) != "v" {
		t.Fatalf("Peek after reopen = %q, %v", got, err)
	}
	if err := s.Append(ctx, "l", []byte("e2")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Tail(ctx, "l", 10); err != nil || len(got) != 2 || string(got[0]) != "e1" || string(got[1]) != "e2" {
		t.Fatalf("Tail after reopen = %q, %v", got, err)
	}
	// The group's position and pending entry survived: a new consumer
	// gets the next entry, and the pending one once it is stale.
	ds, err = s.Claim(ctx, "q", "g", "c2", 10, time.Millisecond, time.Hour)
	if err != nil || len(ds) != 1 || ds[0].ID != id2 {
		t.Fatalf("Claim after reopen = %v, %v; want only %s", ds, err, id2)
	}
	ds, err = s.Claim(ctx, "q", "g", "c2", 10, time.Millisecond, 0)
	if err != nil || len(ds) != 2 || ds[0].ID != id1 {
		t.Fatalf("Claim of stale entries after reopen = %v, %v", ds, err)
	}
	id3, err := s.Publish(ctx, "q", []byte("p3"))
	if err != nil || id3 == id1 || id3 == id2 {
		t.Fatalf("Publish after reopen = %q, %v; ids must not repeat", id3, err)
	}
}

func TestSecondOpenTimesOut(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	// bbolt's lock is per open file description, so a second Open in the
	// same process contends like a second process would.
	_, err := Open(dir, WithLockTimeout(50*time.Millisecond))
	if !errors.Is(err, bbolt.ErrTimeout) {
		t.Fatalf("second Open: err = %v, want ErrTimeout", err)
	}
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	open(t, dir)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("dir mode = %v, want no group/other access", perm)
	}
}

func TestIncrWindow(t *testing.T) {
	c := newClock()
	s := open(t, t.TempDir(), WithClock(c.Now))
	ctx := t.Context()
	incr := func(want int64) {
		t.Helper()
		got, err := s.Incr(ctx, "k", 10*time.Second)
		if err != nil || got != want {
			t.Fatalf("Incr = %d, %v; want %d", got, err, want)
		}
	}
	incr(1)
	c.Advance(6 * time.Second)
	incr(2)
	c.Advance(4*time.Second - time.Nanosecond)
	incr(3) // the window is fixed at the first increment, not extended
	c.Advance(time.Nanosecond)
	incr(1)
	incr(2)

	if _, err := s.Incr(ctx, "forever", 0); err != nil {
		t.Fatal(err)
	}
	c.Advance(1000 * time.Hour)
	if got, err := s.Incr(ctx, "forever", time.Second); err != nil || got != 2 {
		t.Fatalf("Incr of a counter without expiry = %d, %v; want 2", got, err)
	}
}

func TestKVExpiry(t *testing.T) {
	c := newClock()
	s := open(t, t.TempDir(), WithClock(c.Now))
	ctx := t.Context()
	if err := s.Put(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "forever", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute - time.Nanosecond)
	if got, err := s.Peek(ctx, "k"); err != nil || string(got) != "v" {
		t.Fatalf("Peek before expiry = %q, %v", got, err)
	}
	c.Advance(time.Nanosecond)
	if _, err := s.Peek(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Peek at expiry: err = %v, want ErrNotFound", err)
	}
	if n := countKeys(t, s, bucketKV); n != 1 {
		t.Fatalf("%d keys left in kv after Peek of an expired one, want 1", n)
	}
	if got, err := s.Peek(ctx, "forever"); err != nil || string(got) != "v" {
		t.Fatalf("Peek of a value without ttl = %q, %v", got, err)
	}
}

func TestSweep(t *testing.T) {
	c := newClock()
	s := open(t, t.TempDir(), WithClock(c.Now))
	ctx := t.Context()
	for _, key := range []string{"a", "b"} {
		if err := s.Put(ctx, key, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Incr(ctx, key, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "keep", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Incr(ctx, "keep", 0); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if err := s.sweep(); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, s, bucketKV); n != 1 {
		t.Fatalf("%d values left after sweep, want 1", n)
	}
	if n := countKeys(t, s, bucketCounters); n != 1 {
		t.Fatalf("%d counters left after sweep, want 1", n)
	}
}

func countKeys(t *testing.T, s *Store, bucket string) int {
	t.Helper()
	var n int
	err := s.db.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket([]byte(bucket)).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReclaimByClock checks minIdle against the injected clock, exactly.
func TestReclaimByClock(t *testing.T) {
	c := newClock()
	s := open(t, t.TempDir(), WithClock(c.Now))
	ctx := t.Context()
	id, err := s.Publish(ctx, "q", []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	claim := func(consumer string) []store.Delivery {
		t.Helper()
		ds, err := s.Claim(ctx, "q", "g", consumer, 10, time.Millisecond, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	if ds := claim("a"); len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("first Claim = %v", ds)
	}
	c.Advance(time.Minute - time.Nanosecond)
	if ds := claim("b"); len(ds) != 0 {
		t.Fatalf("Claim before minIdle = %v, want nothing", ds)
	}
	c.Advance(time.Nanosecond)
	if ds := claim("b"); len(ds) != 1 || ds[0].ID != id || string(ds[0].Payload) != "p" {
		t.Fatalf("Claim at minIdle = %v, want %s", ds, id)
	}
	// Reclaiming restarts the idle time.
	if ds := claim("c"); len(ds) != 0 {
		t.Fatalf("Claim right after a reclaim = %v, want nothing", ds)
	}
	if err := s.Ack(ctx, "q", "g", id); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	if ds := claim("c"); len(ds) != 0 {
		t.Fatalf("Claim after Ack = %v, want nothing", ds)
	}
	if err := s.Ack(ctx, "q", "g", "not-a-number"); err == nil {
		t.Fatal("Ack of a malformed id succeeded")
	}
}

func TestCloseEndsWaits(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	sub, err := s.Subscribe(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Claim(ctx, "q", "g", "c", 1, time.Hour, time.Hour)
		done <- err
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Claim during Close: err = %v, want ErrUnavailable", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end a blocked Claim")
	}
	select {
	case _, ok := <-sub:
		if ok {
			t.Fatal("unexpected notification")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not close a subscription")
	}
	if _, err := s.Get(context.Background(), "c", "a"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get after Close: err = %v, want ErrUnavailable", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after Close: err = %v, want ErrUnavailable", err)
	}
}

func TestChangeLog(t *testing.T) {
	storetest.RunChangeLog(t, func(t *testing.T, length int) storetest.LogStore {
		return open(t, t.TempDir(), WithChangeLogLength(length))
	})
}

// TestChangeLogAfterUpgrade: a database written before the change log
// existed (no log bucket for the collection) reports its old versions
// truncated, and its log starts at the next write; the log survives a
// reopen.
func TestChangeLogAfterUpgrade(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s := open(t, dir)
	for _, id := range []string{"a", "b"} {
		if _, err := s.Update(ctx, "c", id, func([]byte) ([]byte, error) { return []byte(id), nil }); err != nil {
			t.Fatal(err)
		}
	}
	// As an older release left it: documents and version, no log.
	if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte(bucketChanges)).DeleteBucket([]byte("c")) }); err != nil {
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
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	if changed, removed, now, err := s.Since(ctx, "c", 2); err != nil || len(changed) != 0 || len(removed) != 1 || removed[0] != "a" || now != 3 {
		t.Fatalf("Since(2) after the first logged write and a reopen = %v, %v, %d, %v; want a removed at 3", changed, removed, now, err)
	}
	if _, _, _, err := s.Since(ctx, "c", 1); !errors.Is(err, store.ErrLogTruncated) {
		t.Fatalf("Since(1): err = %v, want ErrLogTruncated", err)
	}
}

// TestChangeLogIsBounded: however many writes, the log holds at most its
// length of entries.
func TestChangeLogIsBounded(t *testing.T) {
	s := open(t, t.TempDir(), WithChangeLogLength(5))
	ctx := t.Context()
	for range 20 {
		if err := s.Delete(ctx, "c", "same"); err != nil {
			t.Fatal(err)
		}
	}
	var keys []int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketChanges)).Bucket([]byte("c")).ForEach(func(k, _ []byte) error {
			keys = append(keys, readI64(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 5 || keys[0] != 16 || keys[4] != 20 {
		t.Fatalf("the log holds versions %v, want 16 … 20", keys)
	}
}
