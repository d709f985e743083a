package directory

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// folder turns text into the form search compares: case-folded, accents
// removed, punctuation turned into single spaces. It is not safe for
// concurrent use (transform.Chain keeps state), so each Index owns one per
// call; see Fold.
type folder struct {
	t transform.Transformer
}

func newFolder() *folder {
	return &folder{t: transform.Chain(
		norm.NFKD,
		runes.Remove(runes.In(unicode.Mn)),
		// Lower rather than Fold: Fold maps some scripts' small letters to
		// capitals (Cherokee) in a way that is not stable when repeated,
		// and search keys must fold to themselves. The few folds Lower
		// lacks that matter here are in foldExtra.
		cases.Lower(language.Und),
		norm.NFC,
	)}
}

// letters that do not decompose into a base letter plus a mark, so NFKD
// leaves them alone; people type the plain letter instead.
var foldExtra = strings.NewReplacer(
	"ł", "l", "đ", "d", "ø", "o", "æ", "ae", "œ", "oe", "ß", "ss", "þ", "th", "ı", "i", "ς", "σ",
	"’", "", "'", "", "`", "", "ʼ", "", ".", "",
)

// Fold returns the search form of s: "Méta d’Âme" → "meta dame",
// "Kraków" → "krakow", "B.C." → "bc". Apostrophes and full stops join the
// letters around them so that "L'ADDICQ" meets "laddicq" and "U.K." meets
// "UK"; every other run of punctuation or space becomes one space.
func Fold(s string) string {
	f := newFolder()
	return f.fold(s)
}

func (f *folder) fold(s string) string {
	if isASCII(s) {
		return foldASCII(s)
	}
	// Invalid bytes would stop the normaliser from seeing the letters
	// around them; treat them as spaces.
	s = strings.ToValidUTF8(s, " ")
	out, _, err := transform.String(f.t, s)
	if err != nil {
		out = strings.ToLower(s)
	}
	out = foldExtra.Replace(out)
	var b strings.Builder
	b.Grow(len(out))
	space := true // drop leading space
	for _, r := range out {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// foldASCII is fold for ASCII text, which has no accents to remove: most
// names, so building the index skips the normaliser for them.
func foldASCII(s string) string {
	b := make([]byte, 0, len(s))
	space := true // drop leading space
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '\'' || c == '`' || c == '.':
			continue // joins the letters around it, as foldExtra does
		default:
			if !space {
				b = append(b, ' ')
				space = true
			}
			continue
		}
		b = append(b, c)
		space = false
	}
	if n := len(b); n > 0 && b[n-1] == ' ' {
		b = b[:n-1]
	}
	return string(b)
}
