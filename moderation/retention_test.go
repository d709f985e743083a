package moderation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/store"
)

// TestAuditRetention, on both stores: the daily sweep deletes audit
// entries older than AuditRetention, oldest first, and keeps the rest in
// order; a refused attempt names no one.
func TestAuditRetention(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
		h := newHarness(t, st, Options{PerHour: 10, PerDay: 10, AuditRetention: 10 * 24 * time.Hour, Now: clk.now})
		mustContain(t, h.say("u1", "/suggest Faro Peers | Faro, Portugal"), "S-1") // day 0
		clk.add(6 * 24 * time.Hour)
		mustContain(t, h.say("mod1", "/approve S-1"), "approved") // day 6
		// A non-moderator's attempt, on day 6 too.
		h.do(&bot.Message{Platform: "test", Text: "/reject S-1 spam", Moderator: true,
			User: bot.User{ID: "intruder", Name: "Jane Intruder"}, Chat: bot.Chat{ID: "x", Space: "guild"}})
		clk.add(5 * 24 * time.Hour) // day 11: the suggestion is past 10 days
		h.svc.Sweep(ctx)
		var got []string
		entries, err := h.svc.Audit(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			got = append(got, e.Actor+" "+e.Action)
			if strings.Contains(e.Actor+e.Detail, "Intruder") || strings.Contains(e.Actor+e.Detail, "intruder") {
				t.Errorf("a refused person is named: %+v", e)
			}
		}
		want := []string{"test:name-mod1 approved", "test:someone refused reject"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("audit after the sweep = %q, want %q", got, want)
		}
		clk.add(10 * 24 * time.Hour)
		h.svc.Sweep(ctx)
		if entries, _ := h.svc.Audit(ctx, 100); len(entries) != 0 {
			t.Errorf("entries past retention remain: %+v", entries)
		}
	})
}
