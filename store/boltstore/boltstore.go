// Package boltstore implements store.Store on an embedded bbolt database, for
// a single unionbot process that needs no Redis.
//
// bbolt serialises write transactions, which gives Update its atomicity for
// free; notifications and Claim wake-ups are in-process, which is why only
// one process may use a database: Open takes bbolt's file lock and fails,
// after a timeout, when another process holds it.
//
// Expiring counters and values are stored with their expiry time and treated
// as absent once it has passed; a background sweep deletes them so that keys
// which are never touched again (per-window rate-limit counters) do not
// accumulate.
//
// Names are bbolt bucket names and keys, so they must be non-empty.
package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/unionbot/unionbot/store"
)

// FileName is the database file Open creates in its directory.
const FileName = "unionbot.db"

const (
	// defaultLockTimeout is how long Open waits for another process to
	// release the database before reporting it; long enough to ride out a
	// restart where the old process is still exiting.
	defaultLockTimeout = 2 * time.Second

	// defaultBlock replaces a non-positive Claim block, matching redisstore:
	// a careless caller must neither hang nor busy-loop.
	defaultBlock = 100 * time.Millisecond

	// sweepInterval is how often expired counters and values are deleted.
	// Reads never see them regardless; this only bounds the file's growth.
	sweepInterval = time.Minute
)

// errClosed is returned by operations on a closed Store. It wraps
// store.ErrUnavailable because, to a caller, a store that is shutting down
// cannot be reached.
var errClosed = fmt.Errorf("%w: boltstore closed", store.ErrUnavailable)

// Bucket and key names. Top-level buckets hold one nested bucket per
// collection, log or topic, named after it.
const (
	bucketDocs     = "docs"     // coll → id → document
	bucketVersions = "versions" // coll → int64
	bucketChanges  = "changes"  // coll → version (8 bytes, big-endian) → id written
	bucketCounters = "counters" // key → value int64, expiresAt int64 (0: never)
	bucketKV       = "kv"       // key → expiresAt int64 (0: never), value
	bucketLogs     = "logs"     // name → seq → entry
	bucketQueues   = "queues"   // topic → {entries, groups}
	bucketEntries  = "entries"  // seq → payload
	bucketGroups   = "groups"   // group → {last, pending}
	bucketPending  = "pending"  // seq → deliveredAt int64, consumer
	keyLast        = "last"     // highest seq ever delivered to the group
)

// Option configures Open.
type Option func(*Store)

// WithClock replaces time.Now for expiry and for the idle time of pending
// queue entries, so tests can move time forward instead of sleeping.
// Claim's block is a real-time wait regardless.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// WithChangeLogLength sets how many of each collection's newest writes the
// change log keeps (store.DefaultChangeLogLength by default; at least 1).
func WithChangeLogLength(n int) Option {
	return func(s *Store) { s.logLength = max(n, 1) }
}

// WithNoSync makes writes skip fsync, so a crash of the machine (not only of
// the process) can lose the latest writes or corrupt the file. It is for
// loading large test and benchmark data in seconds rather than minutes;
// never for a deployment.
func WithNoSync() Option {
	return func(s *Store) { s.noSync = true }
}

// WithLockTimeout sets how long Open waits for the database file's lock
// when another process holds it (default 2s).
func WithLockTimeout(d time.Duration) Option {
	return func(s *Store) { s.lockTimeout = d }
}

// Store is a store.Store backed by bbolt. It is safe for concurrent use
// within one process.
type Store struct {
	db          *bbolt.DB
	now         func() time.Time
	lockTimeout time.Duration
	logLength   int
	noSync      bool

	mu     sync.Mutex
	subs   map[string]map[chan struct{}]struct{} // coll → subscriber channels
	wake   map[string]chan struct{}              // topic → closed on Publish
	leases map[string]lease                      // name → holder and expiry
	closed chan struct{}                         // closed by Close

	closeOnce sync.Once
	closeErr  error
	sweeper   sync.WaitGroup
}

