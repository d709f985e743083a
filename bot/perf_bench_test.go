package bot_test

// /find through the core as an adapter calls it, the answer rendered to
// text, against one Redis GET round trip measured in the same run (issue
// 15: the first should cost at most a fifth of the second).
//
//	go test -run XXX -bench FindVsRedis -benchtime 20000x ./bot/

import (
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/internal/benchtest"
)

func BenchmarkFindVsRedis(b *testing.B) {
	core := bottest.MustBot(b, bot.Options{})
	queries := []string{"/find Canada", "/find Vancouver", "/find VANDU", "/find Vancover", "/find Portugal", "/find Germny", "/find Victoria, BC"}
	b.Run("find-rendered", func(b *testing.B) {
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
	})
	b.Run("redis-get", benchtest.RedisGet)
}
