package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/directory"
)

func TestPrivateCommand(t *testing.T) {
	rec := record(MustCore(t))
	e := start(t, rec, nil)
	e.srv.PushUpdate(text(alice, private(alice), "/help"))
	c := e.srv.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.Succeeded, telegramtest.ToChat(alice.ID)), wait)

	if got := c.Get("parse_mode"); got != "HTML" {
		t.Errorf("parse_mode = %q, want HTML", got)
	}
	for _, want := range []string{"<b>What I can do</b>", "<code>/find &lt;place or name&gt;</code>"} {
		if !strings.Contains(c.Text(), want) {
			t.Errorf("reply lacks %q:\n%s", want, c.Text())
		}
	}
	got := rec.find(t, "/help")
	want := bot.Message{
		Platform: "telegram", Text: "/help", BotName: telegramtest.DefaultUsername,
		User: bot.User{ID: "424242001", Name: "Alice"},
		Chat: bot.Chat{ID: "424242001", Private: true},
		Lang: "en-GB", PageSize: DefaultPageSize,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("message = %+v\nwant      %+v", got, want)
	}
	if len(e.srv.Calls("deleteWebhook")) == 0 {
		t.Errorf("polling started without deleteWebhook")
	}
	if e.a.Username() != telegramtest.DefaultUsername || e.a.Name() != "telegram" {
		t.Errorf("Username, Name = %q, %q", e.a.Username(), e.a.Name())
	}
	if err := e.stop(); err != nil {
		t.Fatal(err)
	}
	// Neither the text nor the user's id may be logged at info or above.
	e.logs.assertNotLoggedAbove(t, slog.LevelInfo, "/help", "424242001", "What I can do")
}

func TestGroupCommands(t *testing.T) {
	rec := record(MustCore(t))
	e := start(t, rec, nil)

	// Another bot's command, and chatter, are left alone.
	e.push(text(alice, group, "/help@otherbot"))
	e.push(text(bob, group, "hello everyone"))
	if n := len(e.sent(group.ID)); n != 0 {
		t.Fatalf("%d messages sent to the group for another bot's command or chatter", n)
	}
	if len(rec.messages()) != 2 {
		t.Fatalf("the handler saw %d messages, want 2", len(rec.messages()))
	}

	for _, cmd := range []string{"/help@UnionTestBot", "/about@uniontestbot", "/privacy"} {
		id := e.push(text(bob, group, cmd))
		if n := len(e.sent(group.ID)); n == 0 {
			t.Fatalf("%q (update %d) was not answered in the group", cmd, id)
		}
	}
	calls := e.sent(group.ID)
	if len(calls) != 3 {
		t.Fatalf("%d messages sent to the group, want 3", len(calls))
	}
	if !strings.Contains(telegramtest.PlainText(calls[0].Text()), "What I can do") {
		t.Errorf("/help@UnionTestBot answered with %q", calls[0].Text())
	}
	m := rec.find(t, "/help@UnionTestBot")
	if m.Chat != (bot.Chat{ID: "-1001234567890"}) || !reflect.DeepEqual(m.User, bot.User{ID: "424242002", Name: "bob_b"}) {
		t.Errorf("group message: chat %+v, user %+v", m.Chat, m.User)
	}
}

func TestEscaping(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		r := &bot.Reply{}
		r.Heading(`<script>alert("x")</script>`)
		r.Add(bot.B(`Tom & "Jerry" <b>`), bot.T(" "), bot.L("click", "javascript:alert(1)"), bot.T(" "),
			bot.L("site", "https://example.org/a?b=1&c=2"), bot.T(" "), bot.C("/find <x>"), bot.I("it's"))
		return r, nil
	})
	e := start(t, h, nil)
	e.srv.PushUpdate(text(alice, private(alice), "hi"))
	c := e.srv.WaitFor(t, "sendMessage", telegramtest.ToChat(alice.ID), wait)
	if !c.OK() {
		t.Fatalf("Telegram would refuse the HTML: %s", c.Description)
	}
	want := `<b>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</b>` + "\n\n" +
		`<b>Tom &amp; &#34;Jerry&#34; &lt;b&gt;</b> click <a href="https://example.org/a?b=1&amp;c=2">site</a> <code>/find &lt;x&gt;</code><i>it&#39;s</i>`
	if c.Text() != want {
		t.Errorf("text:\n%s\nwant:\n%s", c.Text(), want)
	}
	if got := telegramtest.Links(c.Text()); !slices.Equal(got, []string{"https://example.org/a?b=1&c=2"}) {
		t.Errorf("links = %q", got)
	}
	if strings.Contains(c.Text(), "javascript") {
		t.Errorf("the javascript: URL was rendered")
	}
}

