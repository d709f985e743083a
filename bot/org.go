package bot

import (
	"context"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// org answers /org <id> (a /find entry's button, the org_<id> deep link)
// with the group's full card.
func (b *Bot) org(ctx context.Context, m *Message) (*Reply, error) {
	_, id, _ := m.Command()
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return Text(i18n.Tr(m.Lang, "org.ask")), nil
	}
	if len(id) > maxQuery {
		return nil, Errorf(Invalid, "find.too_long", maxQuery)
	}
	x := b.dir.Index()
	o, ok := x.Org(id)
	if !ok {
		return nil, Errorf(NotFound, "org.unknown", echo(id))
	}
	// A full card, like a /find answer, depends only on the snapshot, the
	// link states and the language, so it is cached with them: an inline
	// query opens the card of each of its results (up to 20), and the same
	// groups are asked for again and again. The key cannot meet a /find
	// query's: a cleaned query never holds a NUL.
	return b.cachedAnswer(x, answerKey{lang: m.Lang, query: "\x00org " + o.ID}, func() *Reply {
		return b.fullCard(x, o, m.Lang)
	}), nil
}

// fullCard is one organisation in full: where it is and what it covers,
// what it does, its languages, other names, sources and how fresh they
// are, and its links; with buttons to open its website, report a mistake
// and share it. The Card holds the same for platforms that show cards.
func (b *Bot) fullCard(x *directory.Index, o *directory.Organisation, lang string) *Reply {
	title := o.Name
	if o.Acronym != "" && !strings.EqualFold(o.Acronym, o.Name) {
		title += " (" + o.Acronym + ")"
	}
	card := &Card{Title: title, Kind: string(o.Kind), Description: o.Description}
	if ally(o) {
		card.Kind = "ally"
	}
	spans := []Span{B(title)}
	field := func(name, value string, inline bool) {
		if value == "" {
			return
		}
		card.Fields = append(card.Fields, CardField{Name: name, Value: value, Inline: inline})
		spans = append(spans, T("\n"+name+": "+value))
	}
	where := b.whereFull(x, o, lang)
	spans = append(spans, T("\n"+where))
	card.Fields = append(card.Fields, CardField{Name: i18n.Tr(lang, "org.where"), Value: where, Inline: true})
	if ally(o) {
		spans = append(spans, I("\n"+i18n.Tr(lang, "card.ally_note")))
		card.Fields = append(card.Fields, CardField{Name: i18n.Tr(lang, "card.ally"), Value: i18n.Tr(lang, "card.ally_note")})
	}
	if closed(o) {
		spans = append(spans, I("\n"+i18n.Tr(lang, "org.closed")))
	}
	if o.Description != "" {
		spans = append(spans, T("\n"+o.Description))
	}
	field(i18n.Tr(lang, "org.languages"), b.languageNames(o.Languages, lang), true)
	field(i18n.Tr(lang, "org.other_names"), strings.Join(o.OtherNames, "; "), false)
	// Every source, with its date and link: the main one is also in the
	// freshness line below.
	if len(o.Sources) > 0 {
		var plain []string
		spans = append(spans, T("\n"+i18n.Tr(lang, "org.sources")+": "))
		for i, src := range o.Sources {
			label := strings.TrimSpace(src.Title)
			if src.Date != "" && src.Date != directory.Undated {
				label += " (" + src.Date + ")"
			}
			if i > 0 {
				spans = append(spans, T("; "))
			}
			if SafeURL(src.URL) {
				spans = append(spans, L(label, src.URL))
				plain = append(plain, label+" "+src.URL)
			} else {
				spans = append(spans, T(label))
				plain = append(plain, label)
			}
		}
		card.Fields = append(card.Fields, CardField{Name: i18n.Tr(lang, "org.sources"), Value: strings.Join(plain, "; ")})
	}
	if f := b.freshness(o, lang); f != "" {
		spans = append(spans, I("\n"+f))
		card.Fields = append(card.Fields, CardField{Name: i18n.Tr(lang, "org.listed"), Value: f})
	}
	var website string
	first := true
	// Links that answer first; a dead one stays, marked (fresh.go).
	for _, u := range b.reachFirst(o) {
		if !SafeURL(u) {
			continue
		}
		if website == "" {
			website = u
		}
		if first {
			spans = append(spans, T("\n"))
			first = false
		} else {
			spans = append(spans, T(" · "))
		}
		spans = b.appendLinkSpans(spans, u, lang)
	}
	card.URL = website
	r := &Reply{Private: true}
	r.Blocks = append(r.Blocks, Block{Spans: spans, Card: card})
	var row []Button
	if website != "" {
		row = append(row, Button{Label: i18n.Tr(lang, "org.website"), URL: website})
	}
	row = append(row,
		Button{Label: i18n.Tr(lang, "org.report"), Data: "/report " + o.ID},
		Button{Label: i18n.Tr(lang, "org.share"), Share: "org_" + o.ID})
	r.Buttons = [][]Button{row}
	return r
}

// whereFull says where a group is and what it covers: "Vancouver, British
// Columbia, Canada", "national · Canada", "regional network · Asia".
func (b *Bot) whereFull(x *directory.Index, o *directory.Organisation, lang string) string {
	var parts []string
	switch o.Kind {
	case directory.KindRegional:
		var names []string
		for _, g := range o.Regions {
			names = append(names, x.RegionName(g, lang))
		}
		parts = append(parts, i18n.Tr(lang, "card.regional")+" · "+strings.Join(names, ", "))
	case directory.KindInternational:
		parts = append(parts, i18n.Tr(lang, "card.international"))
	case directory.KindNational:
		var names []string
		for _, c := range o.Countries {
			names = append(names, x.CountryName(c, lang))
		}
		parts = append(parts, i18n.Tr(lang, "card.national")+" · "+strings.Join(names, ", "))
	}
	seat := x.CityAndSubdivision(o.City, o.Province, lang)
	if o.Kind == directory.KindLocal && len(o.Countries) > 0 {
		seat = append(seat, x.CountryName(o.Countries[0], lang))
	}
	if len(seat) > 0 {
		parts = append(parts, strings.Join(seat, ", "))
	}
	return strings.Join(parts, " · ")
}

// languageNames writes BCP 47 tags as language names in lang.
func (b *Bot) languageNames(tags []string, lang string) string {
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		names = append(names, languageName(t, lang))
	}
	return strings.Join(names, ", ")
}

// languageName is the name of the language tag in lang ("fr" → "French",
// "français" in French), the tag itself when unknown.
func languageName(tag, lang string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Languages(language.Make(lang)).Name(t); n != "" {
		return n
	}
	return tag
}

func peerRun(o *directory.Organisation) bool { return o.PeerRun() }
func closed(o *directory.Organisation) bool  { return o.Closed() }
