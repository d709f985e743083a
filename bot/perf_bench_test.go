package bot_test

// /find through the core as an adapter calls it, the answer rendered to
// text, against one Redis GET round trip measured in the same run (issue
// 15: the first should cost at most a fifth of the second).
//
//	go test -run XXX -bench FindVsRedis -benchtime 5000x ./bot/
//
// find-rendered rotates seven queries, so after the first lap it measures
// what a popular query costs with the answer cache (bot/answers.go):
// paging, signing the buttons for the asker and rendering the text.
// find-uncached turns the cache off and rotates every country's name, so
// each iteration searches and renders an answer from scratch.

import (
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/directory/directorytest"
	"github.com/unionbot/unionbot/internal/benchtest"
)

func BenchmarkFindVsRedis(b *testing.B) {
	queries := []string{"/find Canada", "/find Vancouver", "/find VANDU", "/find Vancover", "/find Portugal", "/find Germny", "/find Victoria, BC"}
	b.Run("find-rendered", func(b *testing.B) {
		benchFind(b, bottest.MustBot(b, bot.Options{}), queries)
	})
	b.Run("find-uncached", func(b *testing.B) {
		benchFind(b, bottest.MustBot(b, bot.Options{AnswerCache: -1}), countryQueries(b))
	})
	b.Run("redis-get", benchtest.RedisGet)
}

func benchFind(b *testing.B, core *bot.Bot, queries []string) {
	ctx := b.Context()
	b.ReportAllocs()
	defer benchtest.ReportCPU(b, benchtest.CPUNow())
	for i := 0; b.Loop(); i++ {
		m := &bot.Message{Platform: "console", Text: queries[i%len(queries)], User: bot.User{ID: "7"}, Chat: bot.Chat{ID: "7", Private: true}, Lang: "en", PageSize: 5}
		r, err := core.Handle(ctx, m)
		if err != nil || r == nil {
			b.Fatalf("%s: %v", m.Text, err)
		}
		if bottest.Text(r) == "" {
			b.Fatalf("%s: empty answer", m.Text)
		}
	}
}

// countryQueries is "/find <name>" for every country the seed knows, by
// its English name.
func countryQueries(b *testing.B) []string {
	x := directorytest.MustSeedIndex(b)
	var qs []string
	for c1 := 'A'; c1 <= 'Z'; c1++ {
		for c2 := 'A'; c2 <= 'Z'; c2++ {
			code := string([]rune{c1, c2})
			if _, ok := x.Country(code); ok {
				qs = append(qs, "/find "+x.CountryName(code, "en"))
			}
		}
	}
	if len(qs) < 100 {
		b.Fatalf("only %d countries", len(qs))
	}
	return qs
}
