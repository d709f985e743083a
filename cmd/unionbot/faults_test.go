package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/moderation"
)

// fastRetries makes refused cards come back within milliseconds, so that
// the fault tests do not wait through production back-off.
func fastRetries() option {
	return option{moderation: func(o *moderation.Options) {
		o.RetryBase, o.RetryMax, o.RetryAttempts = 10*time.Millisecond, 50*time.Millisecond, 1000
	}}
}

// startRedisTelegram starts the app on a Redis server of its own
// (returned, for the test to stop and start) and the fake Telegram server,
// unpaced, with its HTTP server and room for many suggestions, plus env's
// variables and opts; it returns once the app polls Telegram, with the
// HTTP server's base URL.
func startRedisTelegram(t *testing.T, token string, env map[string]string, opts ...option) (*redisServer, *telegramtest.Server, *App, string) {
	t.Helper()
	rs := startRedisServer(t)
	tg := telegramtest.New(t, token)
	env = opsTelegramEnv(tg, env)
	env["UNIONBOT_REDIS_URL"] = rs.URL()
	env["UNIONBOT_HTTP_ADDR"] = "127.0.0.1:0"
	env["UNIONBOT_SUGGEST_PER_HOUR"] = "1000"
	env["UNIONBOT_SUGGEST_PER_DAY"] = "1000"
	app, _ := opsStart(t, env, append([]option{opsNoPacing()}, opts...)...)
	base := opsHTTPAddr(t, app)
	tg.WaitPolling(t, opsWait)
	return rs, tg, app, base
}

// waitItems polls the store until items S-1…S-n exist.
func waitItems(t *testing.T, app *App, n int) {
	t.Helper()
	opsEventually(t, fmt.Sprintf("S-1…S-%d to be stored", n), func() bool {
		_, err := app.mod.Get(context.Background(), fmt.Sprintf("S-%d", n))
		return err == nil
	})
}

// countCards counts, per reference, the cards for S-1…S-n the fake
// accepted in the moderators' chat, and fails t unless each came exactly
// once.
func exactlyOnce(t *testing.T, n int, count func(ref string) int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		ref := fmt.Sprintf("S-%d", i)
		if c := count(ref); c != 1 {
			t.Errorf("card %s delivered %d times, want exactly once", ref, c)
		}
	}
}

// TestCardsSurviveRedisRestartAndTelegramFaults: cards are refused by the
// moderators' chat (500, then 429 with retry_after) while Redis is
// restarted under them. Every card still arrives, once; none is lost or
// doubled.
func TestCardsSurviveRedisRestartAndTelegramFaults(t *testing.T) {
	rs, tg, app, base := startRedisTelegram(t, "123456:FAULTS-token", map[string]string{"UNIONBOT_QUEUE_CLAIM_IDLE": "1s"}, fastRetries())
	const modChat = -100777
	const n = 4

	// Every sendMessage fails for a while: the suggesters' replies too,
	// which is fine here; what is checked is the queue.
	tg.FailNextWith("sendMessage", 30, http.StatusInternalServerError, "Internal Server Error")
	tg.FailNext("sendMessage", 2, 1)
	for i := 1; i <= n; i++ {
		u := telegramtest.User{ID: int64(3000 + i), FirstName: "Person"}
		tg.PushUpdate(telegramtest.TextUpdate(u, telegramtest.PrivateChat(u), fmt.Sprintf("/suggest Fault Test Union %d | Lisbon, Portugal", i)))
	}
	waitItems(t, app, n)
	// Refused cards are shown in /readyz while they last.
	opsEventually(t, "/readyz to name the refused channel", func() bool {
		code, body := opsGet(t, base+"/readyz")
		return code == 503 && strings.Contains(body, "moderators' channel telegram:-100777: cards not delivered")
	})
	// Redis goes away and comes back while the cards are being retried.
	rs.stop()
	rs.start()

	for i := 1; i <= n; i++ {
		tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(modChat), telegramtest.TextContains(fmt.Sprintf("New suggestion S-%d", i))), 4*opsWait)
	}
	opsEventually(t, "/readyz to be ready again", func() bool {
		code, _ := opsGet(t, base+"/readyz")
		return code == 200
	})
	// Give a duplicate every chance to show: a claim after ClaimIdle would
	// re-post a card whose acknowledgement was lost.
	tg.PushUpdate(telegramtest.TextUpdate(telegramtest.User{ID: 3999, FirstName: "Late"}, telegramtest.PrivateChat(telegramtest.User{ID: 3999}), "/suggest Fault Test Union Late | Lisbon, Portugal"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(modChat), telegramtest.TextContains(fmt.Sprintf("New suggestion S-%d", n+1))), 4*opsWait)
	exactlyOnce(t, n+1, func(ref string) int {
		c := 0
		for _, call := range tg.Calls("sendMessage") {
			if call.OK() && call.Get("chat_id") == fmt.Sprint(modChat) && strings.Contains(tgPlainText(call), "New suggestion "+ref+"\n") {
				c++
			}
		}
		return c
	})
	if _, m := opsGet(t, base+"/metrics"); !strings.Contains(m, "unionbot_moderation_card_failures_total ") || strings.Contains(m, "unionbot_moderation_card_failures_total 0\n") {
		t.Errorf("card failures not counted")
	}
}

