// Package redisstore implements store.Store on Redis, so that several
// unionbot processes can share one directory, queue and set of counters.
//
// Every key carries the prefix given to New or Open, so several deployments
// (or test runs) can share one Redis database without seeing each other.
// The prefix must not contain '{' or '}': keys that have to live in one
// cluster slot (a collection's documents, its version and its change log)
// are hash-tagged on the name that follows the prefix.
//
// Layout, for a prefix p:
//
//	p doc:{coll}   hash id → document
//	p ver:{coll}   integer, the collection's version
//	p chg:{coll}   sorted set, id → version of its latest write (the change log)
//	p chgfloor:{coll} integer, the log covers every write after this version
//	p notify:coll  pub/sub channel announcing writes to coll
//	p ctr:key      integer counter
//	p kv:key       string value
//	p log:name     stream, field "e" holds an entry
//	p q:topic      stream, field "p" holds a payload; groups are stream groups
//	p lease:name   string, the holder of the lease, expiring with it
//
// Queue ids are Redis stream ids ("1700000000000-0").
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/unionbot/unionbot/store"
)

const (
	// updateAttempts bounds the optimistic retries of Update. Contention is
	// per collection, so a burst of writers to one collection needs a few
	// dozen rounds at worst; past that something is wrong and the caller is
	// better served by "try again later" than by spinning.
	updateAttempts = 100

	// defaultBlock replaces a non-positive Claim block. Redis reads BLOCK 0
	// as "forever" and ignores ctx while blocked, so a caller that passes 0
	// by mistake must neither hang nor busy-loop.
	defaultBlock = 100 * time.Millisecond

	// maxBlockSlice caps one XREADGROUP BLOCK. go-redis does not interrupt a
	// blocked read when ctx is cancelled (only a deadline is honoured), so a
	// long wait is split into slices and ctx is checked between them.
	maxBlockSlice = time.Second

	// autoclaimRounds bounds how many XAUTOCLAIM pages one Claim scans. Each
	// page inspects at most 10*n pending entries, so a long list of pending
	// entries that are not stale yet cannot make Claim arbitrarily slow.
	autoclaimRounds = 10

	logField   = "e"
	queueField = "p"
)

// Store is a store.Store backed by Redis. It is safe for concurrent use.
type Store struct {
	client redis.UniversalClient
	prefix string
	incr   *redis.Script
	renew  *redis.Script
	free   *redis.Script
	since  *redis.Script

	logLength int // ids kept in each collection's change log

	closeOnce sync.Once
	closeErr  error
	closed    chan struct{} // closed by Close; ends subscriptions
}

var (
	_ store.Store     = (*Store)(nil)
	_ store.ChangeLog = (*Store)(nil)
)

// Option configures New and Open.
type Option func(*Store)

// WithChangeLogLength sets how many ids each collection's change log keeps
// (store.DefaultChangeLogLength by default; at least 1).
func WithChangeLogLength(n int) Option {
	return func(s *Store) { s.logLength = max(n, 1) }
}

// incrScript increments a counter and starts its expiry window on the first
// increment, in one atomic step so that a crash between INCR and PEXPIRE
// cannot leave a rate-limit counter that never resets.
const incrScript = `
local v = redis.call('INCR', KEYS[1])
if v == 1 and tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return v
`

