package main

import (
	"context"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/bothstores"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

// TestLegacyKeysWindow, on both stores: a new store never looks under the
// old unkeyed keys; a store an older release used (it has a button secret)
// looks for legacyWindow after the first start with keyed hashes, and a
// later start keeps that first date.
func TestLegacyKeysWindow(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"bolt", func(t *testing.T) store.Store { return bothstores.Bolt(t) }},
		{"redis", func(t *testing.T) store.Store { return redistest.MustOpen(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			fresh := tc.open(t)
			if u, err := legacyKeysUntil(ctx, fresh, t0); err != nil || !u.IsZero() {
				t.Errorf("new store: %v, %v; want no window", u, err)
			}
			if _, err := bot.ButtonSecret(ctx, fresh); err != nil {
				t.Fatal(err)
			}
			if u, _ := legacyKeysUntil(ctx, fresh, t0.Add(time.Hour)); !u.IsZero() {
				t.Errorf("new store, second start: window until %v", u)
			}

			used := tc.open(t)
			if _, err := bot.ButtonSecret(ctx, used); err != nil { // an older release's start
				t.Fatal(err)
			}
			if u, err := legacyKeysUntil(ctx, used, t0); err != nil || !u.Equal(t0.Add(legacyWindow)) {
				t.Errorf("used store: %v, %v; want %v", u, err, t0.Add(legacyWindow))
			}
			if u, _ := legacyKeysUntil(ctx, used, t0.Add(48*time.Hour)); !u.Equal(t0.Add(legacyWindow)) {
				t.Errorf("used store, later start: %v; want the first start's window", u)
			}
		})
	}
}
