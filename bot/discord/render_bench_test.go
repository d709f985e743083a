package discord

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
)

// BenchmarkRenderFind renders the first page of /find answers as a burst
// asks them, without the network: the adapter's share of an interaction
// between the core's reply and the encoded response.
func BenchmarkRenderFind(b *testing.B) {
	core := MustBot(b)
	var reps []*bot.Reply
	for _, q := range []string{"Vancouver", "Canada", "Allemagne", "Kenya"} {
		reps = append(reps, bottest.Find(b, core, "discord", DefaultPageSize, q))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		out := render(reps[i%len(reps)])
		if _, err := discordgo.Marshal(messageResponse(discordgo.InteractionResponseChannelMessageWithSource, out.pages[0], out.buttons, true)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderFindMemo is BenchmarkRenderFind as a burst meets it: the
// answers come from the memo of rendered pages (memo.go), as the core's
// cached answers do after their second asking, and only their buttons and
// the response around the pages are made for each interaction.
func BenchmarkRenderFindMemo(b *testing.B) {
	core := MustBot(b)
	var reps []*bot.Reply
	for _, q := range []string{"Vancouver", "Canada", "Allemagne", "Kenya"} {
		reps = append(reps, bottest.Find(b, core, "discord", DefaultPageSize, q))
	}
	var m renderMemo
	for range 2 {
		for _, r := range reps {
			m.rendered(r)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		out := m.rendered(reps[i%len(reps)])
		if _, err := discordgo.Marshal(messageResponse(discordgo.InteractionResponseChannelMessageWithSource, out.pages[0], out.buttons, true)); err != nil {
			b.Fatal(err)
		}
	}
}
