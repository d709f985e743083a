package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
)

const (
	testToken = "test-token-do-not-log-1234567890"
	wait      = 10 * time.Second
)

// ---- helpers ----

// MustBot is the real core over the embedded seed.
func MustBot(t testing.TB) *bot.Bot { return bottest.MustBot(t, bot.Options{}) }

// logBuffer collects everything the adapter logs, at every level.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// recorder is a handler that hands every message to the test and answers
// with fn.
type recorder struct {
	msgs chan *bot.Message
	fn   func(ctx context.Context, m *bot.Message) (*bot.Reply, error)
}

func newRecorder(fn func(ctx context.Context, m *bot.Message) (*bot.Reply, error)) *recorder {
	return &recorder{msgs: make(chan *bot.Message, 64), fn: fn}
}

func (r *recorder) Handle(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	cp := *m
	r.msgs <- &cp
	return r.fn(ctx, m)
}

func (r *recorder) next(t testing.TB) *bot.Message {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	case <-time.After(wait):
		t.Fatal("the handler got no message")
		return nil
	}
}

type harness struct {
	fake *discordtest.Server
	a    *Adapter
	logs *logBuffer
}

type startOption func(*Config, *Adapter)

// withGuild registers the commands in a guild.
func withGuild(g string) startOption {
	return func(c *Config, _ *Adapter) {
		if c != nil {
			c.Guild = g
		}
	}
}

// withDeferAfter changes how long a handler may take before a deferral.
func withDeferAfter(d time.Duration) startOption {
	return func(_ *Config, a *Adapter) {
		if a != nil {
			a.deferAfter = d
		}
	}
}

// start runs an adapter with h against a fresh fake Discord and waits until
// its commands are registered; the adapter stops when the test ends.
func start(t testing.TB, h bot.Handler, opts ...startOption) *harness {
	t.Helper()
	fake := discordtest.New(t)
	fake.RequireToken(testToken)
	logs := &logBuffer{}
	cfg := Config{Token: testToken, APIBase: fake.APIBase(), Commands: testCommands(t)}
	for _, o := range opts {
		o(&cfg, nil)
	}
	a, err := New(cfg, logs.logger())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(nil, a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(wait):
			t.Errorf("Run did not return after cancel")
		}
	})
	select {
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	default:
	}
	fake.WaitFor(t, discordtest.All(discordtest.CommandOverwrite(), discordtest.OK()), wait)
	return &harness{fake: fake, a: a, logs: logs}
}

// testCommands are the core's commands and, declared as moderation
// declares its own, some of moderation's, plus one the adapter has never
// heard of.
func testCommands(t testing.TB) []bot.Command {
	cmds := MustBot(t).Router().Commands()
	ref := bot.Option{Name: "ref", Required: true, Key: "option.ref"}
	return append(cmds,
		bot.Command{Name: "suggest", Description: "Suggest a peer-run group that is missing"},
		bot.Command{Name: "report", Description: "Tell us about a mistake", Options: []bot.Option{
			{Name: "organisation", Required: true, Complete: true, Key: "option.report.organisation"},
			{Name: "problem", Required: true, Key: "option.report.problem"}}},
		bot.Command{Name: "approve", Description: "Approve a suggestion or report", Moderator: true, Options: []bot.Option{ref}},
		bot.Command{Name: "reject", Description: "Reject a suggestion or report", Moderator: true,
			Options: []bot.Option{ref, {Name: "reason", Key: "option.reject.reason"}}},
		bot.Command{Name: "page", Description: "Paging", Hidden: true},
		bot.Command{Name: "echo", Description: "Not one of the known commands", Options: []bot.Option{{Name: "text", Key: "option.text"}}},
	)
}

// callback waits for the interaction's first response.
func (h *harness) callback(t *testing.T, id string) (discordtest.Response, discordtest.Call) {
	t.Helper()
	c := h.fake.WaitFor(t, discordtest.Callback(id), wait)
	if c.Status != 204 {
		t.Fatalf("callback answered %d: %s", c.Status, c.Body)
	}
	return discordtest.DecodeResponse(t, c), c
}

