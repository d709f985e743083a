package main

// End-to-end tests: the whole app, built by NewApp from a configuration
// read by config.Load, with the real Telegram and Discord adapters talking
// to the fake Bot API (telegramtest) and the fake Discord (discordtest).
// Nothing is mocked inside the process; every wait is on a fake's record
// of calls, with a deadline.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
	"github.com/unionbot/unionbot/bot/telegram"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/store/redisstore"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

const (
	// e2eWait bounds every wait for the app to do something.
	e2eWait = 10 * time.Second

	e2eTelegramToken = "123456:E2E-token"
	e2eModChat       = int64(-1001234567890) // the Telegram moderators' group
	e2eModUser       = int64(5001)           // the Telegram moderator

	e2eDiscordToken = "e2e-discord-token"
	e2eModChannel   = "300000000000000777" // the Discord moderators' channel
	e2eModRole      = "500000000000000001"
)

var (
	tgModerator = telegramtest.User{ID: e2eModUser, FirstName: "Modesta"}
	tgModGroup  = telegramtest.GroupChat(e2eModChat, "unionbot moderators")
)

// ---- the app ----

// e2eStart builds the app from env as main does and runs it until the test
// ends; then it cancels Run, waits for it to return and closes the app.
// The fakes must be created before, so that they close after the app
// stops (cleanups run last-registered first). The app's log is shown when
// the test fails.
func e2eStart(t *testing.T, env map[string]string, opts ...option) *App {
	t.Helper()
	env["UNIONBOT_CONSOLE_MODERATOR"] = "false"
	env["UNIONBOT_LOG_LEVEL"] = "debug"
	app, _ := opsStart(t, env, opts...)
	return app
}

// withTelegram adds the Telegram settings for the fake to env.
func withTelegram(env map[string]string, tg *telegramtest.Server) map[string]string {
	env["UNIONBOT_TELEGRAM_TOKEN"] = tg.Token()
	env["UNIONBOT_TELEGRAM_API_ENDPOINT"] = tg.Endpoint()
	env["UNIONBOT_TELEGRAM_MOD_CHAT"] = strconv.FormatInt(e2eModChat, 10)
	env["UNIONBOT_TELEGRAM_MODERATORS"] = strconv.FormatInt(e2eModUser, 10)
	return env
}

// withDiscord adds the Discord settings for the fake to env.
func withDiscord(env map[string]string, dc *discordtest.Server) map[string]string {
	env["UNIONBOT_DISCORD_TOKEN"] = e2eDiscordToken
	env["UNIONBOT_DISCORD_API_BASE"] = dc.APIBase()
	env["UNIONBOT_DISCORD_GUILD"] = discordtest.GuildID
	env["UNIONBOT_DISCORD_MOD_CHANNEL"] = e2eModChannel
	env["UNIONBOT_DISCORD_MOD_ROLES"] = e2eModRole
	return env
}

// telegramNoPacing turns pacing off, so that messages to one chat go out
// at once.
func telegramNoPacing() option {
	return option{telegram: func(c *telegram.Config) { c.Pacing = telegram.Pacing{Off: true} }}
}

// discordRecording sends the Discord adapter's REST calls through rec, to
// learn the ids the fake gives to messages.
func discordRecording(rec *discordRecorder) option {
	return option{discord: func(c *discord.Config) {
		c.Client = &http.Client{Timeout: 20 * time.Second, Transport: rec}
	}}
}

// ---- Telegram helpers ----

// tgMessageID is the id of the message a sendMessage call created.
func tgMessageID(t *testing.T, c telegramtest.Call) int {
	t.Helper()
	var m telegramtest.Message
	if err := json.Unmarshal(c.Result, &m); err != nil || m.MessageID == 0 {
		t.Fatalf("sendMessage #%d answered no message (%v): %s", c.Seq, err, c.Result)
	}
	return m.MessageID
}

func tgMessage(id int) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool { return c.Int("message_id") == int64(id) }
}

func tgCallbackID(id string) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool { return c.Get("callback_query_id") == id }
}

// tgCallbackData lists the callback data of a call's inline keyboard.
func tgCallbackData(c telegramtest.Call) []string {
	var out []string
	for _, row := range c.Markup().InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" {
				out = append(out, b.CallbackData)
			}
		}
	}
	return out
}

// tgCommands lists the command lines a call's buttons stand for (their
// data is signed: bot/press.go).
func tgCommands(c telegramtest.Call) []string {
	var out []string
	for _, d := range tgCallbackData(c) {
		out = append(out, bot.ButtonCommand(d))
	}
	return out
}

// tgButton is the data, as the bot signed it, of the newest button it
// sent to chat that stands for the command line cmd; cmd itself when there
// is none.
func tgButton(tg *telegramtest.Server, chat int64, cmd string) string {
	data := cmd
	for _, method := range []string{"sendMessage", "editMessageText"} {
		for _, c := range tg.Calls(method) {
			if c.ChatID() != chat {
				continue
			}
			for _, d := range tgCallbackData(c) {
				if bot.ButtonCommand(d) == cmd {
					data = d
				}
			}
		}
	}
	return data
}

