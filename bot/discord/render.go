package discord

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
)

// Discord's limits.
const (
	maxContent     = 2000 // characters in a message; we count bytes, which is stricter
	maxRows        = 5    // action rows in a message
	maxPerRow      = 5    // buttons in a row
	maxCustomID    = 100
	maxButtonURL   = 512
	maxButtonLabel = 80
	maxModalTitle  = 45
	maxModalLabel  = 45
	maxModalFields = 5
	maxPlaceholder = 100
	maxInputLen    = 4000
	maxChoices     = 25
	maxChoiceLen   = 100
)

// noMentions lets nothing in a message ping anyone. The empty slice matters:
// a nil Parse serialises as "parse":null, which Discord reads as "parse the
// default mentions".
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// output is a reply rendered for Discord: one or more messages, each
// content and embeds, and the buttons, which go with the last message (or
// with the edited one). pages has at least one element when there are
// buttons.
type output struct {
	pages   []page
	buttons []discordgo.MessageComponent
}

func (o output) empty() bool { return len(o.pages) == 0 && len(o.buttons) == 0 }

// render turns a reply into Discord messages: blocks with a Card become
// embeds (see embedPages), a compact list (Reply.Compact) an embed list
// (see listPages), the others markdown content. A reply with no
// paragraphs shows its Notice. Share buttons, which Discord cannot make,
// become a line telling the command to send.
func render(r *bot.Reply) output {
	var out output
	if r == nil {
		return out
	}
	blocks := r.Blocks
	for _, row := range r.Buttons {
		for _, b := range row {
			if h, ok := shareHint(b); ok && b.Data == "" && b.URL == "" {
				blocks = append(blocks[:len(blocks):len(blocks)], h)
			}
		}
	}
	cards := false
	for _, b := range blocks {
		cards = cards || b.Card != nil
	}
	switch {
	case cards:
		out.pages = embedPages(blocks)
	case r.Compact && len(blocks) > 0:
		out.pages = listPages(blocks)
	default:
		var paras []string
		for _, b := range blocks {
			paras = append(paras, renderBlock(b, maxContent)...)
		}
		if len(paras) == 0 && strings.TrimSpace(r.Notice) != "" {
			paras = renderBlock(bot.Block{Spans: []bot.Span{bot.T(r.Notice)}}, maxContent)
		}
		for _, c := range bot.Pack(paras, maxContent) {
			out.pages = append(out.pages, page{content: c})
		}
	}
	out.buttons = buttons(r.Buttons)
	if len(out.pages) == 0 && len(out.buttons) > 0 {
		out.pages = []page{{}}
	}
	return out
}

