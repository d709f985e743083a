package telegram

import (
	"testing"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/internal/benchtest"
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

// BenchmarkWorkloadRoundTrip is the load tool's mix (tools/load), one
// update at a time, pacing off: private /find and /network, and inline
// queries, each from getUpdates to its answer on the fake Bot API.
// cpu-ns/op is this process's CPU per update, the fake's share included:
// compare it between builds, not with the load tool's per-process figure.
func BenchmarkWorkloadRoundTrip(b *testing.B) {
	e := start(b, MustCore(b), nil)
	mix := []telegramtest.Update{
		text(alice, private(alice), "/find Canada"),
		telegramtest.InlineUpdate(alice, "vancouver"),
		text(alice, private(alice), "/network"),
		text(alice, private(alice), "/find drug users union"),
		telegramtest.InlineUpdate(alice, "Kenya"),
		text(alice, private(alice), "/find Deutschland"),
	}
	for _, u := range mix { // warm the path
		e.push(fresh(u))
	}
	b.ReportAllocs()
	defer benchtest.ReportCPU(b, benchtest.CPUNow())
	i := 0
	for b.Loop() {
		e.push(fresh(mix[i%len(mix)]))
		i++
	}
	allAnswered(b, e)
}

// BenchmarkInlineRoundTrip is one inline query with several results,
// pacing off: the heaviest update of the mix (each result is a full card).
func BenchmarkInlineRoundTrip(b *testing.B) {
	e := start(b, MustCore(b), nil)
	u := telegramtest.InlineUpdate(alice, "vancouver")
	e.push(fresh(u))
	b.ReportAllocs()
	defer benchtest.ReportCPU(b, benchtest.CPUNow())
	for b.Loop() {
		e.push(fresh(u))
	}
	allAnswered(b, e)
}

// fresh is u with an inline query of its own whose id is unset, so that
// the fake gives each push a new id. The fake fills ids into the structs
// an update points to, which every copy of u shares: pushed as it is, u
// would carry the first push's id ever after, and the fake refuses an
// inline query answered twice, so the benchmark would time that refusal.
func fresh(u telegramtest.Update) telegramtest.Update {
	if u.InlineQuery != nil {
		q := *u.InlineQuery
		q.ID = ""
		u.InlineQuery = &q
	}
	return u
}

// allAnswered fails the benchmark if the fake refused an answer: it would
// then be timing an error path.
func allAnswered(b *testing.B, e *env) {
	b.Helper()
	for _, c := range e.srv.Calls("") {
		if !c.OK() && c.Method != "getUpdates" {
			b.Fatalf("the fake refused %s: %d %s", c.Method, c.Status, c.Description)
		}
	}
}
