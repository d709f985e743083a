package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// People turns a person's platform and id into the key under which the
// bot keeps what it must about them (a language choice, rate-limit
// counters, a held outcome, a guided /suggest in progress, which moderator
// approved). The key is an HMAC under a key derived from the deployment's
// button secret (ButtonSecret) with a label of its own, so that someone
// holding a copy of the store but not the secret cannot test whether a
// known id used the bot, and a hash cannot be matched across deployments.
// Deleting the secret therefore also forgets every language choice and
// unties held outcomes from their owners.
type People struct {
	key []byte
	// macs holds HMACs keyed with key, reset, for Key to reuse: one is
	// needed for every message (its language choice) and every press an
	// inline query makes, and keying a new one costs two SHA-256 blocks
	// and its allocations.
	macs sync.Pool
}

// peopleLabel separates this use of the secret from signing buttons.
const peopleLabel = "unionbot people keys v1"

// NewPeople derives the person-key from the deployment secret. Nil or
// empty secret gives a fixed, publicly known key: for tests only, as it
// protects nothing.
func NewPeople(secret []byte) *People {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(peopleLabel))
	return &People{key: m.Sum(nil)}
}

// Key is the hash of platform and id for one purpose ("lang", "user"): 24
// hex characters. Different purposes give unrelated keys, so one record
// cannot be joined to another by its key.
func (p *People) Key(purpose, platform, id string) string {
	if p == nil {
		p = NewPeople(nil)
	}
	m, _ := p.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, p.key)
	}
	var in [128]byte
	msg := in[:0]
	for _, s := range []string{purpose, platform, id} {
		msg = append(append(msg, s...), 0)
	}
	m.Write(msg)
	var sum [sha256.Size]byte
	out := hex.EncodeToString(m.Sum(sum[:0])[:12])
	m.Reset()
	p.macs.Put(m)
	return out
}

// People is the core's person-key, for the parts (moderation) that keep
// records about people under the same deployment secret.
func (b *Bot) People() *People { return b.people }
