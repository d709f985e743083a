// Package i18n holds the bot's words in every language it speaks and picks
// the language for each person.
//
// Messages live in locales/<lang>.yaml, one file per language, keyed by
// stable message ids ("find.nothing"). English (en.yaml) is the reference:
// every other file has the same keys with the same placeholders (%s, %d,
// %[2]s…), which a test checks. A message is a format string for
// golang.org/x/text/message, or, where the number changes the words, a map
// of CLDR plural forms (one, few, many, other) chosen by the message's
// first %d argument.
//
// A Catalog is built once from those files and never changes, so it is safe
// for concurrent use. Default returns the one built from the embedded files.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Reference is the language every other translates: its file has every key.
const Reference = "en"

// supported are the languages the bot speaks, the reference first. The
// order is the order /lang offers them in.
var supported = []language.Tag{
	language.English, language.French, language.Spanish, language.Portuguese,
	language.Russian, language.German, language.Indonesian,
}

//go:embed locales/*.yaml
var localeFiles embed.FS

// std is the catalog of the embedded files. It is built once at start-up
// and never changed; the tests check the files it is built from.
var std = mustNew(localeFiles)

// Default returns the catalog of the embedded translations.
func Default() *Catalog { return std }

// Tr is Default().Tr.
func Tr(lang, key string, args ...any) string { return std.Tr(lang, key, args...) }

// Rich is Default().Rich.
func Rich(lang, key string, args ...any) []Part { return std.Rich(lang, key, args...) }

// Match is Default().Match.
func Match(lang string) (string, bool) { return std.Match(lang) }

// Message is one message in one language: Text, or plural Forms.
type Message struct {
	Text  string
	Forms map[string]string // CLDR plural category → text
}

// Variants lists the message's texts: Text, or every plural form.
func (m Message) Variants() []string {
	if m.Forms == nil {
		return []string{m.Text}
	}
	keys := make([]string, 0, len(m.Forms))
	for k := range m.Forms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, m.Forms[k])
	}
	return out
}

// UnmarshalYAML reads a string, or a map of plural forms.
func (m *Message) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Decode(&m.Text)
	case yaml.MappingNode:
		return n.Decode(&m.Forms)
	}
	return fmt.Errorf("line %d: a message is a string or a map of plural forms", n.Line)
}

var pluralForms = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// Catalog is every message in every supported language. It is immutable
// but for matched, a memo of Match that changes no answer.
type Catalog struct {
	messages map[string]map[string]Message // lang → key → message
	printers map[string]*message.Printer   // lang → printer over the catalog
	matcher  language.Matcher
	matched  matchMemo
}

// matchMemo remembers Match's answer for the tags platforms send with
// every message ("en-US", "pt-BR"): parsing and matching one, several
// times per message, was some 3% of the bot's CPU for a Discord
// interaction answered from the cache. It keeps only well-formed tags of at
// most maxMemoTag bytes, and about maxMemoTags of them (a few more when
// callers race), so whatever people type to /lang costs little memory and
// is not free text of theirs.
type matchMemo struct {
	m sync.Map // raw tag → memoMatch
	n atomic.Int32
}

type memoMatch struct {
	lang string
	ok   bool
}

const (
	maxMemoTag  = 16
	maxMemoTags = 512
)

// New builds a catalog from fsys, which holds locales/<lang>.yaml for every
// supported language.
func New(fsys fs.FS) (*Catalog, error) {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	c := &Catalog{
		messages: map[string]map[string]Message{},
		printers: map[string]*message.Printer{},
		matcher:  language.NewMatcher(supported),
	}
	for _, t := range supported {
		lang := t.String()
		raw, err := fs.ReadFile(fsys, "locales/"+lang+".yaml")
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		var msgs map[string]Message
		if err := yaml.Unmarshal(raw, &msgs); err != nil {
			return nil, fmt.Errorf("i18n: %s.yaml: %w", lang, err)
		}
		c.messages[lang] = msgs
		for key, m := range msgs {
			if err := set(b, t, key, m); err != nil {
				return nil, fmt.Errorf("i18n: %s.yaml: %s: %w", lang, key, err)
			}
		}
	}
	for _, t := range supported {
		c.printers[t.String()] = message.NewPrinter(t, message.Catalog(b))
	}
	return c, nil
}

func mustNew(fsys fs.FS) *Catalog {
	c, err := New(fsys)
	if err != nil {
		// The files are compiled in; the tests catch a malformed one
		// before any release.
		panic(err)
	}
	return c
}

