package main

import (
	"slices"
	"testing"

	"github.com/unionbot/unionbot/bot/discord/discordtest"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// TestEveryDeclaredCommandReachesBothPlatforms: the commands the core
// declares (bot.Command, registered by the core and by moderation) are the
// commands both platforms are told about, derived by the adapters with no
// list of their own. So a new command declared in the core reaches Discord's
// application commands and Telegram's menus with no adapter change: this
// test compares the two registrations with the core's declarations, whatever
// they are.
func TestEveryDeclaredCommandReachesBothPlatforms(t *testing.T) {
	tg := telegramtest.New(t, e2eTelegramToken)
	dc := discordtest.New(t)
	dc.RequireToken(e2eDiscordToken)
	app := e2eStart(t, withDiscord(withTelegram(embeddedEnv(t), tg), dc), telegramNoPacing())
	dcWaitConnected(t, dc)

	var visible, users []string
	for _, c := range app.bot.Router().Commands() {
		if c.Hidden {
			continue
		}
		visible = append(visible, c.Name)
		if !c.Moderator {
			users = append(users, c.Name)
		}
	}
	if len(users) < 6 || len(visible) <= len(users) {
		t.Fatalf("the core declares %q (users %q); want the user and moderators' commands", visible, users)
	}

	put := dc.WaitFor(t, discordtest.All(discordtest.CommandOverwrite(), discordtest.OK()), e2eWait)
	var registered []struct {
		Name string `json:"name"`
	}
	if err := put.Decode(&registered); err != nil {
		t.Fatal(err)
	}
	var onDiscord []string
	for _, c := range registered {
		onDiscord = append(onDiscord, c.Name)
	}
	if !slices.Equal(sorted(onDiscord), sorted(visible)) {
		t.Errorf("Discord registered %q; the core declares %q", sorted(onDiscord), sorted(visible))
	}

	tg.WaitFor(t, "setMyCommands", func(c telegramtest.Call) bool {
		return c.OK() && c.Get("language_code") == "" && c.Get("scope") != "" &&
			len(tg.CommandsIn(telegramtest.ScopeAllPrivateChats, "")) > 0
	}, e2eWait)
	var inPrivate []string
	for _, c := range tg.CommandsIn(telegramtest.ScopeAllPrivateChats, "") {
		inPrivate = append(inPrivate, c.Command)
	}
	if !slices.Equal(sorted(inPrivate), sorted(users)) {
		t.Errorf("Telegram's private-chat menu is %q; the core declares %q for users", sorted(inPrivate), sorted(users))
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
