// Package storetest is the conformance suite every store.Store must pass, so
// that unionbot behaves the same on Redis and on bbolt and a test written
// against one implementation holds for the other.
//
// The suite waits only on the store itself (channels, Claim's block) or
// polls with a deadline; it never sleeps, so it is fast when the store is
// and fails with a clear message when it is not.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/store"
)

// timeout bounds every wait of the suite. It is far above what a healthy
// store needs, so it only matters when something is broken.
const timeout = 10 * time.Second

// Run runs the suite. open is called once per subtest and must return an
// empty store; it is responsible for closing it (typically in t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"GetMissing", testGetMissing},
		{"UpdateCreateModifyDelete", testUpdateCreateModifyDelete},
		{"UpdateNoChange", testUpdateNoChange},
		{"UpdateError", testUpdateError},
		{"Delete", testDelete},
		{"Versions", testVersions},
		{"List", testList},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"Subscribe", testSubscribe},
		{"Incr", testIncr},
		{"IncrExpires", testIncrExpires},
		{"KV", testKV},
		{"KVExpires", testKVExpires},
		{"Log", testLog},
		{"LogTrimOldest", testLogTrimOldest},
		{"QueueGroups", testQueueGroups},
		{"QueueBatch", testQueueBatch},
		{"QueueReclaim", testQueueReclaim},
		{"QueueAck", testQueueAck},
		{"QueueEmptyBlocks", testQueueEmptyBlocks},
		{"QueueWokenByPublish", testQueueWokenByPublish},
		{"QueueContext", testQueueContext},
		{"Leases", testLeases},
		{"LeaseExpires", testLeaseExpires},
		{"LeaseRenewSetsExpiry", testLeaseRenewSetsExpiry},
		{"LeaseOneWinner", testLeaseOneWinner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 4*timeout)
	t.Cleanup(cancel)
	return ctx
}

// eventually calls cond until it returns true, failing the test after
// timeout. It is for states the store reaches by itself with time (expiry,
// idle entries), where there is nothing to wait on.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(ctxFor(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testGetMissing(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if _, err := s.Get(ctx, "c", "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get missing doc in missing collection: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Update(ctx, "c", "other", put("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "c", "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get missing doc: err = %v, want ErrNotFound", err)
	}
}

func put(v string) func([]byte) ([]byte, error) {
	return func([]byte) ([]byte, error) { return []byte(v), nil }
}

func mustGet(t *testing.T, s store.Store, coll, id, want string) {
	t.Helper()
	got, err := s.Get(ctxFor(t), coll, id)
	if err != nil {
		t.Fatalf("Get(%s, %s): %v", coll, id, err)
	}
	if string(got) != want {
		t.Fatalf("Get(%s, %s) = %q, want %q", coll, id, got, want)
	}
}

func mustVersion(t *testing.T, s store.Store, coll string, want int64) {
	t.Helper()
	v, err := s.Version(ctxFor(t), coll)
	if err != nil {
		t.Fatalf("Version(%s): %v", coll, err)
	}
	if v != want {
		t.Fatalf("Version(%s) = %d, want %d", coll, v, want)
	}
}