// set adds one message to the builder. A plural message selects its form
// on its first %d argument.
func set(b *catalog.Builder, t language.Tag, key string, m Message) error {
	if m.Forms == nil {
		return b.SetString(t, key, m.Text)
	}
	if _, ok := m.Forms["other"]; !ok {
		return fmt.Errorf("a plural message needs an \"other\" form")
	}
	arg := 0
	for _, p := range Placeholders(m.Forms["other"]) {
		if p.Verb == 'd' {
			arg = p.Arg
			break
		}
	}
	if arg == 0 {
		return fmt.Errorf("a plural message needs a %%d to choose its form by")
	}
	var cases []any
	// "other" last: Selectf takes the first case that matches.
	for _, f := range []string{"zero", "one", "two", "few", "many"} {
		if s, ok := m.Forms[f]; ok {
			cases = append(cases, f, s)
		}
	}
	for f := range m.Forms {
		if !pluralForms[f] {
			return fmt.Errorf("unknown plural form %q", f)
		}
	}
	cases = append(cases, "other", m.Forms["other"])
	return b.Set(t, key, plural.Selectf(arg, "%d", cases...))
}

// Tags lists the supported languages, the reference first: the one list of
// the languages the bot speaks. Packages that may not import this one (the
// directory) are given it by whoever wires them. The slice is a copy.
func Tags() []language.Tag { return slices.Clone(supported) }

// Languages lists the supported languages' tags, the reference first.
func (c *Catalog) Languages() []string {
	out := make([]string, len(supported))
	for i, t := range supported {
		out[i] = t.String()
	}
	return out
}

// Messages returns the messages of one supported language, keyed by id,
// for tests and tools. The map must not be modified.
func (c *Catalog) Messages(lang string) map[string]Message { return c.messages[lang] }

// Has reports whether the reference language has a message with this key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[Reference][key]
	return ok
}

// Match returns the supported language closest to lang, a BCP 47 tag as
// platforms send it ("pt-BR", "es-419", "de-AT", "fr_CA"). ok is false
// when none is close: the caller then falls back to its default.
func (c *Catalog) Match(lang string) (string, bool) {
	lang = strings.TrimSpace(strings.ReplaceAll(lang, "_", "-"))
	if lang == "" {
		return Reference, false
	}
	if _, ok := c.printers[lang]; ok {
		return lang, true
	}
	if v, ok := c.matched.m.Load(lang); ok {
		r := v.(memoMatch)
		return r.lang, r.ok
	}
	t, err := language.Parse(lang)
	if err != nil {
		return Reference, false
	}
	r := memoMatch{lang: Reference}
	if _, i, conf := c.matcher.Match(t); conf >= language.High {
		r = memoMatch{lang: supported[i].String(), ok: true}
	}
	if len(lang) <= maxMemoTag && c.matched.n.Load() < maxMemoTags {
		if _, had := c.matched.m.LoadOrStore(lang, r); !had {
			c.matched.n.Add(1)
		}
	}
	return r.lang, r.ok
}

// printer returns the printer for lang, matched; English when unknown.
func (c *Catalog) printer(lang string) *message.Printer {
	if p, ok := c.printers[lang]; ok {
		return p
	}
	m, _ := c.Match(lang)
	return c.printers[m]
}

// Tr formats the message key in lang (matched to a supported language;
// English when none is close) with args, as fmt.Sprintf would, with the
// language's number formatting. A key missing in lang falls back to
// English; a key missing everywhere is returned as is, which the tests
// make sure never happens.
func (c *Catalog) Tr(lang, key string, args ...any) string {
	m, _ := c.Match(lang)
	if _, ok := c.messages[m][key]; !ok {
		m = Reference
	}
	return c.printers[m].Sprintf(key, args...)
}

// Style is how a Part of a rich message is shown.
type Style uint8

const (
	Plain Style = iota
	Bold
	Code
)

// Part is a run of a rich message with one style, or a link when URL is
// set.
type Part struct {
	Text  string
	Style Style
	URL   string
}

// Rich formats a message written with light markup: **bold**, `code` and
// [text](https://link). The markup is read from the translation before the
// arguments are put in, so text from users can never add any.
func (c *Catalog) Rich(lang, key string, args ...any) []Part {
	p := c.printer(lang)
	tmpl, ok := c.template(lang, key)
	if !ok {
		return []Part{{Text: c.Tr(lang, key, args...)}}
	}
	parts := parseMarkup(explicit(tmpl))
	for i := range parts {
		parts[i].Text = fill(p, parts[i].Text, args)
		parts[i].URL = fill(p, parts[i].URL, args)
	}
	return parts
}

