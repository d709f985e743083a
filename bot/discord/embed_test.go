package discord

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
	"github.com/unionbot/unionbot/bot/i18n"
)

// cardReply is a list answer as the core makes it: a heading, then cards
// with headings between them, a page line, and the actions of a full card.
func cardReply(n, fields int, long string) *bot.Reply {
	r := &bot.Reply{}
	r.Heading("Groups: Germany")
	for i := 0; i < n; i++ {
		if i == 1 {
			r.Heading("National groups")
		}
		c := &bot.Card{
			Title: fmt.Sprintf("Group %d @everyone", i), URL: "https://example.org/g" + fmt.Sprint(i),
			Kind: []string{"local", "national", "ally"}[i%3], Description: "Drug users *union* " + long,
		}
		for f := 0; f < fields; f++ {
			c.Fields = append(c.Fields, bot.CardField{Name: fmt.Sprintf("Field %d", f), Value: "Cologne " + long, Inline: f%2 == 0})
		}
		r.Blocks = append(r.Blocks, bot.Block{Spans: []bot.Span{bot.B(c.Title)}, Card: c})
	}
	r.Add(bot.I("page 1 of 3"))
	r.Buttons = [][]bot.Button{
		{{Label: "Approve", Data: "/approve S-1", Style: bot.ButtonSuccess}, {Label: "Reject", Data: "/reject S-1", Style: bot.ButtonDanger}},
		{{Label: "Website", URL: "https://vandu.org"}, {Label: "Share", Share: "org_vandu"}, {Label: "Bad", URL: "javascript:alert(1)"}},
	}
	return r
}

// TestCardsAreEmbeds: cards become embeds with a linked title, fields and
// a colour per kind; headings name the section above a card; text after
// the cards stays after them; every message keeps Discord's embed limits.
func TestCardsAreEmbeds(t *testing.T) {
	out := render(cardReply(3, 3, ""))
	if len(out.pages) != 1 {
		t.Fatalf("%d messages, want 1", len(out.pages))
	}
	pg := out.pages[0]
	if pg.content != "" || len(pg.embeds) != 4 {
		t.Fatalf("content %q, %d embeds; want the cards and a note as embeds", pg.content, len(pg.embeds))
	}
	e := pg.embeds[0]
	if e.Title != `Group 0 \@everyone` || e.URL != "https://example.org/g0" || e.Color != kindColours["local"] || len(e.Fields) != 3 {
		t.Errorf("first card = %+v", e)
	}
	if e.Author == nil || e.Author.Name != "Groups: Germany" {
		t.Errorf("first card's author = %+v, want the answer's heading", e.Author)
	}
	if a := pg.embeds[1].Author; a == nil || a.Name != "National groups" || pg.embeds[1].Color != kindColours["national"] {
		t.Errorf("second card = %+v", pg.embeds[1])
	}
	if pg.embeds[2].Author != nil || pg.embeds[2].Color != kindColours["ally"] {
		t.Errorf("third card = %+v", pg.embeds[2])
	}
	if d := pg.embeds[0].Description; d != `Drug users \*union\* ` && d != `Drug users \*union\*` {
		t.Errorf("description = %q, want it escaped", d)
	}
	if note := pg.embeds[3]; !strings.Contains(note.Description, "*page 1 of 3*") || !strings.Contains(note.Description, "Share: `/org vandu`") {
		t.Errorf("last embed = %q, want the page line and the share hint after the cards", note.Description)
	}
	if f := e.Fields[0]; f.Name != "Field 0" || !f.Inline || e.Fields[1].Inline {
		t.Errorf("fields = %+v", e.Fields)
	}

	// Far too much for one message: every message keeps every limit, and
	// nothing is lost.
	long := strings.Repeat("word ", 400)
	out = render(cardReply(14, 30, long))
	cards := 0
	for i, pg := range out.pages {
		if len(pg.embeds) > maxEmbeds {
			t.Errorf("message %d has %d embeds", i, len(pg.embeds))
		}
		total := 0
		for _, e := range pg.embeds {
			total += embedSize(e)
			if utf8.RuneCountInString(e.Title) > maxEmbedTitle || utf8.RuneCountInString(e.Description) > maxEmbedDesc || len(e.Fields) > maxEmbedFields {
				t.Errorf("message %d: an embed over a limit: title %d, description %d, %d fields", i,
					utf8.RuneCountInString(e.Title), utf8.RuneCountInString(e.Description), len(e.Fields))
			}
			for _, f := range e.Fields {
				if n := utf8.RuneCountInString(f.Value); n > maxEmbedFieldValue || n == 0 {
					t.Errorf("field value of %d characters", n)
				}
			}
			if e.Color != 0 {
				cards++
			}
		}
		if total > maxEmbedTotal {
			t.Errorf("message %d has %d characters of embeds", i, total)
		}
	}
	if cards != 14 {
		t.Errorf("%d cards shown, want 14", cards)
	}
}

