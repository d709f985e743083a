package main

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// TestRedisOutage stops and restarts Redis under traffic: /find keeps
// answering from the in-memory index, a /suggest while Redis is down is
// told to try again in a few minutes and leaves nothing behind, the bot
// reconnects by itself when Redis is back, and no suggestion accepted
// before the outage is lost.
func TestRedisOutage(t *testing.T) {
	rs, tg, _, base := startRedisTelegram(t, "123456:OUTAGE-token", map[string]string{
		"UNIONBOT_LEASE_TTL":   "2s",
		"UNIONBOT_LEASE_RENEW": "200ms",
	})
	const modChat = -100777

	var nextUser atomic.Int64
	nextUser.Store(1000)
	// say sends text from a new user and returns the bot's first answer.
	say := func(text string) string {
		t.Helper()
		u := telegramtest.User{ID: nextUser.Add(1), FirstName: "Person"}
		tg.PushUpdate(telegramtest.TextUpdate(u, telegramtest.PrivateChat(u), text))
		return tgPlainText(tg.WaitFor(t, "sendMessage", telegramtest.ToChat(u.ID), opsWait))
	}
	suggest := func(n int) string {
		return say(fmt.Sprintf("/suggest Outage Test Union %d | Lisbon, Portugal", n))
	}

	// Accepted before the outage.
	for i := 1; i <= 3; i++ {
		if got, want := suggest(i), fmt.Sprintf("Your suggestion is S-%d", i); !strings.Contains(got, want) {
			t.Fatalf("suggestion %d before the outage: %q, want %q", i, got, want)
		}
	}
	// Their cards reach the moderators before Redis goes (so that what
	// follows is about the outage, not about delivery in progress).
	for i := 1; i <= 3; i++ {
		tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(modChat), telegramtest.TextContains(fmt.Sprintf("New suggestion S-%d", i))), opsWait)
	}

	// Traffic: /find from new people all through the outage.
	var (
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		mu      sync.Mutex
		askedBy []int64
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for range 1000 { // bounded, whatever happens
			select {
			case <-stop:
				return
			case <-t.C:
			}
			u := telegramtest.User{ID: nextUser.Add(1), FirstName: "Finder"}
			tg.PushUpdate(telegramtest.TextUpdate(u, telegramtest.PrivateChat(u), "/find Canada"))
			mu.Lock()
			askedBy = append(askedBy, u.ID)
			mu.Unlock()
		}
	}()

	rs.stop()
	outage := time.Now()
	if code, body := opsGet(t, base+"/readyz"); code != 503 || !strings.Contains(body, "store: unreachable") {
		t.Errorf("/readyz during the outage = %d %q; want 503 naming the store", code, body)
	}
	if got := say("/find Vancouver"); !strings.Contains(got, "Vancouver Area Network of Drug Users") {
		t.Errorf("/find during the outage: %q", got)
	}
	for i := range 2 {
		if got := suggest(100 + i); !strings.Contains(got, "try again in a few minutes") {
			t.Errorf("/suggest during the outage: %q; want to be told to try again in a few minutes", got)
		}
	}
	if got := say("/find VANDU"); !strings.Contains(got, "vandu.org") {
		t.Errorf("/find during the outage: %q", got)
	}
	rs.start()
	t.Logf("Redis was down for %v", time.Since(outage).Round(time.Millisecond))

	// The bot reconnects by itself.
	opsEventually(t, "/readyz to be ready again", func() bool {
		code, _ := opsGet(t, base+"/readyz")
		return code == 200
	})
	close(stop)
	wg.Wait()

	// Every /find was answered, outage or not.
	mu.Lock()
	asked := append([]int64(nil), askedBy...)
	mu.Unlock()
	if len(asked) < 10 {
		t.Fatalf("only %d /find sent during the outage", len(asked))
	}
	for _, id := range asked {
		c := tg.WaitFor(t, "sendMessage", telegramtest.ToChat(id), opsWait)
		if !strings.Contains(tgPlainText(c), "Groups for Canada") {
			t.Errorf("/find Canada from %d was answered %q", id, tgPlainText(c))
		}
	}

	// Nothing accepted before the outage was lost, nothing was half
	// written during it: the next suggestion is S-4, and the queue holds
	// exactly S-1 to S-4.
	if got := suggest(4); !strings.Contains(got, "Your suggestion is S-4") {
		t.Fatalf("/suggest after the outage: %q, want S-4", got)
	}
	mod := telegramtest.User{ID: 5001, FirstName: "Mod"}
	tg.PushUpdate(telegramtest.TextUpdate(mod, telegramtest.GroupChat(modChat, "mods"), "/queue"))
	queue := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(modChat), telegramtest.TextContains("waiting for a decision")), opsWait)
	text := tgPlainText(queue)
	if !strings.Contains(text, "4 waiting for a decision") {
		t.Errorf("/queue after the outage: %q; want 4 waiting", text)
	}
	for i := 1; i <= 4; i++ {
		if !strings.Contains(text, fmt.Sprintf("Outage Test Union %d", i)) {
			t.Errorf("/queue after the outage lacks suggestion %d: %q", i, text)
		}
	}
	if strings.Contains(text, "Outage Test Union 10") {
		t.Errorf("a suggestion refused during the outage is in the queue: %q", text)
	}
	// Delivery resumed: S-4's card reaches the moderators (the delivery
	// loop backs off while Redis is down, hence the longer wait).
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(modChat), telegramtest.TextContains("New suggestion S-4")), 3*opsWait)
	// And the store errors were counted.
	if _, m := opsGet(t, base+"/metrics"); !strings.Contains(m, "unionbot_store_errors_total{") {
		t.Errorf("no store errors counted over the outage")
	}
}

func tgPlainText(c telegramtest.Call) string { return telegramtest.PlainText(c.Text()) }
