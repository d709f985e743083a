package discord

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
)

// checkEmbedLimits fails when a rendered message breaks one of Discord's
// embed limits.
func checkEmbedLimits(t *testing.T, out output) {
	t.Helper()
	for i, pg := range out.pages {
		if len(pg.embeds) > maxEmbeds {
			t.Errorf("message %d has %d embeds", i+1, len(pg.embeds))
		}
		total := 0
		for _, e := range pg.embeds {
			total += embedSize(e)
			if utf8.RuneCountInString(e.Title) > maxEmbedTitle || utf8.RuneCountInString(e.Description) > maxEmbedDesc || len(e.Fields) > maxEmbedFields {
				t.Errorf("message %d: an embed over a limit: title %d, description %d, %d fields", i+1,
					utf8.RuneCountInString(e.Title), utf8.RuneCountInString(e.Description), len(e.Fields))
			}
		}
		if total > maxEmbedTotal {
			t.Errorf("message %d has %d characters of embeds", i+1, total)
		}
	}
}

// TestFindAnswerIsAnEmbedList: the core's compact /find answer reaches
// Discord as an embed list: no plain content, its first heading the
// embed's title, each later heading a bold line right above the entry it
// opens, the entries in the core's order, and a button per group.
func TestFindAnswerIsAnEmbedList(t *testing.T) {
	out, r := findOnDiscord(t, MustBot(t), "Canada")
	if !r.Compact {
		t.Fatalf("the core's /find answer is not compact; this test needs one")
	}
	checkEmbedLimits(t, out)
	pg := out.pages[0]
	if pg.content != "" || len(pg.embeds) == 0 {
		t.Fatalf("first message: content %q and %d embeds; want an embed list", pg.content, len(pg.embeds))
	}
	e := pg.embeds[0]
	if want := escape(bot.PlainText(r.Blocks[0])); !r.Blocks[0].Heading || e.Title != want {
		t.Errorf("title = %q, want the answer's heading %q", e.Title, want)
	}
	d := e.Description
	capud := strings.Index(d, "**Canadian Association of People Who Use Drugs**")
	vandu := strings.Index(d, "**Vancouver Area Network of Drug Users**")
	if capud < 0 || vandu < capud {
		t.Errorf("CAPUD at %d, VANDU at %d in the list:\n%s", capud, vandu, d)
	}
	// The national section's heading is a bold line, then its first entry.
	nat := strings.Index(d, "**National groups**\n**")
	if nat < 0 || nat > capud {
		t.Errorf("no bold heading right above the national groups:\n%s", d)
	}
	if n := len(out.buttons); n == 0 || n > maxRows {
		t.Errorf("%d rows of buttons", n)
	}
}

// TestLongListKeepsTheLimits: a compact list far longer than one embed
// goes on in further embeds and messages, each within Discord's limits,
// with nothing lost and the order kept; a heading stays with its entry.
func TestLongListKeepsTheLimits(t *testing.T) {
	r := &bot.Reply{Compact: true}
	r.Heading("Groups: Testland")
	var names []string
	for i := 0; i < 120; i++ {
		if i%10 == 0 {
			r.Heading(fmt.Sprintf("Section %d", i/10))
		}
		name := fmt.Sprintf("Group %03d @everyone", i)
		names = append(names, escape(name))
		r.Blocks = append(r.Blocks, bot.Block{Spans: []bot.Span{bot.B(name), bot.T(" — " + strings.Repeat("a place ", 20) + "\n"),
			bot.L("example.org/"+fmt.Sprint(i), "https://example.org/"+fmt.Sprint(i))}})
	}
	out := render(r)
	checkEmbedLimits(t, out)
	if len(out.pages) < 2 {
		t.Fatalf("%d messages for a list of %d characters", len(out.pages), 120*200)
	}
	var all strings.Builder
	embeds := 0
	for _, pg := range out.pages {
		if pg.content != "" {
			t.Errorf("a list message has content %q", pg.content)
		}
		for _, e := range pg.embeds {
			embeds++
			all.WriteString(e.Description + "\n")
		}
	}
	if embeds < 6 {
		t.Errorf("%d embeds, want the list split across several", embeds)
	}
	text, at := all.String(), 0
	for _, n := range names {
		i := strings.Index(text[at:], "**"+n+"**")
		if i < 0 {
			t.Fatalf("%s missing or out of order", n)
		}
		at += i
	}
	for s := 0; s < 12; s++ {
		if !strings.Contains(text, fmt.Sprintf("**Section %d**\n**Group %03d", s, s*10)) {
			t.Errorf("section %d's heading is not right above its first entry", s)
		}
	}
	if strings.Contains(strings.ReplaceAll(text, `\@`, ""), "@") {
		t.Errorf("an unescaped mention in the list")
	}
}