var (
	_ store.Store     = (*Store)(nil)
	_ store.ChangeLog = (*Store)(nil)
)

// Open opens (creating when needed) the database in dir, which is created
// with mode 0700 because the database holds moderation data. If another
// process has the database open, Open fails after the lock timeout with an
// error wrapping bbolt's ErrTimeout.
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{
		now:         time.Now,
		lockTimeout: defaultLockTimeout,
		logLength:   store.DefaultChangeLogLength,
		subs:        make(map[string]map[chan struct{}]struct{}),
		wake:        make(map[string]chan struct{}),
		leases:      make(map[string]lease),
		closed:      make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: s.lockTimeout, NoSync: s.noSync})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: %s is in use by another process (gave up after %v): %w", path, s.lockTimeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range []string{bucketDocs, bucketVersions, bucketChanges, bucketCounters, bucketKV, bucketLogs, bucketQueues} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: init %s: %w", path, err)
	}
	s.db = db
	s.sweeper.Add(1)
	go s.sweepLoop()
	return s, nil
}

// Ping reports whether the Store is open.
func (s *Store) Ping(ctx context.Context) error {
	select {
	case <-s.closed:
		return errClosed
	default:
		return ctx.Err()
	}
}

// Close ends subscriptions, wakes blocked Claims (which return an error
// wrapping store.ErrUnavailable) and closes the database. Later calls return
// the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.closed)
		s.mu.Unlock()
		s.sweeper.Wait()
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// view and update run a transaction after checking ctx, and report a closed
// database as errClosed.
func (s *Store) view(ctx context.Context, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr(s.db.View(fn))
}

func (s *Store) update(ctx context.Context, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr(s.db.Update(fn))
}

func mapErr(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return errClosed
	}
	return err
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func i64(v int64) []byte { return u64(uint64(v)) }

func readI64(b []byte) int64 { return int64(binary.BigEndian.Uint64(b)) }

// Get returns a document or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, coll, id string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketDocs)).Bucket([]byte(coll))
		if b == nil {
			return store.ErrNotFound
		}
		v := b.Get([]byte(id))
		if v == nil {
			return store.ErrNotFound
		}
		out = clone(v)
		return nil
	})
	return out, err
}

// Update runs fn inside a bbolt write transaction, so it is atomic with
// respect to every other write and fn runs exactly once. fn must not call
// the Store: bbolt allows one writer at a time and the call would deadlock.
func (s *Store) Update(ctx context.Context, coll, id string, fn func(old []byte) ([]byte, error)) ([]byte, error) {
	var (
		result   []byte
		noChange bool
	)
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		b, err := tx.Bucket([]byte(bucketDocs)).CreateBucketIfNotExists([]byte(coll))
		if err != nil {
			return err
		}
		old := clone(b.Get([]byte(id)))
		val, err := fn(old)
		if errors.Is(err, store.ErrNoChange) {
			result, noChange = old, true
			return nil
		}
		if err != nil {
			return err
		}
		if val == nil {
			err = b.Delete([]byte(id))
		} else {
			err = b.Put([]byte(id), clone(val))
		}
		if err != nil {
			return err
		}
		result = val
		return s.bumpVersion(tx, coll, id)
	})
	if err != nil {
		return nil, err
	}
	if noChange {
		return result, store.ErrNoChange
	}
	s.notify(coll)
	return result, nil
}

