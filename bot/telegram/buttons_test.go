package telegram

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

func TestLinkAndShareButtons(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		r := bot.Text("VANDU, Vancouver")
		r.Buttons = [][]bot.Button{
			{
				{Label: "Website", URL: "https://vandu.org/"},
				{Label: "Report", Data: "/report vandu"},
				{Label: "Share", Share: "org_vandu"},
			},
			{
				{Label: "Bad link", URL: "javascript:alert(1)"},
				{Label: "Bad share", Share: "org vandu?x=1"},
				{Label: "Long share", Share: string(make([]byte, 65))},
			},
		}
		return r, nil
	})
	e := start(t, h, nil)
	e.push(text(alice, private(alice), "/org vandu"))
	c := e.srv.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.Succeeded, telegramtest.ToChat(alice.ID)), wait)
	got := c.Markup().InlineKeyboard
	want := [][]telegramtest.InlineButton{{
		{Text: "Website", URL: "https://vandu.org/"},
		{Text: "Report", CallbackData: "/report vandu"},
		{Text: "Share", URL: "https://t.me/" + telegramtest.DefaultUsername + "?start=org_vandu"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("keyboard = %+v\nwant       %+v", got, want)
	}
}

func TestShareURL(t *testing.T) {
	for _, tc := range []struct{ user, payload, want string }{
		{"UnionBot", "org_vandu", "https://t.me/UnionBot?start=org_vandu"},
		{"UnionBot", "find_CA-BC", "https://t.me/UnionBot?start=find_CA-BC"},
		{"", "org_vandu", ""},
		{"UnionBot", "", ""},
		{"UnionBot", "org/vandu", ""},
		{"UnionBot", "ünï", ""},
	} {
		if got := ShareURL(tc.user, tc.payload); got != tc.want {
			t.Errorf("ShareURL(%q, %q) = %q, want %q", tc.user, tc.payload, got, tc.want)
		}
	}
}

// A press reports the data of every button on the message it came from,
// as Telegram shows that message, so that the core can refuse data it
// never offered there.
func TestPressReportsOfferedButtons(t *testing.T) {
	rec := record(bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) { return nil, nil }))
	e := start(t, rec, nil)
	card := bot.Text("S-12: a suggestion")
	card.Buttons = [][]bot.Button{
		{{Label: "Approve", Data: "/approve S-12"}, {Label: "Reject", Data: "/reject S-12"}},
		{{Label: "Website", URL: "https://example.org/"}},
	}
	to := bot.Address{Platform: Platform, ChatID: strconv.FormatInt(alice.ID, 10)}
	id, err := e.a.Send(context.Background(), to, card)
	if err != nil {
		t.Fatal(err)
	}
	msgID, _ := strconv.Atoi(id)
	plain, err := e.a.Send(context.Background(), to, bot.Text("no buttons"))
	if err != nil {
		t.Fatal(err)
	}
	plainID, _ := strconv.Atoi(plain)

	// A forged press: data the card never carried.
	e.push(telegramtest.CallbackUpdate(alice, private(alice), msgID, "/page 1 /find France"))
	e.push(telegramtest.CallbackUpdate(alice, private(alice), plainID, "/approve S-12"))
	inline := telegramtest.CallbackUpdate(alice, private(alice), 0, "/page 2 /find x")
	inline.CallbackQuery.Message, inline.CallbackQuery.InlineMessageID = nil, "inl-1"
	e.push(inline)

	m := rec.find(t, "/page 1 /find France")
	if want := []string{"/approve S-12", "/reject S-12"}; !reflect.DeepEqual(m.Offered, want) {
		t.Errorf("Offered = %q, want %q", m.Offered, want)
	}
	if m := rec.find(t, "/approve S-12"); m.Offered == nil || len(m.Offered) != 0 {
		t.Errorf("a press on a message without buttons: Offered = %#v, want empty", m.Offered)
	}
	if m := rec.find(t, "/page 2 /find x"); m.Offered != nil {
		t.Errorf("a press on an inline-mode message: Offered = %#v, want nil (not known)", m.Offered)
	}
}
