package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// countingKV is a map KV that counts reads, so the tests can tell a cached
// read from one that reached the store.
type countingKV struct {
	m     map[string][]byte
	reads int
	fail  error
}

func (k *countingKV) Put(_ context.Context, key string, val []byte, _ time.Duration) error {
	if k.fail != nil {
		return k.fail
	}
	k.m[key] = val
	return nil
}

func (k *countingKV) Peek(_ context.Context, key string) ([]byte, error) {
	k.reads++
	if k.fail != nil {
		return nil, k.fail
	}
	v, ok := k.m[key]
	if !ok {
		return nil, ErrNotFound
	}
	return v, nil
}

func (k *countingKV) Remove(_ context.Context, key string) error {
	if k.fail != nil {
		return k.fail
	}
	delete(k.m, key)
	return nil
}

func TestCachedKV(t *testing.T) {
	ctx := context.Background()
	kv := &countingKV{m: map[string][]byte{"lang:a": []byte("fr")}}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c := NewCachedKV(kv, time.Minute, 100)
	c.now = func() time.Time { return now }

	for i := 0; i < 3; i++ {
		v, err := c.Peek(ctx, "lang:a")
		if err != nil || string(v) != "fr" {
			t.Fatalf("Peek = %q, %v; want fr", v, err)
		}
	}
	if kv.reads != 1 {
		t.Errorf("three reads of one key reached the store %d times, want 1", kv.reads)
	}

	// Absence is cached too.
	for i := 0; i < 2; i++ {
		if _, err := c.Peek(ctx, "lang:b"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Peek of a missing key = %v, want ErrNotFound", err)
		}
	}
	if kv.reads != 2 {
		t.Errorf("reads = %d after two reads of a missing key, want 2", kv.reads)
	}

	// This process reads its own writes at once.
	if err := c.Put(ctx, "lang:b", []byte("de"), 0); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Peek(ctx, "lang:b"); string(v) != "de" {
		t.Errorf("after Put, Peek = %q, want de", v)
	}
	if err := c.Remove(ctx, "lang:a"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Peek(ctx, "lang:a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Remove, Peek = %v, want ErrNotFound", err)
	}

	// Another replica's write is seen once the entry expires.
	kv.m["lang:b"] = []byte("ru")
	if v, _ := c.Peek(ctx, "lang:b"); string(v) != "de" {
		t.Errorf("before expiry, Peek = %q, want the cached de", v)
	}
	now = now.Add(time.Minute)
	if v, _ := c.Peek(ctx, "lang:b"); string(v) != "ru" {
		t.Errorf("after expiry, Peek = %q, want ru", v)
	}

	// A failing store is not cached: the next read tries again.
	kv.fail = errors.New("down")
	now = now.Add(time.Minute)
	if _, err := c.Peek(ctx, "lang:c"); err == nil {
		t.Fatal("Peek through a failing store succeeded")
	}
	kv.fail = nil
	kv.m["lang:c"] = []byte("es")
	if v, err := c.Peek(ctx, "lang:c"); err != nil || string(v) != "es" {
		t.Errorf("after the outage, Peek = %q, %v; want es", v, err)
	}
}

func TestCachedKVBounded(t *testing.T) {
	ctx := context.Background()
	kv := &countingKV{m: map[string][]byte{}}
	c := NewCachedKV(kv, time.Hour, 50)
	for i := 0; i < 1000; i++ {
		if _, err := c.Peek(ctx, fmt.Sprintf("k%d", i)); !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		if n := c.Len(); n > 50 {
			t.Fatalf("cache holds %d entries after %d keys, want at most 50", n, i+1)
		}
	}
}