func testUpdateCreateModifyDelete(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	got, err := s.Update(ctx, "c", "a", func(old []byte) ([]byte, error) {
		if old != nil {
			return nil, fmt.Errorf("old = %q for a new document, want nil", old)
		}
		return []byte(`{"v":1}`), nil
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if string(got) != `{"v":1}` {
		t.Fatalf("create returned %q", got)
	}
	mustGet(t, s, "c", "a", `{"v":1}`)

	got, err = s.Update(ctx, "c", "a", func(old []byte) ([]byte, error) {
		if string(old) != `{"v":1}` {
			return nil, fmt.Errorf("old = %q, want the stored document", old)
		}
		return []byte(`{"v":2}`), nil
	})
	if err != nil {
		t.Fatalf("modify: %v", err)
	}
	if string(got) != `{"v":2}` {
		t.Fatalf("modify returned %q", got)
	}
	mustGet(t, s, "c", "a", `{"v":2}`)

	got, err = s.Update(ctx, "c", "a", func([]byte) ([]byte, error) { return nil, nil })
	if err != nil {
		t.Fatalf("delete by nil: %v", err)
	}
	if got != nil {
		t.Fatalf("delete by nil returned %q, want nil", got)
	}
	if _, err := s.Get(ctx, "c", "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after delete by nil: err = %v, want ErrNotFound", err)
	}
}

func testUpdateNoChange(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if _, err := s.Update(ctx, "c", "a", put("one")); err != nil {
		t.Fatal(err)
	}
	got, err := s.Update(ctx, "c", "a", func([]byte) ([]byte, error) {
		return []byte("ignored"), store.ErrNoChange
	})
	if !errors.Is(err, store.ErrNoChange) {
		t.Fatalf("err = %v, want ErrNoChange", err)
	}
	if string(got) != "one" {
		t.Fatalf("ErrNoChange returned %q, want the current value", got)
	}
	mustGet(t, s, "c", "a", "one")
	mustVersion(t, s, "c", 1)

	got, err = s.Update(ctx, "c", "missing", func([]byte) ([]byte, error) { return nil, store.ErrNoChange })
	if !errors.Is(err, store.ErrNoChange) || got != nil {
		t.Fatalf("ErrNoChange on a missing document = %q, %v; want nil, ErrNoChange", got, err)
	}
	mustVersion(t, s, "c", 1)
}

func testUpdateError(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if _, err := s.Update(ctx, "c", "a", put("one")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	_, err := s.Update(ctx, "c", "a", func([]byte) ([]byte, error) { return []byte("two"), boom })
	if err != boom { // not errors.Is: the contract is "returned as is"
		t.Fatalf("err = %v, want fn's error as is", err)
	}
	mustGet(t, s, "c", "a", "one")
	mustVersion(t, s, "c", 1)
}

func testDelete(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if _, err := s.Update(ctx, "c", "a", put("one")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "c", "a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, "c", "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "c", "a"); err != nil {
		t.Fatalf("Delete of a missing document: %v", err)
	}
	if err := s.Delete(ctx, "never", "a"); err != nil {
		t.Fatalf("Delete in a missing collection: %v", err)
	}
}

func testVersions(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	mustVersion(t, s, "c", 0)
	var last int64
	step := func(what string, op func() error) {
		t.Helper()
		if err := op(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		v, err := s.Version(ctx, "c")
		if err != nil {
			t.Fatal(err)
		}
		if v <= last {
			t.Fatalf("after %s: version %d, want more than %d", what, v, last)
		}
		last = v
	}
	step("create", func() error { _, err := s.Update(ctx, "c", "a", put("1")); return err })
	step("modify", func() error { _, err := s.Update(ctx, "c", "a", put("2")); return err })
	step("create another", func() error { _, err := s.Update(ctx, "c", "b", put("1")); return err })
	step("delete by nil", func() error {
		_, err := s.Update(ctx, "c", "b", func([]byte) ([]byte, error) { return nil, nil })
		return err
	})
	step("Delete", func() error { return s.Delete(ctx, "c", "a") })
	mustVersion(t, s, "other", 0)
}

func testList(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	m, err := s.List(ctx, "c")
	if err != nil {
		t.Fatalf("List of a missing collection: %v", err)
	}
	if len(m) != 0 {
		t.Fatalf("List of a missing collection = %v, want empty", m)
	}
	for id, v := range map[string]string{"a": "1", "b": "2", "c": "3"} {
		if _, err := s.Update(ctx, "c", id, put(v)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Update(ctx, "other", "x", put("9")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "c", "c"); err != nil {
		t.Fatal(err)
	}
	m, err = s.List(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || string(m["a"]) != "1" || string(m["b"]) != "2" {
		t.Fatalf("List = %q, want a=1 b=2", m)
	}
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	const workers, each = 20, 5
	type doc struct{ N int }
	incr := func(old []byte) ([]byte, error) {
		var d doc
		if old != nil {
			if err := json.Unmarshal(old, &d); err != nil {
				return nil, err
			}
		}
		d.N++
		return json.Marshal(d)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := s.Update(ctx, "c", "counter", incr); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Update: %v", err)
	}
	got, err := s.Get(ctx, "c", "counter")
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := json.Unmarshal(got, &d); err != nil {
		t.Fatal(err)
	}
	if d.N != workers*each {
		t.Fatalf("N = %d after %d increments: updates were lost", d.N, workers*each)
	}
	mustVersion(t, s, "c", workers*each)
}

func receive(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
	case <-time.After(timeout):
		t.Fatalf("%s: no notification within %v", what, timeout)
	}
}

func testSubscribe(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(ctxFor(t))
	defer cancel()
	a, err := s.Subscribe(ctx, "a")
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	b, err := s.Subscribe(ctx, "b")
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}

	if _, err := s.Update(ctx, "a", "x", put("1")); err != nil {
		t.Fatal(err)
	}
	receive(t, a, "after Update")
	mustVersion(t, s, "a", 1) // the write is visible once announced

	if err := s.Delete(ctx, "b", "x"); err != nil {
		t.Fatal(err)
	}
	receive(t, b, "after Delete")
	select {
	case <-a:
		t.Fatal("a write to b was announced to subscribers of a")
	default:
	}

	// Several writes may be coalesced, but at least one signal arrives.
	for i := range 3 {
		if _, err := s.Update(ctx, "a", "x", put(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	receive(t, a, "after several Updates")

	cancel()
	for _, ch := range []<-chan struct{}{a, b} {
		deadline := time.After(timeout)
	drain:
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					break drain
				}
			case <-deadline:
				t.Fatal("channel still open after ctx ended")
			}
		}
	}
}

func testIncr(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	for want := int64(1); want <= 3; want++ {
		got, err := s.Incr(ctx, "a", 0)
		if err != nil {
			t.Fatalf("Incr: %v", err)
		}
		if got != want {
			t.Fatalf("Incr = %d, want %d", got, want)
		}
	}
	for want := int64(1); want <= 2; want++ {
		got, err := s.Incr(ctx, "b", time.Hour)
		if err != nil {
			t.Fatalf("Incr with ttl: %v", err)
		}
		if got != want {
			t.Fatalf("Incr with ttl = %d, want %d", got, want)
		}
	}
}

func testIncrExpires(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if _, err := s.Incr(ctx, "a", 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the counter's window to end", func() bool {
		v, err := s.Incr(ctx, "a", 5*time.Millisecond)
		if err != nil {
			t.Fatalf("Incr: %v", err)
		}
		return v == 1
	})
}

func testKV(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if _, err := s.Peek(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Peek missing: err = %v, want ErrNotFound", err)
	}
	if err := s.Put(ctx, "k", []byte("one"), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := s.Put(ctx, "k", []byte("two"), time.Hour); err != nil {
		t.Fatalf("Put: %v", err)
	}
	for range 2 { // Peek does not consume
		got, err := s.Peek(ctx, "k")
		if err != nil {
			t.Fatalf("Peek: %v", err)
		}
		if string(got) != "two" {
			t.Fatalf("Peek = %q, want the last value put", got)
		}
	}
	if err := s.Remove(ctx, "k"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := s.Peek(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Peek after Remove: err = %v, want ErrNotFound", err)
	}
	if err := s.Remove(ctx, "k"); err != nil {
		t.Fatalf("Remove of a missing key: %v", err)
	}
}

func testKVExpires(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if err := s.Put(ctx, "k", []byte("v"), 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the value to expire", func() bool {
		_, err := s.Peek(ctx, "k")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Peek: %v", err)
		}
		return err != nil
	})
	// A new value under the key lives on.
	if err := s.Put(ctx, "k", []byte("w"), 0); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Peek(ctx, "k"); err != nil || string(got) != "w" {
		t.Fatalf("Peek after re-Put = %q, %v", got, err)
	}
}

func testLog(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	got, err := s.Tail(ctx, "l", 3)
	if err != nil {
		t.Fatalf("Tail of a missing log: %v", err)
	}
	if len(got) != 0 {
		t.Fatalf("Tail of a missing log = %q", got)
	}
	for i := range 5 {
		if err := s.Append(ctx, "l", []byte(fmt.Sprint(i))); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	if err := s.Append(ctx, "other", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n    int
		want []string
	}{
		{3, []string{"2", "3", "4"}},
		{1, []string{"4"}},
		{10, []string{"0", "1", "2", "3", "4"}},
		{0, []string{}},
	} {
		got, err := s.Tail(ctx, "l", tc.n)
		if err != nil {
			t.Fatalf("Tail(%d): %v", tc.n, err)
		}
		if s := strs(got); !slices.Equal(s, tc.want) {
			t.Fatalf("Tail(%d) = %q, want %q", tc.n, s, tc.want)
		}
	}
}

// testLogTrimOldest: entries go from the oldest end while they are old,
// and stop at the first that is not, even when a later one would match;
// over more than one page of a Redis stream.
func testLogTrimOldest(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	if n, err := s.TrimOldest(ctx, "missing", func([]byte) bool { return true }); err != nil || n != 0 {
		t.Fatalf("TrimOldest of a missing log = %d, %v", n, err)
	}
	// 450 entries "old-i", then "new", then "old-x" after it.
	for i := range 450 {
		if err := s.Append(ctx, "t", []byte(fmt.Sprint("old-", i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []string{"new", "old-x"} {
		if err := s.Append(ctx, "t", []byte(e)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(ctx, "other", []byte("old-other")); err != nil {
		t.Fatal(err)
	}
	isOld := func(b []byte) bool { return strings.HasPrefix(string(b), "old-") }
	n, err := s.TrimOldest(ctx, "t", isOld)
	if err != nil || n != 450 {
		t.Fatalf("TrimOldest = %d, %v; want 450", n, err)
	}
	got, err := s.Tail(ctx, "t", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if g := strs(got); !slices.Equal(g, []string{"new", "old-x"}) {
		t.Fatalf("after trimming: %q, want [new old-x]", g)
	}
	if n, err := s.TrimOldest(ctx, "t", isOld); err != nil || n != 0 {
		t.Errorf("trimming again = %d, %v; want 0", n, err)
	}
	if got, _ := s.Tail(ctx, "other", 10); !slices.Equal(strs(got), []string{"old-other"}) {
		t.Errorf("another log was trimmed: %q", strs(got))
	}
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

// claim calls Claim with a short block and fails the test on error.
func claim(t *testing.T, s store.Store, topic, group, consumer string, n int, minIdle time.Duration) []store.Delivery {
	t.Helper()
	ds, err := s.Claim(ctxFor(t), topic, group, consumer, n, 10*time.Millisecond, minIdle)
	if err != nil {
		t.Fatalf("Claim(%s, %s, %s): %v", topic, group, consumer, err)
	}
	return ds
}

func publish(t *testing.T, s store.Store, topic string, payloads ...string) []string {
	t.Helper()
	var ids []string
	for _, p := range payloads {
		id, err := s.Publish(ctxFor(t), topic, []byte(p))
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		if slices.Contains(ids, id) {
			t.Fatalf("Publish returned id %q twice", id)
		}
		ids = append(ids, id)
	}
	return ids
}

func checkDeliveries(t *testing.T, what string, got []store.Delivery, ids, payloads []string) {
	t.Helper()
	if len(got) != len(ids) {
		t.Fatalf("%s: got %d deliveries %v, want %d", what, len(got), got, len(ids))
	}
	for i, d := range got {
		if d.ID != ids[i] || string(d.Payload) != payloads[i] {
			t.Fatalf("%s: delivery %d = {%s %q}, want {%s %q}", what, i, d.ID, d.Payload, ids[i], payloads[i])
		}
	}
}

const longIdle = time.Hour // a minIdle under which nothing is ever stale in a test

func testQueueGroups(t *testing.T, s store.Store) {
	payloads := []string{"a", "b", "c"}
	ids := publish(t, s, "q", payloads...)
	publish(t, s, "other", "x")
	for _, g := range []string{"g1", "g2"} {
		got := claim(t, s, "q", g, "c1", 10, longIdle)
		checkDeliveries(t, "group "+g, got, ids, payloads)
	}
	// Within a group, what one consumer holds is not handed to another.
	if got := claim(t, s, "q", "g1", "c2", 10, longIdle); len(got) != 0 {
		t.Fatalf("entries held by c1 went to c2 too: %v", got)
	}
	// Later entries reach every group.
	more := publish(t, s, "q", "d")
	for _, g := range []string{"g1", "g2"} {
		checkDeliveries(t, "group "+g+" after a new Publish", claim(t, s, "q", g, "c2", 10, longIdle), more, []string{"d"})
	}
}

func testQueueBatch(t *testing.T, s store.Store) {
	payloads := []string{"a", "b", "c"}
	ids := publish(t, s, "q", payloads...)
	checkDeliveries(t, "first batch", claim(t, s, "q", "g", "c", 2, longIdle), ids[:2], payloads[:2])
	checkDeliveries(t, "second batch", claim(t, s, "q", "g", "c", 2, longIdle), ids[2:], payloads[2:])
}

func testQueueReclaim(t *testing.T, s store.Store) {
	ids := publish(t, s, "q", "a")
	checkDeliveries(t, "first delivery", claim(t, s, "q", "g", "crashed", 1, longIdle), ids, []string{"a"})
	// "crashed" never acks; once the entry has been idle for minIdle,
	// another consumer gets it, with the same id.
	var got []store.Delivery
	eventually(t, "the unacknowledged entry to be reclaimed", func() bool {
		got = claim(t, s, "q", "g", "rescuer", 1, time.Millisecond)
		return len(got) > 0
	})
	checkDeliveries(t, "redelivery", got, ids, []string{"a"})
	// Stale entries come before new ones.
	newer := publish(t, s, "q", "b")
	eventually(t, "the reclaimed entry to be reclaimed again, first", func() bool {
		got = claim(t, s, "q", "g", "third", 2, time.Millisecond)
		return len(got) == 2
	})
	checkDeliveries(t, "stale then new", got, append(ids, newer...), []string{"a", "b"})
}

func testQueueAck(t *testing.T, s store.Store) {
	ids := publish(t, s, "q", "a", "b")
	got := claim(t, s, "q", "g", "c1", 10, longIdle)
	checkDeliveries(t, "delivery", got, ids, []string{"a", "b"})
	for _, d := range got {
		if err := s.Ack(ctxFor(t), "q", "g", d.ID); err != nil {
			t.Fatalf("Ack: %v", err)
		}
	}
	if err := s.Ack(ctxFor(t), "q", "g", ids[0]); err != nil {
		t.Fatalf("second Ack: %v", err)
	}
	// The first Claim blocks for longer than minIdle, so had the entries
	// stayed pending the second would reclaim them.
	for i := range 2 {
		if got := claim(t, s, "q", "g", "c2", 10, time.Millisecond); len(got) != 0 {
			t.Fatalf("Claim %d after Ack redelivered %v", i, got)
		}
	}
	// Acks are per group.
	checkDeliveries(t, "other group", claim(t, s, "q", "g2", "c1", 10, longIdle), ids, []string{"a", "b"})
}

func testQueueEmptyBlocks(t *testing.T, s store.Store) {
	const block = 50 * time.Millisecond
	for _, what := range []string{"missing topic", "drained topic"} {
		start := time.Now()
		got, err := s.Claim(ctxFor(t), "q", "g", "c", 10, block, longIdle)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("%s: Claim: %v", what, err)
		}
		if len(got) != 0 {
			t.Fatalf("%s: Claim = %v, want nothing", what, got)
		}
		// Redis rounds BLOCK to milliseconds; allow a little slack.
		if elapsed < block-5*time.Millisecond {
			t.Fatalf("%s: Claim returned after %v, before its block of %v", what, elapsed, block)
		}
		if elapsed > timeout {
			t.Fatalf("%s: Claim took %v with a block of %v", what, elapsed, block)
		}
		if what == "missing topic" {
			publish(t, s, "q", "a")
			if got := claim(t, s, "q", "g", "c", 10, longIdle); len(got) != 1 {
				t.Fatalf("Claim after Publish = %v, want one entry", got)
			}
		}
	}
}

func testQueueWokenByPublish(t *testing.T, s store.Store) {
	const block = time.Minute
	// Create the group and drain nothing, so the next Claim has to wait.
	claim(t, s, "q", "g", "c", 1, longIdle)
	type result struct {
		ds  []store.Delivery
		err error
	}
	done := make(chan result, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		ds, err := s.Claim(ctxFor(t), "q", "g", "c", 1, block, longIdle)
		done <- result{ds, err}
	}()
	<-started
	ids := publish(t, s, "q", "a")
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Claim: %v", r.err)
		}
		checkDeliveries(t, "woken Claim", r.ds, ids, []string{"a"})
	case <-time.After(timeout):
		t.Fatalf("a Claim blocked for %v was not woken by Publish within %v", block, timeout)
	}
}

func testQueueContext(t *testing.T, s store.Store) {
	const block = time.Minute
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctxFor(t), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		got, err := s.Claim(ctx, "q", "g", "c", 1, block, longIdle)
		if !errors.Is(err, context.DeadlineExceeded) || len(got) != 0 {
			t.Fatalf("Claim past its ctx deadline = %v, %v; want nothing, DeadlineExceeded", got, err)
		}
		if elapsed := time.Since(start); elapsed > timeout {
			t.Fatalf("Claim took %v to notice its ctx deadline", elapsed)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctxFor(t))
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := s.Claim(ctx, "q", "g", "c", 1, block, longIdle)
			done <- err
		}()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled Claim: err = %v, want Canceled", err)
			}
		case <-time.After(timeout):
			t.Fatalf("Claim did not return within %v of its ctx being cancelled", timeout)
		}
		if elapsed := time.Since(start); elapsed > timeout {
			t.Fatalf("Claim took %v to notice cancellation", elapsed)
		}
	})
}

func mustAcquire(t *testing.T, s store.Store, name, holder string, ttl time.Duration, want bool) {
	t.Helper()
	got, err := s.Acquire(ctxFor(t), name, holder, ttl)
	if err != nil {
		t.Fatalf("Acquire(%s, %s): %v", name, holder, err)
	}
	if got != want {
		t.Fatalf("Acquire(%s, %s) = %v, want %v", name, holder, got, want)
	}
}

func testLeases(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	mustAcquire(t, s, "poller", "a", time.Hour, true)
	mustAcquire(t, s, "poller", "b", time.Hour, false)
	mustAcquire(t, s, "poller", "a", time.Hour, true) // a renewal
	mustAcquire(t, s, "other", "b", time.Hour, true)  // names are independent
	// Only the holder can release.
	if err := s.Release(ctx, "poller", "b"); err != nil {
		t.Fatalf("Release by a non-holder: %v", err)
	}
	mustAcquire(t, s, "poller", "b", time.Hour, false)
	if err := s.Release(ctx, "poller", "a"); err != nil {
		t.Fatalf("Release: %v", err)
	}
	mustAcquire(t, s, "poller", "b", time.Hour, true)
	mustAcquire(t, s, "poller", "a", time.Hour, false)
	// Releasing what no one holds is not an error.
	if err := s.Release(ctx, "never", "a"); err != nil {
		t.Fatalf("Release of a lease never taken: %v", err)
	}
	if err := s.Release(ctx, "poller", "a"); err != nil {
		t.Fatalf("Release by a former holder: %v", err)
	}
	mustAcquire(t, s, "poller", "a", time.Hour, false)
}

func testLeaseExpires(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	mustAcquire(t, s, "poller", "a", 20*time.Millisecond, true)
	eventually(t, "the lease of a holder that stopped renewing to pass to another", func() bool {
		ok, err := s.Acquire(ctx, "poller", "b", time.Hour)
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		return ok
	})
	mustAcquire(t, s, "poller", "a", time.Hour, false)
}

// testLeaseRenewSetsExpiry checks that a renewal sets the expiry anew
// rather than keeping the first one: a lease taken for an hour and renewed
// for a moment expires after the moment.
func testLeaseRenewSetsExpiry(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	mustAcquire(t, s, "poller", "a", time.Hour, true)
	mustAcquire(t, s, "poller", "a", 20*time.Millisecond, true)
	eventually(t, "the renewed lease to expire", func() bool {
		ok, err := s.Acquire(ctx, "poller", "b", time.Hour)
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		return ok
	})
}

func testLeaseOneWinner(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	const n = 16
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		won  []string
		errs []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := fmt.Sprintf("h%d", i)
			ok, err := s.Acquire(ctx, "race", holder, time.Hour)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				won = append(won, holder)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("Acquire: %v", errs[0])
	}
	if len(won) != 1 {
		t.Fatalf("%d holders acquired one free lease at once (%q), want exactly 1", len(won), won)
	}
}