// noMentionsIn fails unless body's allowed_mentions (at path, a list of
// keys) has an explicitly empty parse list.
func noMentionsIn(t *testing.T, body []byte, path ...string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body: %v", err)
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %q in %s", k, body)
		}
		v = m[k]
	}
	am, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("no allowed_mentions in %s", body)
	}
	parse, ok := am["parse"].([]any)
	if !ok || len(parse) != 0 {
		t.Fatalf("allowed_mentions.parse = %#v, want [] in %s", am["parse"], body)
	}
}

// content is the text a response shows: its content, then the text of
// its embeds.
func content(t *testing.T, r discordtest.Response) string {
	t.Helper()
	return shown(r.Data)
}

// shown is the text of a message body as a person reads it: the content,
// then each embed's author line, title, description and fields, a line
// each.
func shown(m map[string]any) string {
	s, _ := m["content"].(string)
	parts := []string{s}
	str := func(v any) string { x, _ := v.(string); return x }
	embeds, _ := m["embeds"].([]any)
	for _, e := range embeds {
		e, _ := e.(map[string]any)
		if a, ok := e["author"].(map[string]any); ok {
			parts = append(parts, str(a["name"]))
		}
		parts = append(parts, str(e["title"]), str(e["description"]))
		fields, _ := e["fields"].([]any)
		for _, f := range fields {
			f, _ := f.(map[string]any)
			parts = append(parts, str(f["name"]), str(f["value"]))
		}
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

func flagsOf(m map[string]any) int {
	f, _ := m["flags"].(float64)
	return int(f)
}

// ---- tests ----

func TestHandshakeAndCommands(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t), withGuild(discordtest.GuildID))

	id := h.fake.WaitFor(t, discordtest.Identify(), wait)
	var ident struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	if err := id.Decode(&ident); err != nil {
		t.Fatal(err)
	}
	if ident.Token != "Bot "+testToken {
		t.Errorf("identify token = %q, want the bot token with its prefix", ident.Token)
	}

	put := h.fake.WaitFor(t, discordtest.CommandOverwrite(), wait)
	if want := "/api/v9/applications/" + discordtest.AppID + "/guilds/" + discordtest.GuildID + "/commands"; put.Path != want {
		t.Errorf("registered at %s, want %s (application id from READY, guild scope)", put.Path, want)
	}
	if got := put.Header.Get("Authorization"); got != "Bot "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	var cmds []struct {
		Name        string  `json:"name"`
		Description string  `json:"description"`
		Perms       *string `json:"default_member_permissions"`
		Options     []struct {
			Type         int    `json:"type"`
			Name         string `json:"name"`
			Required     bool   `json:"required"`
			Autocomplete bool   `json:"autocomplete"`
		} `json:"options"`
	}
	if err := put.Decode(&cmds); err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, c := range cmds {
		byName[c.Name] = i
	}
	if _, ok := byName["page"]; ok {
		t.Error("hidden command /page was registered")
	}
	for _, name := range []string{"find", "network", "suggest", "report", "help", "about", "privacy", "start", "approve", "reject", "echo"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("/%s not registered", name)
		}
	}
	find := cmds[byName["find"]]
	if len(find.Options) != 1 || find.Options[0].Name != "place" || !find.Options[0].Required || !find.Options[0].Autocomplete || find.Options[0].Type != 3 {
		t.Errorf("/find options = %+v, want one required autocompleted string option place", find.Options)
	}
	if n := cmds[byName["network"]].Options; len(n) != 1 || n[0].Name != "region" || n[0].Required || !n[0].Autocomplete {
		t.Errorf("/network options = %+v", n)
	}
	if n := len(cmds[byName["suggest"]].Options); n != 0 {
		t.Errorf("/suggest has %d options, want none (it opens a form)", n)
	}
	if r := cmds[byName["reject"]].Options; len(r) != 2 || r[0].Name != "ref" || r[1].Name != "reason" {
		t.Errorf("/reject options = %+v", r)
	}
	if e := cmds[byName["echo"]].Options; len(e) != 1 || e[0].Name != "text" || e[0].Required {
		t.Errorf("/echo options = %+v, want one optional text option", e)
	}
	if p := cmds[byName["approve"]].Perms; p == nil || *p != "32" {
		t.Errorf("/approve default_member_permissions = %v, want 32 (Manage Server)", p)
	}
	if p := cmds[byName["find"]].Perms; p != nil {
		t.Errorf("/find default_member_permissions = %v, want none", *p)
	}
	if got := len(h.fake.Commands(discordtest.GuildID)); got != len(cmds) {
		t.Errorf("fake holds %d commands, sent %d", got, len(cmds))
	}
}