func TestSplitLongReply(t *testing.T) {
	var blocks []bot.Block
	for i := range 150 {
		blocks = append(blocks, bot.Block{Spans: []bot.Span{bot.B("Group " + strconv.Itoa(i)), bot.T(": peers & <friends> — “наркопотребители” 😀 " + strings.Repeat("x", 20))}})
	}
	long := strings.Repeat("Ünïcödé & <tags> 😀 драг ", 600) // one paragraph ≈ 15,000 bytes
	blocks = append(blocks, bot.Block{Spans: []bot.Span{bot.T(long)}})
	blocks = append(blocks, bot.Block{Spans: []bot.Span{bot.B(strings.Repeat("bold&", 1000)), bot.I(strings.Repeat("it<", 1500))}})
	rep := &bot.Reply{Blocks: blocks, Buttons: [][]bot.Button{{{Label: "More", Data: "/more"}}}}
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) { return rep, nil })
	e := start(t, h, nil)
	e.push(text(alice, private(alice), "/long"))

	calls := e.sent(alice.ID)
	if len(calls) < 5 {
		t.Fatalf("%d messages, want the reply split in several", len(calls))
	}
	var got strings.Builder
	for i, c := range calls {
		if !c.OK() {
			t.Fatalf("part %d refused: %s", i, c.Description)
		}
		if n := telegramtest.UTF16Len(c.Text()); n > MaxText {
			t.Errorf("part %d is %d UTF-16 units with markup", i, n)
		}
		kb := c.Markup().InlineKeyboard
		if (i == len(calls)-1) != (len(kb) > 0) {
			t.Errorf("part %d of %d has keyboard %v", i, len(calls), kb)
		}
		got.WriteString(telegramtest.PlainText(c.Text()))
	}
	var want strings.Builder
	for _, b := range blocks {
		want.WriteString(bot.PlainText(b))
	}
	if strip(got.String()) != strip(want.String()) {
		t.Errorf("the parts do not add up to the reply")
	}
}

func strip(s string) string { return strings.Join(strings.Fields(s), "") }

func TestCallbacks(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		switch m.Text {
		case "/page 2 /find x":
			r := &bot.Reply{Edit: true, Notice: "Page 2", Buttons: [][]bot.Button{{{Label: "◀ Previous", Data: "/page 1 /find x"}}}}
			return r.Add(bot.T("page two")), nil
		case "/new":
			r := bot.Text("fresh")
			r.Notice = "ok"
			return r, nil
		case "/nil":
			return nil, nil
		case "/panic":
			panic("the secret words")
		}
		return nil, nil
	})
	rec := record(h)
	e := start(t, rec, nil)
	ctx := context.Background()
	first := &bot.Reply{Buttons: [][]bot.Button{{{Label: "Next ▶", Data: "/page 2 /find x"}}}}
	id, err := e.a.Send(ctx, bot.Address{Platform: "telegram", ChatID: strconv.FormatInt(alice.ID, 10)}, first.Add(bot.T("page one")))
	if err != nil {
		t.Fatal(err)
	}
	msgID, _ := strconv.Atoi(id)

	press := func(qid, data string) {
		u := telegramtest.CallbackUpdate(alice, private(alice), msgID, data)
		u.CallbackQuery.ID = qid
		e.push(u)
	}
	answer := func(qid string) telegramtest.Call {
		t.Helper()
		return e.srv.WaitFor(t, "answerCallbackQuery", func(c telegramtest.Call) bool { return c.Get("callback_query_id") == qid }, wait)
	}

	press("q1", "/page 2 /find x")
	if c := answer("q1"); !c.OK() || c.Text() != "Page 2" {
		t.Errorf("answerCallbackQuery: ok %v, text %q", c.OK(), c.Text())
	}
	edit := e.srv.WaitFor(t, "editMessageText", nil, wait)
	if !edit.OK() || edit.Int("message_id") != int64(msgID) || edit.ChatID() != alice.ID || edit.Get("parse_mode") != "HTML" {
		t.Errorf("edit: %+v", edit)
	}
	if kb := edit.Markup().InlineKeyboard; len(kb) != 1 || kb[0][0].CallbackData != "/page 1 /find x" {
		t.Errorf("edit keyboard = %+v", kb)
	}
	if telegramtest.PlainText(edit.Text()) != "page two" {
		t.Errorf("edit text = %q", edit.Text())
	}
	m := rec.find(t, "/page 2 /find x")
	if !m.Pressed || m.Chat.ID != "424242001" || !m.Chat.Private || m.User.ID != "424242001" {
		t.Errorf("pressed message = %+v", m)
	}

	// The same page again: Telegram says "not modified"; nothing else is sent.
	press("q2", "/page 2 /find x")
	if c := answer("q2"); !c.OK() {
		t.Errorf("second press not answered")
	}
	if edits := e.srv.Calls("editMessageText"); len(edits) != 2 || edits[1].OK() {
		t.Errorf("want a second, refused edit; got %d edits", len(edits))
	}

	press("q3", "/new")
	if c := answer("q3"); c.Text() != "ok" {
		t.Errorf("notice = %q", c.Text())
	}
	// Handler says nothing, or panics: the press is still answered.
	press("q4", "/nil")
	press("q5", "/panic")
	for _, q := range []string{"q4", "q5"} {
		if c := answer(q); !c.OK() || c.Text() != "" {
			t.Errorf("%s: ok %v text %q", q, c.OK(), c.Text())
		}
	}
	sent := e.sent(alice.ID)
	if len(sent) != 2 || telegramtest.PlainText(sent[1].Text()) != "fresh" {
		t.Errorf("sendMessage calls: %d; want the card and %q", len(sent), "fresh")
	}
	if err := e.stop(); err != nil {
		t.Fatal(err)
	}
	e.logs.waitFor(t, func(r logRec) bool { return r.Level == slog.LevelError && strings.Contains(r.Msg, "panic") })
	e.logs.assertNotLoggedAbove(t, slog.LevelDebug, "the secret words")
}

