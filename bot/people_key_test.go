package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
)

// Key's value is what the store's records are kept under: it must stay
// HMAC-SHA256(person-key, purpose NUL platform NUL id NUL), cut to 12
// bytes, however Key computes it, or every language choice made before an
// upgrade is forgotten. Concurrent callers share its pooled HMACs.
func TestPeopleKeyIsStable(t *testing.T) {
	p := NewPeople([]byte("a deployment secret, 32 bytes..."))
	want := func(purpose, platform, id string) string {
		m := hmac.New(sha256.New, p.key)
		m.Write([]byte(purpose + "\x00" + platform + "\x00" + id + "\x00"))
		return hex.EncodeToString(m.Sum(nil)[:12])
	}
	ids := []string{"42", "1234567890123", "", "a-very-long-discord-snowflake-or-whatever-an-id-may-be-on-a-platform-that-has-long-ids-0123456789"}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				for _, id := range ids {
					if got, w := p.Key("lang", "telegram", id), want("lang", "telegram", id); got != w {
						t.Errorf("Key(lang, telegram, %q) = %s, want %s", id, got, w)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