// New wraps an existing client. The Store takes ownership of client: Close
// closes it. Every key the Store touches starts with prefix.
func New(client redis.UniversalClient, prefix string, opts ...Option) *Store {
	s := &Store{
		client:    client,
		prefix:    prefix,
		incr:      redis.NewScript(incrScript),
		renew:     redis.NewScript(acquireScript),
		free:      redis.NewScript(releaseScript),
		since:     redis.NewScript(sinceScript),
		logLength: store.DefaultChangeLogLength,
		closed:    make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Open connects to the Redis server at url (redis://, rediss:// or unix://,
// in the syntax of redis.ParseURL) and checks that it answers, so that a
// misconfigured deployment fails at start-up rather than at the first user
// request. A server that cannot be reached yields an error wrapping
// store.ErrUnavailable.
func Open(ctx context.Context, url, prefix string, opts ...Option) (*Store, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisstore: parse url: %w", err)
	}
	uo := &redis.UniversalOptions{
		Addrs:                   []string{o.Addr},
		ClientName:              o.ClientName,
		DB:                      o.DB,
		Protocol:                o.Protocol,
		Username:                o.Username,
		Password:                o.Password,
		MaxRetries:              o.MaxRetries,
		MinRetryBackoff:         o.MinRetryBackoff,
		MaxRetryBackoff:         o.MaxRetryBackoff,
		DialTimeout:             o.DialTimeout,
		ReadTimeout:             o.ReadTimeout,
		WriteTimeout:            o.WriteTimeout,
		PoolFIFO:                o.PoolFIFO,
		PoolSize:                o.PoolSize,
		MaxConcurrentDials:      o.MaxConcurrentDials,
		PoolTimeout:             o.PoolTimeout,
		MinIdleConns:            o.MinIdleConns,
		MaxIdleConns:            o.MaxIdleConns,
		MaxActiveConns:          o.MaxActiveConns,
		ConnMaxIdleTime:         o.ConnMaxIdleTime,
		ConnMaxLifetime:         o.ConnMaxLifetime,
		ConnMaxLifetimeJitter:   o.ConnMaxLifetimeJitter,
		PipelinePoolSize:        o.PipelinePoolSize,
		PipelineReadBufferSize:  o.PipelineReadBufferSize,
		PipelineWriteBufferSize: o.PipelineWriteBufferSize,
		TLSConfig:               o.TLSConfig,
	}
	if o.Network == "unix" {
		// UniversalOptions has no Network; dial the socket ourselves.
		d := &net.Dialer{Timeout: o.DialTimeout}
		uo.Dialer = func(ctx context.Context, _, addr string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", addr)
		}
	}
	s := New(redis.NewUniversalClient(uo), prefix, opts...)
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("redisstore: connect to %s: %w", o.Addr, err)
	}
	return s, nil
}

// Client returns the underlying client, for callers (such as tests) that
// need to reach Redis directly.
func (s *Store) Client() redis.UniversalClient { return s.client }

// Prefix returns the prefix of every key of the Store.
func (s *Store) Prefix() string { return s.prefix }

func (s *Store) docKey(coll string) string    { return s.prefix + "doc:{" + coll + "}" }
func (s *Store) verKey(coll string) string    { return s.prefix + "ver:{" + coll + "}" }
func (s *Store) chgKey(coll string) string    { return s.prefix + "chg:{" + coll + "}" }
func (s *Store) floorKey(coll string) string  { return s.prefix + "chgfloor:{" + coll + "}" }
func (s *Store) notifyKey(coll string) string { return s.prefix + "notify:" + coll }
func (s *Store) ctrKey(key string) string     { return s.prefix + "ctr:" + key }
func (s *Store) kvKey(key string) string      { return s.prefix + "kv:" + key }
func (s *Store) logKey(name string) string    { return s.prefix + "log:" + name }
func (s *Store) queueKey(topic string) string { return s.prefix + "q:" + topic }
func (s *Store) leaseKey(name string) string  { return s.prefix + "lease:" + name }

// mapErr turns a go-redis error into the store's vocabulary: a missing key
// becomes store.ErrNotFound and anything that is not a reply from a healthy
// server (network errors, timeouts, a closed client, a server that is still
// loading or failing over) wraps store.ErrUnavailable, so callers can tell
// "try again later" from a bug. Context errors are returned as they are
// because they describe the caller, not the store.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, redis.Nil) {
		return store.ErrNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrNotFound) {
		return err
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		msg := rerr.Error()
		for _, transient := range []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY "} {
			if strings.HasPrefix(msg, transient) {
				return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
			}
		}
		return err
	}
	return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return mapErr(s.client.Ping(ctx).Err())
}

// Close ends every subscription and closes the client. Later calls return
// the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.closeErr = s.client.Close()
	})
	return s.closeErr
}

// Get returns a document or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, coll, id string) ([]byte, error) {
	b, err := s.client.HGet(ctx, s.docKey(coll), id).Bytes()
	if err != nil {
		return nil, mapErr(err)
	}
	return b, nil
}

