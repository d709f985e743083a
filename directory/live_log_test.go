package directory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/boltstore"
	"github.com/unionbot/unionbot/store/bothstores"
	"github.com/unionbot/unionbot/store/redisstore"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

// logStore is a store with a change log.
type logStore interface {
	store.Store
	store.ChangeLog
}

// listCounter counts the listings of the changes a Live makes, and its
// Sinces, passing both on to the store it wraps.
type listCounter struct {
	logStore
	lists, sinces atomic.Int64
}

func (c *listCounter) List(ctx context.Context, coll string) (map[string][]byte, error) {
	c.lists.Add(1)
	return c.logStore.List(ctx, coll)
}

func (c *listCounter) Since(ctx context.Context, coll string, v int64) (map[string][]byte, []string, int64, error) {
	c.sinces.Add(1)
	return c.logStore.Since(ctx, coll, v)
}

// peers returns, for each store, a store for the moderator's process and
// one for a follower's on the same data: over Redis two connections under
// one prefix (two processes, as deployed), over bolt the one store (a
// single process may use a database).
func peers(t *testing.T, length int, fn func(t *testing.T, mod, follower logStore)) {
	t.Run("bolt", func(t *testing.T) {
		st, err := boltstore.Open(t.TempDir(), boltstore.WithChangeLogLength(length))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st, st)
	})
	t.Run("redis", func(t *testing.T) {
		st := redistest.MustOpen(t, redisstore.WithChangeLogLength(length))
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		other, err := redisstore.Open(ctx, redistest.URL(), st.Prefix(), redisstore.WithChangeLogLength(length))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		fn(t, st, other)
	})
}

// freshBuild is the index a build of the stored changes makes.
func freshBuild(t *testing.T, seed *directory.Seed, l *directory.Live) *directory.Index {
	t.Helper()
	stored, err := l.Changes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var list []directory.Change
	for _, c := range stored {
		list = append(list, c)
	}
	return directory.Build(seed, directory.Merge(seed.Organisations, list))
}

// TestLiveFollowsByChangeLog: a second process following a moderator's
// approvals by notification catches up through the store's change log,
// never listing the changes after its first load, and ends answering as
// the moderator's process and as a fresh build of the stored changes.
func TestLiveFollowsByChangeLog(t *testing.T) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	peers(t, store.DefaultChangeLogLength, func(t *testing.T, modStore, followerStore logStore) {
		discard := slog.New(slog.DiscardHandler)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		mod := directory.NewLive(seed, modStore, discard)
		if err := mod.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		counted := &listCounter{logStore: followerStore}
		follower := directory.NewLive(seed, counted, discard)
		follower.CheckEvery = time.Hour // it must follow by notification
		done := make(chan struct{})
		go func() { follower.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		waitFor(t, "the follower's first build", func() bool { return follower.Builds() == 1 })
		if n := counted.lists.Load(); n != 1 {
			t.Fatalf("the first load listed %d times, want 1", n)
		}

		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		s0, s1, s2 := seed.Organisations[0], seed.Organisations[1], seed.Organisations[2]
		added := directory.Organisation{ID: "log-added", Name: "Log Added Drug Users Union", Acronym: "LADUU",
			Kind: directory.KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
		moved := s1
		moved.Name += " Moved"
		closed := s2
		closed.Status = directory.StatusClosed
		steps := [][]directory.Change{
			{{ID: added.ID, Org: &added, At: at}},
			{{ID: moved.ID, Org: &moved, At: at.Add(time.Minute)}, {ID: closed.ID, Org: &closed, At: at.Add(time.Minute)}},
			{{ID: s0.ID, Removed: true, At: at.Add(2 * time.Minute)}},
			{{ID: s0.ID, Org: &s0, At: at.Add(3 * time.Minute)}}, // back again
		}
		for i, cs := range steps {
			if err := mod.ApplyAll(ctx, cs); err != nil {
				t.Fatal(err)
			}
			want := mod.Index()
			waitFor(t, fmt.Sprintf("the follower to follow approval %d", i+1), func() bool { return sameAnswers(follower.Index(), want, nil) })
		}
		// A stored change taken away (an import can) reverts to the seed.
		if err := modStore.Delete(ctx, directory.ChangesCollection, moved.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the follower to follow the deletion", func() bool {
			o, ok := follower.Index().Org(s1.ID)
			return ok && o.Name == s1.Name
		})

		if n := counted.lists.Load(); n != 1 {
			t.Errorf("the follower listed the changes %d times, want only its first load", n)
		}
		if follower.LogRefreshes() == 0 || counted.sinces.Load() == 0 {
			t.Errorf("the follower caught up %d times by the log (%d Sinces), want some", follower.LogRefreshes(), counted.sinces.Load())
		}
		if follower.Builds() != 1 {
			t.Errorf("the follower built %d indexes, want 1 (the first)", follower.Builds())
		}
		if err := mod.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if !sameAnswers(follower.Index(), mod.Index(), t) {
			t.Error("the follower answers otherwise than the moderator's process")
		}
		// Compacted, since until then an index keeps the BM25 statistics
		// of its build (Index.With).
		if !sameAnswers(follower.Index().Compacted(), freshBuild(t, seed, mod), t) {
			t.Error("the follower answers otherwise than a fresh build of the stored changes")
		}
	})
}