func TestPagingWithCore(t *testing.T) {
	// Two cards a page: a /find answer is a compact list, CompactFactor
	// entries to a card, so Canada's answer then takes more than one page.
	e := start(t, MustCore(t), nil, func(c *Config, _ *telegramtest.Server) { c.PageSize = 2 })
	e.push(text(alice, private(alice), "/find Canada"))
	sent := e.sent(alice.ID)
	if len(sent) == 0 {
		t.Fatal("no answer")
	}
	last := sent[len(sent)-1]
	var next string
	for _, row := range last.Markup().InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(bot.ButtonCommand(b.CallbackData), "/page 2 ") {
				next = b.CallbackData
			}
		}
	}
	if next == "" {
		t.Fatalf("no next-page button on %q", telegramtest.PlainText(last.Text()))
	}
	var res telegramtest.Message
	if err := json.Unmarshal(last.Result, &res); err != nil {
		t.Fatal(err)
	}
	e.push(telegramtest.CallbackUpdate(alice, private(alice), res.MessageID, next))
	edit := e.srv.WaitFor(t, "editMessageText", telegramtest.Succeeded, wait)
	if edit.Int("message_id") != int64(res.MessageID) || !strings.Contains(telegramtest.PlainText(edit.Text()), "Page 2 of") {
		t.Errorf("edit of message %d: %q", edit.Int("message_id"), telegramtest.PlainText(edit.Text()))
	}
	if len(e.srv.Calls("answerCallbackQuery")) != 1 {
		t.Errorf("the press was not answered once")
	}
}

