package main

// Attacks from outside through the real adapters against the fake
// platforms (issue 12): presses whose data the bot did not offer.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// forgedPage is the data of the attack: a page button of a search,
// pressed on a pending moderators' card, used to replace the card.
const forgedPage = "/page 1 /find France"

// tgNotEdited fails t when message msgID in chat was edited.
func tgNotEdited(t *testing.T, tg *telegramtest.Server, chat int64, msgID int, what string) {
	t.Helper()
	for _, m := range []string{"editMessageText", "editMessageReplyMarkup"} {
		for _, c := range tg.Calls(m) {
			if c.ChatID() == chat && c.Int("message_id") == int64(msgID) {
				t.Errorf("%s: message %d was edited: %q", what, msgID, tgPlain(c))
			}
		}
	}
}

// TestTelegramForgedPressesOnACard: a press reading "/page 1 /find France"
// on a pending card, by a member of the moderators' chat or by a
// moderator, is refused in the pop-up and the card keeps its text and
// buttons; so is a real button of the presser's own answer pressed on the
// card, and someone else pressing that button. The moderator's real
// Approve still works, and edits the card.
func TestTelegramForgedPressesOnACard(t *testing.T) {
	tg, card := tgStartWithCard(t, telegramtest.User{ID: 4242, FirstName: "Alice"},
		"/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union")

	mallory := telegramtest.User{ID: 6666, FirstName: "Mallory"}
	for i, who := range []telegramtest.User{mallory, tgModerator} {
		ans := tgPressData(t, tg, who, tgModGroup, card, forgedPage, "forged-page-"+string(rune('a'+i)))
		if !strings.Contains(ans.Text(), "isn't for you") {
			t.Errorf("%s's forged press was answered %q; want “isn't for you”", who.FirstName, ans.Text())
		}
	}

	// Mallory's own answer in the moderators' chat has real buttons (a
	// page button where it is long, one per group), bound to her and that
	// chat.
	tg.PushUpdate(telegramtest.TextUpdate(mallory, tgModGroup, "/find Canada"))
	own := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(e2eModChat), telegramtest.TextContains("Canada"),
		func(c telegramtest.Call) bool { return len(tgCallbackData(c)) > 0 }, telegramtest.Succeeded), e2eWait)
	var mine string
	for _, d := range tgCallbackData(own) {
		if mine == "" || strings.HasPrefix(bot.ButtonCommand(d), "/page 2 ") {
			mine = d
		}
	}
	if !strings.HasPrefix(mine, "~") {
		t.Fatalf("Mallory's answer has no signed button: %q", tgCallbackData(own))
	}
	// Someone else pressing it is refused.
	bob := telegramtest.User{ID: 6767, FirstName: "Bob"}
	if ans := tgPressData(t, tg, bob, tgModGroup, tgMessageID(t, own), mine, "bob-presses-mallorys-button"); !strings.Contains(ans.Text(), "isn't for you") {
		t.Errorf("Bob pressing Mallory's button was answered %q; want “isn't for you”", ans.Text())
	}
	// Mallory pressing it on the card, which does not carry it: refused.
	if ans := tgPressData(t, tg, mallory, tgModGroup, card, mine, "mallory-button-on-card"); !strings.Contains(ans.Text(), "isn't for you") {
		t.Errorf("Mallory pressing her own button on the card was answered %q; want “isn't for you”", ans.Text())
	}
	tgNotEdited(t, tg, e2eModChat, card, "forged presses on the card")
	tgNotEdited(t, tg, e2eModChat, tgMessageID(t, own), "Bob's press on Mallory's answer")

	// The refusals were for the pressers alone.
	for _, c := range tg.Calls("sendMessage") {
		if strings.Contains(tgPlain(c), "isn't for you") {
			t.Errorf("a refusal was posted to chat %d: %q", c.ChatID(), tgPlain(c))
		}
	}
	// The card's own button still decides, and edits the card.
	ans := tgPress(t, tg, tgModerator, tgModGroup, card, "/approve S-1", "press-approve-S-1")
	if !strings.Contains(ans.Text(), "S-1 approved") {
		t.Errorf("the moderator's real press was answered %q; want S-1 approved", ans.Text())
	}
	tgDecidedCard(t, tg, card, "S-1", "Approved")
}

// dcResponseType is the type of the interaction response to id.
func dcResponseType(t *testing.T, dc *discordtest.Server, id string) int {
	t.Helper()
	return discordtest.DecodeResponse(t, dc.WaitFor(t, discordtest.All(discordtest.Callback(id), discordtest.OK()), e2eWait)).Type
}

