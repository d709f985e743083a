package moderation

import (
	"context"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/store"
)

func field(c *bot.Card, name string) (string, bool) {
	for _, f := range c.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// TestSuggestionCardSaysWhatAModeratorNeeds: what was suggested, the
// likely duplicates with a /org link, the look-alike warnings and how many
// the sender sent today, never who they are; as text and as a card, with a
// green Approve and a red Reject.
func TestSuggestionCardSaysWhatAModeratorNeeds(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 10, PerDay: 10})
		h.say("u1", "/suggest Paris Peers | Paris, France")
		mustContain(t, h.say("u1", "/suggest АЅՍᎠ | Paris, France | https://asud-paris.example.org | self-support"), "S-2")
		rep := h.svc.card(h.dir.Index(), h.item("S-2"), "en")
		text := render(rep)
		mustContain(t, text, "New suggestion S-2", "АЅՍᎠ", "Place: Paris, Île-de-France, France",
			"Possible duplicate of: Auto-Support des Usagers de Drogues (ASUD) — Paris, France (/org asud)",
			"Look-alike: the name “АЅՍᎠ” reads like ASUD",
			"Suggestions and reports from this person today, this one included: 2")
		if strings.Contains(text, "u1") || strings.Contains(text, "name-u1") {
			t.Errorf("the card names the sender: %q", text)
		}
		c := rep.Blocks[1].Card
		if c == nil || c.Kind != "suggestion" || c.Title != "АЅՍᎠ" || c.Description != "self-support" || c.URL != "" {
			t.Fatalf("card = %+v", c)
		}
		for name, want := range map[string]string{
			"Place":                     "Paris, Île-de-France, France",
			"Links":                     "https://asud-paris.example.org",
			"Possible duplicates":       "(/org asud)",
			"Look-alike warnings":       "reads like ASUD",
			"Sent today by this person": "2",
		} {
			if v, ok := field(c, name); !ok || !strings.Contains(v, want) {
				t.Errorf("field %q = %q, want %q", name, v, want)
			}
		}
		b := rep.Buttons[0]
		if b[0].Data != "/approve S-2" || b[0].Style != bot.ButtonSuccess || b[1].Data != "/reject S-2" || b[1].Style != bot.ButtonDanger {
			t.Errorf("buttons = %+v", b)
		}
	})
}

// TestReportCardNamesThePlaceAndTheChange: a report card shows the listing
// as it is, its place (not the group's name twice), and what approving
// would change.
func TestReportCardNamesThePlaceAndTheChange(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.say("u1", "/report VANDU the website moved to https://vandu.example.org"), "R-1")
		text := render(h.svc.card(h.dir.Index(), h.item("R-1"), "en"))
		if strings.Contains(text, "Place: Vancouver Area Network") {
			t.Errorf("the place names the group: %q", text)
		}
		mustContain(t, text, "Report R-1 on Vancouver Area Network of Drug Users", "website moved",
			"Current entry:", "Place: Vancouver, British Columbia, Canada", "vandu.org",
			"Approving would change:", "Nothing in the listing changes unless a moderator corrects it first with /edit.")

		mustContain(t, h.say("mod1", "/edit R-1 website https://vandu.example.org"), "R-1 updated")
		rep := h.svc.card(h.dir.Index(), h.item("R-1"), "en")
		mustContain(t, render(rep), "Links: http://www.vandu.org → https://vandu.example.org")
		if v, _ := field(rep.Blocks[1].Card, "Approving would change:"); !strings.Contains(v, "→ https://vandu.example.org") {
			t.Errorf("card field for the change = %q", v)
		}
	})
}

// TestRejectButtonAsksForTheReason: pressing Reject asks for a reason (a
// one-field form: a modal on Discord, a ForceReply on Telegram); its answer,
// like a typed "/reject S-1 <reason>", rejects with the reason, and the
// reason reaches the suggester.
func TestRejectButtonAsksForTheReason(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 10, PerDay: 10})
		user := newRecorder()
		h.svc.AddSender("test", user)
		h.say("u1", "/suggest Porto Peers | Porto, Portugal")
		mod := func(m *bot.Message) *bot.Reply {
			m.Platform, m.User, m.Chat = "test", bot.User{ID: "mod1", Name: "mod1"}, bot.Chat{ID: "chat-mod1", Private: true}
			rep, err := h.bot.Handle(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		// The press as the core hands it on once it has checked the
		// button's signature (bot/press.go) and who pressed it.
		rep, err := h.svc.reject(context.Background(), &bot.Message{Platform: "test", Text: "/reject S-1", Pressed: true, Moderator: true,
			User: bot.User{ID: "mod1", Name: "mod1"}, Chat: bot.Chat{ID: "chat-mod1", Private: true}, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Form == nil || rep.Form.ID != "/reject S-1" || len(rep.Form.Fields) != 1 || rep.Form.Fields[0].Name != "reason" {
			t.Fatalf("press on Reject = %+v, want a one-field form for the reason", rep)
		}
		if h.item("S-1").Status != Pending {
			t.Fatal("rejected before the reason was given")
		}
		// The answer, as the Telegram adapter turns the ForceReply reply.
		mustContain(t, render(mod(&bot.Message{Text: "/reject S-1", Form: map[string]string{"reason": "not peer-run"}})), "S-1 rejected")
		user.waitFor(t, "the outcome", func() bool { return len(user.texts()) == 1 })
		mustContain(t, user.texts()[0], "The moderator said: not peer-run")

		// Typed in one go.
		h.say("u2", "/suggest Braga Peers | Braga, Portugal")
		mustContain(t, render(mod(&bot.Message{Text: "/reject S-2 already listed as BPU"})), "S-2 rejected")
		user.waitFor(t, "the second outcome", func() bool { return len(user.texts()) == 2 })
		mustContain(t, user.texts()[1], "The moderator said: already listed as BPU")
	})
}
