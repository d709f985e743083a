package telegram

import (
	"html"
	"log/slog"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// MaxText is the most a Telegram message may hold, in UTF-16 code units
// of its visible text.
const MaxText = 4096

// Rendering measures in bytes of markup, which is conservative twice over:
// a UTF-8 byte count is never below the UTF-16 count of the same text, and
// tags and entities, which Telegram does not count, are counted. So a part
// of at most MaxText bytes is always within Telegram's limit.

// renderSpan renders one span as Telegram HTML. Links are shown only when
// bot.SafeURL accepts them (Span.SafeLink: a link the core has already
// checked is not parsed again); otherwise the text alone is shown.
func renderSpan(s bot.Span) string {
	var sb strings.Builder
	writeSpan(&sb, s)
	return sb.String()
}

// writeSpan writes renderSpan(s) to sb, so that a paragraph is rendered
// into one buffer rather than a string per span and per tag.
func writeSpan(sb *strings.Builder, s bot.Span) {
	text := s.Text
	link := s.SafeLink()
	if text == "" && link {
		text = s.URL
	}
	out := html.EscapeString(text)
	if link {
		// A code entity cannot hold a link, so a monospaced link is shown
		// as a plain one.
		open, end := styleTags(s.Style)
		if s.Style == bot.Mono {
			open, end = "", ""
		}
		sb.WriteString(open)
		sb.WriteString(`<a href="`)
		sb.WriteString(html.EscapeString(s.URL))
		sb.WriteString(`">`)
		sb.WriteString(out)
		sb.WriteString(`</a>`)
		sb.WriteString(end)
		return
	}
	if out == "" {
		return
	}
	open, end := styleTags(s.Style)
	sb.WriteString(open)
	sb.WriteString(out)
	sb.WriteString(end)
}

// styleTags are the tags around a span of style st.
func styleTags(st bot.Style) (open, end string) {
	switch st {
	case bot.Bold:
		return "<b>", "</b>"
	case bot.Italic:
		return "<i>", "</i>"
	case bot.Mono:
		return "<code>", "</code>"
	}
	return "", ""
}

// renderBlock renders a paragraph.
func renderBlock(b bot.Block) string {
	var sb strings.Builder
	n := 0
	for _, s := range b.Spans {
		n += len(s.Text) + len(s.URL) + 16
	}
	sb.Grow(n)
	for _, s := range b.Spans {
		writeSpan(&sb, s)
	}
	return sb.String()
}

// blockPieces renders a paragraph as pieces of at most limit bytes each,
// breaking only between spans, or inside a span's text before it is
// escaped and wrapped, so that no tag or entity is ever cut.
func blockPieces(b bot.Block, limit int) []string {
	whole := renderBlock(b)
	if len(whole) <= limit {
		return []string{whole}
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		if strings.TrimSpace(cur.String()) != "" {
			out = append(out, cur.String())
		}
		cur.Reset()
	}
	for _, s := range b.Spans {
		h := renderSpan(s)
		if cur.Len()+len(h) <= limit {
			cur.WriteString(h)
			continue
		}
		flush()
		if len(h) <= limit {
			cur.WriteString(h)
			continue
		}
		for _, chunk := range splitSpan(s, limit) {
			flush()
			cur.WriteString(chunk)
		}
	}
	flush()
	return out
}

// splitSpan renders a span too long for one message as several, each at
// most limit bytes: the raw text is cut (at a line break or space where
// one is near) and each piece escaped and wrapped on its own.
func splitSpan(s bot.Span, limit int) []string {
	overhead := len(renderSpan(bot.Span{Text: "x", Style: s.Style, URL: s.URL})) - 1
	budget := limit - overhead
	if budget < 64 { // an absurdly long URL: drop the link, keep the text
		s.URL = ""
		overhead = len(renderSpan(bot.Span{Text: "x", Style: s.Style})) - 1
		budget = limit - overhead
	}
	var out []string
	text := s.Text
	for text != "" {
		cut, size, lastBreak := 0, 0, -1
		for i, r := range text {
			n := escapedLen(r)
			if size+n > budget {
				break
			}
			size += n
			cut = i + utf8.RuneLen(r)
			if r == '\n' || r == ' ' {
				lastBreak = cut
			}
		}
		if cut < len(text) && lastBreak > cut/2 {
			cut = lastBreak
		}
		if cut == 0 { // cannot happen with budget >= 64; guard the loop
			_, cut = utf8.DecodeRuneInString(text)
		}
		piece := bot.Span{Text: strings.TrimRight(text[:cut], " \n"), Style: s.Style, URL: s.URL}
		if h := renderSpan(piece); h != "" {
			out = append(out, h)
		}
		text = strings.TrimLeft(text[cut:], " \n")
	}
	return out
}

// escapedLen is the number of bytes html.EscapeString turns r into.
func escapedLen(r rune) int {
	switch r {
	case '<', '>':
		return 4 // &lt; &gt;
	case '&':
		return 5 // &amp;
	case '"', '\'':
		return 5 // &#34; &#39;
	case utf8.RuneError:
		return 3
	}
	return utf8.RuneLen(r)
}

// renderParts renders a reply's paragraphs as the texts of one or more
// messages, paragraphs separated by blank lines, each at most limit bytes.
func renderParts(r *bot.Reply, limit int) []string {
	var pieces []string
	for _, b := range r.Blocks {
		for _, p := range blockPieces(b, limit) {
			if strings.TrimSpace(p) != "" {
				pieces = append(pieces, p)
			}
		}
	}
	// Every piece fits, so Pack only ever breaks between pieces.
	return bot.Pack(pieces, limit)
}

// sharePayload is what a t.me deep link's start parameter may hold.
var sharePayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ShareURL is the deep link that opens a private chat with the bot and
// sends it "/start <payload>": https://t.me/<bot>?start=<payload>. It is ""
// when the payload is not one Telegram accepts (1-64 characters of
// A-Z, a-z, 0-9, _ and -) or the bot has no username.
func ShareURL(username, payload string) string {
	if username == "" || !sharePayload.MatchString(payload) {
		return ""
	}
	return "https://t.me/" + username + "?start=" + payload
}

// inlineKeyboard turns the reply's buttons into an inline keyboard, nil
// when there are none: a callback button for Data, a URL button for URL
// (when bot.SafeURL accepts it) and for Share (a deep link to the bot).
// Buttons Telegram would refuse (data over 64 bytes, which fails the whole
// message, or no label or data) are left out.
func inlineKeyboard(rows [][]bot.Button, username string, log *slog.Logger) *tgbotapi.InlineKeyboardMarkup {
	var kb [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var out []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			if strings.TrimSpace(b.Label) == "" {
				log.Debug("telegram: button without a label left out")
				continue
			}
			switch {
			case b.URL != "":
				if !bot.SafeURL(b.URL) {
					log.Debug("telegram: link button with an unsafe URL left out")
					continue
				}
				out = append(out, tgbotapi.NewInlineKeyboardButtonURL(b.Label, b.URL))
			case b.Share != "":
				u := ShareURL(username, b.Share)
				if u == "" {
					log.Debug("telegram: share button left out", "payload_ok", sharePayload.MatchString(b.Share))
					continue
				}
				out = append(out, tgbotapi.NewInlineKeyboardButtonURL(b.Label, u))
			default:
				if len(b.Data) > bot.MaxButtonData || b.Data == "" {
					log.Debug("telegram: button left out", "data_bytes", len(b.Data))
					continue
				}
				out = append(out, tgbotapi.NewInlineKeyboardButtonData(b.Label, b.Data))
			}
		}
		if len(out) > 0 {
			kb = append(kb, out)
		}
	}
	if len(kb) == 0 {
		return nil
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// offered is the callback data of every button on a pressed message, as
// Telegram reports the message: what the bot really offered there. It is
// empty, not nil, for a message with no buttons, and nil when Telegram
// does not show the message (a press on a message sent in inline mode).
func offered(msg *tgbotapi.Message) []string {
	if msg == nil {
		return nil
	}
	out := []string{}
	if msg.ReplyMarkup == nil {
		return out
	}
	for _, row := range msg.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil {
				out = append(out, *b.CallbackData)
			}
		}
	}
	return out
}

// LocationButton is the English label of the reply-keyboard button that
// asks Telegram for the user's location; replies show it in their
// language (the catalog's "location.button").
const LocationButton = "📍 Share my location"

// locationKeyboard offers a one-time "share my location" button, labelled
// in lang. Telegram allows request_location in private chats only.
func locationKeyboard(lang string) tgbotapi.ReplyKeyboardMarkup {
	kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonLocation(i18n.Tr(lang, "location.button"))))
	kb.OneTimeKeyboard = true
	kb.ResizeKeyboard = true
	return kb
}

// truncate cuts s to at most n UTF-16 code units (Telegram's measure),
// ending with "…" when cut.
func truncate(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	units := 0
	for i, r := range s {
		u := utf16.RuneLen(r)
		if u < 0 {
			u = 1
		}
		if units+u > n-1 {
			return s[:i] + "…"
		}
		units += u
	}
	return s
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if u := utf16.RuneLen(r); u > 0 {
			n += u
		} else {
			n++
		}
	}
	return n
}
