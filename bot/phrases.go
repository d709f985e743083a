package bot

import (
	"strings"

	"github.com/unionbot/unionbot/bot/i18n"
)

// phrases are the words an answer repeats for every entry it lists,
// translated once per language when the core starts: i18n.Tr formats
// through a fresh message printer on each call, which costs more than the
// rest of an entry's line.
type phrases struct {
	regional, international, national, ally string
	// inCity and across are templates, phraseArg standing where their
	// one %s goes (fill).
	inCity, across string
}

// phraseArg is what a template holds for its argument: a byte no
// translation contains.
const phraseArg = "\x00"

func newPhrases(lang string) *phrases {
	return &phrases{
		regional:      i18n.Tr(lang, "card.regional"),
		international: i18n.Tr(lang, "card.international"),
		national:      i18n.Tr(lang, "card.national"),
		ally:          i18n.Tr(lang, "card.ally"),
		inCity:        i18n.Tr(lang, "find.in_city", phraseArg),
		across:        i18n.Tr(lang, "find.across", phraseArg),
	}
}

// fill puts arg in a template: what i18n.Tr gives for a message whose
// only verb is %s.
func fill(tmpl, arg string) string { return strings.ReplaceAll(tmpl, phraseArg, arg) }

// allPhrases translates the phrases into every supported language.
func allPhrases() map[string]*phrases {
	out := map[string]*phrases{}
	for _, t := range i18n.Tags() {
		out[t.String()] = newPhrases(t.String())
	}
	return out
}

// phrase is lang's phrases; a language not supported (which the core
// never answers in) is translated on the spot.
func (b *Bot) phrase(lang string) *phrases {
	if p, ok := b.phrases[lang]; ok {
		return p
	}
	return newPhrases(lang)
}