func TestInlineQuery(t *testing.T) {
	rec := record(MustCore(t))
	e := start(t, rec, nil)
	e.push(telegramtest.InlineUpdate(alice, "Canada"))
	c := e.srv.WaitFor(t, "answerInlineQuery", nil, wait)
	if !c.OK() {
		t.Fatalf("answerInlineQuery refused: %s", c.Description)
	}
	res := c.Results()
	if len(res) == 0 || len(res) > 20 {
		t.Fatalf("%d results", len(res))
	}
	// The results are in Alice's language: Telegram must not show them to
	// someone else from its cache.
	if c.Get("is_personal") != "true" {
		t.Errorf("is_personal = %q, want true", c.Get("is_personal"))
	}
	for _, r := range res {
		if r.Type != "article" || r.Title == "" || r.InputMessageContent.ParseMode != "HTML" || r.InputMessageContent.MessageText == "" {
			t.Errorf("result %+v", r)
		}
		// Each result is a group's card, with its Website (when it has
		// one) and its Share deep link.
		if r.ReplyMarkup == nil || len(r.ReplyMarkup.InlineKeyboard) != 1 {
			t.Errorf("result %q has no buttons: %+v", r.Title, r.ReplyMarkup)
			continue
		}
		row := r.ReplyMarkup.InlineKeyboard[0]
		share := row[len(row)-1]
		if share.Text != "Share" || !strings.HasPrefix(share.URL, "https://t.me/"+telegramtest.DefaultUsername+"?start=org_") {
			t.Errorf("result %q: last button %+v, want Share", r.Title, share)
		}
		if len(row) == 2 && (row[0].Text != "Website" || !strings.HasPrefix(row[0].URL, "http")) {
			t.Errorf("result %q: first button %+v, want Website", r.Title, row[0])
		}
		for _, b := range row {
			if b.CallbackData != "" {
				t.Errorf("result %q carries a callback button %+v: presses on inline messages have no chat", r.Title, b)
			}
		}
	}
	m := rec.find(t, "/find Canada")
	if m.PageSize != 0 || !m.Chat.Private || m.User.ID != "424242001" {
		t.Errorf("inline message = %+v", m)
	}

	// An empty query is answered with no results and a button that opens
	// the bot in private, without asking the core.
	e.push(telegramtest.InlineUpdate(alice, "  "))
	calls := e.srv.WaitCalls(t, "answerInlineQuery", 2, wait)
	if r := calls[1].Results(); !calls[1].OK() || len(r) != 0 {
		t.Errorf("empty query answered with %d results (%s)", len(r), calls[1].Description)
	}
	if calls[1].Get("switch_pm_text") != "Open the bot in a private chat" || calls[1].Get("switch_pm_parameter") != "inline" {
		t.Errorf("empty query: switch_pm_text %q, switch_pm_parameter %q", calls[1].Get("switch_pm_text"), calls[1].Get("switch_pm_parameter"))
	}
	typed := 0
	for _, m := range rec.messages() {
		if !m.Pressed {
			typed++
		}
	}
	if typed != 1 {
		t.Errorf("the handler saw %d queries", typed)
	}

	// "Nothing found" is a notice, not a result anyone could send.
	e.push(telegramtest.InlineUpdate(alice, "Qzxqzxq"))
	calls = e.srv.WaitCalls(t, "answerInlineQuery", 3, wait)
	if r := calls[2].Results(); !calls[2].OK() || len(r) != 0 {
		t.Errorf("a query with no match answered with %d results: %+v", len(r), r)
	}
	if calls[2].Get("switch_pm_parameter") != "inline" || calls[2].Get("switch_pm_text") == "" {
		t.Errorf("no match: switch_pm_text %q", calls[2].Get("switch_pm_text"))
	}
}

func TestInlineArticles(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		r := &bot.Reply{}
		r.Heading("Canada")
		r.Add(bot.I("Several groups match"))
		for i := range 25 {
			n := strconv.Itoa(i + 1)
			r.Add(bot.B("Org "+n), bot.T(" — Vancouver <BC> & more "), bot.L("org"+n+".example", "https://org"+n+".example/"))
		}
		return r, nil
	})
	e := start(t, h, nil)
	e.push(telegramtest.InlineUpdate(alice, "x"))
	res := e.srv.WaitFor(t, "answerInlineQuery", telegramtest.Succeeded, wait).Results()
	if len(res) != 20 {
		t.Fatalf("%d results, want 20", len(res))
	}
	r := res[0]
	if r.Title != "Org 1" || r.Description != "Vancouver <BC> & more org1.example (https://org1.example/)" ||
		r.InputMessageContent.MessageText != `<b>Org 1</b> — Vancouver &lt;BC&gt; &amp; more <a href="https://org1.example/">org1.example</a>` {
		t.Errorf("first result = %+v", r)
	}
	if kb := r.ReplyMarkup; kb == nil || kb.InlineKeyboard[0][0] != (telegramtest.InlineButton{Text: "Website", URL: "https://org1.example/"}) {
		t.Errorf("first result's keyboard = %+v", kb)
	}
}

// A full card, inline: one result, with its Website and Share buttons.
func TestInlineCard(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		r := &bot.Reply{Lang: "fr"}
		r.Blocks = []bot.Block{{
			Spans: []bot.Span{bot.B("VANDU"), bot.T("\nVancouver")},
			Card:  &bot.Card{Title: "Vancouver Area Network of Drug Users (VANDU)", URL: "https://vandu.org/"},
		}}
		r.Buttons = [][]bot.Button{{{Label: "Site", URL: "https://vandu.org/"}, {Label: "Signaler", Data: "/report vandu"}, {Label: "Partager", Share: "org_vandu"}}}
		return r, nil
	})
	e := start(t, h, nil)
	e.push(telegramtest.InlineUpdate(alice, "vandu"))
	res := e.srv.WaitFor(t, "answerInlineQuery", telegramtest.Succeeded, wait).Results()
	if len(res) != 1 || res[0].Title != "Vancouver Area Network of Drug Users (VANDU)" {
		t.Fatalf("results = %+v", res)
	}
	want := []telegramtest.InlineButton{
		{Text: "Site web", URL: "https://vandu.org/"},
		{Text: "Partager", URL: "https://t.me/" + telegramtest.DefaultUsername + "?start=org_vandu"},
	}
	if kb := res[0].ReplyMarkup; kb == nil || !slices.Equal(kb.InlineKeyboard[0], want) {
		t.Errorf("keyboard = %+v, want %+v", kb, want)
	}
}

