package bot

import (
	"context"
	"math"
	"slices"
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

// An answer to /find is a compact list: one or two lines per group (name,
// acronym, where or what scope, website), most relevant first, so that a
// country's groups fit the first message; each entry has a button that
// opens the group's full card (/org <id>).

func (b *Bot) find(ctx context.Context, m *Message) (*Reply, error) {
	_, q, _ := m.Command()
	if !strings.HasPrefix(strings.TrimSpace(m.Text), "/") {
		q = strings.TrimSpace(m.Text)
	}
	if m.Location != nil {
		return b.near(m, *m.Location), nil
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
	me := false
	r := b.cachedAnswer(x, answerKey{lang: m.Lang, query: q}, func() *Reply {
		r, isMe := b.answer(x, q, m.Lang)
		if isMe {
			me = true
			return nil // "near me" asks for a location: nothing to keep
		}
		return r
	})
	if me {
		return nearMe(m), nil
	}
	return r, nil
}

// answer is the answer to the cleaned query q in lang from x, which
// depends on nothing else (answers.go caches it); me is true instead when
// q asks for groups near the person, whose answer depends on their chat.
func (b *Bot) answer(x *directory.Index, q, lang string) (r *Reply, me bool) {
	ph := b.phrase(lang)
	if rest, ok := cutNear(q, ph); ok {
		if isMe(rest, ph) {
			return nil, true
		}
		q = rest
		if r := x.Search(q); len(r.Matches) == 0 || r.Corrected {
			// Russian puts the place after "рядом с", "около"… in
			// another case ("рядом с Лионом", "около Парижа"):
			// try it in the nominative.
			for _, f := range nominatives(q) {
				if r := x.Search(f); len(r.Matches) > 0 && !r.Corrected {
					q = f
					break
				}
			}
		}
	} else if asksNearMe(q, ph) {
		return nil, true
	}
	res := x.Search(q)
	if len(res.Matches) == 0 {
		r := Text(i18n.Tr(lang, "find.nothing", echo(q)))
		r.NotFound = true
		return r, false
	}
	r = &Reply{Private: true, Compact: true}
	if res.Corrected {
		r.Add(I(i18n.Tr(lang, "find.corrected", b.matchName(x, &res.Matches[0], lang))))
	}
	for i := range res.Matches {
		b.renderMatch(r, x, &res.Matches[i], lang, len(res.Matches) > 1)
	}
	if len(res.Also) > 0 {
		spans := []Span{I(b.word(lang, "find.also") + " ")}
		for i, p := range res.Also {
			if i > 0 {
				spans = append(spans, T(" · "))
			}
			spans = append(spans, C("/find "+b.hintQuery(x, &p, lang)))
		}
		r.Add(spans...)
	}
	return r, false
}

// isMe reports whether what follows "near" means the person ("near me"),
// not a place: "me" is also Montenegro's code.
func isMe(s string, ph *phrases) bool {
	return slices.Contains(ph.me, directory.Fold(s))
}

// asksNearMe reports whether free text ends by asking for groups near the
// person: "any groups near me", "is there anything around here".
func asksNearMe(q string, ph *phrases) bool {
	f := directory.Fold(q)
	for _, e := range ph.nearMe {
		if f == e || (strings.HasSuffix(f, e) && f[len(f)-len(e)-1] == ' ') {
			return true
		}
	}
	return false
}

// nearMe asks for a location: with the platform's location button in a
// private chat, with a short hint elsewhere (a location shared in a group
// would tell everyone where the person is).
func nearMe(m *Message) *Reply {
	if m.Chat.Private {
		r := Text(i18n.Tr(m.Lang, "find.near_me"))
		r.Location = true
		r.Private = true
		return r
	}
	r := Text(i18n.Tr(m.Lang, "find.near_me_group"))
	r.Private = true
	return r
}

// hintQuery is a /find query that names exactly the place p: a city or a
// province with what contains it, a country by its ISO alpha-3 code when
// its name alone would mean something else.
func (b *Bot) hintQuery(x *directory.Index, p *directory.Place, lang string) string {
	switch p.Kind {
	case directory.PlaceCity:
		if s := x.SubdivisionName(p.Subdivision); s != "" && p.Country != "" && s != p.Name {
			return p.Name + ", " + s
		}
		return p.Name + ", " + x.CountryName(p.Country, "en")
	case directory.PlaceSubdivision:
		return p.Name + ", " + x.CountryName(p.Country, "en")
	case directory.PlaceCountry:
		if c, ok := x.Country(p.Country); ok {
			return c.Alpha3
		}
	}
	return p.Name
}

// caseEndings are the Russian noun endings a place name takes after the
// prepositions of find.near_words (instrumental after "рядом с", genitive
// after "около", "возле", "недалеко от", "вблизи"), longest first.
var caseEndings = []string{"ами", "ями", "ом", "ем", "ём", "ой", "ей", "ою", "ею", "ы", "и", "а", "я", "у", "ю", "е"}

// nominatives are the forms the last word of s may have in the nominative
// when it is Cyrillic and inflected: "Лионом" → "Лион", "Москвой" →
// "Москва", "Парижа" → "Париж". It offers nothing for other scripts.
func nominatives(s string) []string {
	i := strings.LastIndexFunc(s, unicode.IsSpace) + 1
	head, last := s[:i], s[i:]
	if r, _ := utf8.DecodeRuneInString(last); !unicode.Is(unicode.Cyrillic, r) || utf8.RuneCountInString(last) < 4 {
		return nil
	}
	var out []string
	for _, e := range caseEndings {
		stem, ok := strings.CutSuffix(last, e)
		if !ok || utf8.RuneCountInString(stem) < 3 {
			continue
		}
		for _, add := range []string{"", "а", "я", "ь"} {
			out = append(out, head+stem+add)
		}
	}
	return out
}

// cutNear splits "near Lyon" into "Lyon". It knows the English words and
// those of the reader's language ("près de Lyon", "рядом с Москвой").
func cutNear(q string, ph *phrases) (string, bool) {
	low := strings.ToLower(q)
	for _, w := range ph.near {
		if !strings.HasPrefix(low, w) {
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

// near answers for a shared location as for a city: the groups within
// reach, nearest first, then the national bodies, the regional networks and
// the international one. The point is used and forgotten.
func (b *Bot) near(m *Message, p directory.Point) *Reply {
	x := b.dir.Index()
	mt := x.NearPoint(p)
	r := &Reply{Private: true, Compact: true}
	r.Heading(i18n.Tr(m.Lang, "near.heading_you"))
	if len(mt.Near) == 0 {
		r.Add(T(i18n.Tr(m.Lang, "near.none")))
	}
	b.list(r, x, mt.Near, m.Lang, listCtx{})
	b.section(r, x, b.word(m.Lang, "find.national"), mt.National, m.Lang)
	b.section(r, x, b.word(m.Lang, "find.regional"), mt.Regional, m.Lang)
	b.section(r, x, b.word(m.Lang, "find.nearest"), mt.Nearest, m.Lang)
	b.section(r, x, b.word(m.Lang, "network.international"), mt.International, m.Lang)
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

// listCtx is what an entry's line may leave out because the answer says it
// already: the province it is listed under, the place asked about.
type listCtx struct {
	province string // ISO 3166-2 code of the heading it is under
	country  string // ISO 3166-1 code of the country answered, if one
	city     string // the city answered, named for the groups in it (Hit.InPlace)
	// full asks for the country too: the list answers a name, not a
	// place.
	full bool
}

func (b *Bot) renderMatch(r *Reply, x *directory.Index, mt *directory.Match, lang string, several bool) {
	if mt.Place == nil {
		if several {
			r.Heading(b.word(lang, "find.by_name"))
		}
		for _, o := range mt.Orgs {
			r.Blocks = append(r.Blocks, b.entry(x, directory.Hit{Org: o, Km: -1}, lang, listCtx{full: true}))
		}
		return
	}
	p := mt.Place
	where := b.placeLabel(x, p, lang)
	switch {
	case p.Kind == directory.PlaceRegion:
		b.regionAnswer(r, x, mt, lang)
		return
	case !mt.Own():
		b.noGroupAnswer(r, x, mt, where, lang)
		return
	case p.Kind == directory.PlaceCountry:
		r.Heading(i18n.Tr(lang, "find.groups_for", where))
		b.section(r, x, b.word(lang, "find.national"), mt.National, lang)
		// Local groups under their provinces.
		var group string
		for i, h := range mt.Local {
			if i == 0 || h.Org.Province != group {
				group = h.Org.Province
				title := x.SubdivisionNameIn(group, lang)
				if group == "" {
					title = i18n.Tr(lang, "find.elsewhere", x.CountryName(p.Country, lang))
				}
				r.Heading(title)
			}
			r.Blocks = append(r.Blocks, b.entry(x, h, lang, listCtx{province: group, country: p.Country}))
		}
		b.tiers(r, x, mt, lang, where)
	case p.Kind == directory.PlaceSubdivision:
		r.Heading(i18n.Tr(lang, "find.groups_in", where))
		b.list(r, x, mt.Local, lang, listCtx{province: p.Subdivision})
		b.section(r, x, b.word(lang, "find.national"), mt.National, lang)
		b.tiers(r, x, mt, lang, where)
	default: // a city
		r.Heading(i18n.Tr(lang, "find.groups_in", where))
		if len(mt.Local) == 0 {
			r.Add(T(i18n.Tr(lang, "find.none_in", p.Name)))
		}
		b.list(r, x, mt.Local, lang, listCtx{city: p.Name})
		b.section(r, x, i18n.Tr(lang, "find.near_place", p.Name), mt.Near, lang)
		b.section(r, x, b.word(lang, "find.national"), mt.National, lang)
		b.tiers(r, x, mt, lang, where)
	}
	if mt.More > 0 {
		r.Add(I(i18n.Tr(lang, "find.more", mt.More)))
	}
}

// tiers adds the regional networks and the international network.
func (b *Bot) tiers(r *Reply, x *directory.Index, mt *directory.Match, lang, where string) {
	b.section(r, x, b.word(lang, "find.regional"), mt.Regional, lang)
	b.section(r, x, b.word(lang, "network.international"), mt.International, lang)
}

// noGroupAnswer says plainly that a place has no group listed, then offers
// the regional networks serving it, the groups really near it (or says
// there are none), the international network and an invitation to suggest
// one.
func (b *Bot) noGroupAnswer(r *Reply, x *directory.Index, mt *directory.Match, where, lang string) {
	r.Heading(where)
	r.Add(T(i18n.Tr(lang, "find.none_yet", where)))
	// The country's own national bodies serve this place too, so they come
	// before the region's networks (Lisbon: CASO, then EuroNPUD).
	if len(mt.National) > 0 {
		b.section(r, x, b.word(lang, "find.national"), mt.National, lang)
	}
	if len(mt.Regional) > 0 {
		b.section(r, x, b.word(lang, "find.regional"), mt.Regional, lang)
	} else {
		r.Add(T(i18n.Tr(lang, "find.no_network", where)))
	}
	if len(mt.Nearest) > 0 {
		b.section(r, x, b.word(lang, "find.nearest"), mt.Nearest, lang)
	} else {
		r.Add(T(i18n.Tr(lang, "find.nearest_none")))
	}
	b.section(r, x, b.word(lang, "network.international"), mt.International, lang)
	r.Add(Rich(lang, "find.know_group", where)...)
}

// regionAnswer lists a region's networks, then a one-line index of its
// countries that have groups, then the international network.
func (b *Bot) regionAnswer(r *Reply, x *directory.Index, mt *directory.Match, lang string) {
	name := x.RegionName(mt.Place.Region, lang)
	r.Heading(i18n.Tr(lang, "find.region_heading", name))
	if len(mt.Regional) == 0 {
		r.Add(T(i18n.Tr(lang, "find.no_network", name)))
	}
	b.list(r, x, mt.Regional, lang, listCtx{})
	if len(mt.Countries) > 0 {
		parts := make([]string, len(mt.Countries))
		for i, c := range mt.Countries {
			parts[i] = x.CountryName(c.Code, lang) + " " + strconv.Itoa(c.Count)
		}
		r.Heading(b.word(lang, "find.countries"))
		r.Add(T(strings.Join(parts, " · ")))
		r.Add(I(i18n.Tr(lang, "find.countries_hint", x.CountryName(mt.Countries[0].Code, lang))))
	}
	b.section(r, x, b.word(lang, "network.international"), mt.International, lang)
}

func (b *Bot) section(r *Reply, x *directory.Index, title string, hits []directory.Hit, lang string) {
	if len(hits) == 0 {
		return
	}
	r.Heading(title)
	b.list(r, x, hits, lang, listCtx{})
}

func (b *Bot) list(r *Reply, x *directory.Index, hits []directory.Hit, lang string, c listCtx) {
	for _, h := range hits {
		r.Blocks = append(r.Blocks, b.entry(x, h, lang, c))
	}
}

// maxLabel bounds a button's label: an acronym, or the start of a name.
const maxLabel = 24

// entry is one group in a compact list: its name and acronym, where it is
// or what it covers, whether it is an ally, and on a second line its
// website; with a button that opens its card.
func (b *Bot) entry(x *directory.Index, h directory.Hit, lang string, c listCtx) Block {
	o := h.Org
	ph := b.phrase(lang)
	spans := make([]Span, 1, 6)
	spans[0] = B(o.Name)
	if o.Acronym != "" && !strings.EqualFold(o.Acronym, o.Name) {
		spans = append(spans, T(" ("+o.Acronym+")"))
	}
	var at [3]string
	where := at[:0]
	switch {
	case h.InPlace && c.city != "":
		where = append(where, fill(ph.inCity, c.city))
	case o.Kind == directory.KindRegional:
		where = append(where, ph.regional)
	case o.Kind == directory.KindInternational:
		where = append(where, ph.international)
	case o.Kind == directory.KindNational:
		w := ph.national
		if o.City != "" {
			w += ", " + o.City
		}
		if c.full && len(o.Countries) > 0 {
			w += ", " + x.CountryName(o.Countries[0], lang)
		}
		where = append(where, w)
	case o.City != "":
		w := o.City
		if o.Province != "" && o.Province != c.province {
			if s := x.SubdivisionOf(o.Province, o.City, lang); s != "" {
				w += ", " + s
			}
		}
		if c.full && len(o.Countries) > 0 {
			w += ", " + x.CountryName(o.Countries[0], lang)
		}
		where = append(where, w)
	case o.Province != "":
		area := x.SubdivisionNameIn(o.Province, lang)
		if c.province != "" && c.province != o.Province {
			// Listed for a province it serves beyond its own (BCYADWS
			// for Yukon): say both.
			area += ", " + x.SubdivisionNameIn(c.province, lang)
		}
		w := fill(ph.across, area)
		if c.full && len(o.Countries) > 0 {
			w += ", " + x.CountryName(o.Countries[0], lang)
		}
		where = append(where, w)
	case len(o.Countries) > 0 && o.Countries[0] != c.country:
		// A local group whose source names no city or province (NEUU,
		// Respect) still says which country it is in, unless it is
		// listed under that country's own answer.
		where = append(where, x.CountryName(o.Countries[0], lang))
	}
	if !h.InPlace && h.Km >= 0 {
		where = append(where, formatKm(float64(h.Km), lang, ph))
	}
	if ally(o) {
		where = append(where, ph.ally)
	}
	if len(where) > 0 {
		spans = append(spans, T(" — "+strings.Join(where, " · ")))
	}
	if u := b.firstLink(o); u != "" {
		spans = append(spans, T("\n"))
		spans = b.appendLinkSpans(spans, u, lang)
		// A dead main link is passed over but still shown, marked.
		if p := primaryLink(o); p != u && SafeURL(p) && b.unreachable(p) {
			spans = append(spans, T(" · "))
			spans = b.appendLinkSpans(spans, p, lang)
		}
	}
	return Block{Spans: spans, Buttons: []Button{{Label: shortName(o), Data: "/org " + o.ID}}}
}

// ally reports whether no source says the group is run by people who use
// drugs.
func ally(o *directory.Organisation) bool { return !peerRun(o) }

// firstLink is the link a compact entry shows: the first website, else
// the first social link, passing over links the checker found
// unreachable when the entry has one that answers (fresh.go).
func (b *Bot) firstLink(o *directory.Organisation) string {
	// The first of reachFirst's order that SafeURL accepts, without
	// building it: the first safe link not known to be down, else the
	// first safe one.
	var dead string
	for _, links := range [...][]string{o.Websites, o.Social} {
		for _, u := range links {
			if !SafeURL(u) {
				continue
			}
			if !b.unreachable(u) {
				return u
			}
			if dead == "" {
				dead = u
			}
		}
	}
	return dead
}

// shortName is a group's button label: its acronym, else its name, cut to
// maxLabel characters.
func shortName(o *directory.Organisation) string {
	s := o.Acronym
	if s == "" {
		s = o.Name
	}
	if r := []rune(s); len(r) > maxLabel {
		s = strings.TrimSpace(string(r[:maxLabel-1])) + "…"
	}
	return "ℹ " + s
}

// formatKm writes a distance in lang: "under 1 km", "2.5 km" ("2,5 km" in
// French), "390 km". Whole kilometres are written without grouping, as
// before ("1450 km").
func formatKm(km float64, lang string, ph *phrases) string {
	switch {
	case km < 1:
		return ph.words["km.under_one"]
	case km < 10:
		return i18n.Tr(lang, "km.tenths", km)
	}
	return fill(ph.kmWhole, strconv.FormatFloat(math.Round(km), 'f', 0, 64))
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