func TestFindWithAutocomplete(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t))

	id, _ := h.fake.Interaction(t, discordtest.Autocomplete("find", discordtest.Focused("place", "Vanc")))
	r, _ := h.callback(t, id)
	if r.Type != discordtest.AutocompleteResult {
		t.Fatalf("autocomplete answered with type %d", r.Type)
	}
	found := false
	choices, _ := r.Data["choices"].([]any)
	for _, c := range choices {
		c, _ := c.(map[string]any)
		if name, _ := c["name"].(string); strings.Contains(name, "Vancouver") {
			found = true
		}
	}
	if !found || len(choices) > 25 {
		t.Errorf("choices for Vanc = %v, want Vancouver among at most 25", choices)
	}

	// Answered in time: the reply is the response, ephemeral in a server.
	id, _ = h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "Vancouver")))
	r, c := h.callback(t, id)
	if r.Type != discordtest.ChannelMessage {
		t.Fatalf("/find answered with type %d", r.Type)
	}
	if !strings.Contains(content(t, r), "VANDU") {
		t.Errorf("/find Vancouver = %q, want VANDU", content(t, r))
	}
	if flagsOf(r.Data) != discordtest.EphemeralFlag {
		t.Errorf("flags = %d, want ephemeral in a server", flagsOf(r.Data))
	}
	noMentionsIn(t, c.Body, "data", "allowed_mentions")
}

func TestSlowReplyIsDeferredThenEdited(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	b := MustBot(t)
	slow := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		<-gate
		return b.Handle(ctx, m)
	})
	h := start(t, slow, withDeferAfter(20*time.Millisecond))
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open) // runs before the adapter stops, even if the test fails early

	id, token := h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "Vancouver")))
	r, _ := h.callback(t, id)
	if r.Type != discordtest.DeferredMessage || flagsOf(r.Data) != discordtest.EphemeralFlag {
		t.Fatalf("first response = type %d flags %d, want a deferred ephemeral message", r.Type, flagsOf(r.Data))
	}
	open()
	edit := h.fake.WaitFor(t, discordtest.EditOriginal(token), wait)
	if edit.Status != 200 {
		t.Fatalf("edit answered %d: %s", edit.Status, edit.Body)
	}
	if s := shown(edit.JSON(t)); !strings.Contains(s, "VANDU") {
		t.Errorf("edited content = %q, want VANDU", s)
	}
	noMentionsIn(t, edit.Body, "allowed_mentions")
}

func TestPublicCommandsAndDirectMessages(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t))

	id, _ := h.fake.Interaction(t, discordtest.Command("help"))
	r, _ := h.callback(t, id)
	if r.Type != discordtest.ChannelMessage || flagsOf(r.Data) != 0 {
		t.Errorf("/help in a server: type %d flags %d, want a public message", r.Type, flagsOf(r.Data))
	}
	id, _ = h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "Vancouver")).DM())
	r, _ = h.callback(t, id)
	if r.Type != discordtest.ChannelMessage || flagsOf(r.Data) != 0 {
		t.Errorf("/find in a DM: type %d flags %d, want a plain message", r.Type, flagsOf(r.Data))
	}
}

func TestMessageTranslation(t *testing.T) {
	t.Parallel()
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) { return bot.Text("ok"), nil })
	h := start(t, rec)

	in := discordtest.Command("reject", discordtest.String("reason", "spam and abuse"), discordtest.String("ref", "S-12"))
	in.Roles = []string{"555"}
	in.Permissions = 0x20
	in.Locale = "fr"
	id, _ := h.fake.Interaction(t, in)
	m := rec.next(t)
	h.callback(t, id)
	if m.Text != "/reject S-12 spam and abuse" {
		t.Errorf("Text = %q, want options in declared order", m.Text)
	}
	if m.Platform != "discord" || m.BotName != "" || !m.CanForm || m.PageSize != DefaultPageSize || m.Lang != "fr" || m.Pressed || m.Form != nil {
		t.Errorf("message = %+v", m)
	}
	if m.User.ID != discordtest.UserID || m.User.Name != "Tess Tester" || !m.User.Admin || len(m.User.Roles) != 1 || m.User.Roles[0] != "555" {
		t.Errorf("user = %+v", m.User)
	}
	if m.Chat.ID != discordtest.ChannelID || m.Chat.Private || m.Chat.Space != discordtest.GuildID {
		t.Errorf("chat = %+v", m.Chat)
	}
	if m.Moderator {
		t.Error("the adapter set Moderator; only the core may")
	}

	in = discordtest.Command("approve", discordtest.Integer("ref", 12)).DM()
	in.GlobalName = ""
	in.Permissions = 0x8
	id, _ = h.fake.Interaction(t, in)
	m = rec.next(t)
	h.callback(t, id)
	if m.Text != "/approve 12" {
		t.Errorf("Text = %q", m.Text)
	}
	if !m.Chat.Private || m.Chat.Space != "" || m.Chat.ID != discordtest.DMChannelID || m.User.Admin || m.User.Name != "tester" {
		t.Errorf("DM message = %+v", m)
	}

	id, _ = h.fake.Interaction(t, discordtest.Command("echo"))
	if m = rec.next(t); m.Text != "/echo" {
		t.Errorf("Text = %q", m.Text)
	}
	h.callback(t, id)
}

