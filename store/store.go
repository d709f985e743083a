// Package store holds what unionbot must keep durably and share between
// processes: community changes to the directory, the moderation queue and
// its delivery to moderator channels, rate-limit counters, the audit log and
// short-lived conversation state.
//
// The store deals in opaque bytes (JSON written by the packages it serves),
// so it knows no domain rules; those live with the callers, which pass a
// function to Update when a change must be atomic.
//
// Two implementations satisfy Store and ChangeLog and pass one conformance
// suite (store/storetest): Redis (store/redisstore) for shared,
// multi-process use, and an embedded bbolt database (store/boltstore) for a
// single process.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a document or key does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrUnavailable wraps errors that mean the store cannot be reached right now
// (Redis down, network error). Callers answer users with "try again later".
var ErrUnavailable = errors.New("store: unavailable")

// ErrNoChange may be returned by an Update function to leave the document as
// it is; Update then returns the current value and ErrNoChange.
var ErrNoChange = errors.New("store: no change")

// Docs is a set of named collections of JSON documents keyed by id.
type Docs interface {
	// Get returns the document, or ErrNotFound.
	Get(ctx context.Context, coll, id string) ([]byte, error)
	// Update reads the document (nil when it does not exist), calls fn and
	// writes what fn returns, atomically with respect to every other Update
	// and Delete of the same collection in every process. fn may be called
	// more than once when a concurrent writer wins; it must be free of side
	// effects, and must not call the store (an implementation may hold a
	// lock while it runs). fn returning nil bytes deletes the document
	// (a write even when the document did not exist). An error from fn
	// aborts the update and is returned as is. Each successful write bumps
	// the collection's version and notifies subscribers of coll.
	Update(ctx context.Context, coll, id string, fn func(old []byte) ([]byte, error)) ([]byte, error)
	// Delete removes a document; deleting a missing one is not an error.
	// It bumps the version and notifies like Update, even when the document
	// was missing.
	Delete(ctx context.Context, coll, id string) error
	// List returns every document of the collection, keyed by id.
	List(ctx context.Context, coll string) (map[string][]byte, error)
	// Version counts the successful writes to coll; it never goes down, so a
	// process that missed a notification notices by comparing versions.
	Version(ctx context.Context, coll string) (int64, error)
}

// ErrLogTruncated is returned by ChangeLog.Since when the log no longer
// reaches back to the version asked about (it was trimmed, was started after
// that version, or the collection is behind it because it was reset): the
// caller must List the collection instead.
var ErrLogTruncated = errors.New("store: change log does not reach back that far")

// DefaultChangeLogLength is how many writes of each collection the change log
// of a store keeps unless it is configured otherwise: enough for a process to
// catch up after missing minutes of approvals and imports, small enough that
// reading it whole costs less than listing a large collection.
const DefaultChangeLogLength = 10_000

// ChangeLog is an optional interface of a Docs store: a log of the ids each
// write of a collection touched, by version, so that a process that knows a
// collection as of one version can catch up by reading what changed since
// rather than listing every document.
type ChangeLog interface {
	// Since returns what was written to coll after version: changed holds
	// the documents that exist at version now (their bytes at now), keyed
	// by id, and removed the ids that do not exist at now. now is the
	// collection's version (as Version reports it) at the moment Since
	// read, and every id is in at most one of changed and removed.
	//
	// Guarantees:
	//
	//   - Atomic: each write is logged in the same atomic step as the
	//     write itself and its version bump, and Since reads the log, the
	//     documents and now in one snapshot with respect to Update and
	//     Delete in every process. Every write with a version in
	//     (version, now] has its id in changed or removed; no write after
	//     now is reflected in either.
	//   - At least once, never less: an id may appear although no write
	//     after version touched it (or one did and left the same bytes), so
	//     a caller must treat each id as "take the current value", not as
	//     "something new happened".
	//   - So: a caller that holds the collection as it was at some version
	//     u with version <= u <= now (in particular a List read after a
	//     Version call that returned version, or the result of a previous
	//     Since whose now was version) reaches exactly the collection at
	//     now by taking changed and dropping removed; it must then record
	//     now, not a version read by another call, as what it holds.
	//
	// When version == now both are empty. When the log does not cover every
	// write after version, or version > now, Since returns an error
	// wrapping ErrLogTruncated (and the caller lists). A store that wraps another without a log
	// returns an error wrapping errors.ErrUnsupported. Other errors are the
	// store's (ErrUnavailable, a context's error).
	//
	// The log keeps a bounded number of each collection's newest writes
	// (DefaultChangeLogLength unless the implementation is configured
	// otherwise; redisstore counts distinct ids, an id rewritten keeping
	// one entry, boltstore counts writes), so what changed since a version
	// older than that is ErrLogTruncated: a reply is bounded by the log's
	// length, not by the collection's size. A collection written before
	// its store kept a log is covered from its first write after.
	Since(ctx context.Context, coll string, version int64) (changed map[string][]byte, removed []string, now int64, err error)
}