// bumpVersion counts a write of id to coll and logs it under its version,
// in the write's transaction, trimming the log to s.logLength entries.
//
// Every write logs one entry, so a collection's log holds consecutive
// versions, from its oldest kept one to the current version: the oldest key
// alone says how far back the log reaches (logFloor), with no bookkeeping
// of its own, and a database written before the log existed starts its log
// at the first write after the upgrade.
func (s *Store) bumpVersion(tx *bbolt.Tx, coll, id string) error {
	b := tx.Bucket([]byte(bucketVersions))
	var v int64
	if cur := b.Get([]byte(coll)); cur != nil {
		v = readI64(cur)
	}
	v++
	if err := b.Put([]byte(coll), i64(v)); err != nil {
		return err
	}
	lb, err := tx.Bucket([]byte(bucketChanges)).CreateBucketIfNotExists([]byte(coll))
	if err != nil {
		return err
	}
	if err := lb.Put(i64(v), []byte(id)); err != nil {
		return err
	}
	// Usually one entry goes (none while the log is short); more only
	// after the length was lowered.
	first, _ := lb.Cursor().First()
	for oldest, excess := readI64(first), v-readI64(first)+1-int64(s.logLength); excess > 0; excess-- {
		if err := lb.Delete(i64(oldest)); err != nil {
			return err
		}
		oldest++
	}
	return nil
}

// logFloor is the version after which coll's log covers every write (the
// log holds versions floor+1 … now). An empty or missing log covers
// nothing, so its floor is now.
func logFloor(lb *bbolt.Bucket, now int64) int64 {
	if lb == nil {
		return now
	}
	if first, _ := lb.Cursor().First(); first != nil {
		return readI64(first) - 1
	}
	return now
}

// Since implements store.ChangeLog in one read transaction, which is the
// snapshot the contract asks for.
func (s *Store) Since(ctx context.Context, coll string, version int64) (map[string][]byte, []string, int64, error) {
	changed := map[string][]byte{}
	var (
		removed []string
		now     int64
	)
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		if cur := tx.Bucket([]byte(bucketVersions)).Get([]byte(coll)); cur != nil {
			now = readI64(cur)
		}
		if version == now {
			return nil
		}
		lb := tx.Bucket([]byte(bucketChanges)).Bucket([]byte(coll))
		if version > now || version < logFloor(lb, now) {
			return store.ErrLogTruncated
		}
		docs := tx.Bucket([]byte(bucketDocs)).Bucket([]byte(coll))
		seen := map[string]bool{}
		c := lb.Cursor()
		for k, id := c.Seek(i64(version + 1)); k != nil; k, id = c.Next() {
			if seen[string(id)] {
				continue
			}
			seen[string(id)] = true
			var doc []byte
			if docs != nil {
				doc = docs.Get(id)
			}
			if doc == nil {
				removed = append(removed, string(id))
			} else {
				changed[string(id)] = clone(doc)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	return changed, removed, now, nil
}

// Delete removes a document and bumps the version even when it was missing,
// like an Update whose function returns nil.
func (s *Store) Delete(ctx context.Context, coll, id string) error {
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		if b := tx.Bucket([]byte(bucketDocs)).Bucket([]byte(coll)); b != nil {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return s.bumpVersion(tx, coll, id)
	})
	if err != nil {
		return err
	}
	s.notify(coll)
	return nil
}

// List returns every document of coll; a collection never written is empty.
func (s *Store) List(ctx context.Context, coll string) (map[string][]byte, error) {
	out := make(map[string][]byte)
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketDocs)).Bucket([]byte(coll))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = clone(v)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Version returns the number of writes to coll, 0 for a collection never
// written.
func (s *Store) Version(ctx context.Context, coll string) (int64, error) {
	var v int64
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		if cur := tx.Bucket([]byte(bucketVersions)).Get([]byte(coll)); cur != nil {
			v = readI64(cur)
		}
		return nil
	})
	return v, err
}

// Subscribe registers an in-process subscriber. Writes are announced after
// they commit, so a subscriber that reads on a signal sees the write. The
// channel also closes when the Store is closed.
func (s *Store) Subscribe(ctx context.Context, coll string) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	select {
	case <-s.closed:
		s.mu.Unlock()
		return nil, errClosed
	default:
	}
	if s.subs[coll] == nil {
		s.subs[coll] = make(map[chan struct{}]struct{})
	}
	s.subs[coll][ch] = struct{}{}
	s.mu.Unlock()

	go func() {
		select {
		case <-ctx.Done():
		case <-s.closed:
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs[coll], ch)
		if len(s.subs[coll]) == 0 {
			delete(s.subs, coll)
		}
		close(ch) // under mu, so notify never sends on a closed channel
	}()
	return ch, nil
}