// Update implements store.Docs with optimistic concurrency: it WATCHes the
// collection's hash, so a concurrent write to any document of the collection
// makes EXEC fail and fn runs again on fresh data. After updateAttempts lost
// races it gives up with an error wrapping store.ErrUnavailable.
func (s *Store) Update(ctx context.Context, coll, id string, fn func(old []byte) ([]byte, error)) ([]byte, error) {
	docKey := s.docKey(coll)
	for attempt := 0; attempt < updateAttempts; attempt++ {
		var (
			result   []byte
			fnErr    error
			noChange bool
		)
		// Two round trips when nothing interferes: WATCH and the read go
		// out together, then the transaction with its announcement.
		err := s.client.Watch(ctx, func(tx *redis.Tx) error {
			var get *redis.StringCmd
			_, err := tx.Pipelined(ctx, func(p redis.Pipeliner) error {
				p.Do(ctx, "watch", docKey)
				get = p.HGet(ctx, docKey, id)
				return nil
			})
			// The WATCH was sent by hand, so go-redis does not know to
			// release it: every way out but EXEC must UNWATCH, or the
			// pooled connection would carry it to its next user.
			armed := true
			defer func() {
				if armed {
					_ = tx.Unwatch(context.WithoutCancel(ctx)).Err()
				}
			}()
			if errors.Is(err, redis.Nil) {
				err = nil
			}
			if err != nil {
				return err
			}
			old, err := get.Bytes()
			if errors.Is(err, redis.Nil) {
				old, err = nil, nil
			}
			if err != nil {
				return err
			}
			val, err := fn(old)
			if errors.Is(err, store.ErrNoChange) {
				result, noChange = old, true
				return nil
			}
			if err != nil {
				fnErr = err
				return err
			}
			armed = false // EXEC discards the watch, committed or not
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				s.write(ctx, p, coll, id, val)
				// Announced only if EXEC commits, in the same round trip.
				p.Publish(ctx, s.notifyKey(coll), coll)
				return nil
			})
			result = val
			return err
		})
		switch {
		case fnErr != nil:
			return nil, fnErr
		case errors.Is(err, redis.TxFailedErr):
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
			continue
		case err != nil:
			return nil, mapErr(err)
		case noChange:
			return result, store.ErrNoChange
		}
		return result, nil
	}
	return nil, fmt.Errorf("%w: update %s/%s: gave up after %d conflicting writes", store.ErrUnavailable, coll, id, updateAttempts)
}

// writeScript writes or deletes a document, bumps the collection's version
// and logs the id under the new version, trimming the log to its length
// and raising its floor past what the trim dropped. It is one script because
// the log's score is the version INCR returns, which a MULTI cannot feed to
// the next command; it still runs inside Update's MULTI, under its WATCH.
//
// KEYS: doc, ver, chg, chgfloor. ARGV: id, "1" to write (else delete),
// the document, the log's length.
//
// A missing floor means the log starts now: a collection written before
// the log existed (an upgraded deployment) is covered from this write on.
const writeScript = `
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local v = redis.call('INCR', KEYS[2])
if redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('SET', KEYS[4], v - 1)
end
redis.call('ZADD', KEYS[3], v, ARGV[1])
local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
if excess > 0 then
  local last = redis.call('ZRANGE', KEYS[3], excess - 1, excess - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1)
  if tonumber(last[2]) > tonumber(redis.call('GET', KEYS[4])) then
    redis.call('SET', KEYS[4], last[2])
  end
end
return v
`

// write queues writeScript on p: val nil deletes id.
//
// The log holds each id once, under the version of its latest write (ZADD
// replaces the score), so its length counts distinct ids and a document
// rewritten often does not push others out. An id dropped by the trim had
// its latest write at or below the new floor, so every write above the
// floor still has its id in the log, which is what Since relies on.
func (s *Store) write(ctx context.Context, p redis.Pipeliner, coll, id string, val []byte) {
	mode, doc := "1", val
	if val == nil {
		mode, doc = "0", []byte{}
	}
	p.Eval(ctx, writeScript, []string{s.docKey(coll), s.verKey(coll), s.chgKey(coll), s.floorKey(coll)},
		id, mode, doc, s.logLength)
}

// sinceScript reads what changed after ARGV[1] in one atomic step: the
// version, the log's floor, the ids logged after ARGV[1] and their current
// documents. It returns {now} when nothing changed, {now, 0} when the log
// does not reach back (or the collection is behind ARGV[1]), else {now, 1,
// ids, docs} with false (nil) for a deleted document. HMGET goes in chunks
// because Lua's unpack has a bounded stack.
//
// KEYS: doc, ver, chg, chgfloor.
const sinceScript = `
local now = tonumber(redis.call('GET', KEYS[2]) or '0')
local since = tonumber(ARGV[1])
if since == now then
  return {now}
end
local floor = redis.call('GET', KEYS[4])
if since > now or not floor or since < tonumber(floor) then
  return {now, 0}
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[1], '+inf')
local docs = {}
for i = 1, #ids, 1000 do
  local part = redis.call('HMGET', KEYS[1], unpack(ids, i, math.min(i + 999, #ids)))
  for j = 1, #part do
    docs[#docs + 1] = part[j]
  end
end
return {now, 1, ids, docs}
`

