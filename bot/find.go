package bot

import (
	"context"
	"fmt"
	"strings"

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
		r := Text("Tell me a place or a group's name, for example /find Canada, /find Vancouver or /find VANDU.")
		r.Location = m.Chat.Private
		return r, nil
	}
	if len(q) > maxQuery {
		return nil, Errorf(Invalid, "That's a long search. Please use a place or a group's name of up to %d characters.", maxQuery)
	}
	x := b.dir.Index()
	if rest, ok := cutNear(q); ok {
		places := x.Places(rest)
		if len(places) == 0 || places[0].Kind == directory.PlaceRegion {
			return Text(fmt.Sprintf("I couldn't find a place called “%s”. Try a city or a country, for example /find near Lyon.", rest)), nil
		}
		return b.near(m, places[0].Point, b.placeLabel(x, &places[0], m.Lang)), nil
	}
	res := x.Search(q)
	if len(res.Matches) == 0 {
		return Text(fmt.Sprintf("I couldn't find anything for “%s”. Try a country, a city or a group's name, such as /find Canada or /find VANDU. "+
			"If you know a group that should be listed, tell us with /suggest.", q)), nil
	}
	r := &Reply{Private: true}
	if res.Corrected {
		r.Add(I(fmt.Sprintf("Showing results for “%s”.", b.matchName(x, &res.Matches[0], m.Lang))))
	}
	if res.Partial {
		r.Add(I(fmt.Sprintf("Nothing is called “%s” exactly; these names contain those words.", q)))
	}
	if len(res.Matches) > 1 {
		r.Add(T(fmt.Sprintf("“%s” could mean more than one thing, so here is each:", q)))
	}
	for i := range res.Matches {
		b.renderMatch(r, x, &res.Matches[i], m.Lang, len(res.Matches) > 1)
	}
	return r, nil
}

// cutNear splits "near Lyon" into "Lyon".
func cutNear(q string) (string, bool) {
	low := strings.ToLower(q)
	for _, p := range []string{"near ", "near:", "around "} {
		if strings.HasPrefix(low, p) {
			if rest := strings.TrimSpace(q[len(p):]); rest != "" {
				return rest, true
			}
		}
	}
	return "", false
}

// near answers with the groups nearest a point, and the regional networks
// of the country it is in. The point is used and forgotten.
func (b *Bot) near(m *Message, p directory.Point, label string) *Reply {
	x := b.dir.Index()
	r := &Reply{Private: true}
	if label == "" {
		label = "you"
	}
	hits := x.Near(p, directory.NearestCount, nil)
	r.Heading(fmt.Sprintf("Groups nearest to %s", label))
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
			r.Heading("Networks for the region")
			for _, h := range nets {
				r.Blocks = append(r.Blocks, b.card(x, h, m.Lang))
			}
		}
	}
	r.Add(T("Your location was used for this answer only and has not been stored."))
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
		if p.Subdivision != "" {
			parts = append(parts, x.SubdivisionName(p.Subdivision))
		}
		parts = append(parts, x.CountryName(p.Country, lang))
	case directory.PlaceSubdivision:
		parts = append(parts, x.CountryName(p.Country, lang))
	}
	return strings.Join(parts, ", ")
}

func (b *Bot) renderMatch(r *Reply, x *directory.Index, mt *directory.Match, lang string, several bool) {
	if mt.Place == nil {
		if several {
			r.Heading("Groups by that name")
		}
		for _, o := range mt.Orgs {
			r.Blocks = append(r.Blocks, b.card(x, directory.Hit{Org: o, Km: -1}, lang))
		}
		return
	}
	where := b.placeLabel(x, mt.Place, lang)
	if mt.Place.Kind == directory.PlaceRegion {
		r.Heading(fmt.Sprintf("%s (region)", where))
		b.section(r, x, "Regional networks", mt.Regional, lang)
		b.section(r, x, "Groups in the region", mt.Local, lang)
		b.section(r, x, "International network", mt.International, lang)
		return
	}
	if several {
		r.Heading(where)
	}
	in := "in"
	if mt.Place.Kind == directory.PlaceCountry {
		in = "for"
	}
	if !mt.Own() {
		r.Add(T(fmt.Sprintf("There's no group listed in %s yet.", where)))
	}
	b.section(r, x, fmt.Sprintf("Groups %s %s", in, where), mt.Local, lang)
	b.section(r, x, "National groups", mt.National, lang)
	b.section(r, x, "Nearest groups", mt.Nearest, lang)
	b.section(r, x, "Regional networks", mt.Regional, lang)
	b.section(r, x, "International network", mt.International, lang)
	if !mt.Own() {
		r.Add(T(fmt.Sprintf("Know a peer-run group in %s? Tell us with ", where)), C("/suggest Name | City, Country | website | what they do"))
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
		where = append(where, x.SubdivisionName(o.Province))
	}
	switch {
	case len(o.Countries) == 1:
		where = append(where, x.CountryName(o.Countries[0], lang))
	case o.Kind == directory.KindRegional && len(o.Regions) > 0:
		where = append(where, "regional network")
	case o.Kind == directory.KindInternational:
		where = append(where, "international network")
	}
	line := strings.Join(where, ", ")
	if h.Km >= 0 {
		line += fmt.Sprintf(" — %s", formatKm(h.Km))
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

func formatKm(km float64) string {
	switch {
	case km < 1:
		return "under 1 km"
	case km < 10:
		return fmt.Sprintf("%.1f km", km)
	}
	return fmt.Sprintf("%.0f km", km)
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
