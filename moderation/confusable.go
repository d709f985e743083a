package moderation

import (
	"net/url"
	"sort"
	"strings"
	"unicode"

	"go.mau.fi/util/confusable"
	"golang.org/x/net/idna"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/directory"
)

// Look-alikes. A name or website written with letters of another script
// that look like Latin ones ("АЅՍᎠ" for ASUD, "www.аsud.org" with a
// Cyrillic "а") can pass for a listed group and send people to an
// impostor. Suggestions are compared with the directory by their UTS #39
// confusable skeleton, with the Unicode confusables data that
// go.mau.fi/util/confusable generates from unicode.org, not by spelling
// alone.

// Lookalike is one confusable warning on a suggestion, kept on the item so
// that moderators' cards can show it in their language.
type Lookalike struct {
	// Field is what looks alike: "name" or "website".
	Field string `json:"field"`
	// Value is the suggested text (the host, for a website).
	Value string `json:"value"`
	// Scripts lists the writing systems mixed in one word of Value, when
	// it mixes them ("Armenian, Cherokee, Cyrillic").
	Scripts []string `json:"scripts,omitempty"`
	// Like is the id of the listed organisation Value can be mistaken
	// for, and LikeText the name or host of it that Value looks like.
	Like     string `json:"like,omitempty"`
	LikeText string `json:"like_text,omitempty"`
}

// skeletonKey is what two texts share when they look alike: the UTS #39
// skeleton, then folded as the directory folds names, so that case and
// accents do not tell them apart either.
func skeletonKey(s string) string {
	return directory.Fold(confusable.Skeleton(s))
}

// unicodeHost is a URL's host in Unicode, lowercased, without "www.":
// "xn--sud-8cd.org" and "аsud.org" give the same.
func unicodeHost(u string) string {
	h := host(u)
	if h == "" {
		return ""
	}
	if uh, err := idna.ToUnicode(h); err == nil {
		h = uh
	}
	return strings.ToLower(h)
}

// punycode is a host's ASCII (IDNA) form, or "" when it is ASCII already
// or cannot be encoded.
func punycode(h string) string {
	a, err := idna.ToASCII(h)
	if err != nil || a == h {
		return ""
	}
	return a
}

// displayLink is a link as cards show it: as typed, and where its host is
// international, the host's Unicode and punycode forms side by side, so a
// Cyrillic "а" cannot pass for a Latin one.
func displayLink(raw string) (link, note string) {
	p, err := url.Parse(raw)
	if err != nil || p.Hostname() == "" {
		return raw, ""
	}
	h := strings.ToLower(p.Hostname())
	uh, errU := idna.ToUnicode(h)
	ah, errA := idna.ToASCII(h)
	if errU != nil || errA != nil || uh == ah {
		return raw, ""
	}
	return raw, uh + " = " + ah
}

// scriptOf names the script of r, or "" for characters every script shares
// (digits, punctuation, combining marks).
func scriptOf(r rune) string {
	if r < 0x80 {
		if unicode.IsLetter(r) {
			return "Latin"
		}
		return ""
	}
	if unicode.In(r, unicode.Common, unicode.Inherited) {
		return ""
	}
	for name, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return name
		}
	}
	return ""
}

// allowedMix are the script sets one word may mix, as UTS #39's "highly
// restrictive" level allows: Japanese and Korean writing, and Chinese with
// Bopomofo, each possibly with Latin.
var allowedMix = []map[string]bool{
	{"Latin": true, "Han": true, "Hiragana": true, "Katakana": true},
	{"Latin": true, "Han": true, "Hangul": true},
	{"Latin": true, "Han": true, "Bopomofo": true},
}

// mixedScripts returns the scripts of the first word of s (split on
// spaces, dots, hyphens and other non-letters) that mixes scripts in a way
// no language writes, sorted; nil when none does.
func mixedScripts(s string) []string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) })
	for _, w := range words {
		set := map[string]bool{}
		for _, r := range w {
			if sc := scriptOf(r); sc != "" {
				set[sc] = true
			}
		}
		if len(set) < 2 || allowed(set) {
			continue
		}
		out := make([]string, 0, len(set))
		for sc := range set {
			out = append(out, sc)
		}
		sort.Strings(out)
		return out
	}
	return nil
}

func allowed(set map[string]bool) bool {
	for _, ok := range allowedMix {
		all := true
		for sc := range set {
			if !ok[sc] {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// hostMixesScripts reports the scripts a website's host mixes within one
// label, or nil. Such a host is refused: no real domain needs it, and it is
// how look-alike domains are made.
func hostMixesScripts(u string) []string {
	h := unicodeHost(u)
	if h == "" {
		return nil
	}
	return mixedScripts(h)
}

// lookalikes finds what in o looks like a listed organisation without
// being spelt as it: a name, other name or acronym with the same skeleton,
// or a website host with the same skeleton as a listed host. Exact matches
// are the duplicate check's business, not this one's. It also warns of a
// name word that mixes scripts.
func lookalikes(x *directory.Index, o *directory.Organisation) []Lookalike {
	var out []Lookalike
	nameKey := skeletonKey(o.Name)
	acrKey := skeletonKey(o.Acronym)
	nameFold, acrFold := directory.Fold(o.Name), directory.Fold(o.Acronym)
	for _, text := range []string{o.Name, o.Acronym} {
		if sc := mixedScripts(text); sc != nil {
			out = append(out, Lookalike{Field: "name", Value: text, Scripts: sc})
			break
		}
	}
	hosts := map[string]string{} // skeleton → suggested host
	for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
		if h := unicodeHost(u); h != "" {
			hosts[skeletonKey(h)] = h
		}
	}
	seen := map[string]bool{}
	add := func(l Lookalike) {
		k := l.Field + "\x00" + l.Like
		if !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	x.Orgs(func(c *directory.Organisation) bool {
		names := append([]string{c.Name, c.Acronym}, c.OtherNames...)
		for _, n := range names {
			if n == "" {
				continue
			}
			k := skeletonKey(n)
			f := directory.Fold(n)
			if k == "" || (f == nameFold || f == acrFold) {
				continue
			}
			if k == nameKey || k == acrKey {
				add(Lookalike{Field: "name", Value: o.Name, Like: c.ID, LikeText: n})
				break
			}
		}
		for _, u := range c.Websites {
			ch := unicodeHost(u)
			if ch == "" {
				continue
			}
			if sh, ok := hosts[skeletonKey(ch)]; ok && sh != ch {
				add(Lookalike{Field: "website", Value: sh, Like: c.ID, LikeText: ch})
			}
		}
		return true
	})
	return out
}

// lookalikeSpans is a warning line of a moderators' card, in lang.
func lookalikeSpans(l Lookalike, lang string) []bot.Span {
	switch {
	case l.Scripts != nil:
		return bot.Rich(lang, "card.mixed_scripts", l.Value, strings.Join(l.Scripts, ", "))
	case l.Field == "website":
		v := l.Value
		if a := punycode(v); a != "" {
			v += " (" + a + ")"
		}
		return bot.Rich(lang, "card.lookalike_website", v, l.LikeText, l.Like)
	default:
		return bot.Rich(lang, "card.lookalike_name", l.Value, l.LikeText, l.Like)
	}
}