// Since implements store.ChangeLog with one script, which Redis runs
// atomically with respect to every write.
func (s *Store) Since(ctx context.Context, coll string, version int64) (map[string][]byte, []string, int64, error) {
	keys := []string{s.docKey(coll), s.verKey(coll), s.chgKey(coll), s.floorKey(coll)}
	reply, err := s.since.Run(ctx, s.client, keys, version).Slice()
	if err != nil {
		return nil, nil, 0, mapErr(err)
	}
	now, ok := reply[0].(int64)
	if !ok {
		return nil, nil, 0, fmt.Errorf("redisstore: since: unexpected version %T", reply[0])
	}
	changed := map[string][]byte{}
	if len(reply) == 1 {
		return changed, nil, now, nil
	}
	if len(reply) != 4 {
		return nil, nil, 0, fmt.Errorf("%w: %s at version %d, asked for %d", store.ErrLogTruncated, coll, now, version)
	}
	ids, _ := reply[2].([]any)
	docs, _ := reply[3].([]any)
	if len(ids) != len(docs) {
		return nil, nil, 0, fmt.Errorf("redisstore: since: %d ids but %d documents", len(ids), len(docs))
	}
	var removed []string
	for i, id := range ids {
		id, _ := id.(string)
		switch d := docs[i].(type) {
		case string:
			changed[id] = []byte(d)
		case nil:
			removed = append(removed, id)
		default:
			return nil, nil, 0, fmt.Errorf("redisstore: since: unexpected document %T", d)
		}
	}
	return changed, removed, now, nil
}

// backoff waits a short random time that grows with attempt, so that writers
// that collided do not collide again in lockstep.
func backoff(ctx context.Context, attempt int) error {
	ceiling := time.Duration(min(attempt+1, 20)) * time.Millisecond
	t := time.NewTimer(rand.N(ceiling))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Delete removes a document and bumps the version even when it was missing,
// like an Update whose function returns nil.
func (s *Store) Delete(ctx context.Context, coll, id string) error {
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		s.write(ctx, p, coll, id, nil)
		p.Publish(ctx, s.notifyKey(coll), coll)
		return nil
	})
	if err != nil {
		return mapErr(err)
	}
	return nil
}

// List returns every document of coll; a collection never written is empty.
func (s *Store) List(ctx context.Context, coll string) (map[string][]byte, error) {
	m, err := s.client.HGetAll(ctx, s.docKey(coll)).Result()
	if err != nil {
		return nil, mapErr(err)
	}
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = []byte(v)
	}
	return out, nil
}

// Version returns the number of writes to coll, 0 for a collection never
// written.
func (s *Store) Version(ctx context.Context, coll string) (int64, error) {
	v, err := s.client.Get(ctx, s.verKey(coll)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, mapErr(err)
	}
	return v, nil
}

// Subscribe listens on the collection's pub/sub channel. It returns once
// Redis has confirmed the subscription, so every write that completes after
// Subscribe returns is announced. The channel also closes when the Store is
// closed. go-redis reconnects a broken subscription by itself; writes made
// while it was down are not announced, which Version makes up for.
func (s *Store) Subscribe(ctx context.Context, coll string) (<-chan struct{}, error) {
	ps := s.client.Subscribe(ctx, s.notifyKey(coll))
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return nil, mapErr(err)
	}
	msgs := ps.Channel()
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		defer ps.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.closed:
				return
			case _, ok := <-msgs:
				if !ok {
					return
				}
				select {
				case out <- struct{}{}:
				default: // one pending signal already says "changed"
				}
			}
		}
	}()
	return out, nil
}

// Incr implements store.Counters; the first increment and the start of the
// expiry window happen in one Lua script.
func (s *Store) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	ms := int64(0)
	if ttl > 0 {
		ms = max(ttl.Milliseconds(), 1)
	}
	v, err := s.incr.Run(ctx, s.client, []string{s.ctrKey(key)}, ms).Int64()
	if err != nil {
		return 0, mapErr(err)
	}
	return v, nil
}

// Put stores val; ttl > 0 sets a millisecond-precision expiry.
func (s *Store) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < 0 {
		ttl = 0
	}
	if ttl > 0 && ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	return mapErr(s.client.Set(ctx, s.kvKey(key), val, ttl).Err())
}