// renderBlock renders a paragraph as one string, or as several when it is
// longer than limit, cut between spans or, inside a long span, between
// words, so that every piece is well-formed markdown on its own.
func renderBlock(b bot.Block, limit int) []string {
	var pieces []string
	for _, s := range b.Spans {
		if p := renderSpan(s); len(p) <= limit {
			if p != "" {
				pieces = append(pieces, p)
			}
			continue
		}
		// Too long for one message: render it in chunks, each escaped and
		// styled on its own. Escaping at most doubles the text, and the
		// markers and separators take a few bytes.
		plain := bot.Span{Text: s.Text, Style: s.Style}
		for _, c := range chunks(s.Text, (limit-16)/2) {
			plain.Text = c
			if p := renderSpan(plain); p != "" {
				pieces = append(pieces, p)
			}
		}
	}
	var out []string
	var cur strings.Builder
	for _, p := range pieces {
		sep := separator(cur.String(), p)
		if cur.Len() > 0 && cur.Len()+len(sep)+len(p) > limit {
			out = append(out, cur.String())
			cur.Reset()
			sep = ""
		}
		cur.WriteString(sep)
		cur.WriteString(p)
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// separator keeps two adjacent styled spans from running together into
// other markup ("**a**" + "*b*" is not "**a***b*"): a zero-width space
// goes between markers that touch.
func separator(prev, next string) string {
	if prev == "" || next == "" {
		return ""
	}
	l, _ := utf8.DecodeLastRuneInString(prev)
	f, _ := utf8.DecodeRuneInString(next)
	if (l == '*' || l == '`' || l == '_') && (f == '*' || f == '`' || f == '_') {
		return "\u200b"
	}
	return ""
}

// chunks cuts s into pieces of at most n bytes, at a line break or space
// where it can, else at a rune boundary.
func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := n
		if i := strings.LastIndexAny(s[:n], "\n "); i > n/2 {
			cut = i + 1
		} else {
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			if cut == 0 {
				cut = n
			}
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// renderSpan renders one span: escaped text in its style, and a masked
// link when the URL is safe (the angle brackets stop Discord from
// embedding a preview of every link).
func renderSpan(s bot.Span) string {
	if s.URL != "" && bot.SafeURL(s.URL) && len(s.URL) < maxContent/2 {
		u := linkURL(s.URL)
		text := strings.TrimSpace(s.Text)
		var link string
		if text == "" || text == s.URL {
			link = "<" + u + ">"
		} else {
			link = "[" + escape(oneLine(text)) + "](<" + u + ">)"
		}
		lead, _, trail := cutSpace(s.Text)
		if text == "" {
			lead, trail = "", ""
		}
		switch s.Style {
		case bot.Bold:
			return escape(lead) + "**" + link + "**" + escape(trail)
		case bot.Italic:
			return escape(lead) + "*" + link + "*" + escape(trail)
		}
		return escape(lead) + link + escape(trail)
	}
	switch s.Style {
	case bot.Bold:
		return wrap("**", s.Text)
	case bot.Italic:
		return wrap("*", s.Text)
	case bot.Mono:
		return code(s.Text)
	}
	return escape(s.Text)
}

// linkURL makes a safe URL fit inside (<…>): parentheses and brackets are
// percent-encoded so they cannot end the link early.
func linkURL(u string) string {
	// Most URLs have none of them: building the replacer for each link was
	// a twentieth of the bot's CPU in a burst of interactions.
	if !strings.ContainsAny(u, "()[]") {
		return u
	}
	return strings.NewReplacer("(", "%28", ")", "%29", "[", "%5B", "]", "%5D").Replace(u)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// wrap styles s with marker, keeping surrounding spaces outside the markers
// (Discord does not format "** x **").
func wrap(marker, s string) string {
	lead, core, trail := cutSpace(s)
	if core == "" {
		return escape(s)
	}
	return escape(lead) + marker + escape(core) + marker + escape(trail)
}

// code shows s as inline code. Backticks cannot be escaped inside a code
// span, so they are removed; line breaks become spaces.
func code(s string) string {
	s = strings.ReplaceAll(s, "`", "")
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	}
	lead, core, trail := cutSpace(s)
	if core == "" {
		return escape(s)
	}
	return escape(lead) + "`" + core + "`" + escape(trail)
}

func cutSpace(s string) (lead, core, trail string) {
	core = strings.TrimLeftFunc(s, unicode.IsSpace)
	lead = s[:len(s)-len(core)]
	c := strings.TrimRightFunc(core, unicode.IsSpace)
	trail = core[len(c):]
	return lead, c, trail
}

// markdownChars are the characters escape escapes.
const markdownChars = "\\*_~`|><#-[]()@"

// escape makes text literal in Discord markdown: every character that can
// start formatting, a heading, a quote, a list, a spoiler, a masked link or
// a mention (@everyone, <@id>, <@&role>, <#channel>) gets a backslash.
func escape(s string) string {
	// Text with none of them (and valid UTF-8, which the loop would
	// otherwise mend) is returned as it is, without a copy.
	if !strings.ContainsAny(s, markdownChars) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '>', '<', '#', '-', '[', ']', '(', ')', '@': // markdownChars
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// buttons lays out the reply's buttons in rows of at most five, at most
// five rows: a button with Data sends it back as its custom id, in its
// style (Approve green, Reject red); a button with a safe URL is a link
// button. A button whose data does not fit a custom id, or repeats one
// already shown, is dropped: Discord would refuse the whole message. Share
// buttons are shown as text (see render).
func buttons(rows [][]bot.Button) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, row := range rows {
		var cur []discordgo.MessageComponent
		for _, b := range row {
			label := strings.TrimSpace(b.Label)
			var btn discordgo.Button
			switch {
			case b.Data != "":
				if len(b.Data) > maxCustomID || seen[b.Data] {
					continue
				}
				seen[b.Data] = true
				if label == "" {
					label = b.Data
				}
				btn = discordgo.Button{Label: clip(label, maxButtonLabel), Style: buttonStyle(b.Style), CustomID: b.Data}
			case b.URL != "":
				if !bot.SafeURL(b.URL) || len(b.URL) > maxButtonURL || seen["url "+b.URL] {
					continue
				}
				seen["url "+b.URL] = true
				if label == "" {
					label = b.URL
				}
				btn = discordgo.Button{Label: clip(label, maxButtonLabel), Style: discordgo.LinkButton, URL: b.URL}
			default:
				continue
			}
			if len(cur) == maxPerRow {
				out = append(out, discordgo.ActionsRow{Components: cur})
				cur = nil
			}
			cur = append(cur, btn)
		}
		if len(cur) > 0 {
			out = append(out, discordgo.ActionsRow{Components: cur})
		}
	}
	if len(out) > maxRows {
		out = out[:maxRows]
	}
	return out
}

func buttonStyle(s bot.ButtonStyle) discordgo.ButtonStyle {
	switch s {
	case bot.ButtonPrimary:
		return discordgo.PrimaryButton
	case bot.ButtonSuccess:
		return discordgo.SuccessButton
	case bot.ButtonDanger:
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}

// modal builds the modal for a form; ok is false when the form cannot be
// shown as one (no fields, more than five, an id too long), and the reply's
// text is sent instead.
func modal(f *bot.Form) (*discordgo.InteractionResponseData, bool) {
	if f == nil || f.ID == "" || len(f.ID) > maxCustomID || len(f.Fields) == 0 || len(f.Fields) > maxModalFields {
		return nil, false
	}
	title := clip(strings.TrimSpace(f.Title), maxModalTitle)
	if title == "" {
		title = clip(f.ID, maxModalTitle)
	}
	rows := make([]discordgo.MessageComponent, 0, len(f.Fields))
	names := map[string]bool{}
	for _, fl := range f.Fields {
		if fl.Name == "" || len(fl.Name) > maxCustomID || names[fl.Name] {
			return nil, false
		}
		names[fl.Name] = true
		label := clip(strings.TrimSpace(fl.Label), maxModalLabel)
		if label == "" {
			label = clip(fl.Name, maxModalLabel)
		}
		style := discordgo.TextInputShort
		if fl.Long {
			style = discordgo.TextInputParagraph
		}
		max := fl.MaxLen
		if max <= 0 || max > maxInputLen {
			max = maxInputLen
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{
				CustomID:    fl.Name,
				Label:       label,
				Style:       style,
				Placeholder: clip(fl.Placeholder, maxPlaceholder),
				Required:    fl.Required,
				MaxLength:   max,
			},
		}})
	}
	return &discordgo.InteractionResponseData{CustomID: f.ID, Title: title, Components: rows}, true
}

// clip shortens s to at most n characters, ending with "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