func TestButtonPresses(t *testing.T) {
	t.Parallel()
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		switch {
		case strings.HasPrefix(m.Text, "/page"):
			r := bot.Text("page two")
			r.Edit = true
			r.Buttons = [][]bot.Button{{{Label: "◀ Previous", Data: "/page 1 /find Canada"}}}
			return r, nil
		case strings.HasPrefix(m.Text, "/approve"):
			return &bot.Reply{Notice: "Approved S-12."}, nil
		}
		return nil, nil
	})
	h := start(t, rec)

	id, _ := h.fake.Interaction(t, discordtest.Component("/page 2 /find Canada"))
	m := rec.next(t)
	if m.Text != "/page 2 /find Canada" || !m.Pressed {
		t.Errorf("press = %q pressed %v", m.Text, m.Pressed)
	}
	r, _ := h.callback(t, id)
	if r.Type != discordtest.UpdateMessage {
		t.Fatalf("paging answered with type %d, want 7 (update the message)", r.Type)
	}
	if content(t, r) != "page two" {
		t.Errorf("content = %q", content(t, r))
	}
	rows, _ := r.Data["components"].([]any)
	if len(rows) != 1 {
		t.Fatalf("components = %v", r.Data["components"])
	}
	btn := rows[0].(map[string]any)["components"].([]any)[0].(map[string]any)
	if btn["custom_id"] != "/page 1 /find Canada" || btn["label"] != "◀ Previous" || btn["style"] != float64(2) {
		t.Errorf("button = %v", btn)
	}

	id, token := h.fake.Interaction(t, discordtest.Component("/approve S-12"))
	rec.next(t)
	if r, _ := h.callback(t, id); r.Type != discordtest.DeferredUpdate {
		t.Fatalf("a press without Edit answered with type %d, want 6", r.Type)
	}
	f := h.fake.WaitFor(t, discordtest.Followup(token), wait)
	fm := f.JSON(t)
	if fm["content"] != "Approved S\\-12." || flagsOf(fm) != discordtest.EphemeralFlag {
		t.Errorf("follow-up = %s, want the notice, ephemeral", f.Body)
	}
	noMentionsIn(t, f.Body, "allowed_mentions")

	// Nothing to say: the press is acknowledged and nothing else is sent.
	id, _ = h.fake.Interaction(t, discordtest.Component("/other"))
	rec.next(t)
	if r, _ := h.callback(t, id); r.Type != discordtest.DeferredUpdate {
		t.Errorf("a press with no reply answered with type %d, want 6", r.Type)
	}
}

