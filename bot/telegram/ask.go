package telegram

import (
	"context"
	"html"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
)

// Telegram has no forms. A Reply.Form with a single field (a moderator's
// reject reason) is asked for with ForceReply instead: the prompt goes to
// the chat where the form was asked for, Telegram opens a reply to it for
// the person it is meant for, and their reply comes back to the core as
// the form's submission: Message.Text is Form.ID ("/reject S-12") and
// Message.Form holds the one field ({"reason": "…"}), as a Discord modal
// would send it. Only a reply to that very prompt, by the person it was
// asked of, counts; any other reply is ordinary text. A form of several
// fields is not asked: the reply's text is sent as it is.
//
// The prompts asked are kept in memory, at most maxPrompts for promptTTL:
// a prompt whose answer comes after a restart, or to another replica in
// webhook mode, is answered as ordinary text, and the moderator can still
// type the command in full.
const (
	maxPrompts = 256
	promptTTL  = time.Hour
)

type promptKey struct {
	chat int64
	msg  int
}

type prompt struct {
	form, field string
	user        int64
	at          time.Time
}

// prompts are the ForceReply prompts waiting for their answer.
type prompts struct {
	// sending is held (shared) from sending a prompt until it is added, and
	// taken whole before an answer is looked up: an answer can only come
	// once its prompt exists, so it never arrives in the moment between the
	// prompt's sending and its remembering and is mistaken for plain text.
	sending sync.RWMutex

	mu    sync.Mutex
	now   func() time.Time
	m     map[promptKey]prompt
	order []promptKey // oldest first
}

func newPrompts() *prompts { return &prompts{now: time.Now, m: map[promptKey]prompt{}} }

func (ps *prompts) add(k promptKey, p prompt) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := ps.now()
	// Forget the expired, the answered, and beyond the bound the oldest.
	for len(ps.order) > 0 {
		q, ok := ps.m[ps.order[0]]
		if ok && len(ps.m) < maxPrompts && now.Sub(q.at) < promptTTL {
			break
		}
		delete(ps.m, ps.order[0])
		ps.order = ps.order[1:]
	}
	if len(ps.order) > 2*maxPrompts { // answered ones behind a waiting one
		ps.order = slices.DeleteFunc(ps.order, func(k promptKey) bool { _, ok := ps.m[k]; return !ok })
	}
	p.at = now
	ps.m[k] = p
	ps.order = append(ps.order, k)
}

// take returns and forgets the prompt k when user may answer it.
func (ps *prompts) take(k promptKey, user int64) (prompt, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p, ok := ps.m[k]
	if !ok || p.user != user || ps.now().Sub(p.at) >= promptTTL {
		return prompt{}, false
	}
	delete(ps.m, k)
	return p, true
}

// askable is the single field of r's form, when it has one.
func askable(r *bot.Reply) (bot.Field, bool) {
	if r == nil || r.Form == nil || len(r.Form.Fields) != 1 || r.Form.ID == "" || r.Form.Fields[0].Name == "" {
		return bot.Field{}, false
	}
	return r.Form.Fields[0], true
}

// answerTo turns a reply to one of the adapter's prompts, by the person it
// was asked of, into the form's submission; it reports false for any
// other message. A command typed in reply is a command, not an answer.
func (a *Adapter) answerTo(msg *tgbotapi.Message, m *bot.Message) bool {
	r := msg.ReplyToMessage
	if r == nil || msg.From == nil || strings.HasPrefix(strings.TrimSpace(msg.Text), "/") || strings.TrimSpace(msg.Text) == "" {
		return false
	}
	if r.From == nil || (a.botID != 0 && r.From.ID != a.botID) {
		return false
	}
	// Wait until every prompt being sent is remembered (see sending).
	a.prompts.sending.Lock()
	a.prompts.sending.Unlock()
	p, ok := a.prompts.take(promptKey{chat: msg.Chat.ID, msg: r.MessageID}, msg.From.ID)
	if !ok {
		return false
	}
	m.Form = map[string]string{p.field: msg.Text}
	m.Text = p.form
	return true
}

// ask sends r's text as a ForceReply prompt for its form's single field,
// meant for the person m is from, and remembers it. In a group the prompt
// answers their message (a typed command) or mentions them (a press), so
// that Telegram opens the reply for them alone (selective).
func (a *Adapter) ask(ctx context.Context, m *bot.Message, d dest, r *bot.Reply, f bot.Field) {
	uid, err := strconv.ParseInt(m.User.ID, 10, 64)
	if err != nil {
		return
	}
	parts := renderParts(r, MaxText-200)
	if len(parts) == 0 {
		title := strings.TrimSpace(r.Form.Title + "\n" + f.Label)
		parts = []string{html.EscapeString(title)}
	}
	placeholder := f.Placeholder
	if placeholder == "" {
		placeholder = f.Label
	}
	fr := tgbotapi.ForceReply{ForceReply: true, InputFieldPlaceholder: truncate(placeholder, 64), Selective: !d.private}
	unlock, err := a.pace.lock(ctx, d.chat)
	if err != nil {
		a.logSendError("prompt", err)
		return
	}
	defer unlock()
	for i, text := range parts {
		var markup any
		if i == len(parts)-1 {
			markup = fr
			if !d.private && d.replyTo == 0 {
				name := m.User.Name
				if name == "" {
					name = "…"
				}
				text = `<a href="tg://user?id=` + strconv.FormatInt(uid, 10) + `">` + html.EscapeString(truncate(name, 64)) + "</a> " + text
			}
		}
		last := i == len(parts)-1
		if last {
			a.prompts.sending.RLock()
		}
		id, err := a.sendMessage(ctx, d, text, markup)
		if err == nil && last {
			a.prompts.add(promptKey{chat: d.chat, msg: id}, prompt{form: r.Form.ID, field: f.Name, user: uid})
		}
		if last {
			a.prompts.sending.RUnlock()
		}
		if err != nil {
			a.logSendError("prompt", err)
			return
		}
		d.replyTo = 0
	}
}
