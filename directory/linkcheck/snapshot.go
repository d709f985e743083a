package linkcheck

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/unionbot/unionbot/directory"
)

// Snapshot holds every link's state in memory, so that cards show
// freshness without a store call per answer. Refresh reloads it when the
// records' version moved; Run does so periodically. It serves every
// replica, including those that do not run the checker.
type Snapshot struct {
	st    Docs
	log   *slog.Logger
	every time.Duration

	cur     atomic.Pointer[map[string]directory.LinkState]
	gen     atomic.Uint64 // counts the loads of cur (Generation)
	mu      sync.Mutex    // serialises refreshes
	version int64
}

// NewSnapshot returns an empty snapshot that Refresh fills; every is how
// often Run refreshes [1 minute].
func NewSnapshot(st Docs, every time.Duration, log *slog.Logger) *Snapshot {
	if every <= 0 {
		every = time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Snapshot{st: st, log: log, every: every, version: -1}
	empty := map[string]directory.LinkState{}
	s.cur.Store(&empty)
	return s
}

// Link returns what the checker last found about url; false when it has
// not checked it yet. It never blocks and never calls the store.
func (s *Snapshot) Link(url string) (directory.LinkState, bool) {
	st, ok := (*s.cur.Load())[url]
	return st, ok
}

// Generation changes whenever what Link answers may have changed, so
// that what was rendered from it (the core's answer cache, bot/answers.go)
// can tell it is stale.
func (s *Snapshot) Generation() uint64 { return s.gen.Load() }

// Refresh reloads the records if they changed since the last load.
func (s *Snapshot) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.st.Version(ctx, Collection)
	if err != nil {
		return err
	}
	if v == s.version {
		return nil
	}
	docs, err := s.st.List(ctx, Collection)
	if err != nil {
		return err
	}
	m := make(map[string]directory.LinkState, len(docs))
	for _, b := range docs {
		var r Record
		if json.Unmarshal(b, &r) == nil && r.URL != "" {
			m[r.URL] = r.State()
		}
	}
	s.cur.Store(&m)
	s.gen.Add(1)
	s.version = v
	return nil
}

// Run refreshes every period until ctx ends; errors keep the last good
// snapshot.
func (s *Snapshot) Run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Debug("link states not refreshed; keeping the last ones", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
