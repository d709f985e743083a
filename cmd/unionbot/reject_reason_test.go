package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// TestTelegramRejectWithReason: on Telegram a moderator presses Reject on a
// card, the bot asks for the reason with ForceReply in the moderators' chat,
// the moderator answers the prompt, and the suggester is told the reason in
// their private chat. The card shows the decision and loses its buttons.
func TestTelegramRejectWithReason(t *testing.T) {
	suggester := telegramtest.User{ID: 5151, FirstName: "Sol"}
	tg, card := tgStartWithCard(t, suggester,
		"/suggest Porto Peer Union | Porto, Portugal | https://porto-peers.example.org | peer-run union")

	tgPress(t, tg, tgModerator, tgModGroup, card, "/reject S-1", "reject-press")
	prompt := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(e2eModChat),
		telegramtest.TextContains("S-1"), telegramtest.Succeeded, func(c telegramtest.Call) bool { return c.Markup().ForceReply }), e2eWait)
	var p telegramtest.Message
	if err := json.Unmarshal(prompt.Result, &p); err != nil {
		t.Fatal(err)
	}
	if c := tg.Calls("editMessageText"); len(c) > 0 {
		for _, e := range c {
			if e.ChatID() == e2eModChat && tgMessageID(t, e) == card {
				t.Fatalf("pressing Reject decided S-1 before a reason was given: %q", e.Text())
			}
		}
	}

	const reason = "Not run by people who use drugs, as far as we can tell"
	tg.PushUpdate(telegramtest.ReplyUpdate(tgModerator, tgModGroup, p, reason))
	tgDecidedCard(t, tg, card, "S-1", "Rejected")
	told := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(suggester.ID),
		telegramtest.TextContains("S-1"), telegramtest.TextContains("Not run by people"), telegramtest.Succeeded), e2eWait)
	if strings.Contains(tgPlain(told), "Modesta") {
		t.Errorf("the suggester is told who rejected: %q", tgPlain(told))
	}
	for _, c := range tg.Calls("sendMessage") {
		if c.ChatID() != suggester.ID && c.ChatID() != e2eModChat {
			t.Errorf("something was sent to chat %d: %q", c.ChatID(), c.Text())
		}
	}
}
