package bot

import (
	"sort"
	"strings"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// phrases are the words an answer repeats for every entry it lists,
// translated once per language when the core starts: i18n.Tr formats
// through a fresh message printer on each call, which costs more than the
// rest of an entry's line.
type phrases struct {
	regional, international, national, ally string
	// inCity, across and kmWhole are templates, phraseArg standing where
	// their one %s goes (fill).
	inCity, across, kmWhole string
	// me holds the words for the person ("me", "here"), folded (isMe);
	// nearMe the ways to ask for groups near them ("near me"), folded
	// (asksNearMe); near the words for "near", in lower case, longest
	// first (cutNear). Each is in English and in the language.
	me, nearMe, near []string
	// words are the translations of the messages without arguments
	// that answers use as headings, for word.
	words map[string]string
}

// word is the translation of key in lang: i18n.Tr(lang, key) for a key
// without arguments, from the phrases when it is a heading's.
func (b *Bot) word(lang, key string) string {
	if w, ok := b.phrase(lang).words[key]; ok {
		return w
	}
	return i18n.Tr(lang, key)
}

// phraseArg is what a template holds for its argument: a byte no
// translation contains.
const phraseArg = "\x00"

func newPhrases(lang string) *phrases {
	p := &phrases{
		regional:      i18n.Tr(lang, "card.regional"),
		international: i18n.Tr(lang, "card.international"),
		national:      i18n.Tr(lang, "card.national"),
		ally:          i18n.Tr(lang, "card.ally"),
		inCity:        i18n.Tr(lang, "find.in_city", phraseArg),
		across:        i18n.Tr(lang, "find.across", phraseArg),
		kmWhole:       i18n.Tr(lang, "km.whole", phraseArg),
	}
	p.words = map[string]string{}
	for _, k := range []string{"find.national", "find.regional", "find.nearest", "network.international", "find.by_name", "find.countries", "find.also", "km.under_one"} {
		p.words[k] = i18n.Tr(lang, k)
	}
	for _, w := range bothWords(lang, "find.me_words", false) {
		if w = directory.Fold(w); w != "" {
			p.me = append(p.me, w)
		}
	}
	for _, n := range bothWords(lang, "find.near_words", false) {
		if n = directory.Fold(n); n != "" {
			for _, w := range p.me {
				p.nearMe = append(p.nearMe, n+" "+w)
			}
		}
	}
	near := bothWords(lang, "find.near_words", true)
	// Longest first, so "près de" wins over "près".
	sort.SliceStable(near, func(i, j int) bool { return len(near[i]) > len(near[j]) })
	for _, w := range near {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
			p.near = append(p.near, w)
		}
	}
	return p
}

// bothWords is the "|"-separated list key holds in English and in lang,
// English first unless langFirst.
func bothWords(lang, key string, langFirst bool) []string {
	words := strings.Split(i18n.Tr(i18n.Reference, key), "|")
	if lang == i18n.Reference {
		return words
	}
	own := strings.Split(i18n.Tr(lang, key), "|")
	if langFirst {
		return append(own, words...)
	}
	return append(words, own...)
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
