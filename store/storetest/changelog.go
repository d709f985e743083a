package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/unionbot/unionbot/store"
)

// LogStore is a store with a change log, as RunChangeLog tests it.
type LogStore interface {
	store.Store
	store.ChangeLog
}

// RunChangeLog runs the change log's suite (store.ChangeLog). open is called
// once per subtest and must return an empty store whose log keeps length
// writes (distinct ids, when they are) of each collection; it is
// responsible for closing it.
func RunChangeLog(t *testing.T, open func(t *testing.T, length int) LogStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T, length int) LogStore)
	}{
		{"Empty", testSinceEmpty},
		{"WritesAndDeletes", testSinceWritesAndDeletes},
		{"Collections", testSinceCollections},
		{"Truncated", testSinceTruncated},
		{"FollowerUnderConcurrentWriters", testSinceFollower},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// since calls Since and fails the test on an error.
func since(t *testing.T, s LogStore, coll string, v int64) (map[string][]byte, []string, int64) {
	t.Helper()
	changed, removed, now, err := s.Since(ctxFor(t), coll, v)
	if err != nil {
		t.Fatalf("Since(%s, %d): %v", coll, v, err)
	}
	return changed, removed, now
}

// checkSince checks one Since against what it must return: the documents
// by id and the removed ids (in any order).
func checkSince(t *testing.T, s LogStore, coll string, v int64, wantChanged map[string]string, wantRemoved []string, wantNow int64) {
	t.Helper()
	changed, removed, now := since(t, s, coll, v)
	got := map[string]string{}
	for id, b := range changed {
		got[id] = string(b)
	}
	if !maps.Equal(got, wantChanged) {
		t.Errorf("Since(%s, %d) changed = %v, want %v", coll, v, got, wantChanged)
	}
	slices.Sort(removed)
	wantRemoved = slices.Sorted(slices.Values(wantRemoved))
	if !slices.Equal(removed, wantRemoved) {
		t.Errorf("Since(%s, %d) removed = %q, want %q", coll, v, removed, wantRemoved)
	}
	if now != wantNow {
		t.Errorf("Since(%s, %d) now = %d, want %d", coll, v, now, wantNow)
	}
}

func testSinceEmpty(t *testing.T, open func(t *testing.T, length int) LogStore) {
	s := open(t, 100)
	checkSince(t, s, "c", 0, map[string]string{}, nil, 0)
	if _, _, _, err := s.Since(ctxFor(t), "c", 1); !errors.Is(err, store.ErrLogTruncated) {
		t.Errorf("Since(c, 1) of a collection never written: err = %v, want ErrLogTruncated (it is behind the caller)", err)
	}
}

func testSinceWritesAndDeletes(t *testing.T, open func(t *testing.T, length int) LogStore) {
	s := open(t, 100)
	ctx := ctxFor(t)
	for _, id := range []string{"a", "b", "c"} { // versions 1, 2, 3
		if _, err := s.Update(ctx, "c", id, put(id+"1")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, "c", "b"); err != nil { // 4
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "c", "a", put("a2")); err != nil { // 5
		t.Fatal(err)
	}
	// Neither a refused update nor ErrNoChange writes, so neither is logged.
	if _, err := s.Update(ctx, "c", "c", func([]byte) ([]byte, error) { return nil, store.ErrNoChange }); !errors.Is(err, store.ErrNoChange) {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "c", "c", func([]byte) ([]byte, error) { return nil, errors.New("refused") }); err == nil {
		t.Fatal("a refused update succeeded")
	}
	if err := s.Delete(ctx, "c", "never"); err != nil { // 6: a write all the same
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "c", "d", func([]byte) ([]byte, error) { return nil, nil }); err != nil { // 7
		t.Fatal(err)
	}
	mustVersion(t, s, "c", 7)

	checkSince(t, s, "c", 0, map[string]string{"a": "a2", "c": "c1"}, []string{"b", "never", "d"}, 7)
	checkSince(t, s, "c", 3, map[string]string{"a": "a2"}, []string{"b", "never", "d"}, 7)
	checkSince(t, s, "c", 4, map[string]string{"a": "a2"}, []string{"never", "d"}, 7)
	checkSince(t, s, "c", 5, map[string]string{}, []string{"never", "d"}, 7)
	checkSince(t, s, "c", 6, map[string]string{}, []string{"d"}, 7)
	checkSince(t, s, "c", 7, map[string]string{}, nil, 7)
	if _, _, _, err := s.Since(ctx, "c", 8); !errors.Is(err, store.ErrLogTruncated) {
		t.Errorf("Since(c, 8) at version 7: err = %v, want ErrLogTruncated", err)
	}

	// A document written back after its deletion is changed, not removed.
	if _, err := s.Update(ctx, "c", "b", put("b2")); err != nil { // 8
		t.Fatal(err)
	}
	checkSince(t, s, "c", 3, map[string]string{"a": "a2", "b": "b2"}, []string{"never", "d"}, 8)
	checkSince(t, s, "c", 7, map[string]string{"b": "b2"}, nil, 8)
}

func testSinceCollections(t *testing.T, open func(t *testing.T, length int) LogStore) {
	s := open(t, 100)
	ctx := ctxFor(t)
	if _, err := s.Update(ctx, "c", "x", put("1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "d", "y", put("2")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "d", "x"); err != nil {
		t.Fatal(err)
	}
	checkSince(t, s, "c", 0, map[string]string{"x": "1"}, nil, 1)
	checkSince(t, s, "d", 0, map[string]string{"y": "2"}, []string{"x"}, 2)
}

func testSinceTruncated(t *testing.T, open func(t *testing.T, length int) LogStore) {
	s := open(t, 3)
	ctx := ctxFor(t)
	for i := range 10 { // versions 1 … 10, one id each
		if _, err := s.Update(ctx, "c", fmt.Sprintf("k%d", i), put(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []int64{0, 5} {
		if _, _, _, err := s.Since(ctx, "c", v); !errors.Is(err, store.ErrLogTruncated) {
			t.Errorf("Since(c, %d) with a log of 3 at version 10: err = %v, want ErrLogTruncated", v, err)
		}
	}
	checkSince(t, s, "c", 7, map[string]string{"k7": "7", "k8": "8", "k9": "9"}, nil, 10)
	checkSince(t, s, "c", 9, map[string]string{"k9": "9"}, nil, 10)
	// Another id (a store may keep an id rewritten in place without
	// dropping any other).
	if err := s.Delete(ctx, "c", "k0"); err != nil { // 11
		t.Fatal(err)
	}
	checkSince(t, s, "c", 8, map[string]string{"k8": "8", "k9": "9"}, []string{"k0"}, 11)
	if _, _, _, err := s.Since(ctx, "c", 7); !errors.Is(err, store.ErrLogTruncated) {
		t.Errorf("Since(c, 7) after the log moved on: err = %v, want ErrLogTruncated", err)
	}
}

// testSinceFollower has writers update and delete a few ids from several
// goroutines while followers catch up by Since alone, one from the start
// and one from a List taken mid-way (after a Version call, as the contract
// allows). Each must end holding exactly what List returns, at the final
// version: a Since that missed a write landing while it read (or reported a
// version past what it returned) leaves a follower behind for good, since
// later Sinces only look after the version it reported.
func testSinceFollower(t *testing.T, open func(t *testing.T, length int) LogStore) {
	s := open(t, store.DefaultChangeLogLength)
	ctx := ctxFor(t)
	const (
		writers = 6
		writes  = 60
		ids     = 12
	)
	type follower struct {
		state   map[string]string
		version int64
		sinces  int
	}
	catchUp := func(f *follower) error {
		changed, removed, now, err := s.Since(ctx, "c", f.version)
		if err != nil {
			return fmt.Errorf("Since(%d): %w", f.version, err)
		}
		if now < f.version {
			return fmt.Errorf("Since(%d) went back to version %d", f.version, now)
		}
		for id, b := range changed {
			f.state[id] = string(b)
		}
		for _, id := range removed {
			if _, ok := changed[id]; ok {
				return fmt.Errorf("Since(%d): %s both changed and removed", f.version, id)
			}
			delete(f.state, id)
		}
		f.version = now
		f.sinces++
		return nil
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, writers+2)
	for w := range writers {
		wg.Go(func() {
			for i := range writes {
				id := fmt.Sprintf("id%d", (w*7+i*5)%ids)
				var err error
				if i%5 == 4 {
					err = s.Delete(ctx, "c", id)
				} else {
					_, err = s.Update(ctx, "c", id, func(old []byte) ([]byte, error) {
						return fmt.Appendf(nil, "%s+w%d.%d", old, w, i), nil
					})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	fromStart := &follower{state: map[string]string{}}
	var followers sync.WaitGroup
	followers.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := catchUp(fromStart); err != nil {
				errs <- err
				return
			}
		}
	})
	midway := &follower{state: map[string]string{}}
	followers.Go(func() {
		// Not eventually: it must not fail the test from this goroutine.
		var (
			v   int64
			err error
		)
		for v < writes && err == nil {
			v, err = s.Version(ctx, "c")
		}
		if err == nil {
			var docs map[string][]byte
			if docs, err = s.List(ctx, "c"); err == nil {
				for id, b := range docs {
					midway.state[id] = string(b)
				}
				midway.version = v
			}
		}
		for err == nil {
			select {
			case <-stop:
				return
			default:
			}
			err = catchUp(midway)
		}
		errs <- err
	})
	wg.Wait()
	close(stop)
	followers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	docs, err := s.List(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for id, b := range docs {
		want[id] = string(b)
	}
	mustVersion(t, s, "c", writers*writes)
	for name, f := range map[string]*follower{"from the start": fromStart, "from a List mid-way": midway} {
		if err := catchUp(f); err != nil {
			t.Fatal(err)
		}
		if f.version != writers*writes {
			t.Errorf("follower %s: at version %d, want %d", name, f.version, writers*writes)
		}
		if !maps.Equal(f.state, want) {
			t.Errorf("follower %s after %d Sinces holds\n%v\nwant (List)\n%v", name, f.sinces, f.state, want)
		}
	}
	if fromStart.sinces < 3 {
		t.Logf("the follower from the start caught up only %d times while writers ran", fromStart.sinces)
	}
}
