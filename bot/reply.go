package bot

import (
	"net/url"
	"strings"

	"github.com/unionbot/unionbot/bot/clean"
)

// Style is how a span of text is shown.
type Style uint8

const (
	Plain Style = iota
	Bold
	Italic
	Mono
)

// Span is a run of text with one style, optionally a link. Adapters escape
// Text for their platform; the core never writes markup.
type Span struct {
	Text  string
	Style Style
	URL   string // shown as a link when SafeURL accepts it
	// checked is true when the core made the span from a URL it had
	// already passed through SafeURL (a listed group's website), so that
	// showing it need not parse the URL again (SafeLink). Only this
	// package can set it.
	checked bool
}

// SafeLink reports whether the span is shown as a link: it has a URL and
// SafeURL accepts it.
func (s Span) SafeLink() bool { return s.URL != "" && (s.checked || SafeURL(s.URL)) }

// checkedLink is L for a link SafeURL has accepted.
func checkedLink(text, link string) Span { return Span{Text: text, URL: link, checked: true} }

// Block is a paragraph. A heading block is never left at the end of a page.
type Block struct {
	Spans   []Span
	Heading bool
	// Card, when set, is the same content in structured form, for platforms
	// that show rich cards (Discord's embeds). Spans stay the text form that
	// every other platform shows.
	Card *Card
	// Buttons belong to this block (the button that opens a listed group's
	// card). Paging puts the buttons of the blocks on a page into the
	// reply's Buttons, so adapters only ever show Reply.Buttons.
	Buttons []Button
}

// Card is the structured form of a block that shows one thing: an
// organisation, or a moderation item.
type Card struct {
	Title string
	URL   string // the title's link; shown only when SafeURL accepts it
	// Kind picks the card's colour: an organisation's kind ("local",
	// "national", "regional", "international"), "ally", or a moderation
	// item's kind ("suggestion", "report").
	Kind        string
	Description string
	Fields      []CardField
}

// CardField is one labelled value of a Card.
type CardField struct {
	Name, Value string
	Inline      bool
}

// ButtonStyle hints how a button looks where the platform can show it.
type ButtonStyle uint8

const (
	ButtonDefault ButtonStyle = iota
	ButtonPrimary
	ButtonDanger
	ButtonSuccess // a positive, final action: Approve
)

// MaxButtonData is the most bytes a button's data may have: Telegram
// refuses callback data over 64 bytes, and Discord custom ids hold 100.
const MaxButtonData = 64

// Button sends Data back as a message's Text, with Pressed set, when
// pressed. Data is a command line the core understands, so a platform that
// has no buttons can show it as a command to type.
type Button struct {
	Label string
	Data  string
	Style ButtonStyle
	// URL makes a link button: it opens URL (a SafeURL) and sends nothing
	// back; Data is then empty.
	URL string
	// Share makes a share button: the adapter turns this deep-link payload
	// ("org_vandu") into its platform's link (Telegram's
	// https://t.me/<bot>?start=org_vandu). Data is then empty.
	Share string
}

// Reply is what the core answers.
type Reply struct {
	Blocks  []Block
	Buttons [][]Button
	// Private asks the platform to show the reply to the asker alone where
	// it can (Discord's ephemeral messages); in group chats elsewhere it is
	// an ordinary reply.
	Private bool
	// Edit asks the adapter to replace the message whose button was pressed
	// (paging) rather than send a new one.
	Edit bool
	// Notice is a short acknowledgement for a button press (Telegram's
	// answerCallbackQuery text); adapters without one show it as text.
	Notice string
	// Form asks the platform to open a form (Discord modal) instead of
	// replying; adapters that have none ignore it and send Blocks.
	Form *Form
	// Location asks a platform that can to offer a "share my location"
	// button with the reply.
	Location bool
	// Compact says its blocks are one- or two-line list entries rather
	// than cards: a page then holds CompactFactor times Message.PageSize of
	// them, at most MaxCompactPage (see paginate).
	Compact bool
	// NotFound says the answer found nothing (a search with no result):
	// it is still an answer, a kind message, but metrics count it as
	// not_found rather than ok (see Logging). Adapters ignore it.
	NotFound bool
	// Prompt says the reply only asks for what the command needs (the
	// first question of a guided dialog) rather than doing it; a reply
	// with a Form is one too. Metrics count it as a form opened, not as
	// the command (see FormObserver). Adapters ignore it.
	Prompt bool
	// Lang is the language the reply is written in (a supported BCP 47
	// tag), set by the core; adapters write their own few words (the
	// location button) in it. Empty means English.
	Lang string
	// paged is set once paginate has cut the reply to one page, so that
	// it is not cut again.
	paged bool
	// pages holds the pages already cut from a cached answer
	// (answers.go), shared by its copies; nil for any other reply.
	pages *pageMemo
}

