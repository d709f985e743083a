package moderation

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/store"
)

func TestStats(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		var mu sync.Mutex
		now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
		h := newHarness(t, st, Options{Now: clock})
		ctx := context.Background()

		if got, err := h.svc.Stats(ctx); err != nil || got != (Stats{}) {
			t.Fatalf("Stats of an empty queue = %+v, %v; want zero", got, err)
		}
		h.say("u1", "/suggest Lisbon Drug Users Union | Lisbon, Portugal")
		advance(time.Hour)
		h.say("u2", "/suggest Faro Peer Network | Faro, Portugal")
		advance(30 * time.Minute)
		got, err := h.svc.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Stats{Pending: 2, OldestPending: 90 * time.Minute}); got != want {
			t.Fatalf("Stats = %+v, want %+v", got, want)
		}
		if got := h.say("mod1", "/approve S-1"); !strings.Contains(got, "approved") {
			t.Fatalf("/approve S-1: %q", got)
		}
		got, err = h.svc.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Stats{Pending: 1, OldestPending: 30 * time.Minute}); got != want {
			t.Fatalf("Stats after deciding the oldest = %+v, want %+v", got, want)
		}
	})
}
