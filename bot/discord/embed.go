package discord

import (
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
)

// Discord's embed limits (Message Resource, "Embed Limits"). The total
// counts every embed of a message.
const (
	maxEmbeds          = 10
	maxEmbedTotal      = 6000
	maxEmbedTitle      = 256
	maxEmbedDesc       = 4096
	maxEmbedFields     = 25
	maxEmbedFieldName  = 256
	maxEmbedFieldValue = 1024
	maxEmbedAuthor     = 256
)

// kindColours give each kind of card a colour, so a list reads at a glance:
// local groups blue, national green, regional purple, international
// orange, allies grey; moderators' suggestion cards blurple and reports
// amber.
var kindColours = map[string]int{
	"local":         0x3498DB,
	"national":      0x2ECC71,
	"regional":      0x9B59B6,
	"international": 0xE67E22,
	"ally":          0x95A5A6,
	"suggestion":    0x5865F2,
	"report":        0xF1C40F,
}

// page is one Discord message: content, then embeds.
type page struct {
	content string
	embeds  []*discordgo.MessageEmbed
}

// embedSize is what an embed counts toward maxEmbedTotal.
func embedSize(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}

// escaped is s escaped for Discord markdown and at most n characters,
// ending with "…" when cut; the cut never splits an escape.
func escaped(s string, n int) string {
	e := escape(s)
	if utf8.RuneCountInString(e) <= n {
		return e
	}
	var b strings.Builder
	count := 0
	for _, r := range s {
		piece := escape(string(r))
		k := utf8.RuneCountInString(piece)
		if count+k > n-1 {
			break
		}
		b.WriteString(piece)
		count += k
	}
	return b.String() + "…"
}

// cardEmbed is a card as an embed: its title linking to its URL (when
// safe), its description, its fields and its kind's colour; heading is
// the section it opens ("National groups"), shown above the title. Text is
// escaped, so nothing in it formats or links; embeds cannot mention.
func cardEmbed(c *bot.Card, heading string) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       escaped(oneLine(c.Title), maxEmbedTitle),
		Description: escaped(strings.TrimSpace(c.Description), maxEmbedDesc),
		Color:       kindColours[c.Kind],
	}
	if e.Title == "" {
		e.Title = "\u200b"
	}
	if c.URL != "" && bot.SafeURL(c.URL) {
		e.URL = c.URL
	}
	if h := strings.TrimSpace(heading); h != "" {
		e.Author = &discordgo.MessageEmbedAuthor{Name: clip(oneLine(h), maxEmbedAuthor)}
	}
	for _, f := range c.Fields {
		if len(e.Fields) == maxEmbedFields {
			break
		}
		name, value := escaped(oneLine(f.Name), maxEmbedFieldName), escaped(strings.TrimSpace(f.Value), maxEmbedFieldValue)
		if name == "" {
			name = "\u200b"
		}
		if value == "" {
			value = "—"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value, Inline: f.Inline})
	}
	// One card alone must fit a message: drop fields from the end, then
	// shorten the description.
	for embedSize(e) > maxEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	if over := embedSize(e) - maxEmbedTotal; over > 0 {
		e.Description = escaped(strings.TrimSpace(c.Description), max(1, utf8.RuneCountInString(e.Description)-over-8))
	}
	return e
}

// noteEmbed holds text that comes between or after cards, so that it stays
// in its place among them.
func noteEmbed(md string) *discordgo.MessageEmbed {
	return &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Description: md}
}