func TestLocation(t *testing.T) {
	rec := record(MustCore(t))
	e := start(t, rec, nil)
	e.push(telegramtest.LocationUpdate(alice, private(alice), 49.2827, -123.1207))
	msgs := rec.messages()
	if len(msgs) != 1 || msgs[0].Location == nil || *msgs[0].Location != (directory.Point{Lat: 49.2827, Lon: -123.1207}) || msgs[0].Text != "" {
		t.Fatalf("messages = %+v", msgs)
	}
	if len(e.sent(alice.ID)) == 0 {
		t.Errorf("a shared location was not answered")
	}

	// /start in a private chat offers the location button; not in a group.
	before := len(e.sent(alice.ID))
	e.push(text(alice, private(alice), "/start"))
	sent := e.sent(alice.ID)
	if len(sent) != before+1 {
		t.Fatalf("/start answered with %d messages, want 1", len(sent)-before)
	}
	kb := sent[len(sent)-1].Markup()
	if len(kb.Keyboard) != 1 || !kb.Keyboard[0][0].RequestLocation || !kb.OneTimeKeyboard {
		t.Errorf("no location keyboard after /start: %+v", kb)
	}
	e.push(text(alice, group, "/start"))
	for _, c := range e.sent(group.ID) {
		if len(c.Markup().Keyboard) > 0 {
			t.Errorf("location keyboard offered in a group")
		}
	}
}

func TestLocationKeyboardWithButtons(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		r := bot.Text("Where?")
		r.Location = true
		r.Buttons = [][]bot.Button{{{Label: "Help", Data: "/help"}}}
		return r, nil
	})
	e := start(t, h, nil)
	e.push(text(alice, private(alice), "/where"))
	sent := e.sent(alice.ID)
	if len(sent) != 2 {
		t.Fatalf("%d messages, want the reply and the location prompt", len(sent))
	}
	if kb := sent[0].Markup(); len(kb.InlineKeyboard) != 1 || len(kb.Keyboard) != 0 {
		t.Errorf("first message markup %+v", kb)
	}
	if kb := sent[1].Markup(); len(kb.Keyboard) != 1 || !kb.Keyboard[0][0].RequestLocation {
		t.Errorf("second message markup %+v", kb)
	}
	// Telegram offers request_location in private chats only.
	e.push(text(alice, group, "/where"))
	if sent := e.sent(group.ID); len(sent) != 1 || len(sent[0].Markup().Keyboard) != 0 {
		t.Errorf("in a group: %d messages, keyboard %+v", len(sent), sent[0].Markup())
	}
}

func TestFloodControlHonoured(t *testing.T) {
	var pauses sleeps
	e := start(t, MustCore(t), func(a *Adapter) { a.sleep = pauses.sleep })
	e.srv.FailNext("sendMessage", 1, 7)
	e.push(text(alice, private(alice), "/privacy"))
	calls := e.sent(alice.ID)
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || !calls[1].OK() || calls[0].Text() != calls[1].Text() {
		t.Fatalf("calls = %d; want a 429 then the same message sent", len(calls))
	}
	if slept := pauses.all(); !slices.Equal(slept, []time.Duration{7 * time.Second}) {
		t.Errorf("waited %v, want [7s]", slept)
	}
}

func TestFloodControlRealTimer(t *testing.T) {
	e := start(t, MustCore(t), nil)
	e.srv.FailNext("sendMessage", 1, 1)
	e.push(text(alice, private(alice), "/privacy"))
	calls := e.sent(alice.ID)
	if len(calls) != 2 || !calls[1].OK() {
		t.Fatalf("calls = %d, want 2", len(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %v, want at least retry_after (1s)", gap)
	}
}

func TestFloodControlCancellable(t *testing.T) {
	e := start(t, MustCore(t), nil)
	e.srv.FailNext("sendMessage", 1, 3600)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := e.a.Send(ctx, bot.Address{ChatID: "424242001"}, bot.Text("card"))
		errc <- err
	}()
	e.srv.WaitFor(t, "sendMessage", func(c telegramtest.Call) bool { return c.Status == http.StatusTooManyRequests }, wait)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Send = %v, want context.Canceled", err)
		}
	case <-time.After(wait):
		t.Fatal("Send kept waiting after its context ended")
	}
	if n := len(e.srv.Calls("sendMessage")); n != 1 {
		t.Errorf("%d sendMessage calls", n)
	}
}

