package main

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/unionbot/unionbot/store"
)

// legacyWindow is how long after the first start of a release with keyed
// people hashes the core still looks for language choices kept under the
// unkeyed hashes of older releases. Each such lookup costs a store read on
// a person's first message, so it ends; a choice not used in that time is
// forgotten, and its owner chooses again.
const legacyWindow = 30 * 24 * time.Hour

type peopleKeysDoc struct {
	Since  time.Time `json:"since"`
	Legacy bool      `json:"legacy"`
}

// legacyKeysUntil returns until when to look under the old unkeyed keys:
// legacyWindow after the first start with keyed hashes, when an older
// release had used the store (it has a button secret or audit entries);
// zero for a new store, which has no old keys. Call it before
// bot.ButtonSecret, which creates the secret. The first process to start
// records the answer in the store, so every replica agrees.
func legacyKeysUntil(ctx context.Context, st store.Store, now time.Time) (time.Time, error) {
	_, err := st.Get(ctx, "secrets", "buttons")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return time.Time{}, err
	}
	used := err == nil
	if !used {
		tail, err := st.Tail(ctx, "audit", 1)
		if err != nil {
			return time.Time{}, err
		}
		used = len(tail) > 0
	}
	fresh, _ := json.Marshal(peopleKeysDoc{Since: now.UTC(), Legacy: used})
	v, err := st.Update(ctx, "secrets", "people-keys", func(old []byte) ([]byte, error) {
		if old != nil {
			return nil, store.ErrNoChange
		}
		return fresh, nil
	})
	if err != nil && !errors.Is(err, store.ErrNoChange) {
		return time.Time{}, err
	}
	var d peopleKeysDoc
	if json.Unmarshal(v, &d) != nil || !d.Legacy {
		return time.Time{}, nil
	}
	return d.Since.Add(legacyWindow), nil
}
