package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

func handle(t *testing.T, b *Bot, m *Message) *Reply {
	t.Helper()
	if m.Platform == "" {
		m.Platform = "test"
	}
	r, err := b.Handle(context.Background(), m)
	if err != nil || r == nil {
		t.Fatalf("Handle(%q) = %v, %v", m.Text, r, err)
	}
	return r
}

// TestOrgCard: /org, /start org_<id> and the button of a /find entry open
// the same full card: its structured Card, its text, and the buttons
// Website, Report and Share.
func TestOrgCard(t *testing.T) {
	b := MustBot(t)
	for _, q := range []string{"/org vandu", "/org VANDU", "/start org_vandu"} {
		r := handle(t, b, private(q))
		if len(r.Blocks) != 1 || r.Blocks[0].Card == nil {
			t.Fatalf("%s: want one block with a card, got %+v", q, r.Blocks)
		}
		c := r.Blocks[0].Card
		if c.Title != "Vancouver Area Network of Drug Users (VANDU)" || c.Kind != "local" || c.URL != "http://www.vandu.org" || c.Description == "" {
			t.Errorf("%s: card = %+v", q, c)
		}
		fields := map[string]string{}
		for _, f := range c.Fields {
			fields[f.Name] = f.Value
		}
		if fields["Where"] != "Vancouver, British Columbia, Canada" || fields["Languages"] != "English" ||
			!strings.HasPrefix(fields["Listed"], "listed 2014 (") || fields["Sources"] == "" {
			t.Errorf("%s: fields = %v", q, fields)
		}
		if len(r.Buttons) != 1 || len(r.Buttons[0]) != 3 {
			t.Fatalf("%s: buttons = %+v", q, r.Buttons)
		}
		web, report, share := r.Buttons[0][0], r.Buttons[0][1], r.Buttons[0][2]
		if web.URL != "http://www.vandu.org" || web.Data != "" || ButtonCommand(report.Data) != "/report vandu" || share.Share != "org_vandu" || share.Data != "" {
			t.Errorf("%s: buttons = %+v", q, r.Buttons[0])
		}
		text := PlainText(r.Blocks[0])
		for _, w := range []string{"Vancouver Area Network of Drug Users (VANDU)", "Vancouver, British Columbia, Canada", "Languages: English", "listed 2014", "vandu.org"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: card text misses %q:\n%s", q, w, text)
			}
		}
	}
	// An ally says so, and a group without a website has no Website button.
	r := handle(t, b, private("/org hrwu"))
	if c := r.Blocks[0].Card; c.Kind != "ally" || !strings.Contains(PlainText(r.Blocks[0]), "An ally") {
		t.Errorf("hrwu card = %+v", c)
	}
	for _, btn := range r.Buttons[0] {
		if btn.URL != "" {
			t.Errorf("hrwu has no website but a link button %+v", btn)
		}
	}
	for _, tc := range []struct{ q, want string }{
		{"/org", "Which group?"},
		{"/org nope", "No group has the id"},
	} {
		if got := text(handle(t, b, private(tc.q))); !strings.Contains(got, tc.want) {
			t.Errorf("%s → %q, want %q", tc.q, got, tc.want)
		}
	}
}

