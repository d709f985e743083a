package telegram

import (
	"bytes"
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
	// One pass in the common case: the whole update first, and the
	// update_id alone only when that fails.
	if err := json.Unmarshal(raw, &u.Update); err != nil {
		var head struct {
			UpdateID int `json:"update_id"`
		}
		if json.Unmarshal(raw, &head) != nil || head.UpdateID <= 0 {
			return update{}, 0, errNoUpdateID
		}
		return update{}, head.UpdateID, err
	}
	if u.UpdateID <= 0 {
		return update{}, 0, errNoUpdateID
	}
	if mayHoldTopic(raw) {
		u.thread = topicOf(raw)
	}
	return u, u.UpdateID, nil
}

// topicOf is the forum topic of raw's message, or of the message whose
// button was pressed; 0 for none. It is called on an update that decoded,
// so it can fail only on fields the SDK does not know (a topic id of the
// wrong type): then there is no topic.
func topicOf(raw []byte) int {
	var topics struct {
		Message       *topicFields `json:"message"`
		CallbackQuery *struct {
			Message *topicFields `json:"message"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(raw, &topics) != nil {
		return 0
	}
	if cq := topics.CallbackQuery; cq != nil {
		return cq.Message.topic()
	}
	return topics.Message.topic()
}

// mayHoldTopic reports whether raw may name is_topic_message, so that
// updates outside forums skip a second decoding. encoding/json matches
// keys without regard to case (and Unicode's case folding gives the ASCII
// letters of "topic" no other spelling), or spelled with \u escapes: raw
// may hold the key unless it has neither "topic" in any case nor a \u.
func mayHoldTopic(raw []byte) bool {
	if bytes.Contains(raw, []byte(`\u`)) {
		return true
	}
	const word = "topic"
	for i := 0; i+len(word) <= len(raw); i++ {
		if raw[i]|0x20 != word[0] {
			continue
		}
		j := 1
		for j < len(word) && raw[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}
