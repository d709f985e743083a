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

// decodeUpdate decodes one update on its own. id is the update_id whenever
// it can be read, even when the rest cannot be decoded (an entity offset
// beyond int64, a field of the wrong type), so that the caller can move
// past a poison update rather than be stuck on it; id is 0 when not even
// that can be read.
func decodeUpdate(raw []byte) (u tgbotapi.Update, id int, err error) {
	var head struct {
		UpdateID int `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.UpdateID <= 0 {
		return u, 0, errNoUpdateID
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return tgbotapi.Update{}, head.UpdateID, err
	}
	return u, head.UpdateID, nil
}
