package telegram

import (
	"log/slog"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
)

// A kept inline result is used only for the very card it was made from:
// a card that changed under the same title and link (a new description
// after an approval, a link found down) is made anew.
func TestInlineResultsFollowTheCard(t *testing.T) {
	a := &Adapter{username: "UnionTestBot", log: slog.New(slog.DiscardHandler)}
	card := func(desc string) *bot.Reply {
		return &bot.Reply{Lang: "en", Blocks: []bot.Block{{
			Spans: []bot.Span{bot.B("VANDU"), bot.T("\n" + desc)},
			Card:  &bot.Card{Title: "VANDU", URL: "https://vandu.org"},
		}}, Buttons: [][]bot.Button{{{Label: "Share", Share: "org_vandu"}}}}
	}
	text := func(r *bot.Reply) string {
		t.Helper()
		out := a.articles(r)
		if len(out) != 1 {
			t.Fatalf("%d results, want 1", len(out))
		}
		art := out[0].(tgbotapi.InlineQueryResultArticle)
		return art.Description + " | " + art.InputMessageContent.(tgbotapi.InputTextMessageContent).Text
	}
	first := text(card("Vancouver drug users"))
	if again := text(card("Vancouver drug users")); again != first {
		t.Fatalf("the same card gave %q, then %q", first, again)
	}
	changed := text(card("Moved to Surrey"))
	if !strings.Contains(changed, "Moved to Surrey") || strings.Contains(changed, "Vancouver drug users") {
		t.Fatalf("a changed card kept its old result: %q", changed)
	}
}
