// Package bottest holds test support for code built on the core: the real
// core over the embedded seed directory, and a plain-text rendering of a
// Reply that tests can search. It imports testing, so only _test.go files
// may import it; the binary never links it.
package bottest

import (
	"context"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/directory/directorytest"
)

// MustBot returns the real core over the embedded seed
// (directorytest.MustSeed), with o's other options (moderators, prefs,
// language...) as given. o.Directory, when set, is kept.
func MustBot(t testing.TB, o bot.Options) *bot.Bot {
	t.Helper()
	if o.Directory == nil {
		o.Directory = directorytest.MustSeed(t)
	}
	return bot.New(o)
}

// Text renders a reply as tests read it: each block's plain text, then one
// "[label|data]" per button, one per line. A nil reply is "".
func Text(r *bot.Reply) string {
	return render(r, func(b bot.Button) string { return "[" + b.Label + "|" + b.Data + "]" })
}

// DataText is Text with buttons shown by their data alone ("[/approve S-1]"),
// for tests that check what a button does rather than how it is labelled.
func DataText(r *bot.Reply) string {
	return render(r, func(b bot.Button) string { return "[" + b.Data + "]" })
}

func render(r *bot.Reply, button func(bot.Button) string) string {
	if r == nil {
		return ""
	}
	var parts []string
	for _, b := range r.Blocks {
		parts = append(parts, bot.PlainText(b))
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			parts = append(parts, button(b))
		}
	}
	return strings.Join(parts, "\n")
}

// Find asks core for "/find q" as an English-speaking person (user 1) in a
// private chat on platform, pageSize entries a page, and fails unless the
// core answers.
func Find(t testing.TB, core *bot.Bot, platform string, pageSize int, q string) *bot.Reply {
	t.Helper()
	m := &bot.Message{Platform: platform, Text: "/find " + q, Lang: "en", PageSize: pageSize,
		User: bot.User{ID: "1"}, Chat: bot.Chat{ID: "1", Private: true}}
	r, err := core.Handle(context.Background(), m)
	if err != nil || r == nil {
		t.Fatalf("/find %s: no answer: %v", q, err)
	}
	return r
}

// ButtonData lists the data of r's buttons, row by row.
func ButtonData(r *bot.Reply) []string {
	var data []string
	for _, row := range r.Buttons {
		for _, b := range row {
			data = append(data, b.Data)
		}
	}
	return data
}