// Form describes a form with text fields.
type Form struct {
	ID     string // sent back as the message's Text with Form filled in
	Title  string
	Fields []Field
}

// Field is one input of a Form.
type Field struct {
	Name        string
	Label       string
	Placeholder string
	Required    bool
	Long        bool // several lines
	MaxLen      int
}

// Add appends a paragraph made of spans.
func (r *Reply) Add(spans ...Span) *Reply {
	r.Blocks = append(r.Blocks, Block{Spans: spans})
	return r
}

// Heading appends a heading paragraph.
func (r *Reply) Heading(text string) *Reply {
	r.Blocks = append(r.Blocks, Block{Spans: []Span{{Text: text, Style: Bold}}, Heading: true})
	return r
}

// Text returns a reply of one plain paragraph.
func Text(s string) *Reply { return (&Reply{}).Add(Span{Text: s}) }

// T is a plain span, B a bold one, L a link.
func T(s string) Span          { return Span{Text: s} }
func B(s string) Span          { return Span{Text: s, Style: Bold} }
func I(s string) Span          { return Span{Text: s, Style: Italic} }
func C(s string) Span          { return Span{Text: s, Style: Mono} }
func L(text, link string) Span { return Span{Text: text, URL: link} }

// SafeURL reports whether u may be shown as a link: absolute http or https
// with a host, and nothing that could run script (javascript:, data:).
func SafeURL(u string) bool {
	if len(u) > 2048 || strings.ContainsAny(u, " \t\r\n<>\"'`") {
		return false
	}
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	s := strings.ToLower(p.Scheme)
	return (s == "http" || s == "https") && p.Host != "" && p.User == nil
}

// PlainText renders a reply without markup, links as "text (url)", for the
// console and for platforms' plain-text fallbacks.
func PlainText(b Block) string {
	var sb strings.Builder
	sb.Grow(plainLen(b))
	WritePlainText(&sb, b)
	return sb.String()
}

// WritePlainText writes PlainText(b) to sb, for renderers that write a
// whole reply into one buffer.
func WritePlainText(sb *strings.Builder, b Block) {
	for _, s := range b.Spans {
		sb.WriteString(s.Text)
		if s.URL != s.Text && s.SafeLink() {
			sb.WriteString(" (")
			sb.WriteString(s.URL)
			sb.WriteByte(')')
		}
	}
}

// plainLen bounds the length of PlainText(b).
func plainLen(b Block) int {
	n := 0
	for _, s := range b.Spans {
		n += len(s.Text) + len(s.URL) + 3
	}
	return n
}

// Pack joins paragraphs, already rendered in the platform's markup, into
// messages of at most limit bytes, with a blank line between paragraphs. It
// breaks between paragraphs where it can, and inside a paragraph (at a line
// break, a space, or a rune boundary: see splitPoint) only when that
// paragraph alone is longer than limit. The order of the text is kept.
func Pack(paras []string, limit int) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, p := range paras {
		for len(p) > limit {
			flush()
			cut := splitPoint(p, limit)
			out = append(out, strings.TrimRight(p[:cut], " \n"))
			p = strings.TrimLeft(p[cut:], " \n")
		}
		if cur.Len() > 0 && cur.Len()+2+len(p) > limit {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteString("\n\n")
		}
		cur.WriteString(p)
	}
	flush()
	return out
}

// splitPoint finds where to cut s so the first part is at most limit bytes:
// the last line break, else the last space, else the last rune boundary.
func splitPoint(s string, limit int) int {
	if i := strings.LastIndexByte(s[:limit], '\n'); i > limit/2 {
		return i + 1
	}
	if i := strings.LastIndexByte(s[:limit], ' '); i > limit/2 {
		return i + 1
	}
	cut := limit
	for cut > 0 && s[cut]&0xC0 == 0x80 { // inside a UTF-8 sequence
		cut--
	}
	if cut == 0 {
		cut = limit
	}
	return cut
}

// maxEcho bounds how much of someone's own text a reply repeats.
const maxEcho = 80

// echo is how a reply shows text someone sent: cleaned of controls,
// invisible and bidi characters, cut to maxEcho runes, and with web
// addresses defanged so that no client links them (see clean.Echo). Every
// reply that repeats a person's words uses it.
func echo(s string) string { return clean.Echo(s, maxEcho) }
