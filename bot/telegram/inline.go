package telegram

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// inlineStart is the /start payload of the "open the bot in private"
// button of inline answers (switch_pm_parameter).
const inlineStart = "inline"

// onInline answers "@bot query" with one article per result of the
// InlineCommand's answer. The results are in the user's language, so they
// are personal (is_personal: Telegram caches them per user). An empty
// query, or an answer with no result (a notice such as "nothing found",
// which is no sendable result), is answered with no results and a button
// that opens the bot in private, labelled with the notice when there is
// one. An empty query does not reach the handler: Telegram sends one as
// soon as "@bot " is typed.
func (a *Adapter) onInline(ctx context.Context, h bot.Handler, iq *tgbotapi.InlineQuery) {
	lang := ""
	if iq.From != nil {
		lang = iq.From.LanguageCode
	}
	cfg := tgbotapi.InlineConfig{InlineQueryID: iq.ID, Results: []any{}, CacheTime: 60, IsPersonal: true}
	var rep *bot.Reply
	if q := strings.TrimSpace(iq.Query); q != "" && iq.From != nil && a.cfg.InlineCommand != "" {
		m := &bot.Message{
			Platform: Platform,
			Text:     "/" + a.cfg.InlineCommand + " " + q,
			BotName:  a.username,
			User:     user(iq.From),
			Chat:     bot.Chat{ID: strconv.FormatInt(iq.From.ID, 10), Private: true},
			Lang:     lang,
			Inline:   true, // counted as an inline query; the presses of openCards inherit it
		}
		rep = a.handle(ctx, h, m)
		if rep != nil {
			rep = a.openCards(ctx, h, m, rep)
		}
	}
	if rep != nil {
		if rep.Lang != "" {
			lang = rep.Lang
		}
		cfg.Results = a.articles(rep)
	}
	if len(cfg.Results) == 0 {
		cfg.SwitchPMText = truncate(i18n.Tr(lang, "telegram.inline_open"), 64)
		if n := notice(rep); n != "" && utf16Len(n) <= 64 {
			cfg.SwitchPMText = n
		}
		cfg.SwitchPMParameter = inlineStart
	}
	if err := a.call(ctx, "answerInlineQuery", func(ctx context.Context) error {
		_, err := a.api.Request(ctx, cfg)
		return err
	}); err != nil {
		a.logSendError("answerInlineQuery", err)
	}
}

// notice is the text of an answer that has no result, "" when there is
// none.
func notice(rep *bot.Reply) string {
	if rep == nil {
		return ""
	}
	var parts []string
	for _, b := range rep.Blocks {
		if t := strings.Join(strings.Fields(bot.PlainText(b)), " "); t != "" {
			parts = append(parts, t)
		}
	}
	if len(parts) == 0 {
		return strings.Join(strings.Fields(rep.Notice), " ")
	}
	return strings.Join(parts, " ")
}

// resultBlocks are the paragraphs of an answer that each show one thing:
// those with a Card, or, in an answer that has no cards, those with a
// button of their own (a listed group's) or a link (its website).
// Headings and notices ("nothing found", "did you mean…") are neither,
// and are not offered as results.
func resultBlocks(rep *bot.Reply) []bot.Block {
	var cards, linked []bot.Block
	for _, b := range rep.Blocks {
		switch {
		case b.Heading:
		case b.Card != nil:
			cards = append(cards, b)
		case len(b.Buttons) > 0 || firstLink(b) != "":
			linked = append(linked, b)
		}
	}
	if len(cards) > 0 {
		return cards
	}
	return linked
}

// firstLink is a paragraph's website: its card's, or its first link that
// bot.SafeURL accepts.
func firstLink(b bot.Block) string {
	if b.Card != nil && bot.SafeURL(b.Card.URL) {
		return b.Card.URL
	}
	for _, s := range b.Spans {
		if s.URL != "" && bot.SafeURL(s.URL) {
			return s.URL
		}
	}
	return ""
}

