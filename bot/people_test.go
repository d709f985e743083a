package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/directory/directorytest"
	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/bothstores"
)

// bothStores runs f on the embedded store and on a real Redis.
func bothStores(t *testing.T, f func(t *testing.T, s store.Store)) { bothstores.Run(t, f) }

// TestPeopleKeys: a person's key depends on the deployment secret and the
// purpose, so a store alone does not tell whether a known id used the bot.
func TestPeopleKeys(t *testing.T) {
	a, b := NewPeople([]byte("secret one, 32 bytes long.......")), NewPeople([]byte("secret two, 32 bytes long......."))
	ka := a.Key("lang", "telegram", "12345")
	if len(ka) != 24 {
		t.Fatalf("key %q: want 24 hex characters", ka)
	}
	if ka != a.Key("lang", "telegram", "12345") {
		t.Error("the same person got two keys")
	}
	for what, k := range map[string]string{
		"another secret":   b.Key("lang", "telegram", "12345"),
		"another purpose":  a.Key("user", "telegram", "12345"),
		"another platform": a.Key("lang", "discord", "12345"),
		"another id":       a.Key("lang", "telegram", "12346"),
		"a shifted split":  a.Key("lang", "telegram1", "2345"),
	} {
		if k == ka {
			t.Errorf("%s gives the same key %s", what, k)
		}
	}
	old := sha256.Sum256([]byte("unionbot:lang:telegram:12345"))
	if strings.Contains(ka, hex.EncodeToString(old[:12])) {
		t.Error("the key is the unkeyed hash")
	}
}

// TestLangChoiceKeyedAndMigrated, on both stores: a choice is kept under
// the keyed hash only; one kept under the old unkeyed hash is still
// honoured, moved under the keyed one and the old key deleted; a core with
// another secret does not find it.
func TestLangChoiceKeyedAndMigrated(t *testing.T) {
	bothStores(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		secret, err := ButtonSecret(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		d := directorytest.MustSeed(t)
		b := New(Options{Directory: d, Prefs: s, ButtonKey: secret, LegacyLangUntil: time.Now().Add(time.Hour)})
		// keyed reads user's choice under the keyed hash; putLegacy keeps
		// m's sender's choice of German under the old unkeyed hash, as
		// before keyed hashes; unkeyedGone checks nothing is left there.
		keyed := func(user string) ([]byte, error) {
			return s.Peek(ctx, "lang:"+NewPeople(secret).Key("lang", "test", user))
		}
		putLegacy := func(m *Message) {
			if err := s.Put(ctx, legacyLangKey(m), []byte("de"), 0); err != nil {
				t.Fatal(err)
			}
		}
		unkeyedGone := func(m *Message, what string) {
			if _, err := s.Peek(ctx, legacyLangKey(m)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: %v", what, err)
			}
		}

		m := from("4242", "en", "/lang fr")
		ask(t, b, m)
		if v, err := keyed("4242"); err != nil || string(v) != "fr" {
			t.Fatalf("keyed choice = %q, %v; want fr", v, err)
		}
		unkeyedGone(m, "the unkeyed key is written too")

		// A choice from before keyed hashes.
		old := from("777", "en", "/help")
		putLegacy(old)
		mustContainAll(t, "/help after an upgrade", ask(t, b, from("777", "en", "/lang")), "Ich antworte dir gerade auf Deutsch.")
		if v, err := keyed("777"); err != nil || string(v) != "de" {
			t.Errorf("migrated choice = %q, %v; want de under the keyed hash", v, err)
		}
		unkeyedGone(old, "the unkeyed key survives its migration")

		// Past the window, old keys are not looked for.
		putLegacy(from("778", "en", "/help"))
		closed := New(Options{Directory: d, Prefs: s, ButtonKey: secret, LegacyLangUntil: time.Now().Add(-time.Hour)})
		mustContainAll(t, "/lang after the window", ask(t, closed, from("778", "en", "/lang")), "I'm answering you in English.")

		// Another deployment's secret finds nothing.
		other := New(Options{Directory: d, Prefs: s, ButtonKey: []byte("another deployment's secret....!")})
		if got := ask(t, other, from("4242", "en", "/lang")); !strings.Contains(got, "I'm answering you in English.") {
			t.Errorf("a core with another secret read the choice: %s", got)
		}
	})
}
