package bot

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/unionbot/unionbot/bot/clean"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// Directory gives the current directory snapshot. *directory.Live is one.
type Directory interface {
	Index() *directory.Index
}

// maxQuery bounds what /find reads; longer input is a mistake or abuse.
const maxQuery = 200

func (b *Bot) find(ctx context.Context, m *Message) (*Reply, error) {
	_, q, _ := m.Command()
	if !strings.HasPrefix(strings.TrimSpace(m.Text), "/") {
		q = strings.TrimSpace(m.Text)
	}
	if m.Location != nil {
		return b.near(m, *m.Location, ""), nil
	}
	if q == "" {
		r := Text(i18n.Tr(m.Lang, "find.ask"))
		r.Location = m.Chat.Private
		return r, nil
	}
	if len(q) > maxQuery {
		return nil, Errorf(Invalid, "find.too_long", maxQuery)
	}
	// Invisible and bidi characters only disguise a query; every echo of
	// it goes through echo (clean.Echo) as well.
	q = clean.Text(q)
	x := b.dir.Index()
	if rest, ok := cutNear(q, m.Lang); ok {
		places := x.Places(rest)
		if len(places) == 0 || places[0].Kind == directory.PlaceRegion {
			return Text(i18n.Tr(m.Lang, "find.no_place", echo(rest))), nil
		}
		return b.near(m, places[0].Point, b.placeLabel(x, &places[0], m.Lang)), nil
	}
	res := x.Search(q)
	if len(res.Matches) == 0 {
		return Text(i18n.Tr(m.Lang, "find.nothing", echo(q))), nil
	}
	r := &Reply{Private: true}
	if res.Corrected {
		r.Add(I(i18n.Tr(m.Lang, "find.corrected", b.matchName(x, &res.Matches[0], m.Lang))))
	}
	if res.Partial {
		r.Add(I(i18n.Tr(m.Lang, "find.partial", echo(q))))
	}
	if len(res.Matches) > 1 {
		r.Add(T(i18n.Tr(m.Lang, "find.several", echo(q))))
	}
	for i := range res.Matches {
		b.renderMatch(r, x, &res.Matches[i], m.Lang, len(res.Matches) > 1)
	}
	return r, nil
}

// cutNear splits "near Lyon" into "Lyon". It knows the English words and
// those of the reader's language ("près de Lyon", "рядом с Лионом").
func cutNear(q, lang string) (string, bool) {
	words := strings.Split(i18n.Tr(i18n.Reference, "find.near_words"), "|")
	if lang != i18n.Reference {
		words = append(strings.Split(i18n.Tr(lang, "find.near_words"), "|"), words...)
	}
	// Longest first, so "près de" wins over "près".
	sort.SliceStable(words, func(i, j int) bool { return len(words[i]) > len(words[j]) })
	low := strings.ToLower(q)
	for _, w := range words {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || !strings.HasPrefix(low, w) {
			continue
		}
		rest := q[len(w):]
		// A whole word: "near Lyon", "near:Lyon", not "Nearby".
		if r, _ := utf8.DecodeRuneInString(rest); r != ':' && !unicode.IsSpace(r) {
			continue
		}
		if rest = strings.TrimSpace(strings.TrimPrefix(rest, ":")); rest != "" {
			return rest, true
		}
	}
	return "", false
}

// near answers with the groups nearest a point, and the regional networks
// of the country it is in. The point is used and forgotten.
func (b *Bot) near(m *Message, p directory.Point, label string) *Reply {
	x := b.dir.Index()
	r := &Reply{Private: true}
	hits := x.Near(p, directory.NearestCount, nil)
	if label == "" {
		r.Heading(i18n.Tr(m.Lang, "near.heading_you"))
	} else {
		r.Heading(i18n.Tr(m.Lang, "near.heading", label))
	}
	for _, h := range hits {
		r.Blocks = append(r.Blocks, b.card(x, h, m.Lang))
	}
	if c, ok := x.WhereIs(p); ok {
		seen := map[string]bool{}
		var nets []directory.Hit
		for _, g := range x.RegionsOf(c.Country) {
			reg, intl := x.Networks(g.ID)
			for _, o := range append(reg, intl...) {
				if !seen[o.ID] {
					seen[o.ID] = true
					nets = append(nets, directory.Hit{Org: o, Km: -1})
				}
			}
		}
		if len(nets) > 0 {
			r.Heading(i18n.Tr(m.Lang, "near.networks"))
			for _, h := range nets {
				r.Blocks = append(r.Blocks, b.card(x, h, m.Lang))
			}
		}
	}
	r.Add(T(i18n.Tr(m.Lang, "near.forgotten")))
	return r
}

func (b *Bot) matchName(x *directory.Index, mt *directory.Match, lang string) string {
	if mt.Place != nil {
		return b.placeLabel(x, mt.Place, lang)
	}
	if len(mt.Orgs) > 0 {
		return mt.Orgs[0].Name
	}
	return ""
}

