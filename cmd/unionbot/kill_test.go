package main

// The real binary killed with SIGKILL at the two points where a crash
// could lose or double what moderation owes someone: after an item is
// saved and before its card is sent, and after a decision and before its
// outcome is sent. The fake Telegram holds that one sendMessage, so the
// kill lands exactly there; a new process on the same Redis must then
// deliver the card, and the outcome, exactly once.

import (
	"strconv"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

func TestKilledBetweenSaveAndCardAndBetweenDecisionAndOutcome(t *testing.T) {
	st := redistest.MustOpen(t) // skips without Redis, fails under CI=true
	bin := buildUnionbot(t)
	tg := telegramtest.New(t, replicaToken)
	env := map[string]string{
		"UNIONBOT_REDIS_URL":             redistest.URL(),
		"UNIONBOT_REDIS_PREFIX":          st.Prefix(),
		"UNIONBOT_HTTP_ADDR":             "127.0.0.1:0",
		"UNIONBOT_LOG_FORMAT":            "json",
		"UNIONBOT_TELEGRAM_TOKEN":        replicaToken,
		"UNIONBOT_TELEGRAM_API_ENDPOINT": tg.Endpoint(),
		"UNIONBOT_TELEGRAM_MOD_CHAT":     strconv.FormatInt(replicaModChat, 10),
		"UNIONBOT_TELEGRAM_MODERATORS":   strconv.FormatInt(replicaModUser, 10),
		"UNIONBOT_LEASE_TTL":             "2s",
		"UNIONBOT_LEASE_RENEW":           "200ms",
		"UNIONBOT_QUEUE_CLAIM_IDLE":      "1s",
	}
	alice := telegramtest.User{ID: 4242424242, FirstName: "Alice"}
	mod := telegramtest.User{ID: replicaModUser, FirstName: "Modesta"}
	isCard := telegramtest.All(telegramtest.ToChat(replicaModChat), telegramtest.TextContains("New suggestion S-1"))
	isOutcome := telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("your suggestion S-1"))
	count := func(match func(telegramtest.Call) bool) (ok, held int) {
		for _, c := range tg.Calls("sendMessage") {
			switch {
			case !match(c):
			case c.OK():
				ok++
			case c.Status == 499:
				held++
			}
		}
		return ok, held
	}

	// 1. Saved, and killed while its card is on the way.
	p1 := startReplica(t, bin, "p1", env)
	tg.WaitPolling(t, opsWait)
	cardHold := tg.HoldNext("sendMessage", isCard)
	id := tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice),
		"/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("Your suggestion is S-1")), opsWait)
	cardHold.Wait(t, opsWait)
	tg.WaitAcked(t, id, opsWait) // else the new process would read the /suggest again
	p1.kill(t)

	// A new process on the same store delivers it, once.
	p2 := startReplica(t, bin, "p2", env)
	tg.WaitFor(t, "sendMessage", telegramtest.All(isCard, telegramtest.Succeeded), 3*opsWait)
	if ok, held := count(isCard); ok != 1 || held != 1 {
		t.Errorf("card of S-1: delivered %d times and held %d; want once each", ok, held)
	}
	// The queue holds it, once, and nothing else.
	tg.PushUpdate(telegramtest.TextUpdate(mod, telegramtest.GroupChat(replicaModChat, "mods"), "/queue"))
	queue := telegramtest.PlainText(tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(replicaModChat), telegramtest.TextContains("waiting for a decision")), opsWait).Text())
	if !strings.Contains(queue, "1 waiting for a decision") || strings.Count(queue, "Lisbon Drug Users Union") != 1 {
		t.Errorf("/queue after the kill: %q; want S-1 alone, once", queue)
	}

	// 2. Decided, and killed while the outcome is on the way.
	outcomeHold := tg.HoldNext("sendMessage", isOutcome)
	id = tg.PushUpdate(telegramtest.TextUpdate(mod, telegramtest.GroupChat(replicaModChat, "mods"), "/approve S-1"))
	outcomeHold.Wait(t, opsWait)
	tg.WaitAcked(t, id, opsWait)
	p2.kill(t)

	// A new process tells Alice, once.
	startReplica(t, bin, "p3", env)
	tg.WaitFor(t, "sendMessage", telegramtest.All(isOutcome, telegramtest.Succeeded), 3*opsWait)
	if ok, held := count(isOutcome); ok != 1 || held != 1 {
		t.Errorf("outcome of S-1: delivered %d times and held %d; want once each", ok, held)
	}
	// The decision stood: S-1 is approved once, listed once, and the
	// queue is empty.
	tg.PushUpdate(telegramtest.TextUpdate(mod, telegramtest.GroupChat(replicaModChat, "mods"), "/approve S-1"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(replicaModChat), telegramtest.TextContains("S-1 was already approved")), opsWait)
	tg.PushUpdate(telegramtest.TextUpdate(mod, telegramtest.GroupChat(replicaModChat, "mods"), "/queue"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(replicaModChat), telegramtest.TextContains("Nothing is waiting")), opsWait)
	bob := telegramtest.User{ID: 4343434343, FirstName: "Bob"}
	tg.PushUpdate(telegramtest.TextUpdate(bob, telegramtest.PrivateChat(bob), "/find LDUU"))
	found := telegramtest.PlainText(tg.WaitFor(t, "sendMessage", telegramtest.ToChat(bob.ID), opsWait).Text())
	if strings.Count(found, "Lisbon Drug Users Union") != 1 {
		t.Errorf("/find LDUU after the kills: %q; want the entry once", found)
	}
	// And still once, after those rounds of the process that retold it.
	if ok, _ := count(isOutcome); ok != 1 {
		t.Errorf("outcome of S-1 delivered %d times; want once", ok)
	}
}
