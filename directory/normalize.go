package directory

import (
	"iter"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// folder turns text into the form search compares: case-folded, accents
// removed, punctuation turned into single spaces. The transform chain it
// needs for non-ASCII text keeps state (transform.Chain is not safe for
// concurrent use) and costs several kilobytes to make, so it is taken from
// a pool only when a string is not ASCII: most queries never need one, and
// making one per Search was most of a search's time. A folder itself holds
// no state and may be shared, except a build's (newBuildFolder).
type folder struct {
	// places, when not nil, remembers the places folded by foldPlace: a
	// build folds one city name per organisation, most of them names
	// other organisations have too.
	places map[string]string
}

func newFolder() *folder { return &folder{} }

// newBuildFolder is a folder for one build, remembering places' names; it
// must not be shared between goroutines.
func newBuildFolder() *folder { return &folder{places: map[string]string{}} }

// foldPlace is fold for the name of a place, which a build's folder
// remembers (only those the normaliser folds: an ASCII name is folded
// quicker than looked up).
func (f *folder) foldPlace(s string) string {
	if f.places == nil || isASCII(s) {
		return f.fold(s)
	}
	if k, ok := f.places[s]; ok {
		return k
	}
	k := f.fold(s)
	f.places[s] = k
	return k
}

var chains = sync.Pool{New: func() any {
	return transform.Chain(
		norm.NFKD,
		runes.Remove(runes.In(unicode.Mn)),
		// Lower rather than Fold: Fold maps some scripts' small letters to
		// capitals (Cherokee) in a way that is not stable when repeated,
		// and search keys must fold to themselves. The few folds Lower
		// lacks that matter here are in foldExtra.
		cases.Lower(language.Und),
		norm.NFC,
	)
}}

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
	if k, ok := foldByTable(s); ok {
		return k
	}
	return foldNormalised(s)
}

// foldNormalised is fold through the normaliser, for any text.
func foldNormalised(s string) string {
	// Invalid bytes would stop the normaliser from seeing the letters
	// around them; treat them as spaces.
	s = strings.ToValidUTF8(s, " ")
	t := chains.Get().(transform.Transformer)
	out, _, err := transform.String(t, s) // String resets t first
	chains.Put(t)
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
	k, _ := foldByTable(s) // ASCII has no letter the tables lack
	return k
}

// foldByTable is fold for text whose letters beyond ASCII are all Latin
// or the Cyrillic most languages written in it use ("Québec", "Kraków",
// "Łódź", "Київ"), which it folds a letter at a time by foldLatin and
// foldCyrillic instead of through the normaliser, some microseconds a
// query. ok is false, and fold goes through the normaliser, for any other
// text. The two agree on the text it folds: every letter of those tables
// folds alone as it does among others (the normaliser's only context,
// Greek's final sigma, is in neither; the marks whose order and
// composition depend on their neighbours are removed), so its tables are
// the normaliser's folding of each letter alone, before the letters and
// numbers are kept (TestFoldByTableIsFold).
func foldByTable(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	space := true // drop leading space
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
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
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		var t string
		switch {
		case r >= foldLatinFirst && int(r-foldLatinFirst) < len(foldLatin):
			t = foldLatin[r-foldLatinFirst]
		case r >= foldCyrillicFirst && int(r-foldCyrillicFirst) < len(foldCyrillic):
			t = foldCyrillic[r-foldCyrillicFirst]
		default:
			return "", false // including an invalid byte (utf8.RuneError)
		}
		for _, tr := range t {
			if unicode.IsLetter(tr) || unicode.IsNumber(tr) {
				b = utf8.AppendRune(b, tr)
				space = false
			} else if !space {
				b = append(b, ' ')
				space = true
			}
		}
	}
	if n := len(b); n > 0 && b[n-1] == ' ' {
		b = b[:n-1]
	}
	return string(b), true
}

// foldLatin and foldCyrillic are the normaliser's folding (NFKD, marks
// removed, lower case, NFC, then foldExtra) of each letter from
// foldLatinFirst (À, U+00C0) to the end of Latin Extended-B (U+024F), and
// from foldCyrillicFirst (Ѐ, U+0400) to the end of the basic Cyrillic
// letters (U+045F), one a letter.
const (
	foldLatinFirst    = 0xC0
	foldCyrillicFirst = 0x400
)