// placeLabel names a place with what contains it: "Victoria, British
// Columbia, Canada".
func (b *Bot) placeLabel(x *directory.Index, p *directory.Place, lang string) string {
	parts := []string{p.Name}
	switch p.Kind {
	case directory.PlaceCountry:
		parts = []string{x.CountryName(p.Country, lang)}
	case directory.PlaceCity:
		if s := x.SubdivisionOf(p.Subdivision, p.Name, lang); s != "" {
			parts = append(parts, s)
		}
		parts = append(parts, x.CountryName(p.Country, lang))
	case directory.PlaceSubdivision:
		parts = []string{x.SubdivisionNameIn(p.Subdivision, lang), x.CountryName(p.Country, lang)}
	case directory.PlaceRegion:
		parts = []string{x.RegionName(p.Region, lang)}
	}
	return strings.Join(parts, ", ")
}

func (b *Bot) renderMatch(r *Reply, x *directory.Index, mt *directory.Match, lang string, several bool) {
	if mt.Place == nil {
		if several {
			r.Heading(i18n.Tr(lang, "find.by_name"))
		}
		for _, o := range mt.Orgs {
			r.Blocks = append(r.Blocks, b.card(x, directory.Hit{Org: o, Km: -1}, lang))
		}
		return
	}
	where := b.placeLabel(x, mt.Place, lang)
	if mt.Place.Kind == directory.PlaceRegion {
		r.Heading(i18n.Tr(lang, "find.region_heading", where))
		b.section(r, x, i18n.Tr(lang, "find.regional"), mt.Regional, lang)
		b.section(r, x, i18n.Tr(lang, "find.in_region"), mt.Local, lang)
		b.section(r, x, i18n.Tr(lang, "network.international"), mt.International, lang)
		return
	}
	if several {
		r.Heading(where)
	}
	if !mt.Own() {
		r.Add(T(i18n.Tr(lang, "find.none_yet", where)))
	}
	groups := i18n.Tr(lang, "find.groups_in", where)
	if mt.Place.Kind == directory.PlaceCountry {
		groups = i18n.Tr(lang, "find.groups_for", where)
	}
	b.section(r, x, groups, mt.Local, lang)
	b.section(r, x, i18n.Tr(lang, "find.national"), mt.National, lang)
	b.section(r, x, i18n.Tr(lang, "find.nearest"), mt.Nearest, lang)
	b.section(r, x, i18n.Tr(lang, "find.regional"), mt.Regional, lang)
	b.section(r, x, i18n.Tr(lang, "network.international"), mt.International, lang)
	if !mt.Own() {
		r.Add(Rich(lang, "find.know_group", where)...)
	}
}

func (b *Bot) section(r *Reply, x *directory.Index, title string, hits []directory.Hit, lang string) {
	if len(hits) == 0 {
		return
	}
	r.Heading(title)
	for _, h := range hits {
		r.Blocks = append(r.Blocks, b.card(x, h, lang))
	}
}

// card shows one organisation: its name and acronym, where it is (with the
// distance when known), what it does and its links.
func (b *Bot) card(x *directory.Index, h directory.Hit, lang string) Block {
	o := h.Org
	spans := []Span{B(o.Name)}
	if o.Acronym != "" && !strings.EqualFold(o.Acronym, o.Name) {
		spans = append(spans, T(" ("+o.Acronym+")"))
	}
	var where []string
	if o.City != "" {
		where = append(where, o.City)
	}
	if o.Province != "" {
		if s := x.SubdivisionOf(o.Province, o.City, lang); s != "" {
			where = append(where, s)
		}
	}
	switch {
	case len(o.Countries) == 1:
		where = append(where, x.CountryName(o.Countries[0], lang))
	case o.Kind == directory.KindRegional && len(o.Regions) > 0:
		where = append(where, i18n.Tr(lang, "card.regional"))
	case o.Kind == directory.KindInternational:
		where = append(where, i18n.Tr(lang, "card.international"))
	}
	line := strings.Join(where, ", ")
	if h.Km >= 0 {
		line += " — " + formatKm(h.Km, lang)
	}
	if line != "" {
		spans = append(spans, T("\n"+line))
	}
	if o.Description != "" {
		spans = append(spans, T("\n"+o.Description))
	}
	links := append(append([]string(nil), o.Websites...), o.Social...)
	first := true
	for _, u := range links {
		if !SafeURL(u) {
			continue
		}
		if first {
			spans = append(spans, T("\n"))
			first = false
		} else {
			spans = append(spans, T(" · "))
		}
		spans = append(spans, L(displayURL(u), u))
	}
	return Block{Spans: spans}
}

// formatKm writes a distance in lang: "under 1 km", "2.5 km" ("2,5 km" in
// French), "390 km". Whole kilometres are written without grouping, as
// before ("1450 km").
func formatKm(km float64, lang string) string {
	switch {
	case km < 1:
		return i18n.Tr(lang, "km.under_one")
	case km < 10:
		return i18n.Tr(lang, "km.tenths", km)
	}
	return i18n.Tr(lang, "km.whole", strconv.FormatFloat(math.Round(km), 'f', 0, 64))
}

// displayURL is a link's text: without the scheme and "www.".
func displayURL(u string) string {
	s := u
	for _, p := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimPrefix(s, "www.")
	return strings.TrimSuffix(s, "/")
}