func (s *Store) notify(coll string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs[coll] {
		select {
		case ch <- struct{}{}:
		default: // one pending signal already says "changed"
		}
	}
}

// Incr implements store.Counters. A counter past its expiry counts as
// absent, so the next increment starts a new window at 1.
func (s *Store) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	var v int64
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketCounters))
		now := s.now().UnixNano()
		var exp int64
		if cur := b.Get([]byte(key)); cur != nil && len(cur) == 16 {
			if e := readI64(cur[8:]); e == 0 || now < e {
				v, exp = readI64(cur[:8]), e
			}
		}
		v++
		if v == 1 && ttl > 0 {
			exp = now + int64(ttl)
		}
		return b.Put([]byte(key), append(i64(v), i64(exp)...))
	})
	if err != nil {
		return 0, err
	}
	return v, nil
}

// Put stores val; ttl > 0 makes it expire.
func (s *Store) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return s.update(ctx, func(tx *bbolt.Tx) error {
		var exp int64
		if ttl > 0 {
			exp = s.now().Add(ttl).UnixNano()
		}
		return tx.Bucket([]byte(bucketKV)).Put([]byte(key), append(i64(exp), val...))
	})
}

// expired reports whether a record whose first 8 bytes are an expiry time
// (0 for none) has expired at now.
func expired(rec []byte, now int64) bool {
	if len(rec) < 8 {
		return true // corrupt; treat as absent
	}
	e := readI64(rec[:8])
	return e != 0 && now >= e
}

// Peek returns the value, or store.ErrNotFound when it is missing or has
// expired; an expired value is deleted on the way.
func (s *Store) Peek(ctx context.Context, key string) ([]byte, error) {
	var (
		out   []byte
		stale bool
	)
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		rec := tx.Bucket([]byte(bucketKV)).Get([]byte(key))
		if rec == nil {
			return store.ErrNotFound
		}
		if expired(rec, s.now().UnixNano()) {
			stale = true
			return store.ErrNotFound
		}
		out = clone(rec[8:])
		return nil
	})
	if stale {
		// A failure here only delays the deletion to the next sweep.
		_ = s.update(ctx, func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte(bucketKV))
			if rec := b.Get([]byte(key)); rec != nil && expired(rec, s.now().UnixNano()) {
				return b.Delete([]byte(key))
			}
			return nil
		})
	}
	return out, err
}

// Remove deletes key.
func (s *Store) Remove(ctx context.Context, key string) error {
	return s.update(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketKV)).Delete([]byte(key))
	})
}

func (s *Store) sweepLoop() {
	defer s.sweeper.Done()
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			_ = s.sweep()
		}
	}
}