// openCards turns a list answer into the full cards of what it lists, so
// that each inline result carries its own Website and Share buttons: for
// each listed entry whose one button opens it, the button is pressed on
// the asker's behalf, exactly as offered (the core's data, signed for
// them), and the entry is replaced by the card that press answers with.
// An entry whose card does not come is kept as it is.
func (a *Adapter) openCards(ctx context.Context, h bot.Handler, m *bot.Message, rep *bot.Reply) *bot.Reply {
	// The core shows the blocks' buttons after the reply's own, in block
	// order (bot.Reply.Buttons): the last ones offered are theirs.
	var offered []bot.Button
	for _, row := range rep.Buttons {
		offered = append(offered, row...)
	}
	own := 0
	for _, b := range rep.Blocks {
		own += len(b.Buttons)
	}
	if own == 0 || own > len(offered) {
		return rep
	}
	var data []string
	for _, b := range offered {
		if b.Data != "" {
			data = append(data, b.Data)
		}
	}
	tail := offered[len(offered)-own:]
	out := *rep
	out.Blocks = nil
	opened := 0
	for _, b := range rep.Blocks {
		mine := tail[:len(b.Buttons)]
		tail = tail[len(b.Buttons):]
		if len(mine) != 1 || mine[0].Data == "" || mine[0].Label != b.Buttons[0].Label || b.Heading || opened == maxResults {
			out.Blocks = append(out.Blocks, b)
			continue
		}
		opened++
		press := *m
		press.Text, press.Pressed, press.Offered = mine[0].Data, true, data
		card := a.handle(ctx, h, &press)
		if card == nil || len(card.Blocks) != 1 || card.Blocks[0].Card == nil {
			out.Blocks = append(out.Blocks, b)
			continue
		}
		c := card.Blocks[0]
		c.Buttons = nil
		for _, row := range card.Buttons {
			for _, btn := range row {
				if btn.URL != "" || btn.Share != "" { // an inline message's presses have no chat
					c.Buttons = append(c.Buttons, btn)
				}
			}
		}
		out.Blocks = append(out.Blocks, c)
	}
	return &out
}

// articles makes an inline result of each result paragraph: its title is
// the card's title or the first span, the rest the description, choosing
// it posts the paragraph, and it carries a Website button and, where the
// answer gives one, a Share button (a deep link to the bot).
func (a *Adapter) articles(rep *bot.Reply) []any {
	blocks := resultBlocks(rep)
	// An answer about one thing (a full card) says how to share it.
	var share bot.Button
	if len(blocks) == 1 {
		for _, row := range rep.Buttons {
			for _, b := range row {
				if b.Share != "" && share.Share == "" {
					share = b
				}
			}
		}
	}
	labels := resultLabels{lang: rep.Lang}
	out := []any{}
	for _, b := range blocks {
		if len(out) == maxResults {
			break
		}
		sh := share
		for _, btn := range b.Buttons {
			if btn.Share != "" {
				sh = btn
			}
		}
		art, ok := a.results.get(b, sh, rep.Lang)
		if !ok {
			art, ok = a.article(b, sh, &labels)
			a.results.put(b, sh, rep.Lang, art, ok)
		}
		if !ok {
			continue
		}
		art.ID = strconv.Itoa(len(out) + 1)
		out = append(out, art)
	}
	return out
}

// resultLabels are the buttons' labels, the same on every result: looked
// up once per answer, and only when a result is made.
type resultLabels struct {
	lang, website, share string
}

func (l *resultLabels) websiteLabel() string {
	if l.website == "" {
		l.website = i18n.Tr(l.lang, "telegram.website")
	}
	return l.website
}

func (l *resultLabels) shareLabel() string {
	if l.share == "" {
		l.share = i18n.Tr(l.lang, "telegram.share")
	}
	return l.share
}