// Peek returns the value stored under key, or store.ErrNotFound.
func (s *Store) Peek(ctx context.Context, key string) ([]byte, error) {
	b, err := s.client.Get(ctx, s.kvKey(key)).Bytes()
	if err != nil {
		return nil, mapErr(err)
	}
	return b, nil
}

// Remove deletes key.
func (s *Store) Remove(ctx context.Context, key string) error {
	return mapErr(s.client.Del(ctx, s.kvKey(key)).Err())
}

// Append adds entry to the log's stream.
func (s *Store) Append(ctx context.Context, log string, entry []byte) error {
	return mapErr(s.client.XAdd(ctx, &redis.XAddArgs{
		Stream: s.logKey(log),
		Values: []any{logField, entry},
	}).Err())
}

// Tail returns up to n of the newest entries, oldest first; n <= 0 yields
// none.
func (s *Store) Tail(ctx context.Context, log string, n int) ([][]byte, error) {
	if n <= 0 {
		return [][]byte{}, nil
	}
	msgs, err := s.client.XRevRangeN(ctx, s.logKey(log), "+", "-", int64(n)).Result()
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([][]byte, 0, len(msgs))
	for _, m := range slices.Backward(msgs) {
		out = append(out, field(m, logField))
	}
	return out, nil
}

// TrimOldest implements store.Log: it reads the stream from its start in
// pages and XDELs the old entries by id, so entries appended meanwhile
// (always newer) are never touched.
func (s *Store) TrimOldest(ctx context.Context, log string, old func(entry []byte) bool) (int, error) {
	const page = 200
	key, n, start := s.logKey(log), 0, "-"
	for {
		msgs, err := s.client.XRangeN(ctx, key, start, "+", page).Result()
		if err != nil {
			return n, mapErr(err)
		}
		var ids []string
		done := len(msgs) < page
		for _, m := range msgs {
			if !old(field(m, logField)) {
				done = true
				break
			}
			ids = append(ids, m.ID)
		}
		if len(ids) > 0 {
			if err := s.client.XDel(ctx, key, ids...).Err(); err != nil {
				return n, mapErr(err)
			}
			n += len(ids)
		}
		if done {
			return n, nil
		}
		start = "(" + ids[len(ids)-1]
	}
}

// field returns a stream entry's field as bytes (nil when absent).
func field(m redis.XMessage, name string) []byte {
	switch v := m.Values[name].(type) {
	case string:
		return []byte(v)
	case []byte:
		return v
	default:
		return nil
	}
}

// Publish adds payload to the topic's stream and returns its stream id.
func (s *Store) Publish(ctx context.Context, topic string, payload []byte) (string, error) {
	id, err := s.client.XAdd(ctx, &redis.XAddArgs{
		Stream: s.queueKey(topic),
		Values: []any{queueField, payload},
	}).Result()
	if err != nil {
		return "", mapErr(err)
	}
	return id, nil
}

// Claim implements store.Queue with XAUTOCLAIM (stale entries of any
// consumer of the group, including this one, idle for at least minIdle)
// followed by XREADGROUP ">" (new entries). The group is created from the
// start of the stream the first time it is missing. n <= 0 is treated as 1,
// and block <= 0 as a short default wait, so a careless caller neither hangs
// nor spins. A ctx deadline shortens the wait; a cancellation is noticed
// within about a second.
func (s *Store) Claim(ctx context.Context, topic, group, consumer string, n int, block, minIdle time.Duration) ([]store.Delivery, error) {
	if n <= 0 {
		n = 1
	}
	if block <= 0 {
		block = defaultBlock
	}
	key := s.queueKey(topic)
	out := []store.Delivery{}

	var err error
	out, err = s.autoclaim(ctx, key, group, consumer, n, minIdle, out)
	if isNoGroup(err) {
		if err = s.createGroup(ctx, key, group); err == nil {
			out, err = s.autoclaim(ctx, key, group, consumer, n, minIdle, out)
		}
	}
	if err != nil {
		return nil, mapErr(err)
	}
	if len(out) >= n {
		return out, nil
	}
	if len(out) > 0 {
		// Something to hand over already: take what is new without waiting.
		return s.readNew(ctx, key, group, consumer, n, -1, out)
	}

	blockEnd := time.Now().Add(block)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wait := time.Until(blockEnd)
		if wait < time.Millisecond {
			// BLOCK counts whole milliseconds and 0 means forever, so the
			// last sliver is not worth a round trip.
			return out, nil
		}
		wait = min(wait, maxBlockSlice)
		if d, ok := ctx.Deadline(); ok {
			// go-redis does not apply ctx's deadline to a blocked read.
			if left := time.Until(d); left < wait {
				if left < time.Millisecond {
					<-ctx.Done()
					return nil, ctx.Err()
				}
				wait = left
			}
		}
		out, err = s.readNew(ctx, key, group, consumer, n, wait, out)
		if err != nil || len(out) > 0 {
			return out, err
		}
	}
}

