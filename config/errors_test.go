package config

import (
	"strings"
	"testing"
)

// TestEveryErrorNamesItsVariable covers the values that used to pass: an
// unknown language, malformed tokens and an HTTP address that is none.
func TestEveryErrorNamesItsVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"UNIONBOT_LANG": "xx"}, "UNIONBOT_LANG must be one of the languages the bot speaks (en, fr, es, pt, ru, de, id), not \"xx\""},
		{map[string]string{"UNIONBOT_HTTP_ADDR": "nope"}, "UNIONBOT_HTTP_ADDR must be an address such as :8080"},
		{map[string]string{"UNIONBOT_HTTP_ADDR": ":99999"}, "UNIONBOT_HTTP_ADDR must end in a port number"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "123456 ABC-def"}, "UNIONBOT_TELEGRAM_TOKEN is not a Telegram bot token"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": `"123456:ABC-def"`}, "UNIONBOT_TELEGRAM_TOKEN is not a Telegram bot token"},
		{map[string]string{"UNIONBOT_TELEGRAM_TOKEN": "ABC-def"}, "UNIONBOT_TELEGRAM_TOKEN is not a Telegram bot token"},
		{map[string]string{"UNIONBOT_DISCORD_TOKEN": "MTIz.abc def"}, "UNIONBOT_DISCORD_TOKEN is not a Discord bot token"},
		{map[string]string{"UNIONBOT_DISCORD_TOKEN": "MTIz.abc\n"}, "UNIONBOT_DISCORD_TOKEN is not a Discord bot token"},
	} {
		_, err := LoadFor(func(k string) string { return tc.env[k] }, []string{"en", "fr", "es", "pt", "ru", "de", "id"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.env, err, tc.want)
		}
	}
	for _, ok := range []map[string]string{
		{"UNIONBOT_LANG": "pt-BR"},
		{"UNIONBOT_HTTP_ADDR": "127.0.0.1:0"},
		{"UNIONBOT_TELEGRAM_TOKEN": "123456789:AAE_x-Yz"},
		{"UNIONBOT_DISCORD_TOKEN": "Bot MTIz.Gx_y.a-b"},
	} {
		if _, err := LoadFor(func(k string) string { return ok[k] }, []string{"en", "pt"}); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}

func TestUnknownVariablesSuggestTheClosest(t *testing.T) {
	got := Unknown([]string{"PATH=/bin", "UNIONBOT_TELEGRAM_TOKN=x", "UNIONBOT_LANG=fr", "UNIONBOT_MOD_CHAT=1", "UNIONBOT_TEST_REDIS_URL=redis://", "UNIONBOT_ZZZZZZZZZZZZZZZZ=1"})
	want := []string{
		"UNIONBOT_MOD_CHAT is not a variable unionbot reads",
		"UNIONBOT_TELEGRAM_TOKN is not a variable unionbot reads; did you mean UNIONBOT_TELEGRAM_TOKEN?",
		"UNIONBOT_ZZZZZZZZZZZZZZZZ is not a variable unionbot reads",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Unknown = %q\nwant %q", got, want)
	}
	if c := Closest("UNIONBOT_DISCORD_MOD_ROLE"); c != "UNIONBOT_DISCORD_MOD_ROLES" {
		t.Errorf("Closest = %q", c)
	}
}

func TestReviewSaysWhenNoModeratorIsReached(t *testing.T) {
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{ConsoleModerator: true}, ""},
		{Config{}, "UNIONBOT_CONSOLE_MODERATOR is false"},
		{Config{TelegramToken: "1:a", TelegramModerators: []string{"1"}}, "no moderators' chat is set"},
		{Config{TelegramToken: "1:a", TelegramModChat: "-100"}, "no moderators are set"},
		{Config{TelegramToken: "1:a", TelegramModChat: "-100", TelegramModerators: []string{"1"}}, ""},
		{Config{DiscordToken: "a", DiscordModChannel: "9", DiscordModRoles: []string{"7"}}, ""},
	} {
		got := Review(tc.c)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("Review(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}
