package discord

import (
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

// Every language the bot speaks (bot/i18n's one list) must reach Discord: a
// language added to i18n that no Discord locale matches would silently get
// English command names, so this fails loudly instead.
func TestEveryLanguageHasADiscordLocale(t *testing.T) {
	for _, lang := range i18n.Default().Languages() {
		if lang == i18n.Reference {
			continue // Discord's English locales take the default name
		}
		locs := discordLocales[lang]
		if len(locs) == 0 {
			t.Errorf("language %q has no Discord locale: add its code to discordLocales in commands.go", lang)
		}
		for _, l := range locs {
			if got := localeLang(l); got != lang {
				t.Errorf("Discord locale %q is listed for %q but speaks %q", l, lang, got)
			}
		}
	}
	for lang := range discordLocales {
		if _, ok := i18n.Match(lang); !ok {
			t.Errorf("discordLocales has %q, which is not a supported language", lang)
		}
	}
}
