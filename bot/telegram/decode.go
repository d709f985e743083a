package telegram

import (
	"encoding/json"
	"errors"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Observer is told about what the adapter drops, so that an operator can
// count it (cmd/unionbot wires it to Prometheus). Its methods must be
// quick and safe for concurrent use; they are never given user data.
type Observer interface {
	// UpdateSkipped is called for each update that could not be decoded
	// and was skipped, so that the ones after it still arrive.
	UpdateSkipped()
	// ReplyDropped is called for each reply dropped because its chat
	// already had Pacing.MaxBacklog replies waiting.
	ReplyDropped()
}

type nopObserver struct{}

func (nopObserver) UpdateSkipped() {}
func (nopObserver) ReplyDropped()  {}

// errNoUpdateID is decodeUpdate's error for JSON that is not an update
// object with a positive update_id.
var errNoUpdateID = errors.New("not an update with an update_id")

// update is a decoded update with what Bot API 5.5's types (the SDK's)
// lack.
type update struct {
	tgbotapi.Update
	// thread is the forum topic of the message, or of the message whose
	// button was pressed (message_thread_id when is_topic_message is
	// true); 0 otherwise. Outside forums message_thread_id names a reply
	// thread, which a send must not be given, hence is_topic_message.
	thread int
}

// topicFields are the fields of a message about forum topics.
type topicFields struct {
	Thread  int  `json:"message_thread_id"`
	IsTopic bool `json:"is_topic_message"`
}

func (t *topicFields) topic() int {
	if t == nil || !t.IsTopic || t.Thread <= 0 {
		return 0
	}
	return t.Thread
}

// decodeUpdate decodes one update on its own. id is the update_id whenever
// it can be read, even when the rest cannot be decoded (an entity offset
// beyond int64, a field of the wrong type), so that the caller can move
// past a poison update rather than be stuck on it; id is 0 when not even
// that can be read.
func decodeUpdate(raw []byte) (u update, id int, err error) {
	var head struct {
		UpdateID int `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.UpdateID <= 0 {
		return u, 0, errNoUpdateID
	}
	if err := json.Unmarshal(raw, &u.Update); err != nil {
		return update{}, head.UpdateID, err
	}
	// The update decoded, so this can fail only on fields the SDK does not
	// know (a topic id of the wrong type): then there is no topic.
	var topics struct {
		Message       *topicFields `json:"message"`
		CallbackQuery *struct {
			Message *topicFields `json:"message"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(raw, &topics) == nil {
		u.thread = topics.Message.topic()
		if cq := topics.CallbackQuery; cq != nil {
			u.thread = cq.Message.topic()
		}
	}
	return u, head.UpdateID, nil
}
