package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"maps"
	"runtime/debug"
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

// changeLog is what Live uses, when its ChangeStore has it too, to follow
// other processes' writes by reading only what changed since the version
// it holds; see store.ChangeLog for the contract (an atomic snapshot, at
// least once, store.ErrLogTruncated when the log does not reach back).
type changeLog interface {
	Since(ctx context.Context, coll string, version int64) (changed map[string][]byte, removed []string, now int64, err error)
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
	// stored is, by id, a hash of each change as the store holds it,
	// as of version: what a refresh compares the listed changes with, so
	// that it applies only those that differ (Index.With).
	stored   map[string]uint64
	hashSeed maphash.Seed
	// noLog is set when the store said it has no change log
	// (errors.ErrUnsupported), so refreshes stop asking.
	noLog     bool
	builds    atomic.Int64
	steps     atomic.Int64
	fromLog   atomic.Int64
	compacts  atomic.Int64
	compactMu sync.Mutex // one compaction at a time
}

// NewLive returns a Live serving the seed alone until Refresh loads changes.
func NewLive(seed *Seed, store ChangeStore, log *slog.Logger) *Live {
	l := &Live{seed: seed, store: store, log: log, CheckEvery: 30 * time.Second, version: -1, hashSeed: maphash.MakeSeed()}
	x := Build(seed, seed.Organisations)
	x.orgDeletionIndex()
	l.cur.Store(x)
	return l
}

// Index returns the current snapshot. It never blocks.
func (l *Live) Index() *Index { return l.cur.Load() }

// Builds counts index rebuilds, for metrics.
func (l *Live) Builds() int64 { return l.builds.Load() }

// Steps counts the indexes derived incrementally (Index.With) rather than
// built, for metrics.
func (l *Live) Steps() int64 { return l.steps.Load() }

// LogRefreshes counts the refreshes that caught up with the store by its
// change log (what changed since the version this process held) rather
// than by listing every change, for metrics.
func (l *Live) LogRefreshes() int64 { return l.fromLog.Load() }

// Compactions counts the background compactions (Index.Compacted).
func (l *Live) Compactions() int64 { return l.compacts.Load() }

// Refresh loads the changes if their version moved and brings the index up
// to date: the first time (and whenever the incremental path cannot) by a
// build, otherwise by applying to the current Index only the changes that
// differ from those it was made from (Index.With). Once it holds a version,
// a store with a change log is asked only what changed since (refreshLog);
// the whole collection is listed the first time, and when the log cannot
// answer or holds too many changes to apply one by one.
func (l *Live) Refresh(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refresh(ctx)
}

// refresh is Refresh with l.mu held.
func (l *Live) refresh(ctx context.Context) error {
	if l.refreshLog(ctx) {
		return nil
	}
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
	stored := make(map[string]uint64, len(docs))
	changes := make([]Change, 0, len(docs))
	var changed []Change // those that differ from what the index was made from
	for id, b := range docs {
		var c Change
		if err := json.Unmarshal(b, &c); err != nil {
			l.log.Warn("skipping unreadable directory change", "id", id, "err", err)
			continue
		}
		h := maphash.Bytes(l.hashSeed, b)
		stored[id] = h
		changes = append(changes, c)
		if old, ok := l.stored[id]; !ok || old != h {
			changed = append(changed, c)
		}
	}
	if l.stored != nil {
		for id := range l.stored {
			if _, ok := stored[id]; !ok {
				changed = append(changed, l.revert(id))
			}
		}
		if len(changed) == 0 {
			l.version = v
			return nil
		}
		if cur := l.cur.Load(); incremental(cur, len(changed)) {
			if x, ok := cur.With(changed); ok {
				l.swapped(x, v, stored, false)
				return nil
			}
		}
	}
	big := len(changes) >= bigRefresh
	orgs := Merge(l.seed.Organisations, changes)
	if big {
		// What listing, decoding and merging made (the store's reply,
		// every change as JSON and decoded) is garbage by now, some 100 MB
		// at 100,000 organisations, and the collector's next goal is twice
		// what it last found alive, the changes included: collected and
		// returned before the build allocates, a start neither holds both
		// nor lets the heap grow to that goal (issue 15: the process under
		// 250 MB at all times).
		debug.FreeOSMemory()
	}
	// Merge's list is the index's own: nobody else holds it.
	x := buildOwned(l.seed, orgs)
	for _, p := range x.Problems() {
		l.log.Warn("directory entry left out", "problem", p)
	}
	// The organisations' misspelling table is built off the approval's
	// path, so the new Index serves exact searches at once; a misspelt
	// search arriving before it is done waits for it (orgDeletions).
	go x.orgDeletionIndex()
	l.swapped(x, v, stored, true)
	return nil
}

