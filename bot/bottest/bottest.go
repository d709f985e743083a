// Package bottest holds test support for code built on the core: the real
// core over the embedded seed directory, and a plain-text rendering of a
// Reply that tests can search. It imports testing, so only _test.go files
// may import it; the binary never links it.
package bottest

import (
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
	return render(r, func(dst []byte, b bot.Button) []byte {
		return append(append(append(append(append(dst, '['), b.Label...), '|'), b.Data...), ']')
	})
}

// DataText is Text with buttons shown by their data alone ("[/approve S-1]"),
// for tests that check what a button does rather than how it is labelled.
func DataText(r *bot.Reply) string {
	return render(r, func(dst []byte, b bot.Button) []byte {
		return append(append(append(dst, '['), b.Data...), ']')
	})
}

// render writes the blocks, then the buttons, one a line, into one
// buffer (the find benchmark renders every answer with Text).
func render(r *bot.Reply, button func([]byte, bot.Button) []byte) string {
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
	var out []byte
	line := func() {
		if out != nil {
			out = append(out, '\n')
		} else {
			out = make([]byte, 0, size)
		}
	}
	for _, b := range r.Blocks {
		line()
		out = bot.AppendPlainText(out, b)
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			line()
			out = button(out, b)
		}
	}
	return string(out)
}