// TestLiveListsWhenTheLogCannotAnswer: a follower whose version the log
// no longer reaches (trimmed past it), or that would have more changes to
// apply than one by one is worth, lists the changes as before and then
// answers as a fresh build; the next approval comes by the log again.
// Refresh is called by hand, so no notification is waited on.
func TestLiveListsWhenTheLogCannotAnswer(t *testing.T) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	const length = 3
	peers(t, length, func(t *testing.T, modStore, followerStore logStore) {
		ctx := context.Background()
		discard := slog.New(slog.DiscardHandler)
		mod := directory.NewLive(seed, modStore, discard)
		if err := mod.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		counted := &listCounter{logStore: followerStore}
		follower := directory.NewLive(seed, counted, discard)
		if err := follower.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		n := 0
		approve := func(k int) {
			t.Helper()
			for range k {
				o := directory.Organisation{ID: fmt.Sprintf("trunc-%03d", n), Name: fmt.Sprintf("Truncation Drug Users Union %d", n),
					Kind: directory.KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
				if err := mod.Apply(ctx, directory.Change{ID: o.ID, Org: &o, At: at.Add(time.Duration(n) * time.Second)}); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
		check := func(what string, lists, fromLog int64) {
			t.Helper()
			if err := follower.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if got := counted.lists.Load(); got != lists {
				t.Errorf("%s: %d listings in all, want %d", what, got, lists)
			}
			if got := follower.LogRefreshes(); got != fromLog {
				t.Errorf("%s: %d refreshes by the log in all, want %d", what, got, fromLog)
			}
			if !sameAnswers(follower.Index().Compacted(), freshBuild(t, seed, mod), t) {
				t.Errorf("%s: the follower answers otherwise than a fresh build of the stored changes", what)
			}
		}

		approve(length + 2) // the log no longer reaches the follower's version
		check("after a truncated log", 2, 0)
		approve(1)
		check("after one more approval", 2, 1)
		approve(length)
		check("after as many approvals as the log holds", 2, 2)
		if follower.Builds() != 1 {
			t.Errorf("the follower built %d indexes, want 1 (a few changes are applied to its index)", follower.Builds())
		}
	})

	// Too many changes for Index.With: listed and built, although the log
	// reaches back.
	peers(t, store.DefaultChangeLogLength, func(t *testing.T, modStore, followerStore logStore) {
		ctx := context.Background()
		discard := slog.New(slog.DiscardHandler)
		counted := &listCounter{logStore: followerStore}
		follower := directory.NewLive(seed, counted, discard)
		if err := follower.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		many := max(64, follower.Index().Len()/200) + 1
		mod := directory.NewLive(seed, modStore, discard)
		var cs []directory.Change
		for i := range many {
			o := directory.Organisation{ID: fmt.Sprintf("bulk-%03d", i), Name: fmt.Sprintf("Bulk Drug Users Union %d", i),
				Kind: directory.KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
			cs = append(cs, directory.Change{ID: o.ID, Org: &o})
		}
		if err := mod.ApplyAll(ctx, cs); err != nil {
			t.Fatal(err)
		}
		if err := follower.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if got := counted.lists.Load(); got != 2 {
			t.Errorf("%d changes: %d listings in all, want 2 (the first load and the import)", many, got)
		}
		if follower.Builds() != 2 || follower.LogRefreshes() != 0 {
			t.Errorf("%d changes: %d builds and %d refreshes by the log, want 2 and 0", many, follower.Builds(), follower.LogRefreshes())
		}
		if !sameAnswers(follower.Index(), freshBuild(t, seed, mod), t) {
			t.Error("the follower answers otherwise than a fresh build of the stored changes")
		}
	})
}

// noLog is a store whose Since says it keeps no change log, as a wrapper
// of a store without one does.
type noLog struct {
	store.Store
	sinces atomic.Int64
}

func (s *noLog) Since(context.Context, string, int64) (map[string][]byte, []string, int64, error) {
	s.sinces.Add(1)
	return nil, nil, 0, fmt.Errorf("no log here: %w", errors.ErrUnsupported)
}

// TestLiveStopsAskingAStoreWithoutALog: a store that answers
// errors.ErrUnsupported is listed as before, and not asked again.
func TestLiveStopsAskingAStoreWithoutALog(t *testing.T) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := &noLog{Store: bothstores.Bolt(t)}
	l := directory.NewLive(seed, st, slog.New(slog.DiscardHandler))
	if err := l.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		o := directory.Organisation{ID: fmt.Sprintf("nolog-%d", i), Name: fmt.Sprintf("No Log Drug Users Union %d", i),
			Kind: directory.KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
		doc, err := json.Marshal(directory.Change{ID: o.ID, Org: &o})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Update(ctx, directory.ChangesCollection, o.ID, func([]byte) ([]byte, error) { return doc, nil }); err != nil {
			t.Fatal(err)
		}
		if err := l.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := l.Index().Org(o.ID); !ok {
			t.Fatalf("refresh %d did not list the new change", i+1)
		}
	}
	if n := st.sinces.Load(); n != 1 {
		t.Errorf("Since was asked %d times, want once", n)
	}
}
