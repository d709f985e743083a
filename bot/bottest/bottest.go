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
	return render(r, func(sb *strings.Builder, b bot.Button) {
		sb.WriteByte('[')
		sb.WriteString(b.Label)
		sb.WriteByte('|')
		sb.WriteString(b.Data)
		sb.WriteByte(']')
	})
}

// DataText is Text with buttons shown by their data alone ("[/approve S-1]"),
// for tests that check what a button does rather than how it is labelled.
func DataText(r *bot.Reply) string {
	return render(r, func(sb *strings.Builder, b bot.Button) {
		sb.WriteByte('[')
		sb.WriteString(b.Data)
		sb.WriteByte(']')
	})
}

// render writes the blocks, then the buttons, one a line, into one
// buffer sized first (the find benchmark renders every answer with Text).
func render(r *bot.Reply, button func(*strings.Builder, bot.Button)) string {
	if r == nil {
		return ""
	}
	size := 0
	for _, b := range r.Blocks {
		for _, s := range b.Spans {
			size += len(s.Text) + len(s.URL) + 4
		}
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			size += len(b.Label) + len(b.Data) + 4
		}
	}
	var sb strings.Builder
	sb.Grow(size)
	first := true
	line := func() {
		if !first {
			sb.WriteByte('\n')
		}
		first = false
	}
	for _, b := range r.Blocks {
		line()
		bot.WritePlainText(&sb, b)
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			line()
			button(&sb, b)
		}
	}
	return sb.String()
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
