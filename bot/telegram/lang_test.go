package telegram

import (
	"context"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// TestAnswersInTheUsersLanguage: a user whose Telegram is set to
// Brazilian Portuguese is answered in Portuguese, location button included.
func TestAnswersInTheUsersLanguage(t *testing.T) {
	e := start(t, MustCore(t), nil)
	e.push(text(bia, private(bia), "/start"))
	sent := e.sent(bia.ID)
	if len(sent) != 1 {
		t.Fatalf("/start answered with %d messages, want 1", len(sent))
	}
	if got := sent[0].Text(); !strings.Contains(got, "Olá!") || !strings.Contains(got, "pessoas que usam drogas") {
		t.Errorf("/start for a pt-br user = %q; want Portuguese", got)
	}
	kb := sent[0].Markup()
	if len(kb.Keyboard) != 1 || kb.Keyboard[0][0].Text != "📍 Compartilhar minha localização" {
		t.Errorf("location keyboard for a pt-br user = %+v", kb)
	}

	e.push(text(alice, private(alice), "/start"))
	if got := e.sent(alice.ID); len(got) != 1 || !strings.Contains(got[0].Text(), "Hello!") ||
		got[0].Markup().Keyboard[0][0].Text != LocationButton {
		t.Errorf("/start for an en-GB user = %+v", got)
	}
}

// TestLocationPromptInTheReplysLanguage: the prompt that carries the
// location keyboard, when the reply has buttons of its own, is written in
// the reply's language.
func TestLocationPromptInTheReplysLanguage(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		r := bot.Text("Où ?")
		r.Location, r.Lang = true, "fr"
		r.Buttons = [][]bot.Button{{{Label: "Aide", Data: "/help"}}}
		return r, nil
	})
	e := start(t, h, nil)
	e.push(text(alice, private(alice), "/where"))
	sent := e.sent(alice.ID)
	if len(sent) != 2 {
		t.Fatalf("%d messages, want the reply and the location prompt", len(sent))
	}
	if got, want := sent[1].Text(), "Vous pouvez aussi partager votre position :"; got != want {
		t.Errorf("prompt = %q, want %q", got, want)
	}
	if got := sent[1].Markup().Keyboard[0][0].Text; got != "📍 Partager ma position" {
		t.Errorf("button = %q", got)
	}
}

// TestCommandMenuInEveryLanguage: the menu is published once for everyone
// in English and once per other language, with the commands' names
// unchanged and their descriptions translated.
func TestCommandMenuInEveryLanguage(t *testing.T) {
	e := start(t, MustCore(t), nil, func(c *Config, _ *telegramtest.Server) {
		c.Commands = MustCore(t).Router().Commands()
	})
	private := func(c telegramtest.Call) bool { return strings.Contains(c.Get("scope"), `"all_private_chats"`) }
	e.srv.WaitFor(t, "setMyCommands", func(c telegramtest.Call) bool { return private(c) && c.Get("language_code") == "id" }, wait)
	n := 0
	for _, c := range e.srv.Calls("setMyCommands") {
		if private(c) {
			n++
		}
	}
	if n != len(i18n.Default().Languages()) {
		t.Errorf("%d setMyCommands calls for private chats, want one per language (%d)", n, len(i18n.Default().Languages()))
	}
	english := e.srv.CommandsIn(telegramtest.ScopeAllPrivateChats, "")
	for _, tc := range []struct{ lang, find string }{
		{"", "Find peer-run groups by place or name"},
		{"fr", "Trouver des groupes d’autosupport par lieu ou par nom"},
		{"es", "Buscar grupos dirigidos por pares por lugar o nombre"},
		{"pt", "Encontrar grupos liderados por pares por lugar ou nome"},
		{"ru", "Найти группы самоорганизации по месту или названию"},
		{"de", "Selbstorganisierte Gruppen nach Ort oder Name finden"},
		{"id", "Cari kelompok yang dikelola komunitas berdasarkan tempat atau nama"},
	} {
		menu := e.srv.CommandsIn(telegramtest.ScopeAllPrivateChats, tc.lang)
		if len(menu) != len(english) {
			t.Errorf("%q menu has %d commands, English %d", tc.lang, len(menu), len(english))
			continue
		}
		for i, c := range menu {
			if c.Command != english[i].Command {
				t.Errorf("%q menu command %d = %q, want %q (names stay the same)", tc.lang, i, c.Command, english[i].Command)
			}
			if c.Command == "find" && c.Description != tc.find {
				t.Errorf("%q: /find is described %q, want %q", tc.lang, c.Description, tc.find)
			}
		}
	}
}

// TestEnglishConstantsMatchTheCatalog keeps the exported English texts
// and the catalog's in step.
func TestEnglishConstantsMatchTheCatalog(t *testing.T) {
	if got := i18n.Tr("en", "location.button"); got != LocationButton {
		t.Errorf("catalog location.button = %q, LocationButton = %q", got, LocationButton)
	}
	if got := i18n.Tr("en", "location.prompt"); got != LocationPrompt {
		t.Errorf("catalog location.prompt = %q, LocationPrompt = %q", got, LocationPrompt)
	}
}
