package discord

import (
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/directorytest"
)

// fitsTwoMessages is how many groups a country may have and still be
// promised whole in its first two messages (issue 10: a country with 17
// groups fits at most two Discord messages).
const fitsTwoMessages = 17

func findOnDiscord(t *testing.T, core *bot.Bot, q string) (output, *bot.Reply) {
	t.Helper()
	r := bottest.Find(t, core, "discord", DefaultPageSize, q)
	out := render(r)
	if len(out.pages) == 0 {
		t.Fatalf("/find %s: nothing rendered", q)
	}
	for i, p := range out.pages {
		if len(p.content) > maxContent {
			t.Fatalf("/find %s: message %d has %d bytes", q, i+1, len(p.content))
		}
	}
	return out, r
}

// pageText is the text of one rendered message: its content, then each
// embed's title and description.
func pageText(p page) string {
	parts := []string{p.content}
	for _, e := range p.embeds {
		parts = append(parts, e.Title, e.Description)
	}
	return strings.Join(parts, "\n")
}

// TestEveryCountryFirstMessages: for every country in the directory, the
// first Discord message of /find <country> holds every national body, and
// the first two every local group when the country has no more than
// fitsTwoMessages groups.
func TestEveryCountryFirstMessages(t *testing.T) {
	core := MustBot(t)
	directorytest.EachCountry(t, directorytest.MustSeedIndex(t), func(t *testing.T, name string, groups []*directory.Organisation) {
		out, _ := findOnDiscord(t, core, name)
		first := pageText(out.pages[0])
		two := first
		if len(out.pages) > 1 {
			two += "\n" + pageText(out.pages[1])
		}
		if !strings.Contains(first, escape(name)) {
			t.Fatalf("first message is not about %s:\n%s", name, first)
		}
		for _, o := range groups {
			switch {
			case o.Kind == directory.KindNational && !strings.Contains(first, escape(o.Name)):
				t.Errorf("the first message misses the national body %s:\n%s", o.Name, first)
			case len(groups) <= fitsTwoMessages && !strings.Contains(two, escape(o.Name)):
				t.Errorf("the first two messages miss %s (%d groups)", o.Name, len(groups))
			}
		}
	})
}

// TestFindCanadaOnDiscord is issue 10's test of done: CAPUD and VANDU in
// the first message, with buttons that open their cards, within Discord's
// five rows.
func TestFindCanadaOnDiscord(t *testing.T) {
	core := MustBot(t)
	out, r := findOnDiscord(t, core, "Canada")
	first := pageText(out.pages[0])
	capud := strings.Index(first, "Canadian Association of People Who Use Drugs")
	vandu := strings.Index(first, "Vancouver Area Network of Drug Users")
	if capud < 0 || vandu < capud {
		t.Errorf("CAPUD at %d, VANDU at %d in the first message:\n%s", capud, vandu, first)
	}
	if len(out.buttons) > maxRows {
		t.Errorf("%d rows of buttons, Discord allows %d", len(out.buttons), maxRows)
	}
	data := bottest.ButtonData(r)
	for _, w := range []string{"/org capud", "/org vandu"} {
		found := false
		for _, d := range data {
			if strings.Contains(d, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no button %q among %v", w, data)
		}
	}
}
