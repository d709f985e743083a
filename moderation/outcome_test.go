package moderation

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/store"
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// in sends text from user in a chat and returns the rendered reply,
// through the core as adapters see it (held outcomes included).
func (h *harness) in(core *Core, user string, chat bot.Chat, text string) string {
	h.t.Helper()
	rep, err := core.Handle(context.Background(), &bot.Message{Platform: "test", Text: text,
		User: bot.User{ID: user, Name: "name-" + user}, Chat: chat})
	if err != nil {
		h.t.Fatal(err)
	}
	if rep == nil {
		return ""
	}
	return render(rep)
}

var (
	group   = bot.Chat{ID: "group-1"} // a Telegram group: everyone reads replies
	private = func(u string) bot.Chat { return bot.Chat{ID: "chat-" + u, Private: true} }
)

// TestUndeliverableOutcomeIsHeldNotPosted: a suggestion sent from a group
// by someone the bot cannot write to privately (Telegram: they never
// started it). The reject reason is never posted in the group; it waits
// for them, is shown once when they next write privately, and not again.
func TestUndeliverableOutcomeIsHeldNotPosted(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 10, PerDay: 10})
		core := h.svc.Wrap(h.bot)
		user := newRecorder()
		h.svc.AddSender("test", dmRefuser{user})

		got := h.in(core, "u1", group, "/suggest Braga Peers | Braga, Portugal")
		mustContain(t, got, "S-1", "private message", "/status S-1")
		if strings.Contains(got, "tell you here") {
			t.Errorf("a group is promised the outcome: %q", got)
		}
		mustContain(t, h.say("mod1", "/reject S-1 not run by people who use drugs"), "S-1 rejected")
		if n := len(user.texts()); n != 0 {
			t.Fatalf("outcome sent %d times, to %+v; want it held", n, user.to)
		}
		it := h.item("S-1")
		if it.Submitter != nil || it.Owner == "" {
			t.Errorf("after holding: submitter %+v, owner %q; want ids gone, the hash kept", it.Submitter, it.Owner)
		}
		// In the group, /status points to a private chat and says nothing.
		st1 := h.in(core, "u1", group, "/status S-1")
		mustContain(t, st1, "private chat")
		if strings.Contains(st1, "not run by") {
			t.Errorf("reason shown in a group: %q", st1)
		}
		// Someone else learns only that it was decided.
		other := h.in(core, "u2", private("u2"), "/status S-1")
		mustContain(t, other, "S-1 was decided on")
		if strings.Contains(other, "not run by") || strings.Contains(other, "Braga Peers") {
			t.Errorf("someone else sees the outcome: %q", other)
		}
		// The sender's next private message shows it first, once.
		first := h.in(core, "u1", private("u1"), "/find Lisbon")
		if !strings.HasPrefix(first, "Your suggestion S-1 (Braga Peers) was not added. The moderator said: not run by people who use drugs.") {
			t.Errorf("first private reply = %q, want the held outcome first", first)
		}
		if again := h.in(core, "u1", private("u1"), "/find Lisbon"); strings.Contains(again, "S-1") {
			t.Errorf("held outcome shown twice: %q", again)
		}
		if it := h.item("S-1"); it.Owner != "" {
			t.Errorf("owner hash kept after the outcome was shown: %q", it.Owner)
		}
	})
}

// TestHeldOutcomeByStatusAndExpiry: /status in private gives the held
// outcome; one nobody asked for expires after OutcomeTTL and is swept.
func TestHeldOutcomeByStatusAndExpiry(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		clk := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
		h := newHarness(t, st, Options{PerHour: 10, PerDay: 10, OutcomeTTL: 48 * time.Hour, Now: clk.now})
		core := h.svc.Wrap(h.bot)
		h.svc.AddSender("test", dmRefuser{newRecorder()})
		h.in(core, "u1", group, "/suggest Faro Peers | Faro, Portugal")
		h.in(core, "u1", group, "/report VANDU the website moved")
		mustContain(t, h.say("mod1", "/approve S-1"), "approved")
		mustContain(t, h.say("mod1", "/reject R-1 it did not move"), "rejected")

		// Through the core alone, so that only what /status says is seen
		// (the wrapped core would add S-1's held outcome, as it should).
		got := h.say("u1", "/status R-1")
		if !strings.HasPrefix(got, "Your report R-1 on Vancouver Area Network of Drug Users was closed without a change. The moderator said: it did not move.") {
			t.Errorf("/status R-1 = %q", got)
		}
		// S-1 is still held; past its time it is gone.
		clk.add(49 * time.Hour)
		h.svc.Sweep(context.Background())
		if _, err := h.st.Get(context.Background(), heldColl, h.item("S-1").Owner); err == nil {
			t.Error("expired outcome not swept")
		}
		if got := h.in(core, "u1", private("u1"), "/find Lisbon"); strings.Contains(got, "S-1") {
			t.Errorf("expired outcome shown: %q", got)
		}
	})
}

// TestModeratorCommandsStayAmongModerators: a moderator's /queue or
// /audit in a group others read gets a pointer, not the queue; in the
// moderators' chat and in private it works.
func TestModeratorCommandsStayAmongModerators(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		core := h.svc.Wrap(h.bot)
		h.svc.AddChannel(Channel{Key: "mods", To: bot.Address{Platform: "test", ChatID: "mods-chat"}, Sender: newRecorder()})
		h.say("u1", "/suggest Setubal Peers | Setubal, Portugal")
		for _, cmd := range []string{"/queue", "/audit", "/approve S-1", "/reject S-1 no", "/edit S-1 name X Y", "/remove VANDU"} {
			got := h.in(core, "mod1", group, cmd)
			mustContain(t, got, "only in the moderators' chat or in a private chat")
			if strings.Contains(got, "Setubal") {
				t.Errorf("%s in a group shows the queue: %q", cmd, got)
			}
		}
		if it := h.item("S-1"); it.Status != Pending {
			t.Fatalf("decided from a group: %s", it.Status)
		}
		mustContain(t, h.in(core, "mod1", bot.Chat{ID: "mods-chat"}, "/queue"), "Setubal Peers")
		mustContain(t, h.in(core, "mod1", private("mod1"), "/audit"), "suggested S-1")
	})
}