func TestMalformedEntity(t *testing.T) {
	e := start(t, MustCore(t), nil)
	u := text(alice, private(alice), "/help")
	u.Message.Entities = []telegramtest.MessageEntity{{Type: "bot_command", Offset: 0, Length: 99}, {Type: "bot_command", Offset: 40, Length: 3}}

	// The update really is one the SDK chokes on.
	raw, _ := json.Marshal(u)
	var tu tgbotapi.Update
	if err := json.Unmarshal(raw, &tu); err != nil {
		t.Fatal(err)
	}
	if !panics(func() { tu.Message.Command() }) {
		t.Fatal("the SDK no longer panics on this entity; the test proves nothing")
	}

	e.push(u)
	if c := e.sent(alice.ID); len(c) != 1 || !strings.Contains(c[0].Text(), "What I can do") {
		t.Fatalf("a command with a malformed entity was not answered")
	}
}

func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}

func TestPanicRecovered(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if m.Text == "/boom private words" {
			var xs []int
			_ = xs[len(m.Text)] // index out of range
		}
		return bot.Text("fine"), nil
	})
	e := start(t, h, nil)
	e.push(text(alice, private(alice), "/boom private words"))
	e.push(text(alice, private(alice), "/ok"))
	if c := e.sent(alice.ID); len(c) != 1 || c[0].Text() != "fine" {
		t.Fatalf("the adapter did not carry on after a panic")
	}
	r := e.logs.waitFor(t, func(r logRec) bool { return r.Level == slog.LevelError })
	if !strings.Contains(r.Line, "index out of range") {
		t.Errorf("panic log lacks the runtime error: %s", r.Line)
	}
	e.logs.assertNotLoggedAbove(t, slog.LevelDebug, "private words", "424242001")
}

func TestShutdownWaitsForReplies(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		close(entered)
		<-release
		return bot.Text("done"), nil
	})
	e := start(t, h, nil)
	e.srv.PushUpdate(text(alice, private(alice), "/slow"))
	<-entered
	e.cancel()
	// Polling stops at once: the held getUpdates is cancelled.
	e.srv.WaitFor(t, "getUpdates", func(c telegramtest.Call) bool { return c.Get("timeout") == "" }, wait)
	close(release)
	if err := e.stop(); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	handled := e.handledAtReturn
	e.mu.Unlock()
	if handled != 1 {
		t.Fatalf("Run returned with the reply in flight")
	}
	if c := e.sent(alice.ID); len(c) != 1 || !c[0].OK() {
		t.Fatalf("the reply in flight was not sent")
	}
	if n := e.srv.Pending(); n != 0 {
		t.Errorf("%d updates left unconfirmed; a restart would answer them again", n)
	}
}

func TestWebhook(t *testing.T) {
	const secret = "s3cret-Token_1"
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	rec := record(MustCore(t))
	e := start(t, rec, func(a *Adapter) { mux.Handle(WebhookPath, a.WebhookHandler()) },
		func(c *Config, _ *telegramtest.Server) {
			c.WebhookURL = hs.URL + WebhookPath
			c.WebhookSecret = secret
		})
	set := e.srv.WaitFor(t, "setWebhook", nil, wait)
	if set.Get("url") != hs.URL+WebhookPath || set.Get("secret_token") != secret {
		t.Fatalf("setWebhook url %q secret %q", set.Get("url"), set.Get("secret_token"))
	}
	var allowed []string
	if err := set.JSON("allowed_updates", &allowed); err != nil || !slices.Contains(allowed, "inline_query") {
		t.Errorf("allowed_updates = %v (%v)", allowed, err)
	}

	u := text(alice, private(alice), "/help")
	if st := e.srv.Deliver(t, u); st != http.StatusOK {
		t.Fatalf("delivery answered %d", st)
	}
	e.srv.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.Succeeded, telegramtest.TextContains("What I can do")), wait)

	forged := text(alice, private(alice), "/about")
	forged.UpdateID = 900
	for _, s := range []string{"", "wrong", secret + "x"} {
		if st := telegramtest.PostUpdate(t, hs.URL+WebhookPath, s, forged); st != http.StatusForbidden {
			t.Errorf("secret %q: status %d, want 403", s, st)
		}
	}
	resp, err := http.Get(hs.URL + WebhookPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	// Undecodable bodies with the right secret come from Telegram: a
	// refusal would make it deliver them again forever.
	if st := telegramtest.PostUpdate(t, hs.URL+WebhookPath, secret, "{not json"); st != http.StatusOK {
		t.Errorf("bad JSON: %d, want 200", st)
	}

	// A good one after the forged ones, delivered twice (as Telegram does
	// when an answer is lost): handled once.
	ok := text(alice, private(alice), "/privacy")
	ok.UpdateID = 901
	for range 2 {
		if st := e.srv.Deliver(t, ok); st != http.StatusOK {
			t.Fatalf("delivery answered %d", st)
		}
	}
	e.waitDone(901)

	// Once Run has returned (having finished everything in flight),
	// deliveries are refused so that Telegram retries them.
	if err := e.stop(); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range rec.messages() {
		texts = append(texts, m.Text)
	}
	if !slices.Equal(texts, []string{"/help", "/privacy"}) {
		t.Errorf("the handler saw %q; forged or repeated updates got through", texts)
	}
	if n := len(e.srv.Calls("getUpdates")); n != 0 {
		t.Errorf("%d getUpdates calls in webhook mode", n)
	}
	late := text(alice, private(alice), "/help")
	late.UpdateID = 902
	if st := e.srv.Deliver(t, late); st != http.StatusServiceUnavailable {
		t.Errorf("after Run: %d, want 503", st)
	}
}

