package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// LocationPrompt goes with the "share my location" keyboard when the reply
// itself must carry an inline keyboard (a message holds one keyboard). It
// is the English text (the catalog's "location.prompt"); replies show it in
// their language.
const LocationPrompt = "You can also share your location:"

// Send sends r to an address outside a reply (a moderator card, the outcome
// of a suggestion) and returns the id of its last message, the one that
// carries the buttons, for Edit. The address is a chat id, or a user id
// for the user's private chat with the bot (which the user must have
// started).
func (a *Adapter) Send(ctx context.Context, to bot.Address, r *bot.Reply) (string, error) {
	chat, err := chatOf(to)
	if err != nil {
		return "", err
	}
	id, err := a.deliver(ctx, dest{chat: chat, private: chat > 0}, noticeAsText(r), 0)
	if id == 0 {
		return "", err
	}
	return strconv.Itoa(id), err
}

// Edit replaces the message id sent earlier with r. When the message can
// no longer be edited, r is sent as a new message.
func (a *Adapter) Edit(ctx context.Context, to bot.Address, id string, r *bot.Reply) error {
	chat, err := chatOf(to)
	if err != nil {
		return err
	}
	msg, err := strconv.Atoi(id)
	if err != nil || msg <= 0 {
		return fmt.Errorf("telegram: %q is not a message id", id)
	}
	_, err = a.deliver(ctx, dest{chat: chat, private: chat > 0}, noticeAsText(r), msg)
	return err
}