var foldLatin = [...]string{
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"ð", "n", "o", "o", "o", "o", "o", "×",
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"ð", "n", "o", "o", "o", "o", "o", "÷",
	"o", "u", "u", "u", "u", "y", "th", "y",
	"a", "a", "a", "a", "a", "a", "c", "c",
	"c", "c", "c", "c", "c", "c", "d", "d",
	"d", "d", "e", "e", "e", "e", "e", "e",
	"e", "e", "e", "e", "g", "g", "g", "g",
	"g", "g", "g", "g", "h", "h", "ħ", "ħ",
	"i", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "ij", "ij", "j", "j", "k", "k",
	"ĸ", "l", "l", "l", "l", "l", "l", "l·",
	"l·", "l", "l", "n", "n", "n", "n", "n",
	"n", "n", "ŋ", "ŋ", "o", "o", "o", "o",
	"o", "o", "oe", "oe", "r", "r", "r", "r",
	"r", "r", "s", "s", "s", "s", "s", "s",
	"s", "s", "t", "t", "t", "t", "ŧ", "ŧ",
	"u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "w", "w", "y", "y",
	"y", "z", "z", "z", "z", "z", "z", "s",
	"ƀ", "ɓ", "ƃ", "ƃ", "ƅ", "ƅ", "ɔ", "ƈ",
	"ƈ", "ɖ", "ɗ", "ƌ", "ƌ", "ƍ", "ǝ", "ə",
	"ɛ", "ƒ", "ƒ", "ɠ", "ɣ", "ƕ", "ɩ", "ɨ",
	"ƙ", "ƙ", "ƚ", "ƛ", "ɯ", "ɲ", "ƞ", "ɵ",
	"o", "o", "ƣ", "ƣ", "ƥ", "ƥ", "ʀ", "ƨ",
	"ƨ", "ʃ", "ƪ", "ƫ", "ƭ", "ƭ", "ʈ", "u",
	"u", "ʊ", "ʋ", "ƴ", "ƴ", "ƶ", "ƶ", "ʒ",
	"ƹ", "ƹ", "ƺ", "ƻ", "ƽ", "ƽ", "ƾ", "ƿ",
	"ǀ", "ǁ", "ǂ", "ǃ", "dz", "dz", "dz", "lj",
	"lj", "lj", "nj", "nj", "nj", "a", "a", "i",
	"i", "o", "o", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "u", "ǝ", "a", "a",
	"a", "a", "ae", "ae", "ǥ", "ǥ", "g", "g",
	"k", "k", "o", "o", "o", "o", "ʒ", "ʒ",
	"j", "dz", "dz", "dz", "g", "g", "ƕ", "ƿ",
	"n", "n", "a", "a", "ae", "ae", "o", "o",
	"a", "a", "a", "a", "e", "e", "e", "e",
	"i", "i", "i", "i", "o", "o", "o", "o",
	"r", "r", "r", "r", "u", "u", "u", "u",
	"s", "s", "t", "t", "ȝ", "ȝ", "h", "h",
	"ƞ", "ȡ", "ȣ", "ȣ", "ȥ", "ȥ", "a", "a",
	"e", "e", "o", "o", "o", "o", "o", "o",
	"o", "o", "y", "y", "ȴ", "ȵ", "ȶ", "ȷ",
	"ȸ", "ȹ", "ⱥ", "ȼ", "ȼ", "ƚ", "ⱦ", "ȿ",
	"ɀ", "ɂ", "ɂ", "ƀ", "ʉ", "ʌ", "ɇ", "ɇ",
	"ɉ", "ɉ", "ɋ", "ɋ", "ɍ", "ɍ", "ɏ", "ɏ",
}
var foldCyrillic = [...]string{
	"е", "е", "ђ", "г", "є", "ѕ", "і", "і",
	"ј", "љ", "њ", "ћ", "к", "и", "у", "џ",
	"а", "б", "в", "г", "д", "е", "ж", "з",
	"и", "и", "к", "л", "м", "н", "о", "п",
	"р", "с", "т", "у", "ф", "х", "ц", "ч",
	"ш", "щ", "ъ", "ы", "ь", "э", "ю", "я",
	"а", "б", "в", "г", "д", "е", "ж", "з",
	"и", "и", "к", "л", "м", "н", "о", "п",
	"р", "с", "т", "у", "ф", "х", "ц", "ч",
	"ш", "щ", "ъ", "ы", "ь", "э", "ю", "я",
	"е", "е", "ђ", "г", "є", "ѕ", "і", "і",
	"ј", "љ", "њ", "ћ", "к", "и", "у", "џ",
}