// dcAnswerIDs lists the custom ids of the answer to a slash command: its
// response, or the edit of its deferred response.
func dcAnswerIDs(t *testing.T, dc *discordtest.Server, id, token string) []string {
	t.Helper()
	c := dc.WaitFor(t, discordtest.All(discordtest.Callback(id), discordtest.OK()), e2eWait)
	if dcResponseType(t, dc, id) == discordtest.DeferredMessage {
		c = dc.WaitFor(t, discordtest.All(discordtest.EditOriginal(token), discordtest.OK()), e2eWait)
		return discordCustomIDs(t, c)
	}
	var body struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(c.Body, &body); err != nil {
		t.Fatal(err)
	}
	c.Body = body.Data
	return discordCustomIDs(t, c)
}

// TestDiscordForgedPressesOnACard: the same attack on Discord. A component
// press reading "/page 1 /find France" on the pending card is answered
// privately and never with an update of the card's message; the card is
// not edited. A search's page button pressed by someone other than the
// asker is refused too, while the asker can turn the page.
func TestDiscordForgedPressesOnACard(t *testing.T) {
	dc, rec := dcStart(t)
	suggester, member, moderator, searcher := dcCast()

	formID := dcOpenSuggestForm(t, dc, dcCommandInteraction(suggester, "suggest"))
	dcSuggest(t, dc, formID, suggester, "S-1", "Lisbon Drug Users Union (LDUU)", "Lisbon, Portugal", "https://lduu.example.org", "peer-run union")
	card := dcCard(t, dc, rec, "S-1")

	_, onCard := dcButton(t, dc, e2eModChannel, "/approve S-1")
	for _, who := range []*discordtest.Interaction{member, moderator} {
		id, token := dcPressData(t, dc, who, card, forgedPage, onCard)
		dcAnswer(t, dc, id, token, "isn't for you")
		if typ := dcResponseType(t, dc, id); typ == discordtest.UpdateMessage {
			t.Errorf("%s's forged press was answered by updating the card", who.GlobalName)
		}
	}
	if n := dc.CountOf(discordtest.ChannelEdit(e2eModChannel, card)); n > 0 {
		t.Errorf("the card was edited %d times by forged presses", n)
	}

	// A search's page buttons are for the person who asked.
	id, token := dcCommand(t, dc, searcher, "find", discordtest.String("place", "Canada"))
	var next string
	answer := dcAnswerIDs(t, dc, id, token)
	for _, d := range answer {
		if strings.HasPrefix(bot.ButtonCommand(d), "/page 2 ") {
			next = d
		}
	}
	if next == "" {
		t.Fatalf("the answer to /find Canada has no page button")
	}
	in := dcAs(discordtest.Component(next), member, discordtest.ChannelID)
	in.MessageButtons = answer
	id, token = dc.Interaction(t, in)
	dcAnswer(t, dc, id, token, "isn't for you")
	if typ := dcResponseType(t, dc, id); typ == discordtest.UpdateMessage {
		t.Errorf("someone else's press on the searcher's answer updated it")
	}
	in = dcAs(discordtest.Component(next), searcher, discordtest.ChannelID)
	in.MessageButtons = answer
	id, token = dc.Interaction(t, in)
	dcAnswer(t, dc, id, token, "Page 2 of")

	// The card's real button still works for the moderator.
	id, token = dcPress(t, dc, moderator, card, "/approve S-1")
	dcDecidedCard(t, dc, card, "S-1", "Approved")
	dcAnswer(t, dc, id, token, "S-1 approved")
	dcCheckNoMentions(t, dc)
}

// TestEchoesAreCleanOnTheWire: the "couldn't find anything" reply and a
// refused link, as Telegram and the console receive them, carry no bidi
// override and no address a client would link.
func TestEchoesAreCleanOnTheWire(t *testing.T) {
	tg := telegramtest.New(t, e2eTelegramToken)
	e2eStart(t, withTelegram(embeddedEnv(t), tg), telegramNoPacing())
	for i, text := range []string{
		"/find \u202ezzqx https://inpud.net@evil.example",
		"/suggest Zzqx Peers | Lisbon, Portugal | javascript://inpud.net@evil.example | peers",
	} {
		u := telegramtest.User{ID: int64(7100 + i), FirstName: "Eve"}
		c := tgFirstReply(t, tg, u, text)
		raw := c.Text()
		if strings.ContainsAny(raw, "\u202e\u202c") || strings.Contains(raw, "://inpud") ||
			strings.Contains(raw, "evil.example") || strings.Contains(raw, "inpud.net") {
			t.Errorf("%q was answered with a raw echo: %q", text, raw)
		}
		if !strings.Contains(tgPlain(c), "evil[.]example") {
			t.Errorf("%q: the answer %q does not show the defanged address", text, tgPlain(c))
		}
	}
}