// tgPress pushes a press by `from` of the button standing for the command
// line cmd on the message id in chat, under a callback query id of our
// choosing, and waits for answerCallbackQuery, which it returns.
func tgPress(t *testing.T, tg *telegramtest.Server, from telegramtest.User, chat telegramtest.Chat, msgID int, cmd, queryID string) telegramtest.Call {
	t.Helper()
	return tgPressData(t, tg, from, chat, msgID, tgButton(tg, chat.ID, cmd), queryID)
}

// tgPressData is tgPress with the press's data exactly as given.
func tgPressData(t *testing.T, tg *telegramtest.Server, from telegramtest.User, chat telegramtest.Chat, msgID int, data, queryID string) telegramtest.Call {
	t.Helper()
	u := telegramtest.CallbackUpdate(from, chat, msgID, data)
	u.CallbackQuery.ID = queryID
	tg.PushUpdate(u)
	return tg.WaitFor(t, "answerCallbackQuery", telegramtest.All(tgCallbackID(queryID), telegramtest.Succeeded), e2eWait)
}

// tgCard waits for the card of ref in the moderators' chat, checks its
// buttons, and returns its message id.
func tgCard(t *testing.T, tg *telegramtest.Server, ref string) int {
	t.Helper()
	card := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(e2eModChat),
		telegramtest.TextContains("New suggestion "+ref), telegramtest.Succeeded), e2eWait)
	data := tgCommands(card)
	if !slices.Contains(data, "/approve "+ref) || !slices.Contains(data, "/reject "+ref) {
		t.Errorf("the Telegram card of %s has buttons %q; want /approve %s and /reject %s", ref, data, ref, ref)
	}
	return tgMessageID(t, card)
}

// tgStartWithCard starts the app against a new fake Telegram, unpaced, on
// the embedded directory; u sends suggestion (a /suggest of S-1) in a
// private chat. It returns the fake and the message id of S-1's card in
// the moderators' chat (see tgCard).
func tgStartWithCard(t *testing.T, u telegramtest.User, suggestion string) (*telegramtest.Server, int) {
	t.Helper()
	tg := telegramtest.New(t, e2eTelegramToken)
	e2eStart(t, withTelegram(embeddedEnv(t), tg), telegramNoPacing())
	tg.PushUpdate(telegramtest.TextUpdate(u, telegramtest.PrivateChat(u), suggestion))
	return tg, tgCard(t, tg, "S-1")
}

// tgDecidedCard waits for the card msgID to be edited to show the
// decision, and checks its buttons are gone.
func tgDecidedCard(t *testing.T, tg *telegramtest.Server, msgID int, ref, want string) telegramtest.Call {
	t.Helper()
	edit := tg.WaitFor(t, "editMessageText", telegramtest.All(telegramtest.ToChat(e2eModChat), tgMessage(msgID),
		telegramtest.TextContains(want), telegramtest.Succeeded), e2eWait)
	if data := tgCallbackData(edit); len(data) > 0 {
		t.Errorf("the decided Telegram card of %s still has buttons %q", ref, data)
	}
	return edit
}

// tgFirstReply sends text from a user in their private chat, which must be
// new to the test, and returns the first message the bot sends there: the
// answer.
func tgFirstReply(t *testing.T, tg *telegramtest.Server, u telegramtest.User, text string) telegramtest.Call {
	t.Helper()
	for _, c := range tg.Calls("sendMessage") {
		if c.ChatID() == u.ID {
			t.Fatalf("tgFirstReply needs a chat the bot has not written to; user %d has one", u.ID)
		}
	}
	tg.PushUpdate(telegramtest.TextUpdate(u, telegramtest.PrivateChat(u), text))
	return tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(u.ID), telegramtest.Succeeded), e2eWait)
}

func tgPlain(c telegramtest.Call) string { return telegramtest.PlainText(c.Text()) }

// ---- Discord helpers ----

// discordRecorder is an http.RoundTripper that records the messages the
// fake Discord creates (POST .../channels/{id}/messages) with the ids it
// gives them; calls themselves are recorded by the fake.
type discordRecorder struct {
	next http.RoundTripper

	mu      sync.Mutex
	changed chan struct{}
	sent    []discordMessage
}

type discordMessage struct{ ID, ChannelID, Content string }

var e2eChannelMessages = regexp.MustCompile(`^/api/v\d+/channels/(\d+)/messages$`)

func newDiscordRecorder() *discordRecorder {
	return &discordRecorder{next: http.DefaultTransport, changed: make(chan struct{})}
}

