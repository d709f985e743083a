package telegram

import (
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

func names(cmds []telegramtest.BotCommand) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Command)
	}
	return out
}

// The menus are sent by scope, derived from the declarations: the full
// user set in private chats, the group set in groups (the moderators'
// chat too, for those who are not moderators), the moderators' commands
// for each moderator in the moderators' chat and in their private chats,
// in every language.
func TestCommandMenusByScope(t *testing.T) {
	const modChat = -1005550001
	e := start(t, MustCore(t), nil, func(c *Config, _ *telegramtest.Server) {
		c.Commands = []bot.Command{
			{Name: "start", Description: "Welcome"},
			{Name: "find", Description: "Find groups", Groups: true},
			{Name: "network", Description: "Networks", Groups: true},
			{Name: "lang", Description: "Language"},
			{Name: "help", Description: "Help", Groups: true},
			{Name: "queue", Description: "Queue", Moderator: true},
			{Name: "approve", Description: "Approve", Moderator: true},
			{Name: "page", Description: "Page", Hidden: true, Groups: true},
		}
		c.ModChat = strconv.Itoa(modChat)
		c.Moderators = []string{strconv.FormatInt(alice.ID, 10), "not-an-id"}
	})
	last := telegramtest.ScopeChat(alice.ID)
	e.srv.WaitFor(t, "setMyCommands", func(c telegramtest.Call) bool {
		// The last menu set: alice's private chat, in the last language.
		return c.Get("language_code") == "id" && strings.Contains(c.Get("scope"), `"type":"chat",`)
	}, wait)
	for _, c := range e.srv.Calls("setMyCommands") {
		if !c.OK() {
			t.Fatalf("setMyCommands refused: %s (scope %s)", c.Description, c.Get("scope"))
		}
	}
	for _, tc := range []struct {
		scope string
		want  []string
	}{
		{telegramtest.ScopeAllPrivateChats, []string{"start", "find", "network", "lang", "help"}},
		{telegramtest.ScopeAllGroupChats, []string{"find", "network", "help"}},
		{telegramtest.ScopeChatMember(modChat, alice.ID), []string{"find", "network", "help", "queue", "approve"}},
		{last, []string{"start", "find", "network", "lang", "help", "queue", "approve"}},
	} {
		for _, lang := range i18n.Default().Languages() {
			l := lang
			if l == i18n.Reference {
				l = ""
			}
			if got := names(e.srv.CommandsIn(tc.scope, l)); !slices.Equal(got, tc.want) {
				t.Errorf("%s menu in %q = %q, want %q", tc.scope, l, got, tc.want)
			}
		}
	}
	want := []string{telegramtest.ScopeAllGroupChats, telegramtest.ScopeAllPrivateChats, telegramtest.ScopeChatMember(modChat, alice.ID), last}
	slices.Sort(want)
	if got := e.srv.MenuScopes(); !slices.Equal(got, want) {
		t.Errorf("menus set for %q, want %q (no default scope, no chat for a malformed id)", got, want)
	}
}

// TestAdapterNamesNoCommand: the adapter derives everything from the
// commands' declarations; no string in its code names a command.
func TestAdapterNamesNoCommand(t *testing.T) {
	var cmds []string
	for _, c := range MustCore(t).Router().Commands() {
		cmds = append(cmds, c.Name)
	}
	if len(cmds) < 3 {
		t.Fatalf("the core declares %d commands; the test proves nothing", len(cmds))
	}
	bottest.EachString(t, nil, func(pos token.Position, lit, s string) {
		for _, c := range cmds {
			if s == c || strings.Contains(s, "/"+c+" ") || strings.HasSuffix(s, "/"+c) {
				t.Errorf("%s:%d names the command %q: %s", pos.Filename, pos.Line, c, lit)
			}
		}
	})
}
