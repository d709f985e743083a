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

// TestRecordsAreKeyedByTheSecret, on both stores: what moderation keeps
// about a person sits under the keyed hash (bot.People), never under the
// unkeyed one nor with the chat id in clear; outcomes held before the
// upgrade, under the unkeyed hash, still reach their owner.
func TestRecordsAreKeyedByTheSecret(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		secret, err := bot.ButtonSecret(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		people := bot.NewPeople(secret)
		h := newHarness(t, st, Options{PerHour: 10, PerDay: 10, People: people})
		core := h.svc.Wrap(h.bot)
		u1 := &bot.Message{Platform: "test", User: bot.User{ID: "u1"}, Chat: private("u1")}

		mustContain(t, h.say("u1", "/suggest Braga Peers | Braga, Portugal"), "S-1")
		owner := h.item("S-1").Owner
		if owner != people.Key("user", "test", "u1") || owner == legacyUserKey(u1) {
			t.Errorf("owner = %q, want the keyed hash %q", owner, people.Key("user", "test", "u1"))
		}

		// A guided suggestion waits under a hash of person and chat.
		mustContain(t, h.say("u1", "/suggest"), "name")
		want := "dialog:" + people.Key("dialog", "test", "u1\x00chat-u1")
		if strings.Contains(want, "chat-u1") {
			t.Fatalf("dialog key %q holds the chat id", want)
		}
		if _, err := st.Peek(ctx, want); err != nil {
			t.Errorf("guided suggestion not under %s: %v", want, err)
		}
		if _, err := st.Peek(ctx, "dialog:"+legacyUserKey(u1)+":chat-u1"); err == nil {
			t.Error("guided suggestion kept under the old key, with the chat id")
		}
		mustContain(t, h.say("u1", "/cancel"), "Stopped")

		// Outcomes held by an older release, under the unkeyed hash.
		if err := h.svc.hold(ctx, legacyUserKey(u1), "S-7", "Your suggestion S-7 was added."); err != nil {
			t.Fatal(err)
		}
		if err := h.svc.hold(ctx, legacyUserKey(u1), "S-8", "Your suggestion S-8 was not added."); err != nil {
			t.Fatal(err)
		}
		if got := h.say("u1", "/status S-8"); !strings.HasPrefix(got, "Your suggestion S-8 was not added.") {
			t.Errorf("/status S-8 held under the old key = %q", got)
		}
		if got := h.in(core, "u1", private("u1"), "/find Lisbon"); !strings.HasPrefix(got, "Your suggestion S-7 was added.") {
			t.Errorf("first private reply = %q, want the outcome held under the old key", got)
		}
		if h.svc.hasHeld(ctx, legacyUserKey(u1)) {
			t.Error("outcomes under the old key remain after they were shown")
		}
	})
}