// chatOf is the chat an address names: its chat, else the user's private
// chat, whose id in Telegram is the user's.
func chatOf(to bot.Address) (int64, error) {
	if to.Platform != "" && to.Platform != Platform {
		return 0, fmt.Errorf("telegram: cannot send to a %s address", to.Platform)
	}
	s := to.ChatID
	if s == "" {
		s = to.UserID
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id == 0 {
		return 0, errors.New("telegram: the address has no chat or user id")
	}
	return id, nil
}

// dest is where a reply goes: a chat and, in a group, the message it
// answers and the forum topic it belongs in.
type dest struct {
	chat    int64
	private bool
	// replyTo is the asker's message, which the first message of the
	// reply answers (reply_to_message_id); 0 for none. Used in groups,
	// where several conversations share the chat.
	replyTo int
	// thread is the forum topic (message_thread_id); 0 for none (a chat
	// that is not a forum, or its General topic).
	thread int
}

// reply delivers a handler's reply, logging a failure.
func (a *Adapter) reply(ctx context.Context, d dest, r *bot.Reply, editID int) {
	if _, err := a.deliver(ctx, d, r, editID); err != nil {
		a.logSendError("reply", err)
	}
}

// logSendError logs at warn, except what is routine: a person who blocked
// the bot, or a shutdown.
func (a *Adapter) logSendError(what string, err error) {
	code, _ := apiCode(err)
	if code == http.StatusForbidden || errors.Is(err, context.Canceled) || errors.Is(err, errBacklog) {
		a.log.Debug("telegram: could not send", "what", what, "err", err)
		return
	}
	a.log.Warn("telegram: could not send", "what", what, "err", err)
}

// deliver sends r to d as one or more messages (editing editID with the
// first when it is not 0) and returns the id of the last. The inline
// keyboard goes on the last message; the location keyboard, in private
// chats, on the first that has no inline keyboard. The chat is held for
// the whole reply, so that two replies never interleave.
func (a *Adapter) deliver(ctx context.Context, d dest, r *bot.Reply, editID int) (int, error) {
	parts := renderParts(r, MaxText)
	if len(parts) == 0 {
		return 0, nil
	}
	kb := inlineKeyboard(r.Buttons, a.username, a.log)
	var loc *tgbotapi.ReplyKeyboardMarkup
	if r.Location && d.private && editID == 0 {
		k := locationKeyboard(r.Lang)
		loc = &k
	}
	unlock, err := a.pace.lock(ctx, d.chat)
	if errors.Is(err, errBacklog) {
		a.obs.ReplyDropped()
	}
	if err != nil {
		return 0, wrapErr("sendMessage", a.token, err)
	}
	defer unlock()
	last := 0
	for i, text := range parts {
		isLast := i == len(parts)-1
		if i == 0 && editID != 0 {
			var ikb *tgbotapi.InlineKeyboardMarkup
			if isLast {
				ikb = kb
			}
			err := a.editMessage(ctx, d, editID, text, ikb)
			if err == nil || notModified(err) {
				last = editID
				continue
			}
			if code, _ := apiCode(err); code != http.StatusBadRequest {
				return last, err
			}
			// "message can't be edited", "message to edit not found":
			// send it anew rather than lose it.
			a.log.Debug("telegram: edit refused; sending a new message", "err", err)
		}
		var markup any
		switch {
		case isLast && kb != nil:
			markup = *kb
		case loc != nil:
			markup, loc = *loc, nil
		}
		id, err := a.sendMessage(ctx, d, text, markup)
		if err != nil {
			return last, err
		}
		last = id
		d.replyTo = 0 // the first message answers the asker; the rest follow it
	}
	if loc != nil {
		id, err := a.sendMessage(ctx, d, html.EscapeString(i18n.Tr(r.Lang, "location.prompt")), *loc)
		if err != nil {
			return last, err
		}
		last = id
	}
	return last, nil
}

// sendMessage sends one HTML message, paced, and returns its id. A group
// that became a supergroup is followed to its new id.
//
// The request is made of its parameters rather than with the SDK's
// MessageConfig: Bot API 5.5, which the SDK speaks, predates forum topics
// (message_thread_id), and the SDK's Chattable cannot be implemented
// outside it (its methods are unexported), so MakeRequest it is.
func (a *Adapter) sendMessage(ctx context.Context, d dest, text string, markup any) (int, error) {
	p := tgbotapi.Params{"text": text, "parse_mode": tgbotapi.ModeHTML}
	p.AddBool("disable_web_page_preview", true)
	p.AddNonZero("message_thread_id", d.thread)
	if d.replyTo != 0 {
		p.AddNonZero("reply_to_message_id", d.replyTo)
		// The asker may have deleted the question meanwhile: answer anyway.
		p.AddBool("allow_sending_without_reply", true)
	}
	if err := p.AddInterface("reply_markup", markup); err != nil {
		return 0, wrapErr("sendMessage", a.token, err)
	}
	chat := d.chat
	for range 2 {
		p.AddNonZero64("chat_id", chat)
		if err := a.pace.wait(ctx, d.chat, d.private); err != nil {
			return 0, wrapErr("sendMessage", a.token, err)
		}
		// Only the id is read: decoding the whole Message that Telegram
		// sends back (the text, its entities, the keyboard) cost more than
		// encoding the request.
		var msg struct {
			MessageID int `json:"message_id"`
		}
		err := a.call(ctx, "sendMessage", func(ctx context.Context) error {
			resp, err := a.api.MakeRequest(ctx, "sendMessage", p)
			if err != nil {
				return err
			}
			return json.Unmarshal(resp.Result, &msg)
		})
		var te *tgbotapi.Error
		if errors.As(err, &te) && te.MigrateToChatID != 0 && chat != te.MigrateToChatID {
			chat = te.MigrateToChatID
			continue
		}
		return msg.MessageID, err
	}
	return 0, errors.New("telegram sendMessage: the chat moved twice")
}

// editMessage replaces a message's text and inline keyboard (none when kb
// is nil), paced like a send.
func (a *Adapter) editMessage(ctx context.Context, d dest, id int, text string, kb *tgbotapi.InlineKeyboardMarkup) error {
	cfg := tgbotapi.EditMessageTextConfig{
		BaseEdit:              tgbotapi.BaseEdit{ChatID: d.chat, MessageID: id, ReplyMarkup: kb},
		Text:                  text,
		ParseMode:             tgbotapi.ModeHTML,
		DisableWebPagePreview: true,
	}
	if err := a.pace.wait(ctx, d.chat, d.private); err != nil {
		return wrapErr("editMessageText", a.token, err)
	}
	// Through Request: an edit answers with true for inline messages,
	// which Send could not decode.
	return a.call(ctx, "editMessageText", func(ctx context.Context) error {
		_, err := a.api.Request(ctx, cfg)
		return err
	})
}

// notModified reports Telegram's refusal of an edit that changes nothing
// (a page button pressed twice): nothing to do.
func notModified(err error) bool {
	code, desc := apiCode(err)
	return code == http.StatusBadRequest && strings.Contains(desc, "message is not modified")
}

// call makes one Bot API call, bounded by requestTimeout, and repeats it
// after the wait Telegram asks for when it answers 429 (flood control), up
// to maxAttempts tries. Errors come back as *Error, without the token.
func (a *Adapter) call(ctx context.Context, method string, fn func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, requestTimeout)
		err := fn(cctx)
		cancel()
		if err == nil {
			return nil
		}
		secs, flood := retryAfter(err)
		if !flood || attempt == maxAttempts {
			return wrapErr(method, a.token, err)
		}
		a.log.Warn("telegram: flood control; waiting before retrying", "method", method, "retry_after_s", secs)
		if err := a.sleep(ctx, time.Duration(secs)*time.Second); err != nil {
			return wrapErr(method, a.token, err)
		}
	}
}