func TestModal(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a very long label ", 5)
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if m.Form != nil {
			return bot.Text("Thank you, " + m.Form["name"] + "!"), nil
		}
		r := bot.Text("Tell us about the group.")
		r.Form = &bot.Form{ID: "/suggest", Title: "Suggest a peer-run group", Fields: []bot.Field{
			{Name: "name", Label: "Name of the group", Placeholder: "VANDU", Required: true, MaxLen: 120},
			{Name: "description", Label: long, Long: true, MaxLen: 9000},
		}}
		return r, nil
	})
	h := start(t, rec)

	id, _ := h.fake.Interaction(t, discordtest.Command("suggest"))
	rec.next(t)
	r, _ := h.callback(t, id)
	if r.Type != discordtest.ModalResponse {
		t.Fatalf("answered with type %d, want 9 (a modal)", r.Type)
	}
	if r.Data["custom_id"] != "/suggest" || r.Data["title"] != "Suggest a peer-run group" {
		t.Errorf("modal = %v", r.Data)
	}
	rows, _ := r.Data["components"].([]any)
	if len(rows) != 2 {
		t.Fatalf("modal rows = %v", rows)
	}
	input := func(i int) map[string]any {
		return rows[i].(map[string]any)["components"].([]any)[0].(map[string]any)
	}
	if in := input(0); in["custom_id"] != "name" || in["style"] != float64(1) || in["required"] != true ||
		in["max_length"] != float64(120) || in["placeholder"] != "VANDU" || in["label"] != "Name of the group" || in["type"] != float64(4) {
		t.Errorf("first input = %v", in)
	}
	if in := input(1); in["style"] != float64(2) || in["required"] != false || in["max_length"] != float64(4000) ||
		len([]rune(in["label"].(string))) > 45 {
		t.Errorf("second input = %v", in)
	}

	id, _ = h.fake.Interaction(t, discordtest.ModalSubmit("/suggest",
		discordtest.Field{Name: "name", Value: "VANDU"}, discordtest.Field{Name: "description", Value: "peer-run\nunion"}))
	m := rec.next(t)
	if m.Text != "/suggest" || m.Form["name"] != "VANDU" || m.Form["description"] != "peer-run\nunion" || len(m.Form) != 2 {
		t.Errorf("submitted = %q %v", m.Text, m.Form)
	}
	r, _ = h.callback(t, id)
	if r.Type != discordtest.ChannelMessage || content(t, r) != "Thank you, VANDU!" || flagsOf(r.Data) != discordtest.EphemeralFlag {
		t.Errorf("answer to the form = type %d %q flags %d", r.Type, content(t, r), flagsOf(r.Data))
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	t.Parallel()
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		_, args, _ := m.Command()
		r := &bot.Reply{}
		r.Add(bot.T("You asked for "), bot.B(args))
		r.Add(bot.C(args))
		r.Add(bot.L(args, "javascript:alert(1)"))
		return r, nil
	})
	h := start(t, rec, withGuild(discordtest.GuildID))

	text := "@everyone <@&123> **x** [a](https://evil.example) `y`"
	id, _ := h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", text)))
	rec.next(t)
	r, c := h.callback(t, id)
	esc := `\@everyone \<\@&123\> \*\*x\*\* \[a\]\(https://evil.example\) \` + "`y\\`"
	want := "You asked for **" + esc + "**\n\n" +
		"`@everyone <@&123> **x** [a](https://evil.example) y`\n\n" + // inline code shows text as is
		esc // the unsafe link is shown as text
	if got := content(t, r); got != want {
		t.Errorf("content:\n got %s\nwant %s", got, want)
	}
	noMentionsIn(t, c.Body, "data", "allowed_mentions")
	if !bytes.Contains(c.Body, []byte(`"parse":[]`)) {
		t.Errorf("body lacks an explicit empty parse list: %s", c.Body)
	}
}

func TestPanicsAndWrongTypes(t *testing.T) {
	t.Parallel()
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if strings.Contains(m.Text, "boom") {
			panic("boom")
		}
		return bot.Text("still here"), nil
	})
	h := start(t, rec)

	id, _ := h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "boom")))
	rec.next(t)
	r, _ := h.callback(t, id)
	if r.Type != discordtest.ChannelMessage || !strings.Contains(content(t, r), "Sorry") {
		t.Errorf("after a panic: type %d %q, want an apology", r.Type, content(t, r))
	}

	// Component data sent as a command, command data sent as a component,
	// a modal with a component discordgo cannot parse, an unknown type, and
	// an integer option being autocompleted (Discord sends the typed string).
	odd := []*discordtest.Interaction{
		{Type: 2, Data: map[string]any{"custom_id": "x", "component_type": 2}},
		{Type: 3, Data: map[string]any{"name": "find", "options": []any{map[string]any{"name": "place", "type": 3, "value": "x"}}}},
		{Type: 5, Data: map[string]any{"custom_id": "/suggest", "components": []any{map[string]any{"type": 99}}}},
		{Type: 4, Data: map[string]any{"name": "approve", "options": []any{map[string]any{"name": "ref", "type": 4, "value": "12a", "focused": true}}}},
	}
	for _, in := range odd {
		in.GuildID, in.ChannelID, in.UserID, in.Username = discordtest.GuildID, discordtest.ChannelID, discordtest.UserID, "tester"
		id, _ := h.fake.Interaction(t, in)
		r, _ := h.callback(t, id)
		want := discordtest.ChannelMessage
		if in.Type == 4 {
			want = discordtest.AutocompleteResult
		}
		if r.Type != want {
			t.Errorf("interaction type %d answered with %d, want %d", in.Type, r.Type, want)
		}
	}
	unknown := &discordtest.Interaction{Type: 42, Data: map[string]any{}, GuildID: discordtest.GuildID, ChannelID: discordtest.ChannelID, UserID: discordtest.UserID}
	h.fake.Interaction(t, unknown)

	// The process is alive and answering.
	id, _ = h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "Lyon")))
	rec.next(t)
	if r, _ := h.callback(t, id); content(t, r) != "still here" {
		t.Errorf("after the odd interactions: %q", content(t, r))
	}
}