// TestCardsSurviveDiscordFaults: the moderators' channel answers 403
// Missing Permissions, then 429, then 502, before it takes cards. Each card
// arrives once.
func TestCardsSurviveDiscordFaults(t *testing.T) {
	dc := discordtest.New(t)
	env := withDiscord(map[string]string{
		"UNIONBOT_DATA_DIR":         t.TempDir(),
		"UNIONBOT_SUGGEST_PER_HOUR": "1000",
		"UNIONBOT_SUGGEST_PER_DAY":  "1000",
	}, dc)
	toMods := func(c discordtest.Call) bool {
		return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/channels/"+e2eModChannel+"/messages")
	}
	dc.Fail(toMods, 3, http.StatusForbidden, `{"message": "Missing Permissions", "code": 50013}`)
	dc.RateLimit(toMods, 2, 10*time.Millisecond)
	dc.Fail(toMods, 2, http.StatusBadGateway, `{"message": "Bad Gateway"}`)
	app := e2eStart(t, env, fastRetries())
	const n = 3
	for i := 1; i <= n; i++ {
		// Submitted as the core sees it; the wire is the card's.
		if _, err := app.Handler().Handle(context.Background(), discordSuggestion(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		ref := fmt.Sprintf("S-%d", i)
		card := discordCard(ref)
		dc.WaitFor(t, func(c discordtest.Call) bool { return toMods(c) && c.Status == http.StatusOK && card.Match(c.Body) }, 4*opsWait)
	}
	exactlyOnce(t, n, func(ref string) int {
		card := discordCard(ref)
		return dc.CountOf(func(c discordtest.Call) bool {
			return toMods(c) && c.Status == http.StatusOK && card.Match(c.Body)
		})
	})
	// discordgo retries 429 (after its reset) and 502 by itself; the 403s
	// reach moderation, which retries them with back-off and counts them.
	if f := app.mod.CardFailures(); f != 3 {
		t.Errorf("CardFailures = %d, want the three 403s counted", f)
	}
}

// discordSuggestion is the i-th /suggest from a member in the server's
// channel, as the Discord adapter hands it to the core.
func discordSuggestion(i int) *bot.Message {
	return &bot.Message{Platform: discord.Platform, Text: fmt.Sprintf("/suggest Discord Fault Union %d | Porto, Portugal", i),
		User: bot.User{ID: fmt.Sprint(600000000000000000 + i), Name: "member"},
		Chat: bot.Chat{ID: discordtest.ChannelID, Space: discordtest.GuildID}}
}

// discordCard matches a card's title in a Discord request body, where
// markdown escaping makes "S-1" read S\-1 (and JSON doubles the
// backslash).
func discordCard(ref string) *regexp.Regexp {
	return regexp.MustCompile(`New suggestion S(\\\\)?-` + strings.TrimPrefix(ref, "S-") + `\b`)
}