// TestEmbedsAndButtonsOnTheWire: through the real client, the answer's
// embeds and buttons reach Discord in its own terms: Approve green (3),
// Reject red (4), Website a link button (5) and an unsafe link dropped;
// the fake refuses any message over Discord's limits; mentions stay off.
func TestEmbedsAndButtonsOnTheWire(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 300)
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) { return cardReply(12, 25, long), nil })
	h := start(t, rec)
	id, token := h.fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "Germany")))
	rec.next(t)
	r, c := h.callback(t, id)
	noMentionsIn(t, c.Body, "data", "allowed_mentions")
	embeds, _ := r.Data["embeds"].([]any)
	if len(embeds) == 0 {
		t.Fatalf("no embeds in %s", c.Body)
	}
	first, _ := embeds[0].(map[string]any)
	if first["url"] != "https://example.org/g0" || first["color"] != float64(kindColours["local"]) {
		t.Errorf("first embed = %v", first)
	}
	// The rest follow, the buttons with the last message.
	last := h.fake.WaitFor(t, func(c discordtest.Call) bool {
		return discordtest.Followup(token)(c) && strings.Contains(string(c.Body), `"components":[{`)
	}, wait)
	if last.Status >= 300 {
		t.Fatalf("follow-up refused: %d %s", last.Status, last.Body)
	}
	noMentionsIn(t, last.Body, "allowed_mentions")
	var msg struct {
		Components []struct {
			Components []struct {
				Style    int    `json:"style"`
				Label    string `json:"label"`
				CustomID string `json:"custom_id"`
				URL      string `json:"url"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := last.Decode(&msg); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range msg.Components {
		for _, b := range row.Components {
			got = append(got, fmt.Sprintf("%s:%d:%s%s", b.Label, b.Style, b.CustomID, b.URL))
		}
	}
	if want := "Approve:3:/approve S-1 Reject:4:/reject S-1 Website:5:https://vandu.org"; strings.Join(got, " ") != want {
		t.Errorf("buttons = %v, want %s", got, want)
	}
	if n := h.fake.CountOf(func(c discordtest.Call) bool { return c.Status >= 400 }); n != 0 {
		t.Errorf("%d calls refused by the fake", n)
	}
}

// TestPressCarriesOfferedButtons: a press reports the custom ids of every
// button on the message it came from, as Discord describes that message,
// so the core can refuse what it did not offer.
func TestPressCarriesOfferedButtons(t *testing.T) {
	t.Parallel()
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) { return nil, nil })
	h := start(t, rec)
	ids := []string{"/page 1 /find Canada", "/page 3 /find Canada", "/org a", "/org b", "/org c", "/org d"}
	in := discordtest.Component("/page 3 /find Canada")
	in.MessageButtons = ids
	id, _ := h.fake.Interaction(t, in)
	m := rec.next(t)
	h.callback(t, id)
	if strings.Join(m.Offered, "|") != strings.Join(ids, "|") {
		t.Errorf("Offered = %q, want %q in order", m.Offered, ids)
	}
	in = discordtest.Component("/page 2 /find Canada")
	id, _ = h.fake.Interaction(t, in)
	if m = rec.next(t); m.Offered == nil || len(m.Offered) != 0 {
		t.Errorf("Offered = %#v for a message without buttons, want an empty list", m.Offered)
	}
	h.callback(t, id)
}

// TestSomeoneElsesPageButtons: when the core answers a press with a
// private reply (someone other than the asker turned a page), the presser
// alone sees it, and the answer they pressed on stays as it is.
func TestSomeoneElsesPageButtons(t *testing.T) {
	t.Parallel()
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		r := bot.Text("These pages belong to the person who asked. Ask your own with /find.")
		r.Private = true
		return r, nil
	})
	h := start(t, rec)
	in := discordtest.Component("/page 2 /find Canada")
	in.UserID = "300000000000000099"
	id, token := h.fake.Interaction(t, in)
	rec.next(t)
	if r, _ := h.callback(t, id); r.Type != discordtest.DeferredUpdate {
		t.Fatalf("answered with type %d, want 6 (leave the message as it is)", r.Type)
	}
	f := h.fake.WaitFor(t, discordtest.Followup(token), wait)
	if fm := f.JSON(t); flagsOf(fm) != discordtest.EphemeralFlag || !strings.Contains(fm["content"].(string), "Ask your own") {
		t.Errorf("follow-up = %s, want the notice for the presser alone", f.Body)
	}
	if n := h.fake.CountOf(func(c discordtest.Call) bool { return c.Method == "PATCH" }); n != 0 {
		t.Errorf("%d edits; the asker's answer must stay", n)
	}
}

// TestFailuresInThePersonsLanguage: a handler that panics or fails gets
// the core's message in the language of the Discord client, not English.
func TestFailuresInThePersonsLanguage(t *testing.T) {
	t.Parallel()
	rec := newRecorder(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if strings.Contains(m.Text, "boom") {
			panic("boom")
		}
		return nil, bot.Errorf(bot.Invalid, "network.too_long")
	})
	h := start(t, rec)
	for _, c := range []struct{ place, locale, want string }{
		{"boom", "fr", "Désolé, quelque chose n’a pas fonctionné de notre côté."},
		{"boom", "en-US", "Sorry, something went wrong on our side."},
		{"long", "de", i18n.Tr("de", "network.too_long")},
	} {
		in := discordtest.Command("find", discordtest.String("place", c.place))
		in.Locale = c.locale
		id, _ := h.fake.Interaction(t, in)
		rec.next(t)
		r, _ := h.callback(t, id)
		if got := content(t, r); !strings.Contains(got, escape(c.want)) || flagsOf(r.Data) != discordtest.EphemeralFlag {
			t.Errorf("%s in %s: %q (flags %d), want %q for the asker alone", c.place, c.locale, got, flagsOf(r.Data), c.want)
		}
	}
}

// TestModerationCardIsAnEmbed: a moderators' card sent with Send is an
// embed with its kind's colour and green/red buttons; the edit after a
// decision replaces it and removes the embed and the buttons.
func TestModerationCardIsAnEmbed(t *testing.T) {
	t.Parallel()
	a, fake := newSender(t)
	ctx := context.Background()
	r := &bot.Reply{}
	r.Blocks = append(r.Blocks, bot.Block{Spans: []bot.Span{bot.T("S-12: a suggestion")}, Card: &bot.Card{
		Title: "S-12: Nelson Union", Kind: "suggestion", Description: "Suggested today.",
		Fields: []bot.CardField{{Name: "City", Value: "Nelson, British Columbia", Inline: true}, {Name: "Website", Value: "https://example.org"}},
	}})
	r.Buttons = [][]bot.Button{{{Label: "Approve", Data: "/approve S-12", Style: bot.ButtonSuccess}, {Label: "Reject", Data: "/reject S-12", Style: bot.ButtonDanger}}}
	to := bot.Address{Platform: Platform, ChatID: "777"}
	mid, err := a.Send(ctx, to, r)
	if err != nil {
		t.Fatal(err)
	}
	c := fake.WaitFor(t, discordtest.All(discordtest.ChannelSend("777"), discordtest.OK()), wait)
	noMentionsIn(t, c.Body, "allowed_mentions")
	var m struct {
		Content string `json:"content"`
		Embeds  []struct {
			Title  string `json:"title"`
			Color  int    `json:"color"`
			Fields []struct {
				Name, Value string
				Inline      bool
			} `json:"fields"`
		} `json:"embeds"`
		Components []struct {
			Components []struct {
				Style int `json:"style"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := c.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if m.Content != "" || len(m.Embeds) != 1 || m.Embeds[0].Title != "S\\-12: Nelson Union" || m.Embeds[0].Color != kindColours["suggestion"] ||
		len(m.Embeds[0].Fields) != 2 || m.Embeds[0].Fields[0].Value != "Nelson, British Columbia" || !m.Embeds[0].Fields[0].Inline {
		t.Errorf("card = %s", c.Body)
	}
	if len(m.Components) != 1 || m.Components[0].Components[0].Style != 3 || m.Components[0].Components[1].Style != 4 {
		t.Errorf("buttons = %+v, want green Approve and red Reject", m.Components)
	}
	if err := a.Edit(ctx, to, mid, bot.Text("S-12 approved")); err != nil {
		t.Fatal(err)
	}
	e := fake.WaitFor(t, discordtest.ChannelEdit("777", mid), wait).JSON(t)
	if embeds, ok := e["embeds"].([]any); !ok || len(embeds) != 0 {
		t.Errorf("edit embeds = %v, want an empty list (removing the card)", e["embeds"])
	}
}