func TestLongRepliesAndNothingToSay(t *testing.T) {
	t.Parallel()
	long := &bot.Reply{}
	for i := 0; i < 30; i++ {
		long.Add(bot.B("Group number "), bot.T(strings.Repeat("a_b ", 40)))
	}
	long.Buttons = [][]bot.Button{{{Label: "More", Data: "/page 2 /find x"}}}
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if strings.Contains(m.Text, "long") {
			return long, nil
		}
		return nil, nil
	})
	h := start(t, rec)

	id, token := h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "long")))
	rec.next(t)
	r, _ := h.callback(t, id)
	if r.Type != discordtest.ChannelMessage || len(content(t, r)) > 2000 || len(content(t, r)) < 1000 {
		t.Fatalf("first page: type %d, %d bytes", r.Type, len(content(t, r)))
	}
	if rows, _ := r.Data["components"].([]any); len(rows) != 0 {
		t.Errorf("buttons on the first of several messages: %v", rows)
	}
	f := h.fake.WaitFor(t, discordtest.Followup(token), wait)
	if f.Status != 204 && f.Status != 200 {
		t.Fatalf("follow-up answered %d: %s", f.Status, f.Body)
	}
	fm := f.JSON(t)
	if flagsOf(fm) != discordtest.EphemeralFlag {
		t.Errorf("follow-up flags = %d, want ephemeral like the first page", flagsOf(fm))
	}
	// The last follow-up carries the button.
	last := h.fake.WaitFor(t, func(c discordtest.Call) bool {
		return discordtest.Followup(token)(c) && bytes.Contains(c.Body, []byte("/page 2 /find x"))
	}, wait)
	noMentionsIn(t, last.Body, "allowed_mentions")

	// A nil reply: deferred ephemerally and the placeholder deleted.
	id, token = h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "nothing")))
	rec.next(t)
	if r, _ := h.callback(t, id); r.Type != discordtest.DeferredMessage {
		t.Errorf("nil reply answered with type %d", r.Type)
	}
	if d := h.fake.WaitFor(t, discordtest.DeleteOriginal(token), wait); d.Status != 204 {
		t.Errorf("delete answered %d", d.Status)
	}
}

func TestResumeAfterDisconnect(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t))
	h.fake.Disconnect()
	h.fake.WaitFor(t, discordtest.Resume(), wait)
	id, _ := h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "Vancouver")))
	if r, _ := h.callback(t, id); !strings.Contains(content(t, r), "VANDU") {
		t.Errorf("after resuming: %q", content(t, r))
	}
	if n := h.fake.CountOf(discordtest.Identify()); n != 1 {
		t.Errorf("identified %d times, want once (then resume)", n)
	}
}