func TestSendAndEdit(t *testing.T) {
	e := start(t, MustCore(t), nil)
	ctx := context.Background()
	to := bot.Address{Platform: "telegram", ChatID: "-100777"}
	card := bot.Text("Suggestion S-12: <VANDU>")
	card.Buttons = [][]bot.Button{{
		{Label: "Approve", Data: "/approve S-12"},
		{Label: "Too long", Data: "/" + strings.Repeat("x", 70)},
	}}
	id, err := e.a.Send(ctx, to, card)
	if err != nil {
		t.Fatal(err)
	}
	c := e.srv.WaitFor(t, "sendMessage", telegramtest.Succeeded, wait)
	var res telegramtest.Message
	json.Unmarshal(c.Result, &res)
	if id != strconv.Itoa(res.MessageID) || c.ChatID() != -100777 {
		t.Errorf("Send returned %q for message %d in chat %d", id, res.MessageID, c.ChatID())
	}
	if kb := c.Markup().InlineKeyboard; len(kb) != 1 || len(kb[0]) != 1 || kb[0][0].CallbackData != "/approve S-12" {
		t.Errorf("keyboard = %+v; the over-long button should be left out", kb)
	}
	e.logs.waitFor(t, func(r logRec) bool { return r.Level == slog.LevelDebug && strings.Contains(r.Msg, "button left out") })

	if err := e.a.Edit(ctx, to, id, bot.Text("Approved by a moderator.")); err != nil {
		t.Fatal(err)
	}
	edit := e.srv.WaitFor(t, "editMessageText", nil, wait)
	if !edit.OK() || edit.Get("message_id") != id || edit.ChatID() != -100777 || edit.Get("reply_markup") != "" {
		t.Errorf("edit = %+v", edit.Params)
	}

	// A message that can no longer be edited: sent anew.
	e.srv.FailNextWith("editMessageText", 1, 400, "Bad Request: message can't be edited")
	if err := e.a.Edit(ctx, to, id, bot.Text("Removed.")); err != nil {
		t.Fatal(err)
	}
	e.srv.WaitFor(t, "sendMessage", telegramtest.TextContains("Removed."), wait)

	// To a user's private chat.
	if _, err := e.a.Send(ctx, bot.Address{UserID: "424242002"}, bot.Text("Your suggestion was approved.")); err != nil {
		t.Fatal(err)
	}
	e.srv.WaitFor(t, "sendMessage", telegramtest.ToChat(424242002), wait)

	// A user who blocked the bot.
	e.srv.FailNextWith("sendMessage", 1, 403, "Forbidden: bot was blocked by the user")
	_, err = e.a.Send(ctx, bot.Address{UserID: "424242002"}, bot.Text("x"))
	var te *Error
	if !errors.As(err, &te) || te.Code != 403 || te.Method != "sendMessage" {
		t.Errorf("blocked: %v", err)
	}

	for _, bad := range []bot.Address{{Platform: "discord", ChatID: "1"}, {}, {ChatID: "abc"}} {
		if _, err := e.a.Send(ctx, bad, bot.Text("x")); err == nil {
			t.Errorf("Send to %+v succeeded", bad)
		}
	}
	if err := e.a.Edit(ctx, to, "nope", bot.Text("x")); err == nil {
		t.Errorf("Edit with a bad id succeeded")
	}
}