// embedPages lays out blocks that hold cards: the text before the first
// card is the content (split into messages when long); then each card is
// an embed, a heading just before a card becomes its author line, and
// other text between or after cards becomes a note embed. A message takes
// at most ten embeds of at most 6,000 characters in all; more go into the
// next message.
func embedPages(blocks []bot.Block) []page {
	first := len(blocks)
	for i, b := range blocks {
		if b.Card != nil {
			first = i
			break
		}
	}
	// Headings right before the first card belong to it.
	start := first
	for start > 0 && blocks[start-1].Heading && blocks[start-1].Card == nil {
		start--
	}
	var paras []string
	for _, b := range blocks[:start] {
		paras = append(paras, renderBlock(b, maxContent)...)
	}
	var pages []page
	for _, c := range bot.Pack(paras, maxContent) {
		pages = append(pages, page{content: c})
	}
	if len(pages) == 0 {
		pages = []page{{}}
	}
	total := 0
	add := func(e *discordgo.MessageEmbed) {
		cur := &pages[len(pages)-1]
		if len(cur.embeds) == maxEmbeds || total+embedSize(e) > maxEmbedTotal {
			pages = append(pages, page{})
			cur, total = &pages[len(pages)-1], 0
		}
		cur.embeds = append(cur.embeds, e)
		total += embedSize(e)
	}
	var heads []string // headings waiting for their card
	var note []string  // text between cards
	flushNote := func() {
		for _, d := range bot.Pack(note, maxEmbedDesc) {
			add(noteEmbed(d))
		}
		note = nil
	}
	headsToNote := func() {
		for _, h := range heads {
			note = append(note, wrap("**", h))
		}
		heads = nil
	}
	for _, b := range blocks[start:] {
		switch {
		case b.Card != nil:
			flushNote()
			add(cardEmbed(b.Card, strings.Join(heads, " · ")))
			heads = nil
		case b.Heading:
			heads = append(heads, bot.PlainText(b))
		default:
			headsToNote()
			note = append(note, renderBlock(b, maxEmbedDesc)...)
		}
	}
	headsToNote()
	flushNote()
	return pages
}

// shareHint is how Discord shows a share button, which it cannot make
// into a link to the bot: the command that opens the same thing, written
// from the deep-link payload ("org_vandu" is "/org vandu"), for the person
// to copy or send on.
func shareHint(b bot.Button) (bot.Block, bool) {
	cmd, arg, ok := strings.Cut(strings.TrimSpace(b.Share), "_")
	if !ok || cmd == "" || arg == "" {
		return bot.Block{}, false
	}
	label := strings.TrimSpace(b.Label)
	spans := []bot.Span{}
	if label != "" {
		spans = append(spans, bot.T(label+": "))
	}
	spans = append(spans, bot.C("/"+cmd+" "+arg))
	return bot.Block{Spans: spans}, true
}

// nonNil is embeds, or an empty list: in an edit, an empty list removes the
// old embeds, where null would keep them.
func nonNil(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if embeds == nil {
		return []*discordgo.MessageEmbed{}
	}
	return embeds
}

// listPages lays out a compact list (Reply.Compact: one- or two-line
// entries under headings, as a /find answer) as an embed list: when the
// list opens with a heading, that heading is the first embed's title;
// every other block is a paragraph of the embeds' descriptions, in order,
// a heading in bold on the line just above the entry it opens. Long lists
// go on in further embeds (at most 4,096 characters of description each)
// and further messages (at most ten embeds, 6,000 characters in all).
// What the list says, and in what order, is the core's; only the layout
// is Discord's.
func listPages(blocks []bot.Block) []page {
	title := ""
	if blocks[0].Heading {
		title = escaped(oneLine(bot.PlainText(blocks[0])), maxEmbedTitle)
		blocks = blocks[1:]
	}
	var paras []string
	head := "" // a heading waiting for the entry it opens
	for _, b := range blocks {
		ps := renderBlock(b, maxEmbedDesc)
		if len(ps) == 0 {
			continue
		}
		if b.Heading {
			if head != "" {
				paras = append(paras, head)
			}
			head = strings.Join(ps, "\n")
			continue
		}
		if head != "" {
			ps[0] = head + "\n" + ps[0]
			head = ""
		}
		paras = append(paras, ps...)
	}
	if head != "" {
		paras = append(paras, head)
	}
	descs := bot.Pack(paras, maxEmbedDesc)
	if len(descs) == 0 {
		descs = []string{""}
	}
	var pages []page
	total := 0
	for i, d := range descs {
		e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Description: d}
		if i == 0 && title != "" {
			e.Title = title
		}
		if e.Title == "" && e.Description == "" {
			continue
		}
		if len(pages) == 0 || len(pages[len(pages)-1].embeds) == maxEmbeds || total+embedSize(e) > maxEmbedTotal {
			pages = append(pages, page{})
			total = 0
		}
		cur := &pages[len(pages)-1]
		cur.embeds = append(cur.embeds, e)
		total += embedSize(e)
	}
	return pages
}
