package telegram

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

var forum = telegramtest.ForumChat(-1009876543210, "Peer support, with topics")

// In a group a reply answers the asker's message; in a forum it goes to
// the topic the question came from; in private it is a plain message.
func TestRepliesInGroupsAndTopics(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		switch m.Text {
		case "/more":
			return bot.Text("a new message after a press"), nil
		}
		r := bot.Text("answer to " + m.Text)
		r.Buttons = [][]bot.Button{{{Label: "More", Data: "/more"}}}
		return r, nil
	})
	e := start(t, h, nil)
	at := "@" + telegramtest.DefaultUsername

	lastTo := func(chat int64) telegramtest.Call {
		t.Helper()
		calls := e.sent(chat)
		if len(calls) == 0 {
			t.Fatalf("nothing sent to %d", chat)
		}
		c := calls[len(calls)-1]
		if !c.OK() {
			t.Fatalf("Telegram would refuse the reply: %s", c.Description)
		}
		return c
	}

	u := text(bob, group, "/find"+at+" Canada")
	e.push(u)
	c := lastTo(group.ID)
	if got := c.Int("reply_to_message_id"); got == 0 || c.Get("message_thread_id") != "" {
		t.Errorf("group: reply_to_message_id %d, message_thread_id %q; want a reply to the asker and no topic", got, c.Get("message_thread_id"))
	}

	q := telegramtest.TopicUpdate(alice, forum, 77, "/help"+at)
	e.push(q)
	c = lastTo(forum.ID)
	if c.Int("message_thread_id") != 77 || c.Int("reply_to_message_id") == 0 {
		t.Errorf("topic 77: message_thread_id %q, reply_to_message_id %q", c.Get("message_thread_id"), c.Get("reply_to_message_id"))
	}
	var sent telegramtest.Message
	if err := json.Unmarshal(c.Result, &sent); err != nil || !sent.IsTopicMessage || sent.MessageThreadID != 77 {
		t.Errorf("the fake answered %+v (%v)", sent, err)
	}

	// A press on the answer in topic 77: a new message goes to topic 77 too.
	e.push(telegramtest.CallbackUpdate(alice, forum, sent.MessageID, "/more"))
	c = lastTo(forum.ID)
	if !strings.Contains(c.Text(), "after a press") || c.Int("message_thread_id") != 77 {
		t.Errorf("after a press in topic 77: %q in thread %q", c.Text(), c.Get("message_thread_id"))
	}

	// The forum's General topic has no thread id.
	e.push(text(alice, forum, "/help"+at))
	if c := lastTo(forum.ID); c.Get("message_thread_id") != "" || c.Int("reply_to_message_id") == 0 {
		t.Errorf("General: message_thread_id %q, reply_to_message_id %q", c.Get("message_thread_id"), c.Get("reply_to_message_id"))
	}

	// A reply thread in a group that is no forum is not a topic.
	r := text(bob, group, "/help"+at)
	r.Message.MessageThreadID = 5
	e.push(r)
	if c := lastTo(group.ID); c.Get("message_thread_id") != "" {
		t.Errorf("a reply thread outside a forum was sent as a topic: %q", c.Get("message_thread_id"))
	}

	e.push(text(alice, private(alice), "/help"))
	if c := lastTo(alice.ID); c.Get("reply_to_message_id") != "" || c.Get("message_thread_id") != "" {
		t.Errorf("private: reply_to_message_id %q, message_thread_id %q", c.Get("reply_to_message_id"), c.Get("message_thread_id"))
	}
}

// What the core means for the asker alone (Reply.Private) is never posted
// in a group: it goes to the asker's private chat, or, when Telegram
// refuses that (the person never opened one), the group is told only to
// open one. Answers of commands that belong in groups stay there.
func TestPrivateAnswersLeaveTheGroup(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		name, _, _ := m.Command()
		r := bot.Text("secret answer to " + name)
		r.Private = true
		if m.Text == "/pick" {
			r.Buttons = [][]bot.Button{{{Label: "Français", Data: "/lang fr"}}}
		}
		return r, nil
	})
	e := start(t, h, nil, func(c *Config, _ *telegramtest.Server) {
		c.Commands = []bot.Command{{Name: "find", Description: "Find", Groups: true}, {Name: "lang", Description: "Language"},
			{Name: "queue", Description: "Queue", Moderator: true}}
	})
	at := "@" + telegramtest.DefaultUsername

	e.push(text(bob, group, "/lang"+at+" fr"))
	if got := e.sent(bob.ID); len(got) != 1 || got[0].Text() != "secret answer to lang" {
		t.Fatalf("the private answer did not reach bob's private chat: %+v", got)
	}
	if n := len(e.sent(group.ID)); n != 0 {
		t.Errorf("%d messages posted in the group", n)
	}

	// Bob never opened a private chat: Telegram refuses it.
	e.srv.FailNextWith("sendMessage", 1, 403, "Forbidden: bot can't initiate conversation with a user")
	q := text(bob, forum, "/lang"+at+" de")
	q.Message.MessageThreadID, q.Message.IsTopicMessage = 12, true
	e.push(q)
	got := e.sent(forum.ID)
	if len(got) != 1 {
		t.Fatalf("%d messages in the group, want the pointer alone", len(got))
	}
	p := got[0]
	if strings.Contains(p.Text(), "secret") || !strings.Contains(p.Text(), "private chat") {
		t.Errorf("the group was told %q", p.Text())
	}
	if p.Int("reply_to_message_id") == 0 || p.Int("message_thread_id") != 12 {
		t.Errorf("the pointer is not a reply in the asker's topic: reply_to %q, thread %q", p.Get("reply_to_message_id"), p.Get("message_thread_id"))
	}
	if kb := p.Markup().InlineKeyboard; len(kb) != 1 || kb[0][0].URL != "https://t.me/"+telegramtest.DefaultUsername {
		t.Errorf("the pointer's button: %+v", kb)
	}

	// A command that belongs in groups is answered there.
	e.push(text(bob, group, "/find"+at+" Canada"))
	if got := e.sent(group.ID); len(got) != 1 || got[0].Text() != "secret answer to find" {
		t.Errorf("/find in the group: %+v", got)
	}

	// A press in a group whose answer is private goes to the presser.
	id, err := e.a.Send(context.Background(), bot.Address{ChatID: strconv.FormatInt(group.ID, 10)},
		&bot.Reply{Blocks: []bot.Block{{Spans: []bot.Span{bot.T("pick")}}}, Buttons: [][]bot.Button{{{Label: "Français", Data: "/lang fr"}}}})
	if err != nil {
		t.Fatal(err)
	}
	msgID, _ := strconv.Atoi(id)
	before := len(e.sent(group.ID))
	e.push(telegramtest.CallbackUpdate(alice, group, msgID, "/lang fr"))
	if got := e.sent(alice.ID); len(got) != 1 || got[0].Text() != "secret answer to lang" {
		t.Errorf("the press's private answer: %+v", got)
	}
	if n := len(e.sent(group.ID)); n != before {
		t.Errorf("the press's private answer was posted in the group")
	}
	// A moderators' command pressed in a group is answered there: the
	// core decides where those may answer.
	e.push(telegramtest.CallbackUpdate(alice, group, msgID, "/queue"))
	if got := e.sent(group.ID); len(got) != before+1 || got[before].Text() != "secret answer to queue" {
		t.Errorf("a moderators' command pressed in the group: %d messages", len(got)-before)
	}
}
