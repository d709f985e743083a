// Package bot is unionbot's platform-neutral core: the message and reply
// model, the command router and its middleware, and the command handlers.
// It imports no platform library; adapters (bot/console, bot/telegram,
// bot/discord) translate between a platform and these types, and decide
// nothing.
package bot

import (
	"strings"

	"github.com/unionbot/unionbot/directory"
)

// Message is one thing a person sent: a typed command, a button press or a
// submitted form.
type Message struct {
	// Platform names the adapter ("console", "telegram", "discord"). The core
	// uses it only to namespace ids, never to decide what to answer.
	Platform string
	// Text is what was typed or the data of the button pressed, such as
	// "/find Canada" or "/approve S-12".
	Text string
	// BotName is this bot's username on the platform, so that
	// "/find@otherbot" in a group can be told apart and left alone.
	BotName string
	User    User
	Chat    Chat
	// Lang is the user's language as the platform reports it (BCP 47).
	// Before any handler runs, the core replaces it with the language it
	// answers in (see Bot.Language), always a supported one.
	Lang string
	// Location is a position the user shared; never stored.
	Location *directory.Point
	// Pressed is true for a button press rather than typed text.
	Pressed bool
	// Inline is true for an inline query (Telegram's "@bot query", typed
	// in any chat, whose answer the person picks from and sends), and for
	// the presses an adapter makes on that query's behalf (Pressed is then
	// set too). The core answers them as any other message; it only counts
	// them apart: the query as the command "inline", the presses not at
	// all (see Logging).
	Inline bool
	// Offered holds the data of every button on the message a press came
	// from, as the platform itself reports that message (Telegram's
	// callback_query.message.reply_markup, Discord's interaction message
	// components); nil when the platform does not say. The core accepts a
	// press only for data the bot really offered there.
	Offered []string
	// Form holds the fields of a submitted form (Discord's modal) keyed by
	// field name; nil for typed text.
	Form map[string]string
	// PageSize is how many results the platform shows at once; 0 shows all
	// (the console).
	PageSize int
	// CommandName, when set, is the name the person's client shows a
	// command under (Discord's localized command names: "/trouver" for a
	// French client); /help lists commands under it. Nil means the name.
	CommandName func(Command) string
	// CanForm is true when the platform can open a Reply.Form (Discord's
	// modals); the core then asks for input through a form rather than text.
	CanForm bool
	// Moderator is set by the core (see Moderators), never by an adapter.
	Moderator bool
	// platformLang keeps the platform's Lang once the core has replaced
	// Lang with the language it answers in.
	platformLang string
	// pressKind is the kind of button a verified press came from (see
	// press.go), 0 for typed text.
	pressKind byte
}

// User is who sent a message. ID is the platform's id, kept only as long as
// a feature needs it (see /privacy).
type User struct {
	ID   string
	Name string // display name, for moderators' cards and the audit log
	// Roles are the platform roles the user has in the chat's space (Discord
	// role ids); Admin is true when the platform says the user manages it.
	Roles []string
	Admin bool
}

// Chat is where a message came from and where the reply goes.
type Chat struct {
	ID      string
	Private bool   // a one-to-one chat with the bot
	Space   string // the Discord server (guild) id; empty elsewhere
}

// Address is where to send a message outside a reply: a chat, or a user's
// direct messages when ChatID is empty.
type Address struct {
	Platform string
	ChatID   string
	UserID   string
	// Direct asks for the user's direct messages rather than ChatID, where
	// the platform has them; ChatID is the fallback.
	Direct bool
}

// Command returns the command name (lowercase, without "/" and "@bot") and
// its arguments. ok is false when the text is not a command, or is a command
// addressed to another bot.
func (m *Message) Command() (name, args string, ok bool) {
	t := strings.TrimSpace(m.Text)
	if !strings.HasPrefix(t, "/") {
		return "", t, false
	}
	head, rest, _ := strings.Cut(t[1:], " ")
	if i := indexNewlineOrTab(head); i >= 0 {
		rest = head[i+1:] + " " + rest
		head = head[:i]
	}
	if at := strings.IndexByte(head, '@'); at >= 0 {
		if m.BotName == "" || !strings.EqualFold(head[at+1:], m.BotName) {
			return "", "", false
		}
		head = head[:at]
	}
	if head == "" {
		return "", "", false
	}
	return strings.ToLower(head), strings.TrimSpace(rest), true
}

// indexNewlineOrTab is strings.IndexAny(s, "\n\t"), which costs more than
// the rest of Command for a command's name: neither byte occurs inside
// a UTF-8 sequence, so looking at bytes is the same.
func indexNewlineOrTab(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\t' {
			return i
		}
	}
	return -1
}