func (r *discordRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || !e2eChannelMessages.MatchString(req.URL.Path) || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	var m struct {
		ID        string `json:"id"`
		ChannelID string `json:"channel_id"`
		Content   string `json:"content"`
	}
	if json.Unmarshal(body, &m) != nil {
		return resp, nil
	}
	dm := discordMessage{ID: m.ID, ChannelID: m.ChannelID, Content: discordPlain(m.Content)}
	r.mu.Lock()
	r.sent = append(r.sent, dm)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	return resp, nil
}

// waitSent returns the first message created that match accepts.
func (r *discordRecorder) waitSent(t *testing.T, match func(discordMessage) bool) discordMessage {
	t.Helper()
	deadline := time.NewTimer(e2eWait)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ch := r.changed
		sent := append([]discordMessage(nil), r.sent...)
		r.mu.Unlock()
		for _, m := range sent {
			if match(m) {
				return m
			}
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("no matching Discord message was created within %v; created: %+v", e2eWait, sent)
		}
	}
}

// dcCard waits for the card of ref in the Discord moderators' channel,
// checks its buttons, and returns its message id.
func dcCard(t *testing.T, dc *discordtest.Server, rec *discordRecorder, ref string) string {
	t.Helper()
	call := dc.WaitFor(t, discordtest.All(discordtest.ChannelSend(e2eModChannel), discordtest.OK(),
		discordContains("New suggestion "+ref)), e2eWait)
	if ids := dcCommands(t, call); !slices.Contains(ids, "/approve "+ref) || !slices.Contains(ids, "/reject "+ref) {
		t.Errorf("the Discord card of %s has buttons %q; want /approve %s and /reject %s", ref, ids, ref, ref)
	}
	m := rec.waitSent(t, func(m discordMessage) bool {
		return m.ChannelID == e2eModChannel && strings.Contains(m.Content, "New suggestion "+ref)
	})
	return m.ID
}

// dcDecidedCard waits for the card id to be edited to show the decision,
// and checks its buttons are gone.
func dcDecidedCard(t *testing.T, dc *discordtest.Server, id, ref, want string) discordtest.Call {
	t.Helper()
	edit := dc.WaitFor(t, discordtest.All(discordtest.ChannelEdit(e2eModChannel, id), discordtest.OK(), discordContains(want)), e2eWait)
	if ids := discordCustomIDs(t, edit); len(ids) > 0 {
		t.Errorf("the decided Discord card of %s still has buttons %q", ref, ids)
	}
	return edit
}

