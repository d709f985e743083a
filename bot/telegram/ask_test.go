package telegram

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// A one-field form (the reason for rejecting S-12) is asked with
// ForceReply in the chat where Reject was pressed, and only the presser's
// reply to that prompt comes back as the form's submission.
func TestRejectReasonByForceReply(t *testing.T) {
	mods := telegramtest.GroupChat(-1007770001, "Moderators")
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if m.Pressed && m.Text == "/reject S-12" && m.Form == nil {
			r := bot.Text("Why reject S-12? The suggester will read it.")
			r.Form = &bot.Form{ID: "/reject S-12", Title: "Reject S-12", Fields: []bot.Field{{Name: "reason", Label: "Reason", Required: true, Long: true, MaxLen: 300}}}
			return r, nil
		}
		return nil, nil
	})
	rec := record(h)
	e := start(t, rec, nil)
	to := bot.Address{Platform: Platform, ChatID: strconv.FormatInt(mods.ID, 10)}
	card := bot.Text("S-12: a suggestion")
	card.Buttons = [][]bot.Button{{{Label: "Approve", Data: "/approve S-12"}, {Label: "Reject", Data: "/reject S-12"}}}
	cardID, err := e.a.Send(context.Background(), to, card)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.Atoi(cardID)
	e.push(telegramtest.CallbackUpdate(alice, mods, id, "/reject S-12"))

	c := e.srv.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(mods.ID), telegramtest.TextContains("Why reject")), wait)
	if !c.OK() {
		t.Fatalf("the prompt was refused: %s", c.Description)
	}
	if mk := c.Markup(); !mk.ForceReply || !mk.Selective || mk.InputFieldPlaceholder != "Reason" {
		t.Errorf("prompt markup = %+v, want a selective ForceReply with the field's label", mk)
	}
	if links := telegramtest.Links(c.Text()); len(links) != 1 || links[0] != "tg://user?id="+strconv.FormatInt(alice.ID, 10) {
		t.Errorf("the prompt does not mention the presser, whom selective targets: %q", c.Text())
	}
	var p telegramtest.Message
	if err := json.Unmarshal(c.Result, &p); err != nil {
		t.Fatal(err)
	}
	var cardMsg telegramtest.Message
	cardMsg.MessageID, cardMsg.Chat, cardMsg.From = id, mods, p.From

	for _, u := range []telegramtest.Update{
		telegramtest.ReplyUpdate(bob, mods, p, "spam, says bob"),            // not the presser
		telegramtest.ReplyUpdate(alice, mods, cardMsg, "reply to the card"), // not the prompt
		telegramtest.ReplyUpdate(alice, mods, p, "/help"),                   // a command
		telegramtest.ReplyUpdate(alice, mods, p, "Not run by people who use drugs"),
		telegramtest.ReplyUpdate(alice, mods, p, "once more"), // the prompt was answered
	} {
		e.push(u)
	}
	var got []bot.Message
	for _, m := range rec.messages()[1:] {
		got = append(got, bot.Message{Text: m.Text, Form: m.Form})
	}
	want := []bot.Message{
		{Text: "spam, says bob"},
		{Text: "reply to the card"},
		{Text: "/help"},
		{Text: "/reject S-12", Form: map[string]string{"reason": "Not run by people who use drugs"}},
		{Text: "once more"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the core saw %+v\nwant         %+v", got, want)
	}
}

func TestPromptsBounded(t *testing.T) {
	ps := newPrompts()
	now := time.Unix(1000, 0)
	ps.now = func() time.Time { return now }
	for i := range maxPrompts + 10 {
		ps.add(promptKey{chat: 1, msg: i}, prompt{form: "/x", field: "f", user: 7})
	}
	if n := len(ps.m); n != maxPrompts {
		t.Errorf("%d prompts kept, want at most %d", n, maxPrompts)
	}
	if _, ok := ps.take(promptKey{chat: 1, msg: 0}, 7); ok {
		t.Errorf("the oldest prompt was kept beyond the bound")
	}
	if _, ok := ps.take(promptKey{chat: 1, msg: maxPrompts + 9}, 8); ok {
		t.Errorf("another user answered the prompt")
	}
	now = now.Add(promptTTL)
	if _, ok := ps.take(promptKey{chat: 1, msg: maxPrompts + 9}, 7); ok {
		t.Errorf("an expired prompt was answered")
	}
	ps.add(promptKey{chat: 2, msg: 1}, prompt{user: 7})
	if n := len(ps.m); n != 1 {
		t.Errorf("%d prompts kept after they all expired, want 1", n)
	}
}
