package telegram

import (
	"testing"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// BenchmarkUpdateRoundTrip is one private /find, pacing off, from
// getUpdates through the real SDK and core to the answer's sendMessage
// on the fake Bot API: the adapter's own cost per update, HTTP included.
func BenchmarkUpdateRoundTrip(b *testing.B) {
	e := start(b, MustCore(b), nil)
	u := text(alice, private(alice), "/find Canada")
	b.ResetTimer()
	for range b.N {
		e.push(u)
	}
}

// BenchmarkUpdatesBurst is b.N /find from 50 people queued at once, pacing
// off: throughput with the workers busy.
func BenchmarkUpdatesBurst(b *testing.B) {
	e := start(b, MustCore(b), nil)
	users := make([]telegramtest.User, 50)
	for i := range users {
		users[i] = telegramtest.User{ID: int64(500000 + i), FirstName: "U"}
	}
	b.ResetTimer()
	last := 0
	for i := range b.N {
		u := users[i%len(users)]
		last = e.srv.PushUpdate(text(u, private(u), "/find Canada"))
	}
	e.srv.WaitAcked(b, last, wait)
	e.waitDone(last)
}