// TestCompactList: a /find answer has one short entry per group, each
// with a button that opens its card, and pages hold several entries per
// card's room, their own buttons only.
func TestCompactList(t *testing.T) {
	b := MustBot(t)
	m := private("/find Canada")
	m.PageSize = 6
	r := handle(t, b, m)
	var entries int
	for _, bl := range r.Blocks {
		if bl.Heading {
			continue
		}
		if n := strings.Count(PlainText(bl), "\n"); n > 1 {
			t.Errorf("entry of %d lines: %q", n+1, PlainText(bl))
		}
		if len(bl.Buttons) == 1 {
			entries++
		}
	}
	var orgButtons []string
	for _, row := range r.Buttons {
		if len(row) > 5 {
			t.Errorf("a row of %d buttons", len(row))
		}
		for _, btn := range row {
			if c := ButtonCommand(btn.Data); strings.HasPrefix(c, "/org ") {
				orgButtons = append(orgButtons, c)
			}
		}
	}
	if entries < 20 || len(orgButtons) != entries {
		t.Fatalf("%d entries, %d card buttons: want one each, at least 20 on the first page", entries, len(orgButtons))
	}
	if orgButtons[0] != "/org capud" {
		t.Errorf("first button %q, want CAPUD's", orgButtons[0])
	}
	got := text(r)
	for _, w := range []string{"Canadian Association of People Who Use Drugs (CAPUD) — national", "British Columbia", "Vancouver Area Network of Drug Users (VANDU) — Vancouver", "Harm Reduction Workers Union — national · ally"} {
		if !strings.Contains(got, w) {
			t.Errorf("/find Canada misses %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, " km") {
		t.Errorf("/find Canada shows distances:\n%s", got)
	}
}

// TestNearMe: "near me" asks for a location (Telegram's button in a
// private chat, a hint in a group), never answers for Montenegro (ME).
func TestNearMe(t *testing.T) {
	b := MustBot(t)
	for _, q := range []string{"/find near me", "/find near me ", "any groups near me?", "/find around here"} {
		r := handle(t, b, private(q))
		if !r.Location || !strings.Contains(text(r), "Share your location") || strings.Contains(text(r), "Montenegro") {
			t.Errorf("%q → %q (location %v)", q, text(r), r.Location)
		}
	}
	g := &Message{Text: "/find near me", User: User{ID: "u1"}, Chat: Chat{ID: "g1"}}
	r := handle(t, b, g)
	if r.Location || !strings.Contains(text(r), "In a private chat with me") {
		t.Errorf("in a group: %q (location %v)", text(r), r.Location)
	}
	fr := &Message{Text: "/find près de moi", Lang: "fr", User: User{ID: "u1"}, Chat: Chat{ID: "c1", Private: true}}
	if r := handle(t, b, fr); !r.Location {
		t.Errorf("près de moi: %q", text(r))
	}
}

// TestAmbiguousHints: the other readings of a place are /find hints that
// answer for them.
func TestAmbiguousHints(t *testing.T) {
	b := MustBot(t)
	got := text(handle(t, b, private("/find Victoria")))
	if !strings.Contains(got, "Other places by that name: /find Victoria, Australia") {
		t.Fatalf("/find Victoria:\n%s", got)
	}
	if again := text(handle(t, b, private("/find Victoria, Australia"))); !strings.Contains(again, "Victoria, Australia") || strings.Contains(again, "SOLID") {
		t.Errorf("the hint answers:\n%s", again)
	}
}

// TestServedProvince: a group listed for a province it serves beyond its
// own says both.
func TestServedProvince(t *testing.T) {
	b := MustBot(t)
	got := text(handle(t, b, private("/find Yukon")))
	if !strings.Contains(got, "BC/Yukon Association of Drug War Survivors (BCYADWS) — across British Columbia, Yukon") {
		t.Errorf("/find Yukon:\n%s", got)
	}
}

// TestLocalWithoutCity: a local group whose source names no city or
// province still says its country, so a line in another country's answer
// (NEUU among Mexico City's nearest) is never a bare name; under its own
// country's heading the country is not repeated.
func TestLocalWithoutCity(t *testing.T) {
	b := MustBot(t)
	for _, tc := range []struct{ in, want, not string }{
		{"/find Mexico City", "New England User's Union (NEUU) — United States", ""},
		{"/find Respect", "Respect — United Kingdom", ""},
		{"/find United Kingdom", "Respect\n", "Respect — United Kingdom"},
	} {
		got := text(handle(t, b, private(tc.in)))
		if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
			t.Errorf("%s: want %q, not %q, in:\n%s", tc.in, tc.want, tc.not, got)
		}
	}
}

// TestNearHintsWorkWhenTyped: the example each language's near-me hint
// gives ("/find рядом с Москвой") answers for that place when a person types
// it, in that language.
func TestNearHintsWorkWhenTyped(t *testing.T) {
	b := MustBot(t)
	for _, lang := range []string{"en", "fr", "es", "pt", "ru", "de", "id"} {
		for _, key := range []string{"find.near_me", "find.near_me_group"} {
			hint := i18n.Tr(lang, key)
			i := strings.Index(hint, "/find ")
			if i < 0 {
				t.Errorf("%s %s names no /find example: %q", lang, key, hint)
				continue
			}
			ex := hint[i:]
			if j := strings.Index(ex, ". "); j >= 0 {
				ex = ex[:j]
			}
			ex = strings.TrimSuffix(ex, ".")
			m := private(ex)
			m.Lang = lang
			want := "Lyon, Auvergne-Rhône-Alpes"
			if lang == "ru" {
				want = "Группы: Moscow, Россия"
			}
			if got := text(handle(t, b, m)); !strings.HasPrefix(got, want) {
				t.Errorf("%s: typing the hint %q answers:\n%s", lang, ex, got)
			}
		}
	}
}

// TestCityWithoutGroupLeadsWithItsCountry: a city with no group of its own
// in a country that has national bodies answers with those bodies first,
// since they serve it, then the region's networks, then groups nearby
// abroad.
func TestCityWithoutGroupLeadsWithItsCountry(t *testing.T) {
	b := MustBot(t)
	got := text(handle(t, b, private("/find Lisbon")))
	order := []string{"no group listed in Lisbon", "National groups", "(CASO)", "Regional networks", "(EuroNPUD)", "Nearest groups"}
	at := 0
	for _, w := range order {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("/find Lisbon: %q missing or out of order (want %q), in:\n%s", w, order, got)
		}
		at += i + len(w)
	}
}

// TestStartOrgAnyCase: the org_<id> deep link opens the card whatever the
// case of the id, as /org does.
func TestStartOrgAnyCase(t *testing.T) {
	b := MustBot(t)
	want := text(handle(t, b, private("/org vandu")))
	for _, in := range []string{"/start org_VANDU", "/start org_Vandu", "/org VANDU"} {
		if got := text(handle(t, b, private(in))); got != want || !strings.HasPrefix(got, "Vancouver Area Network of Drug Users (VANDU)") {
			t.Errorf("%s:\n%s\nwant the card:\n%s", in, got, want)
		}
	}
}
