package directory

import (
	"sort"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Org returns the organisation with the given id.
func (x *Index) Org(id string) (*Organisation, bool) {
	i, ok := x.orgByID.get(id)
	if !ok {
		return nil, false
	}
	return x.org(i), true
}

// Len is the number of organisations in the index.
func (x *Index) Len() int { return x.live }

// Orgs calls fn for every organisation, in index order, until fn returns
// false. The organisations must not be modified.
func (x *Index) Orgs(fn func(*Organisation) bool) {
	for i := range int32(x.orgs.len()) {
		if x.info.at(i).dead {
			continue
		}
		if !fn(x.org(i)) {
			return
		}
	}
}

// Country returns the country with the alpha-2 code.
func (x *Index) Country(code string) (*Country, bool) {
	i, ok := x.countryBy[strings.ToUpper(code)]
	if !ok {
		return nil, false
	}
	return &x.countries[i], true
}

// CountryName is the country's name in lang (a BCP 47 tag), falling back to
// the English name in the seed.
func (x *Index) CountryName(code, lang string) string {
	c, ok := x.Country(code)
	if !ok {
		return code
	}
	if lang == "" || strings.HasPrefix(lang, "en") {
		return c.Name
	}
	t, err := language.Parse(lang)
	if err != nil {
		return c.Name
	}
	reg, err := language.ParseRegion(code)
	if err != nil {
		return c.Name
	}
	if n := display.Regions(t).Name(reg); n != "" {
		return n
	}
	return c.Name
}

// SubdivisionName is the name of a province or state by its ISO code.
func (x *Index) SubdivisionName(code string) string {
	if i, ok := x.subBy[code]; ok {
		return x.subs[i].Name
	}
	return ""
}

// SubdivisionNameIn is the name of a province or state in lang (a BCP 47
// tag), falling back to its English name; "" for an unknown code.
func (x *Index) SubdivisionNameIn(code, lang string) string {
	i, ok := x.subBy[code]
	if !ok {
		return ""
	}
	s := &x.subs[i]
	if n := s.Names[baseLang(lang)]; n != "" {
		return n
	}
	return s.Name
}

// CityAndSubdivision names a seat in lang, city first: the city as
// written and its province's name (SubdivisionOf), each only when there is
// one; the caller adds the country in its own form.
func (x *Index) CityAndSubdivision(city, province, lang string) []string {
	var parts []string
	if city != "" {
		parts = append(parts, city)
	}
	if province != "" {
		if s := x.SubdivisionOf(province, city, lang); s != "" {
			parts = append(parts, s)
		}
	}
	return parts
}

// SubdivisionOf is the name in lang of the province or state a city is in,
// to show after the city's name; "" when the code is unknown or the
// province is named after the city in any language ("Berlin, Berlin";
// "Lisbon, Lisboa").
func (x *Index) SubdivisionOf(code, city, lang string) string {
	s := x.SubdivisionNameIn(code, lang)
	if s == "" || city == "" {
		return s
	}
	f := newFolder()
	cityNames := map[string]bool{f.fold(city): true}
	country, _, _ := strings.Cut(code, "-")
	if i, ok := x.cityKeys[f.fold(city)+"|"+country]; ok {
		for _, a := range x.cities[i].Aliases {
			cityNames[f.fold(a)] = true
		}
	}
	sub := &x.subs[x.subBy[code]]
	for _, n := range append(append([]string{s, sub.Name}, sub.Aliases...), namesOf(sub.Names)...) {
		if cityNames[f.fold(n)] {
			return ""
		}
	}
	return s
}

// RegionName is the region's name in lang (a BCP 47 tag), falling back to
// its English name.
func (x *Index) RegionName(id, lang string) string {
	i, ok := x.regionBy[id]
	if !ok {
		return id
	}
	g := &x.regions[i]
	if n := g.Names[baseLang(lang)]; n != "" {
		return n
	}
	return g.Name
}

// baseLang is the language of a BCP 47 tag without region or script:
// "pt-BR" → "pt".
func baseLang(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// Regions returns every region, sorted by name.
func (x *Index) Regions() []*Region {
	out := make([]*Region, len(x.regions))
	for i := range x.regions {
		out[i] = &x.regions[i]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Networks returns the regional networks serving a region, and the
// international ones.
func (x *Index) Networks(regionID string) (regional, international []*Organisation) {
	for _, id := range x.regional.at(regionID) {
		regional = append(regional, x.org(id))
	}
	for _, id := range x.international {
		international = append(international, x.org(id))
	}
	return regional, international
}

// FindRegion resolves a region by name or alias, correcting misspellings.
// A country or a place in a country resolves to the regions it belongs to,
// so "/network Kenya" answers too.
func (x *Index) FindRegion(query string) []*Region {
	f := newFolder()
	q := f.fold(query)
	if q == "" {
		return nil
	}
	refs, corrected := x.exactOrFuzzy(q)
	var out []*Region
	seen := map[int32]bool{}
	add := func(i int32) {
		if !seen[i] {
			seen[i] = true
			out = append(out, &x.regions[i])
		}
	}
	for _, r := range refs {
		if r.kind == refRegion {
			add(r.idx)
		}
	}
	if len(out) > 0 || corrected {
		// A misspelt region is corrected; a misspelt place is not taken
		// as its country's region ("Atlantis" is not Atlanta's).
		return out
	}
	for _, r := range refs {
		if p := x.place(r); p != nil && p.Country != "" {
			for _, g := range x.countryRegion[p.Country] {
				add(g)
			}
		}
	}
	return out
}

// Places resolves a query to places only (no organisations).
func (x *Index) Places(query string) []Place {
	out, _ := x.ResolvePlaces(query)
	return out
}

// ResolvePlaces resolves a query to places only, and says whether that took
// correcting a misspelling, for callers that must not guess (where a
// suggested organisation is).
func (x *Index) ResolvePlaces(query string) ([]Place, bool) {
	res := x.Search(query)
	if res.Partial {
		return nil, false
	}
	var out []Place
	for _, m := range res.Matches {
		if m.Place != nil {
			out = append(out, *m.Place)
		}
	}
	// Every reading, the most likely first: a caller that must not guess
	// (where a suggested group is) asks which one.
	out = append(out, res.Also...)
	return out, res.Corrected
}

// WhereIs returns the known city nearest to p, to name the country a
// shared location is in. It is a guess near borders, so callers use it only
// to name regional networks, never to filter groups.
func (x *Index) WhereIs(p Point) (City, bool) {
	ids := x.cityTree.nearest(p, 1, nil)
	if len(ids) == 0 {
		return City{}, false
	}
	return x.cities[ids[0]], true
}

// RegionsOf returns the regions a country belongs to.
func (x *Index) RegionsOf(country string) []*Region {
	var out []*Region
	for _, g := range x.countryRegion[country] {
		out = append(out, &x.regions[g])
	}
	return out
}

// Autocomplete returns up to n names of places, regions and organisations whose
// name (or a word of it) starts with prefix, folded, for autocomplete. Names
// starting with the prefix come first.
func (x *Index) Autocomplete(prefix string, n int) []string {
	p := Fold(prefix)
	var first, later []string
	seen := map[string]bool{}
	add := func(name string, isFirst bool) {
		if name == "" || seen[name] {
			return
		}
		seen[name] = true
		if isFirst {
			first = append(first, name)
		} else {
			later = append(later, name)
		}
	}
	x.eachName(func(nm *displayName) bool {
		if p == "" || strings.HasPrefix(nm.folded, p) {
			add(nm.display, true)
		} else if strings.Contains(nm.folded, " "+p) {
			add(nm.display, false)
		}
		return len(first) < n
	})
	out := append(first, later...)
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// eachName calls fn with the autocomplete names in folded order, Build's
// and With's merged (With's after Build's among equals), those With took
// away left out, until fn returns false.
func (x *Index) eachName(fn func(*displayName) bool) {
	var skipped map[displayName]int
	add := x.namesAdd
	for i := range x.names {
		nm := &x.names[i]
		for len(add) > 0 && add[0].folded < nm.folded {
			if !fn(&add[0]) {
				return
			}
			add = add[1:]
		}
		if del := x.namesDel[*nm]; del > 0 {
			if skipped == nil {
				skipped = map[displayName]int{}
			}
			if skipped[*nm] < del {
				skipped[*nm]++
				continue
			}
		}
		if !fn(nm) {
			return
		}
	}
	for i := range add {
		if !fn(&add[i]) {
			return
		}
	}
}