// Notifier tells processes that a collection changed.
type Notifier interface {
	// Subscribe signals on the returned channel after each write to coll in
	// any process, from the moment Subscribe returns. Delivery is at most
	// once and may be coalesced: pair it with Version. The channel closes
	// when ctx ends or the store is closed.
	Subscribe(ctx context.Context, coll string) (<-chan struct{}, error)
}

// Counters are integer counters that optionally expire.
type Counters interface {
	// Incr adds one and returns the new value. When ttl > 0 and the counter
	// is new, it expires ttl after its first increment (a fixed window).
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
}

// KV holds short-lived values such as a conversation's state.
type KV interface {
	// Put stores val under key; ttl > 0 makes it expire.
	Put(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Peek returns the value, or ErrNotFound when missing or expired. It
	// does not remove the value.
	Peek(ctx context.Context, key string) ([]byte, error)
	// Remove deletes the key; a missing key is not an error.
	Remove(ctx context.Context, key string) error
}

// Log is an append-only log.
type Log interface {
	// Append adds an entry at the end of the named log.
	Append(ctx context.Context, log string, entry []byte) error
	// Tail returns up to n of the newest entries, oldest first.
	Tail(ctx context.Context, log string, n int) ([][]byte, error)
	// TrimOldest deletes entries from the oldest end of the log for as
	// long as old reports true, stopping at the first entry it reports
	// false for, and returns how many it deleted: retention for a log
	// whose entries are in time order. Entries appended meanwhile are
	// kept. old must not call the store.
	TrimOldest(ctx context.Context, log string, old func(entry []byte) bool) (int, error)
}

// Delivery is one entry of a queue handed to a consumer.
type Delivery struct {
	ID      string // the entry's id in the topic, stable across redeliveries
	Payload []byte
}

// Queue is a durable topic with consumer groups, as a Redis stream: every
// group sees every entry; within a group an entry goes to one consumer at a
// time and stays pending until acknowledged.
type Queue interface {
	// Publish appends an entry to the topic.
	Publish(ctx context.Context, topic string, payload []byte) (id string, err error)
	// Claim returns up to n entries for the consumer. Entries a consumer of
	// the group took at least minIdle ago without acknowledging them (it
	// crashed; this may be the same consumer, restarted) come first, then
	// entries no consumer of the group has seen yet; a group created by its
	// first Claim sees the topic from its start. When there are none, Claim
	// waits up to block (which must be positive) for a Publish and returns
	// an empty slice and nil; if ctx ends first it returns ctx's error.
	Claim(ctx context.Context, topic, group, consumer string, n int, block, minIdle time.Duration) ([]Delivery, error)
	// Ack marks the entry done for the group. Acking twice is not an error.
	Ack(ctx context.Context, topic, group, id string) error
}

// Leases are named, expiring locks that let one process among several do
// what only one may do at a time, such as long-polling Telegram with the
// bot's token. A lease is held by a holder (a name unique to the process)
// until it is released or its ttl passes without a renewal, so a holder that
// dies loses it within ttl.
type Leases interface {
	// Acquire takes the lease for holder when no one holds it, or renews it
	// when holder already does; either way it then expires ttl from now and
	// Acquire reports true. It reports false, and changes nothing, while
	// another holder has it. An error means the store could not say (a
	// holder should then assume neither that it lost the lease nor that it
	// still has it for longer than its last successful Acquire promised).
	Acquire(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// Release gives the lease up if holder has it, so that another can take
	// it at once; it does nothing when someone else holds it or no one does.
	Release(ctx context.Context, name, holder string) error
}

// Store is everything unionbot keeps. Callers should depend on the smallest
// of the interfaces above that they need.
type Store interface {
	Docs
	Notifier
	Counters
	KV
	Log
	Queue
	Leases
	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error
	Close() error
}