// discordPlain is Discord markdown as people read it: the adapter's
// escapes undone ("S\\-1" is "S-1") and bold, italic and code markers
// dropped.
func discordPlain(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if !esc && (r == '\\' || r == '*' || r == '`' || r == '\u200b') {
			esc = r == '\\'
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

// discordContent is the message text of a call's body: a message, an
// edit, a follow-up, or an interaction response's data, unescaped.
func discordContent(c discordtest.Call) string {
	var body struct {
		discordBody
		Data *discordBody `json:"data"`
	}
	if json.Unmarshal(c.Body, &body) != nil {
		return ""
	}
	switch {
	case body.Content != nil || len(body.Embeds) > 0:
		return body.text()
	case body.Data != nil:
		return body.Data.text()
	}
	return ""
}

// discordBody is the text of a message body: its content and its embeds
// (a card, or the embed list of a /find answer).
type discordBody struct {
	Content *string `json:"content"`
	Embeds  []struct {
		Author *struct {
			Name string `json:"name"`
		} `json:"author"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Fields      []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"embeds"`
}

// text is the body as a person reads it, markup removed: the content,
// then each embed's author line, title, description and fields.
func (b *discordBody) text() string {
	var parts []string
	if b.Content != nil {
		parts = append(parts, *b.Content)
	}
	for _, e := range b.Embeds {
		if e.Author != nil {
			parts = append(parts, e.Author.Name)
		}
		parts = append(parts, e.Title, e.Description)
		for _, f := range e.Fields {
			parts = append(parts, f.Name, f.Value)
		}
	}
	return discordPlain(strings.TrimSpace(strings.Join(parts, "\n")))
}

func discordContains(s string) func(discordtest.Call) bool {
	return func(c discordtest.Call) bool { return strings.Contains(discordContent(c), s) }
}

// discordCustomIDs lists the custom ids of a message body's components.
func discordCustomIDs(t *testing.T, c discordtest.Call) []string {
	t.Helper()
	var body struct {
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := c.Decode(&body); err != nil {
		t.Fatalf("%s: %v", c, err)
	}
	var out []string
	for _, row := range body.Components {
		for _, b := range row.Components {
			out = append(out, b.CustomID)
		}
	}
	return out
}

// dcCommands lists the command lines a body's buttons stand for (their
// custom ids are signed: bot/press.go).
func dcCommands(t *testing.T, c discordtest.Call) []string {
	t.Helper()
	var out []string
	for _, id := range discordCustomIDs(t, c) {
		out = append(out, bot.ButtonCommand(id))
	}
	return out
}

// dcButton is the custom id, as the bot signed it, of the newest button it
// sent or edited into channel that stands for the command line cmd (cmd
// itself when there is none), and the custom ids of every button of that
// message, as Discord reports them with a press.
func dcButton(t *testing.T, dc *discordtest.Server, channel, cmd string) (string, []string) {
	t.Helper()
	data, all := cmd, []string(nil)
	for _, c := range dc.Calls() {
		if !discordtest.ChannelSend(channel)(c) && !discordtest.ChannelEdit(channel, "*")(c) {
			continue
		}
		ids := discordCustomIDs(t, c)
		for _, id := range ids {
			if bot.ButtonCommand(id) == cmd {
				data, all = id, ids
			}
		}
	}
	return data, all
}

// dcAnswer waits for a text containing want in the answer to the
// interaction: its response, an edit of a deferred response, or a
// follow-up, whichever the adapter chose given how fast the core was.
func dcAnswer(t *testing.T, dc *discordtest.Server, id, token, want string) string {
	t.Helper()
	c := dc.WaitFor(t, func(c discordtest.Call) bool {
		ours := discordtest.Callback(id)(c) || discordtest.EditOriginal(token)(c) || discordtest.Followup(token)(c)
		return ours && discordtest.OK()(c) && strings.Contains(discordContent(c), want)
	}, e2eWait)
	return discordContent(c)
}

// dcReply returns the whole answer to a slash command: the response, or
// the edit of the deferred response.
func dcReply(t *testing.T, dc *discordtest.Server, id, token string) string {
	t.Helper()
	r := discordtest.DecodeResponse(t, dc.WaitFor(t, discordtest.All(discordtest.Callback(id), discordtest.OK()), e2eWait))
	switch r.Type {
	case discordtest.ChannelMessage:
		return discordContent(dc.WaitFor(t, discordtest.All(discordtest.Callback(id), discordtest.OK()), e2eWait))
	case discordtest.DeferredMessage:
		return discordContent(dc.WaitFor(t, discordtest.All(discordtest.EditOriginal(token), discordtest.OK()), e2eWait))
	}
	t.Fatalf("a slash command was answered with response type %d", r.Type)
	return ""
}

// dcWaitConnected waits until the app's Discord adapter is on the gateway
// and has registered its commands in the guild.
func dcWaitConnected(t *testing.T, dc *discordtest.Server) {
	t.Helper()
	dc.WaitFor(t, discordtest.All(discordtest.CommandOverwrite(), discordtest.OK()), e2eWait)
	if len(dc.Commands(discordtest.GuildID)) == 0 {
		t.Fatalf("no commands were registered in the guild")
	}
}

// dcOpenSuggestForm runs /suggest and checks that it opens the form, and
// returns the form's custom id.
func dcOpenSuggestForm(t *testing.T, dc *discordtest.Server, in *discordtest.Interaction) string {
	t.Helper()
	id, _ := dc.Interaction(t, in)
	r := discordtest.DecodeResponse(t, dc.WaitFor(t, discordtest.All(discordtest.Callback(id), discordtest.OK()), e2eWait))
	if r.Type != discordtest.ModalResponse {
		t.Fatalf("/suggest was answered with response type %d, want a modal (%d): %v", r.Type, discordtest.ModalResponse, r.Data)
	}
	customID, _ := r.Data["custom_id"].(string)
	var fields []string
	rows, _ := r.Data["components"].([]any)
	for _, row := range rows {
		row, _ := row.(map[string]any)
		cs, _ := row["components"].([]any)
		for _, c := range cs {
			c, _ := c.(map[string]any)
			if name, _ := c["custom_id"].(string); name != "" {
				fields = append(fields, name)
			}
		}
	}
	if customID == "" || strings.Join(fields, ",") != "name,place,website,description" {
		t.Fatalf("the /suggest modal is %q with fields %q; want fields name, place, website, description", customID, fields)
	}
	return customID
}

// dcSuggest submits the suggestion form as the member from, in their
// channel, and returns the answer, which must name ref.
func dcSuggest(t *testing.T, dc *discordtest.Server, formID string, from *discordtest.Interaction, ref, name, place, website, description string) string {
	t.Helper()
	in := discordtest.ModalSubmit(formID,
		discordtest.Field{Name: "name", Value: name},
		discordtest.Field{Name: "place", Value: place},
		discordtest.Field{Name: "website", Value: website},
		discordtest.Field{Name: "description", Value: description})
	id, token := dc.Interaction(t, dcAs(in, from, from.ChannelID))
	return dcAnswer(t, dc, id, token, ref)
}

// dcPress presses the button standing for the command line cmd on the
// card id in the moderators' channel, as the member who, and returns the
// interaction's id and token.
func dcPress(t *testing.T, dc *discordtest.Server, who *discordtest.Interaction, cardID, cmd string) (string, string) {
	t.Helper()
	data, onCard := dcButton(t, dc, e2eModChannel, cmd)
	return dcPressData(t, dc, who, cardID, data, onCard)
}

// dcPressData is dcPress with the custom id exactly as given, on a card
// whose buttons Discord reports as onCard.
func dcPressData(t *testing.T, dc *discordtest.Server, who *discordtest.Interaction, cardID, data string, onCard []string) (string, string) {
	t.Helper()
	in := dcAs(discordtest.Component(data), who, e2eModChannel)
	in.MessageID = cardID
	in.MessageButtons = onCard
	return dc.Interaction(t, in)
}

// dcCommand runs a slash command as the member who, in their channel.
func dcCommand(t *testing.T, dc *discordtest.Server, who *discordtest.Interaction, name string, opts ...discordtest.Option) (string, string) {
	t.Helper()
	return dc.Interaction(t, dcCommandInteraction(who, name, opts...))
}

// dcMember is a member of the fake guild in channel, with roles.
// dcStart starts the app with Discord alone, recording what it sends, and
// waits until the gateway is connected.
func dcStart(t *testing.T) (*discordtest.Server, *discordRecorder) {
	t.Helper()
	dc := discordtest.New(t)
	dc.RequireToken(e2eDiscordToken)
	rec := newDiscordRecorder()
	e2eStart(t, withDiscord(embeddedEnv(t), dc), discordRecording(rec))
	dcWaitConnected(t, dc)
	return dc, rec
}

// dcCast is the people of the Discord end-to-end tests: someone suggesting
// in a public channel, a member of the moderators' channel without the
// moderators' role, a moderator, and someone searching.
func dcCast() (suggester, member, moderator, searcher *discordtest.Interaction) {
	return dcMember("400000000000000002", "Sol Suggester", discordtest.ChannelID),
		dcMember("400000000000000003", "Mal Member", e2eModChannel),
		dcMember("400000000000000004", "Mo Derator", e2eModChannel, e2eModRole),
		dcMember("400000000000000005", "Sam Searcher", discordtest.ChannelID)
}

func dcMember(userID, name, channel string, roles ...string) *discordtest.Interaction {
	return &discordtest.Interaction{UserID: userID, Username: strings.ToLower(strings.Fields(name)[0]), GlobalName: name, ChannelID: channel, Roles: roles}
}

// dcAs makes in come from the member who, in channel.
func dcAs(in, who *discordtest.Interaction, channel string) *discordtest.Interaction {
	in.UserID, in.Username, in.GlobalName, in.Roles, in.Permissions = who.UserID, who.Username, who.GlobalName, who.Roles, who.Permissions
	in.ChannelID = channel
	return in
}

// dcCheckNoMentions checks that every message body the app sent to Discord
// (responses with a message, edits, follow-ups, channel messages and
// their edits) carries allowed_mentions with an empty parse list.
func dcCheckNoMentions(t *testing.T, dc *discordtest.Server) {
	t.Helper()
	checked := 0
	for _, c := range dc.Calls() {
		if c.Method != http.MethodPost && c.Method != http.MethodPatch {
			continue
		}
		var body struct {
			Type int             `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		msg := c.Body
		switch {
		case strings.HasSuffix(c.Path, "/callback"):
			if json.Unmarshal(c.Body, &body) != nil {
				t.Errorf("%s: unreadable body", c)
				continue
			}
			if body.Type != discordtest.ChannelMessage && body.Type != discordtest.UpdateMessage && body.Type != discordtest.DeferredMessage {
				continue // autocomplete choices, a modal, a deferred update: no message
			}
			msg = body.Data
		case strings.Contains(c.Path, "/webhooks/"), e2eChannelMessages.MatchString(c.Path),
			strings.Contains(c.Path, "/channels/") && c.Method == http.MethodPatch:
		default:
			continue // commands, DM channels
		}
		var m struct {
			AllowedMentions *struct {
				Parse *[]string `json:"parse"`
			} `json:"allowed_mentions"`
		}
		if len(msg) == 0 || json.Unmarshal(msg, &m) != nil {
			t.Errorf("%s: no message body", c)
			continue
		}
		checked++
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(*m.AllowedMentions.Parse) != 0 {
			t.Errorf("%s: allowed_mentions.parse is not an empty list", c)
		}
	}
	if checked == 0 {
		t.Errorf("no message bodies were sent to Discord")
	}
}

// ---- environments ----

// e2eRedisEnv is an environment on the test Redis, under a random prefix
// whose keys are deleted when the test ends. It skips the test when Redis
// is absent, or fails it under CI=true.
func e2eRedisEnv(t *testing.T) (map[string]string, *redisstore.Store) {
	t.Helper()
	s := redistest.MustOpen(t)
	url := redistest.URL()
	return map[string]string{
		"UNIONBOT_REDIS_URL":    url,
		"UNIONBOT_REDIS_PREFIX": s.Prefix(),
		"UNIONBOT_DATA_DIR":     t.TempDir(), // unused with Redis: nothing may land in the home directory
	}, s
}

// ---- tests ----

func TestTelegramEndToEnd(t *testing.T) {
	telegramFlow(t, embeddedEnv(t))
}

func TestTelegramEndToEndRedis(t *testing.T) {
	env, s := e2eRedisEnv(t)
	telegramFlow(t, env)
	// The app kept its state in Redis, under the prefix.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	keys, err := s.Client().Keys(ctx, s.Prefix()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Errorf("the app wrote no keys under %s in Redis", s.Prefix())
	}
}

// telegramFlow is the community flow on Telegram: a suggestion, its card,
// a moderator's approval by button, the card's update, the suggester told,
// the new entry found; and a non-moderator's press refused.
func telegramFlow(t *testing.T, env map[string]string) {
	tg := telegramtest.New(t, e2eTelegramToken)
	e2eStart(t, withTelegram(env, tg), telegramNoPacing())

	alice := telegramtest.User{ID: 4242, FirstName: "Alice"}
	aliceChat := telegramtest.PrivateChat(alice)

	// Before: the group is not listed.
	if got := tgPlain(tgFirstReply(t, tg, telegramtest.User{ID: 4300, FirstName: "Bea"}, "/find LDUU")); strings.Contains(got, "Lisbon Drug Users Union") {
		t.Fatalf("/find LDUU lists the group before it was suggested: %q", got)
	}

	// (1) A user suggests in a private chat, and is given the reference.
	tg.PushUpdate(telegramtest.TextUpdate(alice, aliceChat,
		"/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("S-1"), telegramtest.Succeeded), e2eWait)

	// (2) The card reaches the moderators' chat, with the buttons.
	card := tgCard(t, tg, "S-1")

	// (3) The moderator presses Approve; the press is answered.
	ans := tgPress(t, tg, tgModerator, tgModGroup, card, "/approve S-1", "press-approve-S-1")
	if !strings.Contains(ans.Text(), "S-1 approved") {
		t.Errorf("the moderator's press was answered %q; want it to say S-1 approved", ans.Text())
	}

	// (4) The card shows the decision, and who took it.
	edit := tgDecidedCard(t, tg, card, "S-1", "Approved")
	if !strings.Contains(tgPlain(edit), "telegram:Modesta") {
		t.Errorf("the decided card does not say who decided: %q", tgPlain(edit))
	}

	// (5) The suggester is told, in the chat they suggested from.
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("approved"),
		telegramtest.TextContains("S-1"), telegramtest.Succeeded), e2eWait)

	// (6) Someone else finds it.
	if got := tgPlain(tgFirstReply(t, tg, telegramtest.User{ID: 4343, FirstName: "Bob"}, "/find LDUU")); !strings.Contains(got, "Lisbon Drug Users Union") {
		t.Errorf("/find LDUU after approval: %q; want Lisbon Drug Users Union", got)
	}

	// A second suggestion; someone in the moderators' chat who is not a
	// moderator presses Approve, and is refused.
	tg.PushUpdate(telegramtest.TextUpdate(alice, aliceChat,
		"/suggest Porto Drug Users Collective (PDUC) | Porto, Portugal | https://pduc.example.org | peer-run collective"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("S-2"), telegramtest.Succeeded), e2eWait)
	card2 := tgCard(t, tg, "S-2")
	mallory := telegramtest.User{ID: 6666, FirstName: "Mallory"}
	ans = tgPress(t, tg, mallory, tgModGroup, card2, "/approve S-2", "press-approve-S-2-mallory")
	if !strings.Contains(ans.Text(), "Only moderators") {
		t.Errorf("a non-moderator's press was answered %q; want Only moderators…", ans.Text())
	}

	// It stays pending: the moderators' queue lists it, /find does not,
	// its card was not touched and the suggester was told nothing. (The
	// refusal was answered after the core had finished with the press, so
	// anything it did would be recorded by now.)
	tg.PushUpdate(telegramtest.TextUpdate(tgModerator, tgModGroup, "/queue"))
	q := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(e2eModChat), telegramtest.TextContains("waiting for a decision"), telegramtest.Succeeded), e2eWait)
	if got := tgPlain(q); !strings.Contains(got, "S-2 suggestion") || strings.Contains(got, "S-1 suggestion") {
		t.Errorf("/queue after the refused press: %q; want S-2 waiting and not S-1", got)
	}
	if got := tgPlain(tgFirstReply(t, tg, telegramtest.User{ID: 4444, FirstName: "Carol"}, "/find PDUC")); strings.Contains(got, "Porto Drug Users Collective") {
		t.Errorf("/find PDUC lists a suggestion a non-moderator 'approved': %q", got)
	}
	for _, c := range tg.Calls("editMessageText") {
		if c.Int("message_id") == int64(card2) {
			t.Errorf("the card of S-2 was edited after a non-moderator's press: %q", tgPlain(c))
		}
	}
	for _, c := range tg.Calls("sendMessage") {
		if c.ChatID() == alice.ID && strings.Contains(tgPlain(c), "S-2") && strings.Contains(tgPlain(c), "approved") {
			t.Errorf("the suggester was told S-2 was approved: %q", tgPlain(c))
		}
		// The refusal is for the presser alone, in the pop-up.
		if c.ChatID() == e2eModChat && strings.Contains(tgPlain(c), "Only moderators") {
			t.Errorf("the refusal was posted to the whole moderators' chat: %q", tgPlain(c))
		}
	}
}

func TestDiscordEndToEnd(t *testing.T) {
	dc, rec := dcStart(t)
	suggester, member, moderator, searcher := dcCast()

	// Autocomplete while typing a place.
	id, _ := dc.Interaction(t, discordtest.Autocomplete("find", discordtest.Focused("place", "Vanc")))
	r := discordtest.DecodeResponse(t, dc.WaitFor(t, discordtest.All(discordtest.Callback(id), discordtest.OK()), e2eWait))
	choices, _ := r.Data["choices"].([]any)
	found := false
	for _, c := range choices {
		c, _ := c.(map[string]any)
		if name, _ := c["name"].(string); strings.Contains(name, "Vancouver") {
			found = true
		}
	}
	if r.Type != discordtest.AutocompleteResult || !found {
		t.Errorf("autocomplete of “Vanc”: type %d, choices %v; want one with Vancouver", r.Type, choices)
	}

	// Before: the group is not listed.
	id, token := dcCommand(t, dc, searcher, "find", discordtest.String("place", "LDUU"))
	if got := dcReply(t, dc, id, token); strings.Contains(got, "Lisbon Drug Users Union") {
		t.Fatalf("/find LDUU lists the group before it was suggested: %q", got)
	}

	// /suggest opens a form; submitting it queues S-1.
	formID := dcOpenSuggestForm(t, dc, dcCommandInteraction(suggester, "suggest"))
	dcSuggest(t, dc, formID, suggester, "S-1", "Lisbon Drug Users Union (LDUU)", "Lisbon, Portugal", "https://lduu.example.org", "peer-run union")

	// The card reaches the moderators' channel, with the buttons.
	card := dcCard(t, dc, rec, "S-1")

	// A member without the moderators' role presses Approve: refused.
	id, token = dcPress(t, dc, member, card, "/approve S-1")
	dcAnswer(t, dc, id, token, "Only moderators")
	// It stays pending: the queue lists it, /find does not, the card is
	// untouched and the suggester was told nothing.
	id, token = dcCommand(t, dc, moderator, "queue")
	if got := dcReply(t, dc, id, token); !strings.Contains(got, "S-1 suggestion") || !strings.Contains(got, "1 waiting for a decision") {
		t.Errorf("/queue after the refused press: %q; want S-1 waiting", got)
	}
	id, token = dcCommand(t, dc, searcher, "find", discordtest.String("place", "LDUU"))
	if got := dcReply(t, dc, id, token); strings.Contains(got, "Lisbon Drug Users Union") {
		t.Errorf("/find LDUU lists a suggestion a non-moderator 'approved': %q", got)
	}
	if n := dc.CountOf(discordtest.ChannelEdit(e2eModChannel, card)); n > 0 {
		t.Errorf("the card was edited %d times after a non-moderator's press", n)
	}
	if n := dc.CountOf(discordtest.All(discordtest.ChannelSend(discordtest.ChannelID), discordContains("approved"))); n > 0 {
		t.Errorf("the suggester was told of an approval after a non-moderator's press")
	}

	// The moderator presses Approve: the card shows the decision and who
	// took it, and the press is answered.
	id, token = dcPress(t, dc, moderator, card, "/approve S-1")
	edit := dcDecidedCard(t, dc, card, "S-1", "Approved")
	if !strings.Contains(discordContent(edit), "discord:Mo Derator") {
		t.Errorf("the decided card does not say who decided: %q", discordContent(edit))
	}
	dcAnswer(t, dc, id, token, "S-1 approved")

	// The suggester is told in their direct messages, not in the channel
	// where everyone would read it: their suggestion was answered to them
	// alone.
	dc.WaitFor(t, discordtest.OpenDM(), e2eWait)
	dc.WaitFor(t, discordtest.All(dcDirectMessage(), discordtest.OK(),
		discordContains("S-1"), discordContains("approved")), e2eWait)
	if n := dc.CountOf(discordtest.All(discordtest.ChannelSend(discordtest.ChannelID), discordContains("approved"))); n > 0 {
		t.Errorf("the outcome was posted in the public channel %d times", n)
	}

	// /find LDUU now shows it.
	id, token = dcCommand(t, dc, searcher, "find", discordtest.String("place", "LDUU"))
	if got := dcReply(t, dc, id, token); !strings.Contains(got, "Lisbon Drug Users Union") {
		t.Errorf("/find LDUU after approval: %q; want Lisbon Drug Users Union", got)
	}

	dcCheckNoMentions(t, dc)
}

// dcCommandInteraction is a slash command by the member who, not yet sent.
func dcCommandInteraction(who *discordtest.Interaction, name string, opts ...discordtest.Option) *discordtest.Interaction {
	return dcAs(discordtest.Command(name, opts...), who, who.ChannelID)
}

// TestCrossPlatform runs both adapters in one process, with one queue: a
// suggestion made on Telegram is approved from Discord, and one made on
// Discord from Telegram; each suggester is told on their own platform and
// both cards show each decision.
func TestCrossPlatform(t *testing.T) {
	tg := telegramtest.New(t, e2eTelegramToken)
	dc := discordtest.New(t)
	dc.RequireToken(e2eDiscordToken)
	rec := newDiscordRecorder()
	env := withDiscord(withTelegram(embeddedEnv(t), tg), dc)
	e2eStart(t, env, telegramNoPacing(), discordRecording(rec))
	dcWaitConnected(t, dc)

	alice := telegramtest.User{ID: 4242, FirstName: "Alice"}
	dcSuggester := dcMember("400000000000000002", "Sol Suggester", discordtest.ChannelID)
	dcModerator := dcMember("400000000000000004", "Mo Derator", e2eModChannel, e2eModRole)

	// Suggested on Telegram; cards on both platforms.
	tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice),
		"/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("S-1"), telegramtest.Succeeded), e2eWait)
	tgCard1 := tgCard(t, tg, "S-1")
	dcCard1 := dcCard(t, dc, rec, "S-1")

	// Approved from Discord, by the button on the Discord card.
	id, token := dcPress(t, dc, dcModerator, dcCard1, "/approve S-1")
	dcAnswer(t, dc, id, token, "S-1 approved")
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("S-1"),
		telegramtest.TextContains("approved"), telegramtest.Succeeded), e2eWait)
	if got := tgPlain(tgDecidedCard(t, tg, tgCard1, "S-1", "Approved")); !strings.Contains(got, "discord:Mo Derator") {
		t.Errorf("the Telegram card does not say the Discord moderator decided: %q", got)
	}
	dcDecidedCard(t, dc, dcCard1, "S-1", "Approved")

	// Suggested on Discord; cards on both platforms.
	formID := dcOpenSuggestForm(t, dc, dcCommandInteraction(dcSuggester, "suggest"))
	dcSuggest(t, dc, formID, dcSuggester, "S-2", "Porto Drug Users Collective (PDUC)", "Porto, Portugal", "https://pduc.example.org", "peer-run collective")
	tgCard2 := tgCard(t, tg, "S-2")
	dcCard2 := dcCard(t, dc, rec, "S-2")

	// Approved from Telegram, by the button on the Telegram card.
	ans := tgPress(t, tg, tgModerator, tgModGroup, tgCard2, "/approve S-2", "press-approve-S-2")
	if !strings.Contains(ans.Text(), "S-2 approved") {
		t.Errorf("the Telegram moderator's press was answered %q; want it to say S-2 approved", ans.Text())
	}
	dc.WaitFor(t, discordtest.All(dcDirectMessage(), discordtest.OK(),
		discordContains("S-2"), discordContains("approved")), e2eWait)
	if got := discordContent(dcDecidedCard(t, dc, dcCard2, "S-2", "Approved")); !strings.Contains(got, "telegram:Modesta") {
		t.Errorf("the Discord card does not say the Telegram moderator decided: %q", got)
	}
	tgDecidedCard(t, tg, tgCard2, "S-2", "Approved")

	// Both are listed, whichever platform asks.
	if got := tgPlain(tgFirstReply(t, tg, telegramtest.User{ID: 4343, FirstName: "Bob"}, "/find PDUC")); !strings.Contains(got, "Porto Drug Users Collective") {
		t.Errorf("Telegram /find PDUC: %q", got)
	}
	id, token = dcCommand(t, dc, dcSuggester, "find", discordtest.String("place", "LDUU"))
	if got := dcReply(t, dc, id, token); !strings.Contains(got, "Lisbon Drug Users Union") {
		t.Errorf("Discord /find LDUU: %q", got)
	}

	dcCheckNoMentions(t, dc)
}

// dcDirectMessage matches a message sent to a channel other than the
// server's channels the tests use: the direct-message channel the fake
// opened.
func dcDirectMessage() func(discordtest.Call) bool {
	return func(c discordtest.Call) bool {
		return discordtest.ChannelSend("*")(c) && !discordtest.ChannelSend(discordtest.ChannelID)(c) &&
			!discordtest.ChannelSend(e2eModChannel)(c)
	}
}
