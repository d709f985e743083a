package store

import (
	"context"
	"errors"
	"sync"
	"time"
)

// CachedKV keeps what it read from a KV in memory for a while, so that a
// value read on every message (a person's language choice) costs no round
// trip after the first. Put and Remove go to the KV first and then update
// the cache, so this process always reads its own writes; another replica's
// write is seen once the cached entry expires, after at most ttl. Absence
// is cached too, since most people never choose a language.
//
// It holds at most max entries; when full, expired entries go first, then
// an arbitrary half, so memory stays bounded however many people write.
type CachedKV struct {
	kv  KV
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cachedValue
}

type cachedValue struct {
	val     []byte // nil with found false: known to be absent
	found   bool
	expires time.Time
}

// NewCachedKV caches kv's values for ttl, holding at most max of them.
func NewCachedKV(kv KV, ttl time.Duration, max int) *CachedKV {
	return &CachedKV{kv: kv, ttl: ttl, max: max, now: time.Now, entries: make(map[string]cachedValue)}
}

// Put stores val in the KV, then in the cache. Values with their own expiry
// (ttl > 0) are not cached past it.
func (c *CachedKV) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := c.kv.Put(ctx, key, val, ttl); err != nil {
		c.forget(key)
		return err
	}
	c.keep(key, append([]byte(nil), val...), true, ttl)
	return nil
}

// Peek returns the cached value while it is fresh, else reads the KV. An
// error other than ErrNotFound is not cached, so a passing outage is
// retried on the next read.
func (c *CachedKV) Peek(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		if !e.found {
			return nil, ErrNotFound
		}
		return append([]byte(nil), e.val...), nil
	}
	v, err := c.kv.Peek(ctx, key)
	switch {
	case err == nil:
		c.keep(key, append([]byte(nil), v...), true, 0)
	case errors.Is(err, ErrNotFound):
		c.keep(key, nil, false, 0)
	}
	return v, err
}

// Remove deletes the key from the KV, then from the cache.
func (c *CachedKV) Remove(ctx context.Context, key string) error {
	err := c.kv.Remove(ctx, key)
	if err != nil {
		c.forget(key)
		return err
	}
	c.keep(key, nil, false, 0)
	return nil
}

func (c *CachedKV) keep(key string, val []byte, found bool, ttl time.Duration) {
	life := c.ttl
	if ttl > 0 && ttl < life {
		life = ttl
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[key] = cachedValue{val: val, found: found, expires: now.Add(life)}
}

func (c *CachedKV) forget(key string) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}

// evict makes room: expired entries first, then, if that freed nothing,
// half of the rest (map order is random enough for a cache).
func (c *CachedKV) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	if len(c.entries) < c.max {
		return
	}
	drop := len(c.entries) / 2
	for k := range c.entries {
		if drop == 0 {
			break
		}
		delete(c.entries, k)
		drop--
	}
}

// Len is how many entries the cache holds, for tests and metrics.
func (c *CachedKV) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