// template is the raw text of a non-plural message in lang, else English.
func (c *Catalog) template(lang, key string) (string, bool) {
	m, _ := c.Match(lang)
	for _, l := range []string{m, Reference} {
		if msg, ok := c.messages[l][key]; ok && msg.Forms == nil {
			return msg.Text, true
		}
	}
	return "", false
}

// fill formats one run of a template whose verbs all carry explicit
// argument indexes, so each run takes its own arguments from the list.
func fill(p *message.Printer, s string, args []any) string {
	if !strings.Contains(s, "%") {
		return s
	}
	return p.Sprintf(s, args...)
}

// parseMarkup splits s into styled parts. Unclosed markup is plain text.
func parseMarkup(s string) []Part {
	var out []Part
	var plain strings.Builder
	flush := func() {
		if plain.Len() > 0 {
			out = append(out, Part{Text: plain.String()})
			plain.Reset()
		}
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '%':
			// A verb such as %[1]s is text, whatever brackets it has.
			end := i + 1
			if strings.HasPrefix(s[i:], "%%") {
				end = i + 2
			}
			scanVerbs(s[i:], func(v verb) {
				if v.start == 0 {
					end = i + v.end
				}
			})
			plain.WriteString(s[i:end])
			i = end
			continue
		case strings.HasPrefix(s[i:], "**"):
			if j := strings.Index(s[i+2:], "**"); j >= 0 {
				flush()
				out = append(out, Part{Text: s[i+2 : i+2+j], Style: Bold})
				i += j + 4
				continue
			}
		case s[i] == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
				flush()
				out = append(out, Part{Text: s[i+1 : i+1+j], Style: Code})
				i += j + 2
				continue
			}
		case s[i] == '[':
			if j := strings.Index(s[i:], "]("); j > 0 {
				if k := strings.IndexByte(s[i+j+2:], ')'); k >= 0 {
					flush()
					out = append(out, Part{Text: s[i+1 : i+j], URL: s[i+j+2 : i+j+2+k]})
					i += j + 2 + k + 1
					continue
				}
			}
		}
		plain.WriteByte(s[i])
		i++
	}
	flush()
	return out
}

// Placeholder is one formatting verb of a message: which argument it
// prints (1-based) and how.
type Placeholder struct {
	Arg  int
	Verb rune
}

// Placeholders lists the verbs of a format string in order, with the
// argument each prints worked out as fmt does (%[2]s, then %s prints the
// third). "%%" is not a placeholder.
func Placeholders(format string) []Placeholder {
	var out []Placeholder
	scanVerbs(format, func(v verb) { out = append(out, Placeholder{v.arg, v.verb}) })
	return out
}

// explicit rewrites every verb with its argument index ("%s %d" →
// "%[1]s %[2]d"), so that a message can be cut into runs that are each
// formatted with the whole argument list.
func explicit(format string) string {
	var b strings.Builder
	last := 0
	scanVerbs(format, func(v verb) {
		b.WriteString(format[last:v.start])
		fmt.Fprintf(&b, "%%%s[%d]%c", v.flags, v.arg, v.verb)
		last = v.end
	})
	b.WriteString(format[last:])
	return b.String()
}

type verb struct {
	start, end int    // byte range of the whole verb in the format
	flags      string // flags, width and precision, as written
	arg        int
	verb       rune
}

// scanVerbs calls fn for each verb of format. It understands what the
// messages use: flags, width, precision and explicit [n] indexes.
func scanVerbs(format string, fn func(verb)) {
	arg := 1
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		start := i
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		var flags strings.Builder
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			flags.WriteByte(format[i])
			i++
		}
		if i < len(format) && format[i] == '[' {
			j := strings.IndexByte(format[i:], ']')
			if j > 0 {
				n := 0
				if _, err := fmt.Sscanf(format[i+1:i+j], "%d", &n); err == nil && n > 0 {
					arg = n
				}
				i += j + 1
			}
		}
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			flags.WriteByte(format[i])
			i++
		}
		if i >= len(format) {
			return
		}
		fn(verb{start: start, end: i + 1, flags: flags.String(), arg: arg, verb: rune(format[i])})
		arg++
	}
}