func TestCommandMenu(t *testing.T) {
	e := start(t, MustCore(t), nil, func(c *Config, _ *telegramtest.Server) {
		c.Commands = []bot.Command{
			{Name: "find", Description: "Find peer-run groups"},
			{Name: "Help", Description: strings.Repeat("long ", 100)},
			{Name: "approve", Description: "Approve", Moderator: true},
			{Name: "page", Description: "Page", Hidden: true},
			{Name: "bad-name", Description: "x"},
			{Name: "about"},
		}
	})
	c := e.srv.WaitFor(t, "setMyCommands", nil, wait)
	if !c.OK() {
		t.Fatalf("setMyCommands refused: %s", c.Description)
	}
	got := e.srv.CommandsIn(telegramtest.ScopeAllPrivateChats, "")
	var names []string
	for _, bc := range got {
		names = append(names, bc.Command)
		if n := telegramtest.UTF16Len(bc.Description); n == 0 || n > 256 {
			t.Errorf("%s: description of %d units", bc.Command, n)
		}
	}
	if !slices.Equal(names, []string{"find", "help", "about"}) {
		t.Errorf("menu = %q", names)
	}
}

func TestNewErrors(t *testing.T) {
	srv := telegramtest.New(t, testToken)
	closed := telegramtest.New(t, testToken)
	closed.Close()
	logs := newLogSink(t)
	log := slog.New(logs)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no token", Config{}, "token is empty"},
		{"bad endpoint", Config{Token: testToken, Endpoint: "http://x/%s"}, "two %s"},
		{"webhook without secret", Config{Token: testToken, Endpoint: srv.Endpoint(), WebhookURL: "https://x.example/telegram/webhook"}, "secret"},
		{"bad secret", Config{Token: testToken, Endpoint: srv.Endpoint(), WebhookURL: "https://x.example/h", WebhookSecret: "a b"}, "secret"},
		{"refused token", Config{Token: "111:" + testToken[10:], Endpoint: srv.Endpoint()}, "Unauthorized"},
		{"network error", Config{Token: testToken, Endpoint: closed.Endpoint()}, "getMe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(tc.cfg, log)
			if err == nil || a != nil {
				t.Fatalf("New succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testToken[10:]) {
				t.Errorf("the error holds the token: %v", err)
			}
		})
	}
}

// failing makes the requests of some methods fail at the transport, as a
// network outage does; the SDK then reports the URL, token included.
type failing struct {
	methods []string
}

func (f failing) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, m := range f.methods {
		if strings.HasSuffix(r.URL.Path, "/"+m) {
			return nil, errors.New("connection reset by peer")
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestTokenNeverInLogsOrErrors(t *testing.T) {
	e := start(t, MustCore(t), nil, func(c *Config, _ *telegramtest.Server) {
		c.Client = &http.Client{Transport: failing{methods: []string{"getUpdates", "sendMessage"}}}
	})
	// The polling loop's network error.
	r := e.logs.waitFor(t, func(r logRec) bool { return strings.Contains(r.Msg, "getUpdates failed") })
	if r.Level != slog.LevelWarn || !strings.Contains(r.Line, "connection reset by peer") {
		t.Errorf("record: %v %s", r.Level, r.Line)
	}
	// A send's network error, returned to the caller.
	_, err := e.a.Send(context.Background(), bot.Address{ChatID: "1"}, bot.Text("x"))
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("Send error = %v", err)
	}

	// The SDK's own logger: its polling loop logs the request URL, token
	// included, on a network error.
	sdk, err := tgbotapi.NewBotAPIWithClient(testToken, e.srv.Endpoint(), &http.Client{Transport: failing{methods: []string{"getUpdates"}}})
	if err != nil {
		t.Fatal(err)
	}
	sdk.GetUpdatesChan(tgbotapi.UpdateConfig{})
	r = e.logs.waitFor(t, func(r logRec) bool { return r.Msg == "telegram sdk" && strings.Contains(r.Line, "getUpdates") })
	sdk.StopReceivingUpdates()
	if strings.Contains(r.Line, testToken) || !strings.Contains(r.Line, "<token>") {
		t.Errorf("SDK line not redacted: %s", r.Line)
	}
	// The token check on every record runs in the log sink's cleanup.
}

func TestWebhookHandlerBeforeRun(t *testing.T) {
	srv := telegramtest.New(t, testToken)
	a, err := New(Config{Token: testToken, Endpoint: srv.Endpoint(), WebhookURL: "https://bot.example/telegram/webhook", WebhookSecret: "abc"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.WebhookHandler())
	defer hs.Close()
	if st := telegramtest.PostUpdate(t, hs.URL, "abc", text(alice, private(alice), "/help")); st != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", st)
	}
}
