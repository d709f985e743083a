package directory_test

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store/bothstores"
)

// TestLiveApprovalsAreIncremental applies moderators' changes through one
// Live over a real store and checks that it derives each next index
// (Steps) rather than rebuilding (Builds), that a second Live on the same
// store, following by notification, derives its own the same way, and
// that both answer alike, and as a fresh build of the stored changes
// does once compacted.
func TestLiveApprovalsAreIncremental(t *testing.T) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	st := bothstores.Bolt(t)
	discard := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mod := directory.NewLive(seed, st, discard)
	if err := mod.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	other := directory.NewLive(seed, st, discard)
	other.CheckEvery = time.Hour // it must follow by notification
	done := make(chan struct{})
	go func() { other.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the second process's first build", func() bool { return other.Builds() == 1 })

	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s0, s1, s2 := seed.Organisations[0], seed.Organisations[1], seed.Organisations[2]
	added := directory.Organisation{ID: "live-added", Name: "Live Added Drug Users Union", Acronym: "LADUU",
		Kind: directory.KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
	moved := s1
	moved.Name += " Moved"
	if moved.Kind == directory.KindLocal || moved.Kind == directory.KindNational {
		moved.Countries, moved.City, moved.Province, moved.Coordinates, moved.Serves = []string{"FR"}, "Paris", "", nil, nil
	}
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
		if got := mod.Steps(); got != int64(i+1) {
			t.Errorf("after approval %d: %d incremental steps, want %d", i+1, got, i+1)
		}
		want := mod.Index()
		waitFor(t, "the second process to follow", func() bool { return sameAnswers(other.Index(), want, nil) })
	}
	if mod.Builds() != 1 || other.Builds() != 1 {
		t.Errorf("builds: %d and %d, want 1 each (the first)", mod.Builds(), other.Builds())
	}
	if other.Steps() == 0 {
		t.Error("the second process never derived an index from the notifications")
	}
	// A stored change taken away (an import can) reverts to the seed.
	if err := st.Delete(ctx, directory.ChangesCollection, moved.ID); err != nil {
		t.Fatal(err)
	}
	if err := mod.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if o, ok := mod.Index().Org(s1.ID); !ok || o.Name != s1.Name {
		t.Errorf("after the change was deleted, %s is %v, want the seed's record", s1.ID, o)
	}
	stored, err := mod.Changes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var list []directory.Change
	for _, c := range stored {
		list = append(list, c)
	}
	fresh := directory.Build(seed, directory.Merge(seed.Organisations, list))
	// Compacted, since until then the index keeps the BM25 statistics of
	// its build (Index.With).
	if !sameAnswers(mod.Index().Compacted(), fresh, t) {
		t.Error("the incremental index answers otherwise than a fresh build of the stored changes")
	}
	want := mod.Index()
	waitFor(t, "the second process to follow the deletion", func() bool { return sameAnswers(other.Index(), want, nil) })
}

// sameAnswers reports whether a and b answer a set of searches alike,
// reporting the differences to t if not nil.
func sameAnswers(a, b *directory.Index, t *testing.T) bool {
	same := a.Len() == b.Len()
	qs := []string{"Vancouver", "Paris", "Canada", "France", "drug users union", "LADUU", "live added", "Europe", "moved"}
	b.Orgs(func(o *directory.Organisation) bool {
		qs = append(qs, o.Name, o.ID)
		return true
	})
	for _, q := range qs {
		if ga, gb := a.Search(q), b.Search(q); !reflect.DeepEqual(ga, gb) {
			same = false
			if t != nil {
				t.Errorf("Search(%q) differs", q)
			}
		}
	}
	for _, p := range []string{"li", "dr", "va", "pa"} {
		if ga, gb := a.Autocomplete(p, 20), b.Autocomplete(p, 20); !slices.Equal(ga, gb) {
			same = false
			if t != nil {
				t.Errorf("Autocomplete(%q) = %q, want %q", p, ga, gb)
			}
		}
	}
	return same
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLiveCompactsInTheBackground approves enough changes for Live to
// compact its index off the approvals' path, and checks that it did and
// that the compacted index answers as a fresh build of the stored changes.
func TestLiveCompactsInTheBackground(t *testing.T) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l := directory.NewLive(seed, bothstores.Bolt(t), slog.New(slog.DiscardHandler))
	if err := l.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var list []directory.Change
	for i := range 300 {
		o := directory.Organisation{ID: fmt.Sprintf("bulk-%03d", i), Name: fmt.Sprintf("Bulk Drug Users Union %d", i),
			Kind: directory.KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
		c := directory.Change{ID: o.ID, Org: &o, At: at.Add(time.Duration(i) * time.Second)}
		list = append(list, c)
		if err := l.Apply(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "a compaction", func() bool { return l.Compactions() > 0 })
	if l.Builds() != 1 {
		t.Errorf("%d builds, want 1 (the first)", l.Builds())
	}
	// Compacted again: the changes after the background compaction are
	// With's, on its statistics.
	got := l.Index().Compacted()
	if !sameAnswers(got, directory.Build(seed, directory.Merge(seed.Organisations, list)), t) {
		t.Error("the compacted index answers otherwise than a fresh build")
	}
}