// autoclaim transfers to consumer up to n-len(out) entries of the group that
// have been pending for at least minIdle and appends them to out.
func (s *Store) autoclaim(ctx context.Context, key, group, consumer string, n int, minIdle time.Duration, out []store.Delivery) ([]store.Delivery, error) {
	start := "0-0"
	for range autoclaimRounds {
		msgs, next, err := s.client.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream:   key,
			Group:    group,
			Consumer: consumer,
			MinIdle:  max(minIdle, 0),
			Start:    start,
			Count:    int64(n - len(out)),
		}).Result()
		if err != nil {
			return out, err
		}
		for _, m := range msgs {
			p, ok := m.Values[queueField]
			if !ok || p == nil {
				// Redis 6.2 reports entries deleted from the stream with no
				// fields; they can never be processed, so drop them.
				_ = s.client.XAck(ctx, key, group, m.ID).Err()
				continue
			}
			out = append(out, store.Delivery{ID: m.ID, Payload: field(m, queueField)})
		}
		if len(out) >= n || next == "0-0" || next == "" {
			return out, nil
		}
		start = next
	}
	return out, nil
}

// readNew reads up to n-len(out) entries never delivered to the group,
// blocking up to block when block > 0 (block < 0 means do not block).
func (s *Store) readNew(ctx context.Context, key, group, consumer string, n int, block time.Duration, out []store.Delivery) ([]store.Delivery, error) {
	args := &redis.XReadGroupArgs{
		Group:    group,
		Consumer: consumer,
		Streams:  []string{key, ">"},
		Count:    int64(n - len(out)),
		Block:    block,
	}
	streams, err := s.client.XReadGroup(ctx, args).Result()
	if isNoGroup(err) {
		// The stream was deleted since autoclaim ran.
		if err = s.createGroup(ctx, key, group); err == nil {
			streams, err = s.client.XReadGroup(ctx, args).Result()
		}
	}
	if errors.Is(err, redis.Nil) {
		return out, nil
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, mapErr(err)
	}
	for _, st := range streams {
		for _, m := range st.Messages {
			out = append(out, store.Delivery{ID: m.ID, Payload: field(m, queueField)})
		}
	}
	return out, nil
}

// createGroup creates the consumer group at the start of the stream (and the
// stream itself), so that a new group sees every entry ever published.
func (s *Store) createGroup(ctx context.Context, key, group string) error {
	err := s.client.XGroupCreateMkStream(ctx, key, group, "0").Err()
	if err != nil && strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return nil
	}
	return err
}

func isNoGroup(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOGROUP")
}

// Ack acknowledges id for the group.
func (s *Store) Ack(ctx context.Context, topic, group, id string) error {
	err := s.client.XAck(ctx, s.queueKey(topic), group, id).Err()
	if isNoGroup(err) {
		return nil // nothing can be pending in a group that does not exist
	}
	return mapErr(err)
}

// acquireScript takes a free lease (SET NX PX) or renews the caller's own
// (compare, then PEXPIRE), in one step so that a lease that expires between
// the comparison and the renewal cannot be renewed for its new holder.
const acquireScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`

// releaseScript deletes the lease only if the caller holds it.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

// Acquire implements store.Leases. It is idempotent for one holder, so a
// retried call (go-redis retries after a read timeout) does no harm.
func (s *Store) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	ms := max(ttl.Milliseconds(), 1)
	n, err := s.renew.Run(ctx, s.client, []string{s.leaseKey(name)}, holder, ms).Int64()
	if err != nil {
		return false, mapErr(err)
	}
	return n == 1, nil
}

// Release implements store.Leases.
func (s *Store) Release(ctx context.Context, name, holder string) error {
	return mapErr(s.free.Run(ctx, s.client, []string{s.leaseKey(name)}, holder).Err())
}
