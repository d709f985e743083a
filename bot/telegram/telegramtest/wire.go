package telegramtest

import (
	"encoding/json"
	"unicode/utf16"
)

// The wire types below follow the Bot API documentation
// (https://core.telegram.org/bots/api#available-types), written out here
// rather than borrowed from the SDK under test, so that a mistake in the
// SDK's types cannot hide behind the same mistake in the fake. They hold
// only the fields the fake and its users need; omitempty keeps the JSON
// close to what Telegram sends.

// User is a Telegram user or bot.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
	// The following are set on getMe's answer only.
	CanJoinGroups           bool `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   bool `json:"supports_inline_queries,omitempty"`
}

// Chat is a private chat, a group, a supergroup or a channel.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // "private", "group", "supergroup" or "channel"
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	// IsForum is true for a supergroup with topics enabled.
	IsForum bool `json:"is_forum,omitempty"`
}

// MessageEntity marks a special span of a message's text. Offset and Length
// count UTF-16 code units, as Telegram does.
type MessageEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	URL    string `json:"url,omitempty"`
}

// Location is a point on the map.
type Location struct {
	Longitude float64 `json:"longitude"`
	Latitude  float64 `json:"latitude"`
}

// Message is a message in a chat.
type Message struct {
	MessageID   int             `json:"message_id"`
	From        *User           `json:"from,omitempty"`
	Date        int64           `json:"date"`
	Chat        Chat            `json:"chat"`
	Text        string          `json:"text,omitempty"`
	Entities    []MessageEntity `json:"entities,omitempty"`
	Location    *Location       `json:"location,omitempty"`
	ReplyMarkup json.RawMessage `json:"reply_markup,omitempty"`
	// MessageThreadID is the forum topic of the message (and, outside
	// forums, the reply thread); IsTopicMessage is true in a forum topic.
	MessageThreadID int  `json:"message_thread_id,omitempty"`
	IsTopicMessage  bool `json:"is_topic_message,omitempty"`
	// ReplyToMessage is the message this one answers.
	ReplyToMessage *Message `json:"reply_to_message,omitempty"`
}

// CallbackQuery is a press of an inline keyboard button.
type CallbackQuery struct {
	ID              string   `json:"id"`
	From            User     `json:"from"`
	Message         *Message `json:"message,omitempty"`
	InlineMessageID string   `json:"inline_message_id,omitempty"`
	ChatInstance    string   `json:"chat_instance"`
	Data            string   `json:"data,omitempty"`
}

// InlineQuery is "@bot query" typed in any chat.
type InlineQuery struct {
	ID       string `json:"id"`
	From     User   `json:"from"`
	Query    string `json:"query"`
	Offset   string `json:"offset"`
	ChatType string `json:"chat_type,omitempty"`
}

// Update is one incoming update. Exactly one of the optional fields is set.
type Update struct {
	UpdateID      int            `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	EditedMessage *Message       `json:"edited_message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
	InlineQuery   *InlineQuery   `json:"inline_query,omitempty"`
}

// Kind names the update's type as allowed_updates spells it.
func (u *Update) Kind() string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.InlineQuery != nil:
		return "inline_query"
	}
	return ""
}

// BotCommand is one entry of the command menu set with setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// InlineButton is one button of an inline keyboard.
type InlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// KeyboardButton is one button of a reply keyboard.
type KeyboardButton struct {
	Text            string `json:"text"`
	RequestLocation bool   `json:"request_location,omitempty"`
	RequestContact  bool   `json:"request_contact,omitempty"`
}

// ReplyMarkup is the union of the keyboards a message can carry.
type ReplyMarkup struct {
	InlineKeyboard  [][]InlineButton   `json:"inline_keyboard,omitempty"`
	Keyboard        [][]KeyboardButton `json:"keyboard,omitempty"`
	ResizeKeyboard  bool               `json:"resize_keyboard,omitempty"`
	OneTimeKeyboard bool               `json:"one_time_keyboard,omitempty"`
	RemoveKeyboard  bool               `json:"remove_keyboard,omitempty"`
	// ForceReply opens a reply to the message in the client (for
	// Selective: only for the users mentioned, or the sender of the
	// message replied to).
	ForceReply            bool   `json:"force_reply,omitempty"`
	InputFieldPlaceholder string `json:"input_field_placeholder,omitempty"`
	Selective             bool   `json:"selective,omitempty"`
}

// InlineResult is one result of answerInlineQuery (the fields of an
// InlineQueryResultArticle; other types fill fewer of them).
type InlineResult struct {
	Type                string `json:"type"`
	ID                  string `json:"id"`
	Title               string `json:"title"`
	Description         string `json:"description,omitempty"`
	InputMessageContent struct {
		MessageText           string `json:"message_text"`
		ParseMode             string `json:"parse_mode,omitempty"`
		DisableWebPagePreview bool   `json:"disable_web_page_preview,omitempty"`
	} `json:"input_message_content"`
	ReplyMarkup *ReplyMarkup `json:"reply_markup,omitempty"`
}

// PrivateChat is the one-to-one chat between u and the bot; its id is u's.
func PrivateChat(u User) Chat {
	return Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, Username: u.Username}
}

// GroupChat is a supergroup. Use a negative id, as Telegram does
// (-100xxxxxxxxxx for supergroups).
func GroupChat(id int64, title string) Chat {
	return Chat{ID: id, Type: "supergroup", Title: title}
}

// ForumChat is a supergroup with topics enabled.
func ForumChat(id int64, title string) Chat {
	return Chat{ID: id, Type: "supergroup", Title: title, IsForum: true}
}

// TopicUpdate is a text message from `from` in the forum topic thread of
// chat, as Telegram marks it (message_thread_id, is_topic_message).
func TopicUpdate(from User, chat Chat, thread int, text string) Update {
	u := TextUpdate(from, chat, text)
	u.Message.MessageThreadID, u.Message.IsTopicMessage = thread, true
	return u
}

// ReplyUpdate is a text message from `from` in chat that answers the
// message to (reply_to_message), such as a reply to the bot's ForceReply
// prompt.
func ReplyUpdate(from User, chat Chat, to Message, text string) Update {
	u := TextUpdate(from, chat, text)
	to.ReplyToMessage = nil // Telegram nests one level only
	u.Message.ReplyToMessage = &to
	u.Message.MessageThreadID, u.Message.IsTopicMessage = to.MessageThreadID, to.IsTopicMessage
	return u
}

// TextUpdate is a text message from `from` in chat, with a bot_command
// entity for every "/command" word, as Telegram marks them. A zero message
// id and update id are filled in by PushUpdate or Deliver.
func TextUpdate(from User, chat Chat, text string) Update {
	f := from
	return Update{Message: &Message{From: &f, Chat: chat, Text: text, Entities: CommandEntities(text)}}
}

// LocationUpdate is a shared location (the paper-clip menu, or a reply
// keyboard's request_location button) from `from` in chat.
func LocationUpdate(from User, chat Chat, lat, lon float64) Update {
	f := from
	return Update{Message: &Message{From: &f, Chat: chat, Location: &Location{Latitude: lat, Longitude: lon}}}
}

// CallbackUpdate is a press by `from` of a button carrying data on the
// bot's message messageID in chat. When that message was sent through the
// fake, PushUpdate fills in its text and keyboard as Telegram would.
func CallbackUpdate(from User, chat Chat, messageID int, data string) Update {
	return Update{CallbackQuery: &CallbackQuery{
		From:         from,
		Message:      &Message{MessageID: messageID, Chat: chat},
		ChatInstance: "instance",
		Data:         data,
	}}
}

// InlineUpdate is "@bot query" typed by `from`.
func InlineUpdate(from User, query string) Update {
	return Update{InlineQuery: &InlineQuery{From: from, Query: query, ChatType: "sender"}}
}

// CommandEntities returns a bot_command entity for each word of text that
// starts with "/", with offsets and lengths in UTF-16 code units.
func CommandEntities(text string) []MessageEntity {
	var out []MessageEntity
	units := 0 // UTF-16 offset of the current rune
	start := -1
	startUnits := 0
	flush := func(endUnits int) {
		if start >= 0 && endUnits-startUnits > 1 {
			out = append(out, MessageEntity{Type: "bot_command", Offset: startUnits, Length: endUnits - startUnits})
		}
		start = -1
	}
	prevSpace := true
	for i, r := range text {
		space := r == ' ' || r == '\n' || r == '\t'
		if space {
			flush(units)
		} else if r == '/' && prevSpace {
			start, startUnits = i, units
		} else if start >= 0 && !isCommandRune(r) {
			flush(units)
		}
		prevSpace = space
		units += utf16Len(string(r))
	}
	flush(units)
	return out
}

func isCommandRune(r rune) bool {
	return r == '_' || r == '@' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// utf16Len is the length of s in UTF-16 code units, the unit Telegram
// counts message lengths and entity offsets in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++ // invalid: counted as U+FFFD
		}
	}
	return n
}

// UTF16Len is the length of s in UTF-16 code units.
func UTF16Len(s string) int { return utf16Len(s) }