// TestFindPagesOnlyForTheAsker: through the real client and the real
// core, a /find answer in a server is an embed list with page buttons;
// someone else's press on them gets an ephemeral "isn't for you" and the
// answer stays as it is; the asker's own press turns the page, as an embed
// list again.
func TestFindPagesOnlyForTheAsker(t *testing.T) {
	t.Parallel()
	h := start(t, MustBot(t))
	const query = "drug users"
	id, _ := h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", query)))
	r, c := h.callback(t, id)
	if r.Type != discordtest.ChannelMessage {
		t.Fatalf("/find answered with type %d", r.Type)
	}
	noMentionsIn(t, c.Body, "data", "allowed_mentions")
	embeds, _ := r.Data["embeds"].([]any)
	if s, _ := r.Data["content"].(string); s != "" || len(embeds) == 0 {
		t.Fatalf("answer: content %q, %d embeds; want an embed list", s, len(embeds))
	}
	var offered []string
	next := ""
	rows, _ := r.Data["components"].([]any)
	for _, row := range rows {
		for _, b := range row.(map[string]any)["components"].([]any) {
			d, _ := b.(map[string]any)["custom_id"].(string)
			offered = append(offered, d)
			if strings.HasPrefix(bot.ButtonCommand(d), "/page 2 ") {
				next = d
			}
		}
	}
	if next == "" {
		t.Fatalf("the answer to /find %s has no page button among %q", query, offered)
	}

	other := discordtest.Component(next)
	other.UserID, other.GlobalName = "300000000000000099", "Mallory"
	other.MessageButtons = offered
	id, token := h.fake.Interaction(t, other)
	if r, _ := h.callback(t, id); r.Type != discordtest.DeferredUpdate {
		t.Fatalf("someone else's press answered with type %d, want 6 (leave the message as it is)", r.Type)
	}
	f := h.fake.WaitFor(t, discordtest.Followup(token), wait)
	if fm := f.JSON(t); flagsOf(fm) != discordtest.EphemeralFlag || !strings.Contains(shown(fm), "isn't for you") {
		t.Errorf("follow-up = %s, want the notice for the presser alone", f.Body)
	}
	if n := h.fake.CountOf(func(c discordtest.Call) bool { return c.Method == "PATCH" }); n != 0 {
		t.Errorf("%d edits; the asker's answer must stay", n)
	}

	mine := discordtest.Component(next)
	mine.MessageButtons = offered
	id, _ = h.fake.Interaction(t, mine)
	r, c = h.callback(t, id)
	if r.Type != discordtest.UpdateMessage {
		t.Fatalf("the asker's press answered with type %d, want 7 (turn the page)", r.Type)
	}
	noMentionsIn(t, c.Body, "data", "allowed_mentions")
	embeds, _ = r.Data["embeds"].([]any)
	if len(embeds) == 0 || !strings.Contains(shown(r.Data), "Page 2 of") {
		t.Errorf("page 2 = %s, want an embed list saying its page", c.Body)
	}
	if n := h.fake.CountOf(func(c discordtest.Call) bool { return c.Status >= 400 }); n != 0 {
		t.Errorf("%d calls refused by the fake", n)
	}
}