// refreshLog brings the index up to date from the store's change log and
// reports whether it did; when it reports false it has changed nothing and
// the caller lists. It needs a version and the stored hashes of a listing to
// build on, so the first refresh always lists.
//
// What it applies is consistent with the version it records: Since reads
// the changes and their version in one snapshot, and l.stored is the
// collection as of a version between l.version and that one (a listing
// read after its Version, or an earlier Since), so taking the changes
// Since returns and recording its version (never a Version read apart)
// leaves l.stored exactly the collection at that version. A write that
// lands after Since read is after its version, so the next Since returns
// it.
func (l *Live) refreshLog(ctx context.Context) bool {
	cl, ok := l.store.(changeLog)
	if !ok || l.noLog || l.stored == nil || l.version < 0 {
		return false
	}
	docs, removed, now, err := cl.Since(ctx, ChangesCollection, l.version)
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			l.noLog = true
		}
		// Truncated, or the store failed: the listing decides, and
		// reports the store's error if it fails too.
		l.log.Debug("directory change log unusable; listing the changes", "version", l.version, "err", err)
		return false
	}
	if now == l.version {
		return true
	}
	cur := l.cur.Load()
	if !incremental(cur, len(docs)+len(removed)) {
		return false
	}
	hashes := make(map[string]uint64, len(docs))
	var (
		changed []Change
		gone    []string // ids to drop from l.stored
	)
	for id, b := range docs {
		h := maphash.Bytes(l.hashSeed, b)
		old, had := l.stored[id]
		if had && old == h {
			continue // logged at least once, not changed
		}
		var c Change
		if err := json.Unmarshal(b, &c); err != nil {
			// As a listing does: left out, so an earlier readable
			// version of it is reverted.
			l.log.Warn("skipping unreadable directory change", "id", id, "err", err)
			if had {
				changed = append(changed, l.revert(id))
				gone = append(gone, id)
			}
			continue
		}
		hashes[id] = h
		changed = append(changed, c)
	}
	for _, id := range removed {
		if _, had := l.stored[id]; had {
			changed = append(changed, l.revert(id))
			gone = append(gone, id)
		}
	}
	if len(changed) == 0 {
		l.version = now
		l.fromLog.Add(1)
		return true
	}
	x, ok := cur.With(changed)
	if !ok {
		return false
	}
	// With succeeded, so l.stored can change in place: it is Live's
	// alone and l.mu is held.
	maps.Copy(l.stored, hashes)
	for _, id := range gone {
		delete(l.stored, id)
	}
	l.fromLog.Add(1)
	l.swapped(x, now, l.stored, false)
	return true
}

// bigRefresh is how many changes make a full refresh collect what
// listing them left before it builds (see refresh).
const bigRefresh = 10_000

// incremental reports whether n changes are better applied to x by With
// than by a build: With costs about a millisecond a change at 100,000
// organisations, a build a second or two, so an import of thousands is
// built.
func incremental(x *Index, n int) bool { return n <= max(64, x.Len()/200) }

// revert is the change a removed stored change leaves: the seed's record
// again, or no organisation.
func (l *Live) revert(id string) Change {
	for i := range l.seed.Organisations {
		if o := l.seed.Organisations[i]; o.ID == id {
			return Change{ID: id, Org: &o}
		}
	}
	return Change{ID: id, Removed: true}
}

// swapped makes x the current index, made from the changes stored (their
// hashes by id) at version v, built or derived. l.mu is held.
func (l *Live) swapped(x *Index, v int64, stored map[string]uint64, built bool) {
	if !built { // a build's were logged whole
		was := map[string]bool{}
		for _, p := range l.cur.Load().Problems() {
			was[p] = true
		}
		for _, p := range x.Problems() {
			if !was[p] {
				l.log.Warn("directory entry left out", "problem", p)
			}
		}
	}
	l.cur.Store(x)
	l.version, l.stored = v, stored
	if built {
		l.builds.Add(1)
	} else {
		l.steps.Add(1)
	}
	if x.NeedsCompaction() {
		go l.compact(x)
	}
}

// compact replaces x, if it is still the current index, by its compacted
// form. It runs off the approval's path; an index derived from x in the
// meantime is compacted after its own approval instead.
func (l *Live) compact(x *Index) {
	l.compactMu.Lock()
	defer l.compactMu.Unlock()
	if l.cur.Load() != x {
		return
	}
	y := x.Compacted()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur.CompareAndSwap(x, y) {
		l.compacts.Add(1)
	}
}

// Apply writes a change to the store and then refreshes this process at
// once; other processes follow through the store's notification.
func (l *Live) Apply(ctx context.Context, c Change) error {
	return l.ApplyAll(ctx, []Change{c})
}

// ApplyAll writes changes to the store in order, then brings the index up
// to date once. It stops at the first store error; the changes written
// before it stay, and writing the same changes again is harmless (each
// replaces its id's record).
//
// When the store's version moved by exactly its own writes (no other
// process wrote in between), the next index is derived from the current
// one with these changes alone (Index.With): an approval then costs
// microseconds to a couple of milliseconds, not a rebuild of every
// organisation. Otherwise it refreshes.
func (l *Live) ApplyAll(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	before := l.version
	written := make(map[string]uint64, len(cs))
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
		written[c.ID] = maphash.Bytes(l.hashSeed, b)
	}
	v, err := l.store.Version(ctx, ChangesCollection)
	if cur := l.cur.Load(); err == nil && l.stored != nil && before >= 0 && v == before+int64(len(cs)) && incremental(cur, len(cs)) {
		if x, ok := cur.With(cs); ok {
			// In place, as refreshLog does: nothing else holds l.stored.
			maps.Copy(l.stored, written)
			l.swapped(x, v, l.stored, false)
			return nil
		}
	}
	return l.refresh(ctx)
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