// sweep deletes expired counters and values.
func (s *Store) sweep() error {
	return mapErr(s.db.Update(func(tx *bbolt.Tx) error {
		now := s.now().UnixNano()
		for _, spec := range []struct {
			bucket string
			expiry func(rec []byte) bool
		}{
			{bucketCounters, func(rec []byte) bool { return len(rec) != 16 || expired(rec[8:], now) }},
			{bucketKV, func(rec []byte) bool { return expired(rec, now) }},
		} {
			b := tx.Bucket([]byte(spec.bucket))
			var dead [][]byte
			err := b.ForEach(func(k, v []byte) error {
				if spec.expiry(v) {
					dead = append(dead, clone(k))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range dead {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// Append adds entry at the end of the log.
func (s *Store) Append(ctx context.Context, log string, entry []byte) error {
	return s.update(ctx, func(tx *bbolt.Tx) error {
		b, err := tx.Bucket([]byte(bucketLogs)).CreateBucketIfNotExists([]byte(log))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		return b.Put(u64(seq), clone(entry))
	})
}

// Tail returns up to n of the newest entries, oldest first; n <= 0 yields
// none.
func (s *Store) Tail(ctx context.Context, log string, n int) ([][]byte, error) {
	out := [][]byte{}
	if n <= 0 {
		return out, nil
	}
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketLogs)).Bucket([]byte(log))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			out = append(out, clone(v))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// TrimOldest implements store.Log in one transaction.
func (s *Store) TrimOldest(ctx context.Context, log string, old func(entry []byte) bool) (int, error) {
	n := 0
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		n = 0
		b := tx.Bucket([]byte(bucketLogs)).Bucket([]byte(log))
		if b == nil {
			return nil
		}
		var drop [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil && old(v); k, v = c.Next() {
			drop = append(drop, clone(k))
		}
		// Deleting behind a cursor can skip keys; delete after the walk.
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(drop)
		return nil
	})
	return n, err
}

// Publish appends payload to the topic and wakes Claims waiting on it. The
// id is the entry's sequence number in decimal.
func (s *Store) Publish(ctx context.Context, topic string, payload []byte) (string, error) {
	var seq uint64
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		tb, err := tx.Bucket([]byte(bucketQueues)).CreateBucketIfNotExists([]byte(topic))
		if err != nil {
			return err
		}
		eb, err := tb.CreateBucketIfNotExists([]byte(bucketEntries))
		if err != nil {
			return err
		}
		if seq, err = eb.NextSequence(); err != nil {
			return err
		}
		return eb.Put(u64(seq), clone(payload))
	})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	if ch, ok := s.wake[topic]; ok {
		close(ch)
		delete(s.wake, topic)
	}
	s.mu.Unlock()
	return strconv.FormatUint(seq, 10), nil
}

// waiter returns a channel that is closed by the next Publish to topic.
func (s *Store) waiter(topic string) (<-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		return nil, errClosed
	default:
	}
	ch, ok := s.wake[topic]
	if !ok {
		ch = make(chan struct{})
		s.wake[topic] = ch
	}
	return ch, nil
}

// Claim implements store.Queue. Pending entries of any consumer of the group
// (this one included) whose delivery is at least minIdle old come first,
// then entries past the group's position. A group that has never claimed is
// at position 0, which is the topic's start. n <= 0 is treated as 1, and
// block <= 0 as a short default wait, like redisstore. Only a Publish ends
// the wait early with entries; a pending entry that turns stale meanwhile
// waits for the next Claim, as with Redis.
func (s *Store) Claim(ctx context.Context, topic, group, consumer string, n int, block, minIdle time.Duration) ([]store.Delivery, error) {
	if n <= 0 {
		n = 1
	}
	if block <= 0 {
		block = defaultBlock
	}
	timer := time.NewTimer(block)
	defer timer.Stop()
	for {
		// Take the wake-up channel before looking, so a Publish that
		// commits after the look still wakes us.
		wake, err := s.waiter(topic)
		if err != nil {
			return nil, err
		}
		out, err := s.claimOnce(ctx, topic, group, consumer, n, minIdle)
		if err != nil || len(out) > 0 {
			return out, err
		}
		select {
		case <-wake:
		case <-timer.C:
			return out, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.closed:
			return nil, errClosed
		}
	}
}

// claimOnce claims what is available now without waiting. It looks in a
// read transaction first so that idle polling costs no disk write.
func (s *Store) claimOnce(ctx context.Context, topic, group, consumer string, n int, minIdle time.Duration) ([]store.Delivery, error) {
	var found bool
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		found = len(s.collect(tx, topic, group, n, minIdle)) > 0
		return nil
	})
	if err != nil || !found {
		return []store.Delivery{}, err
	}
	var out []store.Delivery
	err = s.update(ctx, func(tx *bbolt.Tx) error {
		out = s.collect(tx, topic, group, n, minIdle)
		if len(out) == 0 {
			return nil
		}
		// collect found entries, so the topic bucket exists.
		groups, err := tx.Bucket([]byte(bucketQueues)).Bucket([]byte(topic)).
			CreateBucketIfNotExists([]byte(bucketGroups))
		if err != nil {
			return err
		}
		gb, err := groups.CreateBucketIfNotExists([]byte(group))
		if err != nil {
			return err
		}
		pb, err := gb.CreateBucketIfNotExists([]byte(bucketPending))
		if err != nil {
			return err
		}
		rec := append(i64(s.now().UnixNano()), consumer...)
		last := groupLast(gb)
		for _, d := range out {
			seq, _ := strconv.ParseUint(d.ID, 10, 64)
			if err := pb.Put(u64(seq), rec); err != nil {
				return err
			}
			last = max(last, seq)
		}
		return gb.Put([]byte(keyLast), u64(last))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func groupLast(gb *bbolt.Bucket) uint64 {
	if gb == nil {
		return 0
	}
	if v := gb.Get([]byte(keyLast)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// collect lists up to n claimable entries: stale pending ones in id order,
// then new ones. It does not modify anything.
func (s *Store) collect(tx *bbolt.Tx, topic, group string, n int, minIdle time.Duration) []store.Delivery {
	out := []store.Delivery{}
	tb := tx.Bucket([]byte(bucketQueues)).Bucket([]byte(topic))
	if tb == nil {
		return out
	}
	eb := tb.Bucket([]byte(bucketEntries))
	if eb == nil {
		return out
	}
	var gb *bbolt.Bucket
	if groups := tb.Bucket([]byte(bucketGroups)); groups != nil {
		gb = groups.Bucket([]byte(group))
	}
	if gb != nil {
		if pb := gb.Bucket([]byte(bucketPending)); pb != nil {
			cutoff := s.now().Add(-max(minIdle, 0)).UnixNano()
			c := pb.Cursor()
			for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
				if len(v) < 8 || readI64(v[:8]) > cutoff {
					continue
				}
				if p := eb.Get(k); p != nil {
					out = append(out, store.Delivery{ID: strconv.FormatUint(binary.BigEndian.Uint64(k), 10), Payload: clone(p)})
				}
			}
		}
	}
	c := eb.Cursor()
	for k, v := c.Seek(u64(groupLast(gb) + 1)); k != nil && len(out) < n; k, v = c.Next() {
		out = append(out, store.Delivery{ID: strconv.FormatUint(binary.BigEndian.Uint64(k), 10), Payload: clone(v)})
	}
	return out
}

// Ack removes id from the group's pending entries.
func (s *Store) Ack(ctx context.Context, topic, group, id string) error {
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return fmt.Errorf("boltstore: invalid queue id %q", id)
	}
	return s.update(ctx, func(tx *bbolt.Tx) error {
		tb := tx.Bucket([]byte(bucketQueues)).Bucket([]byte(topic))
		if tb == nil {
			return nil
		}
		groups := tb.Bucket([]byte(bucketGroups))
		if groups == nil {
			return nil
		}
		gb := groups.Bucket([]byte(group))
		if gb == nil {
			return nil
		}
		pb := gb.Bucket([]byte(bucketPending))
		if pb == nil {
			return nil
		}
		return pb.Delete(u64(seq))
	})
}

// lease is a lease held in memory. Only one process can open the database,
// so leases need not be durable: a process that restarts starts with none
// held, which is what a lease that expired with its dead holder looks like.
type lease struct {
	holder  string
	expires time.Time
}

// Acquire implements store.Leases within the process.
func (s *Store) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		return false, errClosed
	default:
	}
	now := s.now()
	if l, ok := s.leases[name]; ok && l.holder != holder && now.Before(l.expires) {
		return false, nil
	}
	s.leases[name] = lease{holder: holder, expires: now.Add(ttl)}
	return true, nil
}

// Release implements store.Leases.
func (s *Store) Release(ctx context.Context, name, holder string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		return errClosed
	default:
	}
	if l, ok := s.leases[name]; ok && l.holder == holder {
		delete(s.leases, name)
	}
	return nil
}
