package moderation

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/clean"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// Limits on what a suggestion may hold. They keep cards readable and the
// store small, and they bound the work one message can cause.
const (
	MinName        = 2
	MaxName        = 120
	MaxPlace       = 120
	MaxDescription = 500
	MaxProblem     = 500
	MaxLinks       = 3
	MaxLink        = 300
)

// Clean removes what must never reach a card or the directory: see
// clean.Text, which the core uses for what replies echo too.
func Clean(s string) string { return clean.Text(s) }

// Proposal is a suggestion as typed, before it is checked.
type Proposal struct {
	Name, Place, Links, Description string
}

// ParseLine reads the one-line form "Name | City, Country | https://site |
// what they do". Only the name and the place are required; a third field
// that is not a link is taken as the description.
func ParseLine(s string) Proposal {
	parts := strings.Split(s, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	var p Proposal
	if len(parts) > 0 {
		p.Name = parts[0]
	}
	if len(parts) > 1 {
		p.Place = parts[1]
	}
	rest := parts[min(len(parts), 2):]
	if len(rest) > 0 && !looksLikeLinks(rest[0]) {
		p.Description = strings.Join(rest, " | ")
		return p
	}
	if len(rest) > 0 {
		p.Links = rest[0]
	}
	if len(rest) > 1 {
		p.Description = strings.Join(rest[1:], " | ")
	}
	return p
}

func looksLikeLinks(s string) bool {
	if s == "" {
		return true
	}
	f := strings.Fields(s)[0]
	low := strings.ToLower(f)
	return strings.Contains(low, "://") || strings.HasPrefix(low, "www.") || strings.HasPrefix(low, "javascript:") ||
		strings.HasPrefix(low, "data:") || (strings.Contains(f, ".") && !strings.Contains(f, " ") && len(strings.Fields(s)) <= MaxLinks+2)
}

// parseLinks checks each link: http or https only (a bare "www.x.org" gets
// https://), a host, no credentials, within the caps.
func parseLinks(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if len(fields) > MaxLinks {
		return nil, errorf(invalid, "mod.links_too_many", MaxLinks)
	}
	var out []string
	for _, f := range fields {
		if len(f) > MaxLink {
			return nil, errorf(invalid, "mod.link_too_long", MaxLink)
		}
		low := strings.ToLower(f)
		if !strings.Contains(low, "://") && !strings.Contains(low, ":") {
			f = "https://" + f
		}
		if !bot.SafeURL(f) {
			return nil, errorf(invalid, "mod.link_not_web", clean.Echo(f, 60))
		}
		u, _ := url.Parse(f)
		if !strings.Contains(u.Hostname(), ".") {
			return nil, errorf(invalid, "mod.link_no_host", clean.Echo(f, 60))
		}
		if sc := hostMixesScripts(f); sc != nil {
			// The address is not echoed: it is made to deceive.
			return nil, errorf(invalid, "mod.link_mixed_scripts", strings.Join(sc, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// resolved is a suggestion's place as the directory understands it.
type resolved struct {
	city, province, country string
	point                   directory.Point
	kind                    directory.Kind
}

// label names the place in lang: "Lyon, Auvergne-Rhône-Alpes, France".
func (r resolved) label(x *directory.Index, lang string) string {
	parts := x.CityAndSubdivision(r.city, r.province, lang)
	return strings.Join(append(parts, x.CountryName(r.country, lang)), ", ")
}

// resolvePlace finds where a suggested organisation is. It must come to one
// known country; a city the directory does not know is kept as typed when
// what follows its comma is a known province or country. Its errors are
// written for a reader of lang.
func resolvePlace(x *directory.Index, text, lang string) (resolved, error) {
	text = Clean(text)
	if text == "" {
		return resolved{}, errorf(invalid, "mod.place_missing")
	}
	if len([]rune(text)) > MaxPlace {
		return resolved{}, errorf(invalid, "mod.place_too_long", MaxPlace)
	}
	all, corrected := x.ResolvePlaces(text)
	places := countryPlaces(all)
	if len(places) == 0 || corrected {
		// "Faro, Portugal": a town the directory does not know, in a
		// province or country it does. Keep the town as typed.
		if i := strings.LastIndexAny(text, ",;"); i > 0 {
			head, tail := strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+1:])
			outerAll, fixed := x.ResolvePlaces(tail)
			outer := countryPlaces(outerAll)
			if len(outer) == 1 && head != "" && !fixed && outer[0].Kind != directory.PlaceCity {
				r := fromPlace(outer[0])
				r.city = head
				r.kind = directory.KindLocal
				return r, nil
			}
		}
		if len(places) > 0 {
			// A guess is fine for a search, not for a listing: ask.
			return resolved{}, errorf(invalid, "mod.place_did_you_mean", fromPlace(places[0]).label(x, lang))
		}
		return resolved{}, errorf(invalid, "mod.place_unknown", clean.Echo(text, 60))
	}
	if len(places) > 1 {
		names := fromPlace(places[0]).label(x, lang)
		for _, p := range places[1:] {
			names = i18n.Tr(lang, "list.or", names, fromPlace(p).label(x, lang))
		}
		return resolved{}, errorf(invalid, "mod.place_ambiguous",
			truncate(text, 60), names, truncate(text, 40), x.CountryName(places[0].Country, lang))
	}
	return fromPlace(places[0]), nil
}

func countryPlaces(ps []directory.Place) []directory.Place {
	var out []directory.Place
	for _, p := range ps {
		if p.Country != "" && p.Kind != directory.PlaceRegion {
			out = append(out, p)
		}
	}
	return out
}

func fromPlace(p directory.Place) resolved {
	r := resolved{country: p.Country, point: p.Point, kind: directory.KindLocal}
	switch p.Kind {
	case directory.PlaceCity:
		r.city = p.Name
		r.province = p.Subdivision
	case directory.PlaceSubdivision:
		r.province = p.Subdivision
	default:
		r.kind = directory.KindNational
	}
	return r
}

// buildOrg checks a proposal and turns it into an organisation (without an
// id: that is given on approval). Its errors are written for lang.
func buildOrg(x *directory.Index, p Proposal, lang string) (*directory.Organisation, resolved, error) {
	name := Clean(p.Name)
	n := utf8.RuneCountInString(name)
	if n < MinName {
		return nil, resolved{}, errorf(invalid, "mod.name_missing")
	}
	if n > MaxName {
		return nil, resolved{}, errorf(invalid, "mod.name_too_long", MaxName)
	}
	place, err := resolvePlace(x, p.Place, lang)
	if err != nil {
		return nil, resolved{}, err
	}
	links, err := parseLinks(Clean(p.Links))
	if err != nil {
		return nil, resolved{}, err
	}
	desc := Clean(p.Description)
	if utf8.RuneCountInString(desc) > MaxDescription {
		return nil, resolved{}, errorf(invalid, "mod.description_too_long", MaxDescription)
	}
	o := &directory.Organisation{
		Name:        name,
		Kind:        place.kind,
		Countries:   []string{place.country},
		Province:    place.province,
		City:        place.city,
		Description: desc,
		Sources:     []directory.Source{{Title: communitySource, Date: directory.Undated}},
	}
	pt := place.point
	o.Coordinates = &pt
	if acr := acronymIn(name); acr != "" {
		o.Acronym = acr
		if short := strings.TrimSpace(name[:strings.LastIndexByte(name, '(')]); utf8.RuneCountInString(short) >= MinName {
			o.Name = short
		}
	}
	for _, l := range links {
		if isSocial(l) {
			o.Social = append(o.Social, l)
		} else {
			o.Websites = append(o.Websites, l)
		}
	}
	return o, place, nil
}

// acronymIn picks an acronym written in the name: "Toronto Drug Users Union
// (TDUU)" → "TDUU".
func acronymIn(name string) string {
	i, j := strings.LastIndexByte(name, '('), strings.LastIndexByte(name, ')')
	if i < 0 || j < i+2 {
		return ""
	}
	a := strings.TrimSpace(name[i+1 : j])
	if len(a) < 2 || len(a) > 15 || strings.ContainsAny(a, " ") {
		return ""
	}
	return a
}

func isSocial(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
	for _, s := range []string{"facebook.com", "fb.com", "instagram.com", "twitter.com", "x.com", "t.me", "bsky.app", "mastodon.social", "youtube.com", "tiktok.com"} {
		if h == s || strings.HasSuffix(h, "."+s) {
			return true
		}
	}
	return false
}

// host is a link's host without "www.", for comparing websites.
func host(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
}

// describe is a one-line description of an org for cards and listings,
// its country named in lang.
func describe(x *directory.Index, o *directory.Organisation, lang string) string {
	s := o.Name
	if o.Acronym != "" && !strings.Contains(o.Name, o.Acronym) {
		s += " (" + o.Acronym + ")"
	}
	var where []string
	if o.City != "" {
		where = append(where, o.City)
	}
	if len(o.Countries) > 0 {
		where = append(where, x.CountryName(o.Countries[0], lang))
	}
	if len(where) > 0 {
		s += fmt.Sprintf(" — %s", strings.Join(where, ", "))
	}
	return s
}

// communitySource is the source title of an entry suggested in the bot.
const communitySource = directory.CommunitySource
