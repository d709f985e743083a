package telegram

import (
	"context"
	"encoding/json"
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
