package bot_test

import (
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
)

func BenchmarkTmpSplit(b *testing.B) {
	core := bottest.MustBot(b, bot.Options{})
	queries := []string{"/find Canada", "/find Vancouver", "/find VANDU", "/find Vancover", "/find Portugal", "/find Germny", "/find Victoria, BC"}
	var reps []*bot.Reply
	b.Run("handle", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m := &bot.Message{Platform: "console", Text: queries[i%len(queries)], User: bot.User{ID: "7"}, Chat: bot.Chat{ID: "7", Private: true}, Lang: "en", PageSize: 5}
			r, _ := core.Handle(b.Context(), m)
			if len(reps) < len(queries) {
				reps = append(reps, r)
			}
		}
	})
	n := 0
	for _, r := range reps {
		for _, row := range r.Buttons {
			n += len(row)
		}
	}
	b.Logf("buttons per answer: %.1f", float64(n)/float64(len(reps)))
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = bottest.Text(reps[i%len(reps)])
		}
	})
}
