package moderation

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/store"
)

// refusing is a moderators' channel that refuses the first n cards, as
// Discord does with 403 Missing Permissions until an admin fixes them (n <
// 0: for ever).
type refusing struct {
	*recorder
	mu sync.Mutex
	n  int
}

func (r *refusing) Send(ctx context.Context, to bot.Address, rep *bot.Reply) (string, error) {
	r.mu.Lock()
	if r.n != 0 {
		r.n--
		r.mu.Unlock()
		r.recorder.wake()
		return "", errors.New("discord: sending a message: HTTP 403 Forbidden, Missing Permissions")
	}
	r.mu.Unlock()
	return r.recorder.Send(ctx, to, rep)
}

// TestRefusedCardsAreRetried: a channel that refuses cards gets each again
// with back-off until it takes it, exactly once; the failures are counted
// and the channel's health shows them while they last.
func TestRefusedCardsAreRetried(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{RetryBase: time.Millisecond, RetryMax: 4 * time.Millisecond, RetryAttempts: 100})
		ch := &refusing{recorder: newRecorder(), n: 3}
		h.svc.AddChannel(Channel{Key: "mods", To: bot.Address{Platform: "test", ChatID: "mods"}, Sender: ch})
		h.run()

		mustContain(t, h.say("u1", "/suggest Viseu Peers | Viseu, Portugal"), "S-1")
		ch.waitFor(t, "the card after three refusals", func() bool { return len(ch.texts()) == 1 })
		mustContain(t, ch.texts()[0], "Viseu Peers")
		if got := h.svc.CardFailures(); got != 3 {
			t.Errorf("CardFailures = %d, want 3", got)
		}
		// The success is noted once the card is recorded and acknowledged.
		deadline := time.Now().Add(10 * time.Second)
		for hs := h.svc.Delivery(); len(hs) != 1 || !hs[0].OK; hs = h.svc.Delivery() {
			if time.Now().After(deadline) {
				t.Fatalf("health after delivery = %+v", hs)
			}
			runtime.Gosched()
		}
		if hs := h.svc.Delivery(); hs[0].Failures != 3 || hs[0].Failing != 0 {
			t.Errorf("health after delivery = %+v", hs)
		}
		// No second card for the same item.
		mustContain(t, h.say("u2", "/suggest Guarda Peers | Guarda, Portugal"), "S-2")
		ch.waitFor(t, "the second card", func() bool { return len(ch.texts()) == 2 })
		for _, s := range ch.texts() {
			if strings.Count(strings.Join(ch.texts(), "\n"), "Viseu Peers") != 1 {
				t.Fatalf("card posted more than once: %q", s)
			}
		}
	})
}

// TestUnreachableModeratorsAreNotPromised: while the only channel refuses
// cards, a suggester is told it is saved, not that a moderator will check;
// with review not set up at all, nothing is taken.
func TestUnreachableModeratorsAreNotPromised(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{RetryBase: time.Millisecond, RetryMax: time.Millisecond, RetryAttempts: 1000000})
		ch := &refusing{recorder: newRecorder(), n: -1}
		h.svc.AddChannel(Channel{Key: "mods", To: bot.Address{Platform: "test", ChatID: "mods"}, Sender: ch})
		h.run()

		mustContain(t, h.say("u1", "/suggest Leiria Peers | Leiria, Portugal"), "will be checked by a volunteer moderator")
		ch.waitFor(t, "a refusal", func() bool { return h.svc.CardFailures() > 0 })
		hs := h.svc.Delivery()
		if len(hs) != 1 || hs[0].OK || !strings.Contains(hs[0].LastError, "403") || hs[0].Since.IsZero() {
			t.Errorf("health while refused = %+v", hs)
		}
		got := h.say("u2", "/suggest Tomar Peers | Tomar, Portugal")
		mustContain(t, got, "S-2", "can't be reached right now")
		if strings.Contains(got, "will be checked") {
			t.Errorf("promised a check while no card gets through: %q", got)
		}
		mustContain(t, h.say("u3", "/report VANDU the website moved"), "can't be reached right now")

		h.svc.SetNoReview("no moderators' chat")
		for _, cmd := range []string{"/suggest Beja Peers | Beja, Portugal", "/suggest", "/report VANDU closed"} {
			mustContain(t, h.say("u4", cmd), "isn't set up on this bot")
		}
		if it, err := h.svc.Get(context.Background(), "S-3"); err == nil {
			t.Errorf("kept a suggestion with review off: %+v", it)
		}
	})
}