// newSender returns an adapter that is not started, for tests of Send and
// Edit, and the fake Discord it talks to.
func newSender(t *testing.T) (*Adapter, *discordtest.Server) {
	t.Helper()
	fake := discordtest.New(t)
	a, err := New(Config{Token: testToken, APIBase: fake.APIBase()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a, fake
}

func TestSendAndEdit(t *testing.T) {
	t.Parallel()
	a, fake := newSender(t)
	ctx := context.Background()
	card := bot.Text("S-12: VANDU @everyone")
	card.Buttons = [][]bot.Button{{
		{Label: "Approve", Data: "/approve S-12", Style: bot.ButtonPrimary},
		{Label: "Reject", Data: "/reject S-12", Style: bot.ButtonDanger},
		{Label: "Again", Data: "/approve S-12"},
	}}
	// A rate limit on the first try is waited out by discordgo.
	fake.RateLimit(discordtest.ChannelSend("777"), 1, 10*time.Millisecond)
	mid, err := a.Send(ctx, bot.Address{Platform: Platform, ChatID: "777"}, card)
	if err != nil || mid == "" {
		t.Fatalf("Send = %q, %v", mid, err)
	}
	c := fake.WaitFor(t, discordtest.All(discordtest.ChannelSend("777"), discordtest.OK()), wait)
	noMentionsIn(t, c.Body, "allowed_mentions")
	m := c.JSON(t)
	if m["content"] != `S\-12: VANDU \@everyone` {
		t.Errorf("content = %q", m["content"])
	}
	row := m["components"].([]any)[0].(map[string]any)["components"].([]any)
	if len(row) != 2 || row[0].(map[string]any)["style"] != float64(1) || row[1].(map[string]any)["style"] != float64(4) {
		t.Errorf("buttons = %v, want Approve (primary) and Reject (danger), the repeat dropped", row)
	}

	if err := a.Edit(ctx, bot.Address{Platform: Platform, ChatID: "777"}, mid, bot.Text("S-12 approved")); err != nil {
		t.Fatal(err)
	}
	e := fake.WaitFor(t, discordtest.ChannelEdit("777", mid), wait)
	em := e.JSON(t)
	if em["content"] != `S\-12 approved` || em["components"] == nil || len(em["components"].([]any)) != 0 {
		t.Errorf("edit = %s, want the new text and the buttons removed", e.Body)
	}
	noMentionsIn(t, e.Body, "allowed_mentions")

	// A user's direct messages.
	if _, err := a.Send(ctx, bot.Address{Platform: Platform, UserID: "4242"}, bot.Text("Your suggestion was approved.")); err != nil {
		t.Fatal(err)
	}
	dm := fake.WaitFor(t, discordtest.OpenDM(), wait)
	var rcpt struct {
		RecipientID string `json:"recipient_id"`
	}
	dm.Decode(&rcpt)
	if rcpt.RecipientID != "4242" {
		t.Errorf("opened a DM with %q", rcpt.RecipientID)
	}
	fake.WaitFor(t, func(c discordtest.Call) bool {
		return c.Method == "POST" && strings.HasSuffix(c.Path, "/messages") && bytes.Contains(c.Body, []byte("approved."))
	}, wait)

	if _, err := a.Send(ctx, bot.Address{Platform: Platform}, bot.Text("x")); err == nil {
		t.Error("Send to an empty address succeeded")
	}
}

func TestRunFailsOnARejectedToken(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	fake.RequireToken("the-real-token")
	logs := &logBuffer{}
	a, err := New(Config{Token: testToken, APIBase: fake.APIBase(), Commands: testCommands(t)}, logs.logger())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err = a.Run(ctx, MustBot(t))
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "4004") {
		t.Fatalf("Run = %v, want authentication failed (4004) at once", err)
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(logs.String(), testToken) {
		t.Errorf("the token leaked: %v / %s", err, logs.String())
	}
}

func TestNothingSensitiveIsLogged(t *testing.T) {
	t.Parallel()
	b := MustBot(t)
	h := start(t, bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if strings.Contains(m.Text, "explode") {
			panic("handler failure")
		}
		return b.Handle(ctx, m)
	}))
	secret := "Secretville"
	in := discordtest.Command("find", discordtest.String("place", secret))
	in.UserID = "987654321987654321"
	id, token := h.fake.Interaction(t, in)
	h.callback(t, id)
	in = discordtest.Command("find", discordtest.String("place", secret+" explode"))
	in.UserID = "987654321987654321"
	id, _ = h.fake.Interaction(t, in)
	h.callback(t, id)
	logs := h.logs.String()
	for _, s := range []string{testToken, secret, "987654321987654321", token} {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains %q:\n%s", s, logs)
		}
	}
	if !strings.Contains(logs, "handler panicked") {
		t.Errorf("the panic was not logged:\n%s", logs)
	}
}
