package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// ChangesCollection is the store collection that holds community changes.
const ChangesCollection = "orgs"

// ChangeStore is what Live needs from a store: the collection of changes,
// its version and notifications of writes to it.
type ChangeStore interface {
	List(ctx context.Context, coll string) (map[string][]byte, error)
	Update(ctx context.Context, coll, id string, fn func(old []byte) ([]byte, error)) ([]byte, error)
	Version(ctx context.Context, coll string) (int64, error)
	Subscribe(ctx context.Context, coll string) (<-chan struct{}, error)
}

// Live is the directory as every process sees it: the seed merged with the
// community changes in the store, held as an immutable Index that is
// swapped, never mutated, when the changes do. Searches read the current
// Index without waiting on the store, so /find keeps answering when the store
// is unreachable.
type Live struct {
	seed  *Seed
	store ChangeStore
	log   *slog.Logger
	// CheckEvery is how often Run compares versions as a safety net for
	// missed notifications (pub/sub is at-most-once).
	CheckEvery time.Duration

	cur     atomic.Pointer[Index]
	mu      sync.Mutex // serialises refreshes
	version int64
	builds  atomic.Int64
}

// NewLive returns a Live serving the seed alone until Refresh loads changes.
func NewLive(seed *Seed, store ChangeStore, log *slog.Logger) *Live {
	l := &Live{seed: seed, store: store, log: log, CheckEvery: 30 * time.Second, version: -1}
	x := Build(seed, seed.Organisations)
	x.orgDeletionIndex()
	l.cur.Store(x)
	return l
}

// Index returns the current snapshot. It never blocks.
func (l *Live) Index() *Index { return l.cur.Load() }

// Builds counts index rebuilds, for metrics.
func (l *Live) Builds() int64 { return l.builds.Load() }

// Refresh loads the changes if their version moved and rebuilds the index.
func (l *Live) Refresh(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, err := l.store.Version(ctx, ChangesCollection)
	if err != nil {
		return err
	}
	if v == l.version {
		return nil
	}
	docs, err := l.store.List(ctx, ChangesCollection)
	if err != nil {
		return err
	}
	changes := make([]Change, 0, len(docs))
	for id, b := range docs {
		var c Change
		if err := json.Unmarshal(b, &c); err != nil {
			l.log.Warn("skipping unreadable directory change", "id", id, "err", err)
			continue
		}
		changes = append(changes, c)
	}
	x := Build(l.seed, Merge(l.seed.Organisations, changes))
	for _, p := range x.Problems() {
		l.log.Warn("directory entry left out", "problem", p)
	}
	l.cur.Store(x)
	// The organisations' misspelling table is built off the approval's
	// path, so the new Index serves exact searches at once; a misspelt
	// search arriving before it is done waits for it (orgDeletions).
	go x.orgDeletionIndex()
	l.version = v
	l.builds.Add(1)
	return nil
}

// Apply writes a change to the store and then refreshes this process at
// once; other processes follow through the store's notification.
func (l *Live) Apply(ctx context.Context, c Change) error {
	return l.ApplyAll(ctx, []Change{c})
}

// ApplyAll writes changes to the store in order, then refreshes once. It
// stops at the first store error; the changes written before it stay, and
// writing the same changes again is harmless (each replaces its id's record).
func (l *Live) ApplyAll(ctx context.Context, cs []Change) error {
	for i, c := range cs {
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode change: %w", err)
		}
		if _, err := l.store.Update(ctx, ChangesCollection, c.ID, func([]byte) ([]byte, error) { return b, nil }); err != nil {
			if len(cs) == 1 {
				return err
			}
			return fmt.Errorf("stopped after %d of %d changes: %w", i, len(cs), err)
		}
	}
	if len(cs) == 0 {
		return nil
	}
	return l.Refresh(ctx)
}

// Changes returns the community changes as stored, for export and history.
func (l *Live) Changes(ctx context.Context) (map[string]Change, error) {
	docs, err := l.store.List(ctx, ChangesCollection)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Change, len(docs))
	for id, b := range docs {
		var c Change
		if err := json.Unmarshal(b, &c); err == nil {
			out[id] = c
		}
	}
	return out, nil
}

// Run keeps the index current until ctx ends: it refreshes on every
// notification and, as a safety net, every CheckEvery. Store errors are
// logged and retried on the next tick; the last good index keeps serving.
func (l *Live) Run(ctx context.Context) {
	var notes <-chan struct{}
	subscribe := func() {
		ch, err := l.store.Subscribe(ctx, ChangesCollection)
		if err != nil {
			l.log.Warn("directory change notifications unavailable; relying on periodic checks", "err", err)
			return
		}
		notes = ch
	}
	subscribe()
	if err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
		l.log.Warn("directory refresh failed; serving the last good index", "err", err)
	}
	t := time.NewTicker(l.CheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-notes:
			if !ok {
				notes = nil
				continue
			}
		case <-t.C:
			if notes == nil {
				subscribe()
			}
		}
		if err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
			l.log.Warn("directory refresh failed; serving the last good index", "err", err)
		}
	}
}