// article is the inline result of one paragraph, with share as its Share
// button when it has a payload, and no ID yet; false when the paragraph
// makes none (no text, or no title).
func (a *Adapter) article(b bot.Block, share bot.Button, labels *resultLabels) (tgbotapi.InlineQueryResultArticle, bool) {
	pieces := blockPieces(b, MaxText)
	if len(pieces) == 0 {
		return tgbotapi.InlineQueryResultArticle{}, false
	}
	plain := strings.TrimSpace(bot.PlainText(b))
	title := ""
	if b.Card != nil {
		title = strings.TrimSpace(b.Card.Title)
	}
	if title == "" && len(b.Spans) > 0 {
		title = strings.TrimSpace(b.Spans[0].Text)
	}
	if title == "" {
		title = plain
	}
	if title == "" {
		return tgbotapi.InlineQueryResultArticle{}, false
	}
	desc := strings.TrimLeft(strings.TrimPrefix(plain, title), " \n\t—–-:,")
	art := tgbotapi.NewInlineQueryResultArticleHTML("", truncate(title, 128), pieces[0])
	art.Description = oneLine(desc, 256)
	art.InputMessageContent = tgbotapi.InputTextMessageContent{
		Text: pieces[0], ParseMode: tgbotapi.ModeHTML, DisableWebPagePreview: true,
	}
	row := []bot.Button{{Label: labels.websiteLabel(), URL: firstLink(b)}}
	if share.Share != "" {
		share.Label = labels.shareLabel()
		row = append(row, share)
	}
	art.ReplyMarkup = inlineKeyboard([][]bot.Button{row}, a.username, a.log)
	return art, true
}

// articleMemoSize bounds articleMemo: a few hundred cards, about 2 KB of
// result each, is more than the popular places' results together.
const articleMemoSize = 512

// articleMemo keeps the inline results made from the cards shown lately,
// so that a popular place's cards, which the core renders once and caches
// (bot/answers.go), are not turned into results again for every inline
// query. An entry is found by the card's title, link and share button
// and the language, and is used only when the paragraph's spans and
// buttons are equal to those it was made from: a card that changed (an
// approval, a link check) is made anew, and nothing depends on the core
// keeping its cards. The comparison is cheap for a cached card, whose
// strings are the very strings compared, which compare by pointer. It
// holds at most articleMemoSize entries and is emptied when full. Safe
// for concurrent use; the zero value is ready.
type articleMemo struct {
	mu sync.Mutex
	m  map[articleKey]articleEntry
}

type articleKey struct {
	lang, title, url string
	share            bot.Button
}

type articleEntry struct {
	spans   []bot.Span
	buttons []bot.Button
	art     tgbotapi.InlineQueryResultArticle
	ok      bool
}

func memoKey(b bot.Block, share bot.Button, lang string) (articleKey, bool) {
	if b.Card == nil {
		return articleKey{}, false // list entries are cheap, and vary
	}
	return articleKey{lang: lang, title: b.Card.Title, url: b.Card.URL, share: share}, true
}

// get is the result made from b with share in lang, if kept; its
// ReplyMarkup is shared and must not be changed.
func (m *articleMemo) get(b bot.Block, share bot.Button, lang string) (tgbotapi.InlineQueryResultArticle, bool) {
	k, ok := memoKey(b, share, lang)
	if !ok {
		return tgbotapi.InlineQueryResultArticle{}, false
	}
	m.mu.Lock()
	e, found := m.m[k]
	m.mu.Unlock()
	if !found || !e.ok || !slices.Equal(e.spans, b.Spans) || !slices.Equal(e.buttons, b.Buttons) {
		return tgbotapi.InlineQueryResultArticle{}, false
	}
	return e.art, true
}

func (m *articleMemo) put(b bot.Block, share bot.Button, lang string, art tgbotapi.InlineQueryResultArticle, ok bool) {
	k, cacheable := memoKey(b, share, lang)
	if !cacheable {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= articleMemoSize {
		m.m = make(map[articleKey]articleEntry, articleMemoSize)
	}
	m.m[k] = articleEntry{spans: slices.Clone(b.Spans), buttons: slices.Clone(b.Buttons), art: art, ok: ok}
}

// oneLine is truncate(strings.Join(strings.Fields(s), " "), n) without
// splitting the whole of a long s (a card's text, for a description of
// 256): it stops once more than n UTF-16 units are kept, and truncate
// looks no further than that.
func oneLine(s string, n int) string {
	var b strings.Builder
	units := 0
	for f := range strings.FieldsSeq(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
			units++
		}
		b.WriteString(f)
		if units += utf16Len(f); units > n {
			break
		}
	}
	return truncate(b.String(), n)
}
