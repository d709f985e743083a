// Package clean makes text that people send safe to keep and to show again:
// Text is the cleaning every suggestion goes through, and Echo is what a
// reply shows of someone's own words. It depends on nothing of the
// module, so the core and moderation both use it.
package clean

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// mentions undoes Discord's <@id>, <@&role>, <@!id> and <#channel>
// syntax. A Replacer is safe for concurrent use and never changes once
// made; making it for every Text was most of Text's cost.
var mentions = strings.NewReplacer("<@&", "<", "<@!", "<", "<@", "<", "<#", "<")

// Text removes what must never reach a card, the directory or a reply:
// control characters (newlines become spaces), zero-width and
// bidirectional-override characters (which can disguise text or reverse
// the rest of a message), and mention syntax that could ping a whole
// server. It also collapses runs of spaces and trims. It is idempotent.
func Text(s string) string {
	if clean(s) {
		return s
	}
	return text(s)
}

// text is Text without the shortcut for text that is already clean.
func text(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\u061C',
			r >= '\u2066' && r <= '\u2069', r >= '\u202A' && r <= '\u202E':
			// Cf covers zero-width spaces and joiners, BOM and bidi marks.
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := b.String()
	// "@everyone", "@here", and Discord's <@id>, <@&role>, <#channel>.
	// Removing one mention can form another ("<@#1" → "<#1"), so repeat
	// until nothing changes. Every mention has a "<" or an "@": text
	// with neither (most queries) is done.
	for strings.ContainsAny(out, "<@") {
		next := mentions.Replace(dropAt(dropAt(out, "@everyone"), "@here"))
		if next == out {
			return out
		}
		out = next
	}
	return out
}

// dropAt removes the "@" of every case-insensitive occurrence of mention
// ("@everyone" → "everyone", "@HERE" → "HERE"). Byte offsets are safe
// because mention is ASCII and only ASCII letters are compared.
func dropAt(s, mention string) string {
	for {
		i := indexFoldASCII(s, mention)
		if i < 0 {
			return s
		}
		s = s[:i] + s[i+1:]
	}
}

func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// Echo is what a reply may show of text someone sent ("I couldn't find
// anything for “…”", a refused link): Text, cut to at most max runes
// (max <= 0: no cut), with every web address or domain in it defanged so
// that no client makes it a link. Telegram links bare domains
// ("evil.example"), addresses with a scheme, e-mail addresses and
// @usernames; Discord links addresses with a scheme. So, in every word
// that holds "://", a dot between a letter or digit and two letters, or an
// "@" before a letter, "://" becomes "[:]//", each dot "[.]" and each "@"
// "[@]": "https://inpud.net@evil.example" reads
// "https[:]//inpud[.]net[@]evil[.]example". No invisible characters are
// used, since Text would remove them and they are themselves a disguise.
func Echo(s string, max int) string {
	s = Text(s)
	if max > 0 && utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	words := strings.Split(s, " ")
	for i, w := range words {
		if linkable(w) {
			words[i] = defang(w)
		}
	}
	return strings.Join(words, " ")
}

// dots are the characters clients may take for the dot of a domain.
func isDot(r rune) bool { return r == '.' || r == '．' || r == '。' || r == '｡' }

// linkable reports whether a client might turn part of w into a link.
func linkable(w string) bool {
	if strings.Contains(w, "://") {
		return true
	}
	rs := []rune(w)
	for i, r := range rs {
		switch {
		case r == '@' && i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsNumber(rs[i+1]) || rs[i+1] == '_'):
			return true
		case isDot(r) && i > 0 && i+2 < len(rs) && (unicode.IsLetter(rs[i-1]) || unicode.IsNumber(rs[i-1])) &&
			unicode.IsLetter(rs[i+1]) && unicode.IsLetter(rs[i+2]):
			return true
		}
	}
	return false
}

func defang(w string) string {
	w = strings.ReplaceAll(w, "://", "[:]//")
	var b strings.Builder
	for _, r := range w {
		switch {
		case isDot(r):
			b.WriteString("[.]")
		case r == '@':
			b.WriteString("[@]")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean reports whether Text would return s as it is, for the text most
// people type ("Canada", "Victoria, BC"): printable ASCII without "<" or
// "@", single spaces between words and none at either end.
func clean(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == '<' || c == '@' || (c == ' ' && s[i+1] == ' ') {
			return false
		}
	}
	return true
}
