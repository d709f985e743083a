package bot

import (
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

// The phrases translated at start, templates filled in, are what i18n.Tr
// gives in every language, with arguments of every script.
func TestPhrasesAreTheTranslations(t *testing.T) {
	b := New(Options{})
	if len(b.phrases) != len(i18n.Tags()) {
		t.Fatalf("%d languages of phrases, want %d", len(b.phrases), len(i18n.Tags()))
	}
	for _, tag := range i18n.Tags() {
		lang := tag.String()
		p := b.phrase(lang)
		for key, got := range map[string]string{"card.regional": p.regional, "card.international": p.international,
			"card.national": p.national, "card.ally": p.ally} {
			if want := i18n.Tr(lang, key); got != want {
				t.Errorf("%s %s = %q, want %q", lang, key, got, want)
			}
		}
		if len(p.words) == 0 {
			t.Errorf("%s: no headings", lang)
		}
		for key := range p.words {
			if got, want := b.word(lang, key), i18n.Tr(lang, key); got != want {
				t.Errorf("%s word %s = %q, want %q", lang, key, got, want)
			}
		}
		for _, arg := range []string{"Lyon", "Москва", "British Columbia, Yukon", "100% (x)", ""} {
			if got, want := fill(p.inCity, arg), i18n.Tr(lang, "find.in_city", arg); got != want {
				t.Errorf("%s find.in_city(%q) = %q, want %q", lang, arg, got, want)
			}
			if got, want := fill(p.across, arg), i18n.Tr(lang, "find.across", arg); got != want {
				t.Errorf("%s find.across(%q) = %q, want %q", lang, arg, got, want)
			}
			if got, want := fill(p.kmWhole, arg), i18n.Tr(lang, "km.whole", arg); got != want {
				t.Errorf("%s km.whole(%q) = %q, want %q", lang, arg, got, want)
			}
		}
	}
}