// stopWords carry no meaning in a name: "and"/"&" (folding drops "&"),
// "of", "the", and their like in the languages names are written in. They
// are left out of name matching, so "Progress & Empowerment" and
// "Progress and Empowerment" are the same words.
var stopWords = map[string]bool{
	"and": true, "of": true, "the": true, "for": true, "a": true, "an": true, "in": true, "on": true,
	"to": true, "with": true, "at": true, "by": true, "de": true, "des": true, "du": true, "la": true,
	"le": true, "les": true, "et": true, "d": true, "l": true, "y": true, "e": true, "da": true, "do": true,
	"dos": true, "das": true, "der": true, "die": true, "und": true, "von": true, "fur": true, "del": true,
	"el": true, "los": true, "las": true, "pour": true, "para": true, "dan": true, "untuk": true,
}

// fillerWords are the words of a question around what it asks about: "is
// there a users union in Paris?", "anything in Manchester". They are
// dropped before looking for a place or a name. Words that names use
// ("group", "network", "area") are not among them: name matching weighs
// them by how common they are, and a place then answers ("groups in
// Dublin").
var fillerWords = map[string]bool{
	"is": true, "are": true, "there": true, "any": true, "anything": true, "something": true, "some": true,
	"a": true, "an": true, "the": true, "in": true, "at": true, "near": true, "around": true, "for": true,
	"of": true, "me": true, "my": true, "i": true, "we": true, "you": true, "please": true, "find": true,
	"looking": true, "look": true, "where": true, "what": true, "who": true, "which": true, "can": true,
	"could": true, "do": true, "does": true, "know": true, "help": true,

	"show": true, "list": true, "get": true, "need": true, "want": true, "here": true,
	"nearby": true, "all": true, "about": true, "to": true, "from": true,
	"tell": true, "hi": true, "hello": true, "how": true,
	// other languages, folded

	"di": true, "ada": true, "en": true, "au": true, "aux": true, "dans": true,
	"pres": true, "cerca": true, "perto": true, "em": true, "no": true, "na": true, "im": true, "bei": true,
	"в": true, "во": true, "рядом": true, "с": true, "есть": true, "ли": true,
}

// genericWords name a kind of organisation, not one: beside a place they
// ask for its groups ("groups in Dublin"), not for a group whose name says
// "group".
var genericWords = map[string]bool{
	"group": true, "groups": true, "org": true, "orgs": true, "organisation": true, "organisations": true,
	"organization": true, "organizations": true, "groupe": true, "groupes": true, "grupo": true,
	"grupos": true, "gruppe": true, "gruppen": true, "kelompok": true, "группа": true, "группы": true,
	"anything": true, "someone": true, "somebody": true, "people": true, "support": true, "help": true,
}

// nameWord turns a folded word into the form name matching compares:
// British and American spellings meet ("organisation", "organization"),
// and plurals meet singulars ("users", "user"; "communities",
// "community").
func nameWord(w string) string {
	if n := len(w); n > 4 {
		switch {
		case strings.HasSuffix(w, "ies"):
			w = w[:n-3] + "y"
		case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
			w = w[:n-1]
		}
	}
	switch {
	case strings.HasSuffix(w, "isation"):
		w = strings.TrimSuffix(w, "isation") + "ization"
	case strings.HasSuffix(w, "ise") && len(w) > 6:
		w = strings.TrimSuffix(w, "ise") + "ize"
	}
	return w
}

// nameWordSeq yields the words of folded text that name matching uses:
// stop words left out, each word in its nameWord form. It makes no list
// of them: a build goes through every organisation's (issue 15: the
// garbage a start makes is part of its peak).
func nameWordSeq(folded string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for w := range strings.FieldsSeq(folded) {
			if !stopWords[w] && !yield(nameWord(w)) {
				return
			}
		}
	}
}
