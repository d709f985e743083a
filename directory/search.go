package directory

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Hit is an organisation as an answer lists it.
type Hit struct {
	Org *Organisation
	// Km is the distance from the place asked about, shown only between two
	// real points (a city or a shared location, and a group's city); -1
	// otherwise. A float32 is exact enough for a distance shown to a tenth
	// of a kilometre, and keeps a Hit at 16 bytes with one pointer: an
	// answer at 100,000 organisations holds hundreds of hits, and their
	// size and pointers were most of a search's allocation and of the
	// collector's work on it.
	Km float32
	// InPlace is true when the group is in the city asked about (seated
	// there or serving it): answers read "in Ottawa" (the match's
	// Place.Name) rather than a distance. A country's answer lists its
	// local groups under their provinces: Org.Province.
	InPlace bool
}

// Match is one answer to a query: either a place with the groups that serve
// it, or (Place == nil) organisations found by name.
//
// The lists are in the order answers show them, each with peer-run groups
// before allies of the same rank:
//   - a country: National, then Local (its local groups under their
//     provinces, provinces by name), Regional, International;
//   - a province: Local (its groups and those serving it), National,
//     Regional, International;
//   - a city: Local (groups in it, national bodies seated there included),
//     Near (within NearKm or in its province, nearest first), National,
//     Regional, International;
//   - a region: Regional, Countries (an index of its countries with
//     groups), International;
//   - a place with no group of its own adds Nearest: groups within FarKm or
//     in one of its regions, nearest first.
type Match struct {
	Place *Place
	// Orgs are organisations the query named, when Place is nil, best
	// first.
	Orgs                                           []*Organisation
	Local, Near, National, Regional, International []Hit
	Nearest                                        []Hit
	// Countries indexes a region's countries that have groups, most first.
	Countries []CountryCount
	// Regions the place belongs to.
	Regions []*Region
	// More counts groups left out because a list was longer than MaxPerTier.
	More int
}

// Own reports whether the place has groups of its own: in it, near it (a
// city), or national bodies (a country).
func (m *Match) Own() bool {
	if m.Place == nil {
		return len(m.Orgs) > 0
	}
	if len(m.Local) > 0 || len(m.Near) > 0 {
		return true
	}
	return m.Place.Kind == PlaceCountry && len(m.National) > 0
}

// Result is the answer to a query.
type Result struct {
	// Corrected is true when the query matched only after correcting a
	// misspelling; Matches then hold the corrected reading.
	Corrected bool
	// Partial is true when nothing was named exactly and the matches are
	// names that hold most of the query's words.
	Partial bool
	// Matches hold the answer: organisations the query names, or the one
	// place it most likely means (going by whether it has groups, then by
	// how well known it is), or both.
	Matches []Match
	// Also are at most MaxAlso other places the query could mean
	// ("Victoria" in Australia when it answered for British Columbia).
	Also []Place
}

// MaxAlso is how many other readings of an ambiguous place a result names.
const MaxAlso = 3

// NearestCount is how many nearby groups an answer offers when a place has
// none of its own.
const NearestCount = 5

// Search is the one search the whole bot uses. It matches the query case-
// and accent-insensitively against organisation names, acronyms and other
// names, cities, provinces, countries (any alias, in the bot's languages) and
// regions; corrects small misspellings in words of five letters or more;
// understands a qualifier after a comma or a last word ("Victoria, BC",
// "Toronto ON"); ignores the words of a question around what it asks
// ("is there a users union in Paris?"); finds a name and a place given
// together in either order ("ASUD Paris"); and otherwise ranks every
// organisation that holds most of the query's words by BM25F over its
// names and description. It never touches a store.
func (x *Index) Search(query string) Result {
	f := newFolder()
	q := f.fold(query)
	if q == "" {
		return Result{}
	}
	var res Result
	refs := x.resolve(f, query, q, &res)
	var words []string // q's words, needed only when q names nothing as a whole
	if len(refs) == 0 {
		words = strings.Fields(q)
		if kept := withoutFiller(words); len(kept) > 0 && len(kept) < len(words) {
			words = kept
			k := strings.Join(kept, " ")
			refs = x.resolve(f, k, k, &res)
		}
	}
	if len(refs) > 0 {
		res.Matches = x.matches(refs, &res)
		return res
	}
	res.Corrected = false
	if m, ok := x.freeText(words, &res); ok {
		res.Matches = m
		return res
	}
	// Last, the words corrected: "Humanitarian Organisaton".
	if fixed, changed := x.corrected(words); changed {
		if m, ok := x.freeText(fixed, &res); ok {
			res.Matches = m
			res.Corrected = true
			return res
		}
	}
	return res
}

// withoutFiller drops the words of a question around what it asks.
func withoutFiller(words []string) []string {
	var out []string
	for _, w := range words {
		if !fillerWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// maxPlaceWords bounds the words a place's name may have when it is looked
// for at the start or the end of free text.
const maxPlaceWords = 4

// freeText answers words that no name or place matches as a whole: a place
// at either end with a name in the rest ("ASUD Paris", "drug users union
// denmark", "methadone Montreal") gives the organisations of that name that
// serve the place; a name alone, every organisation holding most of its
// words, best first; a place whose rest names nothing, the place ("users
// union paris").
func (x *Index) freeText(words []string, res *Result) ([]Match, bool) {
	var fallback []ref
	for k := min(maxPlaceWords, len(words)-1); k >= 1; k-- {
		for _, side := range [2]bool{false, true} {
			var place, rest []string
			if side {
				place, rest = words[:k], words[k:]
			} else {
				place, rest = words[len(words)-k:], words[:len(words)-k]
			}
			refs := placeRefs(x.refsFor(strings.Join(place, " ")))
			if len(refs) == 0 {
				continue
			}
			var named []string
			for _, w := range rest {
				if !genericWords[w] {
					named = append(named, w)
				}
			}
			if len(named) == 0 {
				// "groups in Dublin": the place's groups.
				return x.matches(refs, res), true
			}
			rest = named
			ids, total := x.rankNamesServing(rest, place, refs)
			if len(ids) > 0 {
				res.Partial = true
				return []Match{x.orgMatch(ids, total)}, true
			}
			if fallback == nil {
				fallback = refs
			}
		}
	}
	if ids, total := x.rankNames(words, nil, nil); len(ids) > 0 {
		res.Partial = true
		return []Match{x.orgMatch(ids, total)}, true
	}
	if fallback != nil {
		return x.matches(fallback, res), true
	}
	return nil, false
}

func placeRefs(refs []ref) []ref {
	var out []ref
	for _, r := range refs {
		if r.kind != refOrg {
			out = append(out, r)
		}
	}
	return out
}

// orgMatch is the answer listing organisations by name: the best of
// total matches, at most MaxPerTier.
func (x *Index) orgMatch(ids []int32, total int) Match {
	m := Match{}
	if total > len(ids) {
		m.More = total - len(ids)
	}
	for _, id := range ids {
		m.Orgs = append(m.Orgs, x.org(id))
	}
	return m
}

// serves reports whether organisation id serves one of the places: a
// country, province or region it covers; for a city, one seated in it or
// serving it, in its province, within NearKm, or a national body of its
// country.
func (x *Index) serves(id int32, places []ref) bool {
	o := x.org(id)
	for _, p := range places {
		if p.kind != refCity {
			if x.within(ref{refOrg, id}, p) {
				return true
			}
			for _, s := range x.info.at(id).serves {
				if s == p || (s.kind == refCity && x.within(s, p)) {
					return true
				}
			}
			continue
		}
		c := &x.cities[p.idx]
		if !slices.Contains(o.Countries, c.Country) {
			continue
		}
		if x.info.at(id).city == p.idx || slices.Contains(x.cityList(p.idx), id) || o.Kind == KindNational ||
			(c.Subdivision != "" && o.Province == c.Subdivision) ||
			(o.Coordinates != nil && x.info.at(id).real && DistanceKm(*o.Coordinates, Point{c.Lat, c.Lon}) <= NearKm) {
			return true
		}
	}
	return false
}

// corrected replaces each word of five letters or more that no name or
// place has with the nearest known words' first (closeWords sorts them).
func (x *Index) corrected(words []string) ([]string, bool) {
	out := make([]string, len(words))
	changed := false
	for i, w := range words {
		out[i] = w
		if _, ok := x.wordID(w); ok {
			continue
		}
		if _, ok := x.bm.term(nameWord(w)); ok {
			continue
		}
		if cands, _ := x.closeWords(w); len(cands) > 0 {
			out[i], changed = cands[0], true
		}
	}
	return out, changed
}

// resolve finds what q names exactly, after splitting off a qualifier, or
// after correcting misspellings, in that order.
func (x *Index) resolve(f *folder, raw, q string, res *Result) []ref {
	if refs := x.refsFor(q); len(refs) > 0 {
		return refs
	}
	if refs, fixed := x.qualified(f, raw, q); len(refs) > 0 {
		res.Corrected = fixed
		return refs
	}
	if refs := x.fuzzy(q); len(refs) > 0 {
		res.Corrected = true
		return refs
	}
	return nil
}

// exactOrFuzzy looks q up, correcting it if need be.
func (x *Index) exactOrFuzzy(q string) ([]ref, bool) {
	if refs := x.refsFor(q); len(refs) > 0 {
		return refs, false
	}
	refs := x.fuzzy(q)
	return refs, len(refs) > 0
}

// qualified handles "head, qualifier" and "head qualifier": the head names
// a place or organisation, the qualifier a place that narrows it.
func (x *Index) qualified(f *folder, raw, q string) ([]ref, bool) {
	try := func(head, qual string) ([]ref, bool) {
		h, hf := x.exactOrFuzzy(head)
		if len(h) == 0 {
			return nil, false
		}
		qs, qf := x.exactOrFuzzy(qual)
		if len(qs) == 0 {
			qs = x.subCodes(h, qual)
		}
		if len(qs) == 0 {
			return nil, false
		}
		var out []ref
		for _, r := range h {
			for _, w := range qs {
				if x.within(r, w) {
					out = append(out, r)
					break
				}
			}
		}
		return out, hf || qf
	}
	if i := strings.IndexAny(raw, ",;/("); i > 0 {
		head, qual := f.fold(raw[:i]), f.fold(raw[i+1:])
		if head != "" && qual != "" {
			if refs, fixed := try(head, qual); len(refs) > 0 {
				return refs, fixed
			}
			// "Winnipeg, nowhere": answer for the head alone.
			return x.exactOrFuzzy(head)
		}
	}
	if !strings.ContainsFunc(q, unicode.IsSpace) {
		return nil, false // one word: no head and qualifier to split
	}
	words := strings.Fields(q)
	for i := len(words) - 1; i >= 1; i-- {
		if refs, fixed := try(strings.Join(words[:i], " "), strings.Join(words[i:], " ")); len(refs) > 0 {
			return refs, fixed
		}
	}
	return nil, false
}

// subCodes reads a short qualifier as the code of a subdivision in the
// country of one of refs: "ON" after Toronto is Ontario (CA-ON), though
// "on" alone is a word, not a place.
func (x *Index) subCodes(refs []ref, qual string) []ref {
	if len(qual) < 1 || len(qual) > 3 || strings.Contains(qual, " ") {
		return nil
	}
	var out []ref
	for _, r := range refs {
		var country string
		switch r.kind {
		case refCity:
			country = x.cities[r.idx].Country
		case refOrg:
			if cs := x.org(r.idx).Countries; len(cs) > 0 {
				country = cs[0]
			}
		}
		if country == "" {
			continue
		}
		if i, ok := x.subBy[country+"-"+strings.ToUpper(qual)]; ok {
			out = appendRefs(out, []ref{{refSub, i}})
		}
	}
	return out
}

// within reports whether r lies in (or serves) the place w.
func (x *Index) within(r, w ref) bool {
	var country, sub string
	switch r.kind {
	case refCity:
		c := x.cities[r.idx]
		country, sub = c.Country, c.Subdivision
	case refSub:
		sub = x.subs[r.idx].Code
		country, _, _ = strings.Cut(sub, "-")
	case refOrg:
		o := x.org(r.idx)
		sub = o.Province
		for _, c := range o.Countries {
			if x.within(ref{refCountry, x.countryBy[c]}, w) {
				return true
			}
		}
	case refCountry:
		country = x.countries[r.idx].Code
	default:
		return false
	}
	switch w.kind {
	case refCountry:
		return country != "" && x.countries[w.idx].Code == country
	case refSub:
		return sub != "" && x.subs[w.idx].Code == sub
	case refRegion:
		for _, g := range x.countryRegion[country] {
			if g == w.idx {
				return true
			}
		}
	}
	return false
}

// fuzzy corrects each word of q that is not a known word to the nearest
// known words and looks the corrected phrase up. Of all corrections that
// name something, it keeps those with the fewest edits.
//
// Every correction of a word costs the same (closeWords gives the words
// at one distance), so every phrase costs the same: all of them are looked
// up, in order (the last word's options varying fastest), and what they
// name is gathered in that order.
func (x *Index) fuzzy(q string) []ref {
	const maxWords = 6
	var wbuf [maxWords + 1]string
	words := wbuf[:0]
	for w := range strings.FieldsSeq(q) {
		if len(words) == maxWords {
			return nil
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return nil
	}
	// options[i] are word i's readings: itself when known, else at most
	// four corrections.
	var options [maxWords][]string
	var obuf [maxWords][4]string
	changed := false
	for i, w := range words {
		if _, ok := x.wordID(w); ok {
			obuf[i][0] = w
			options[i] = obuf[i][:1]
			continue
		}
		cands, _ := x.appendCloseWords(obuf[i][:0], w, 4)
		if len(cands) == 0 {
			return nil
		}
		changed = true
		options[i] = cands
	}
	if !changed {
		return nil
	}
	var out []ref
	var at [maxWords]int // the option of each word in the phrase looked up
	var pbuf [maxWords]string
	for {
		parts := pbuf[:len(words)]
		for i := range parts {
			parts[i] = options[i][at[i]]
		}
		if refs := x.refsFor(strings.Join(parts, " ")); len(refs) > 0 {
			if out == nil && !hasDuplicate(refs) {
				// The index's own list, as an exact lookup returns
				// it; clipped, so that refs a later phrase names are
				// appended to a copy.
				out = slices.Clip(refs)
			} else {
				out = appendRefs(out, refs)
			}
		}
		// The next phrase: the last word's next option, carrying over.
		i := len(words) - 1
		for ; i >= 0; i-- {
			if at[i]++; at[i] < len(options[i]) {
				break
			}
			at[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// closeWords returns the known words nearest to w (all at the same, smallest
// distance, sorted), and that distance.
//
// It looks up the deletions of none or one of w's runes first, and those of
// two only when they find no word within one edit. A word one edit from w
// shares with it a string made by deleting at most one rune from each of
// their indexed prefixes (fuzzyPrefix runes): the rune substituted, from
// both; a rune the transposition swaps, from both, or at the end of the
// prefixes the last rune of each; the rune inserted, from the longer word,
// and the last rune of the other's prefix if it is full (an edit beyond
// the prefixes leaves them equal). Every word the index holds has its
// one-rune deletions indexed (TestCloseWordsEqualsReference). So the
// second round, two thirds of the lookups of a long word, could only bring
// words farther than the best already found.
func (x *Index) closeWords(w string) ([]string, int) {
	return x.appendCloseWords(nil, w, -1)
}

// appendCloseWords is closeWords appending the words to dst, and only the
// first n of them (all if n < 0): a string is made only for a word given.
func (x *Index) appendCloseWords(dst []string, w string, n int) ([]string, int) {
	var rbuf [32]rune
	rw := rbuf[:0]
	for _, r := range w {
		rw = append(rw, r)
	}
	limit := maxEdits(len(rw))
	if limit == 0 {
		return dst, 0
	}
	var hbuf [fuzzyPrefix * (fuzzyPrefix - 1) / 2]uint64
	best := limit + 1
	var obuf [4][]rune
	found := obuf[:0] // the words at best so far, as runes: a string only once an answer
	var seen wordSet
	for _, two := range [2]bool{false, true} {
		if two && best <= 1 {
			break
		}
		for _, h := range deletionHashes(hbuf[:0], rw, limit, two) {
			places, orgs, since := x.deletionWords(h)
			for _, ids := range [3][]int32{places, orgs, since} {
				for _, id := range ids {
					if !seen.add(id) || !x.fuzzyLive(id) {
						continue
					}
					cand := x.wordRunes(id)
					switch dist := editDistance(rw, cand, min(limit, best)); {
					case dist < best:
						best, found = dist, append(found[:0], cand)
					case dist == best && dist <= limit:
						found = append(found, cand)
					}
				}
			}
		}
	}
	if best > limit {
		return dst, 0
	}
	if len(found) > 1 {
		// Runes compare as their UTF-8 strings do.
		slices.SortFunc(found, slices.Compare)
	}
	if n >= 0 && len(found) > n {
		found = found[:n]
	}
	for _, cand := range found {
		dst = append(dst, string(cand))
	}
	return dst, best
}

// hasDuplicate reports whether a ref comes twice in refs.
func hasDuplicate(refs []ref) bool {
	for i, r := range refs {
		if slices.Contains(refs[:i], r) {
			return true
		}
	}
	return false
}

func appendRefs(dst, src []ref) []ref {
	for _, r := range src {
		dup := false
		for _, d := range dst {
			if d == r {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, r)
		}
	}
	return dst
}

// matches turns refs into answers: one for all the organisations named,
// then one for the place most likely meant; the other places go to also.
func (x *Index) matches(refs []ref, res *Result) []Match {
	var orgs []*Organisation
	var places []ref
	for _, r := range refs {
		if r.kind == refOrg {
			if o := x.org(r.idx); listed(o) {
				orgs = append(orgs, o)
			}
		} else {
			places = append(places, r)
		}
	}
	if len(orgs) == 0 && len(places) == 0 {
		return nil
	}
	out := make([]Match, 0, min(1, len(orgs))+min(1, len(places)))
	if len(orgs) > 0 {
		slices.SortStableFunc(orgs, func(a, b *Organisation) int {
			if c := cmp.Compare(a.Kind.Rank(), b.Kind.Rank()); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
		out = append(out, Match{Orgs: orgs})
	}
	if len(places) == 0 {
		return out
	}
	x.byLikelihood(places)
	out = append(out, x.placeMatch(places[0]))
	if len(places) > 1 {
		res.Also = make([]Place, 0, min(MaxAlso, len(places)-1))
	}
	for _, r := range places[1:] {
		if len(res.Also) == MaxAlso {
			break
		}
		res.Also = append(res.Also, x.placeOf(r))
	}
	return out
}

// byLikelihood orders the readings of an ambiguous place, most likely
// first. The seed has no populations, so it goes by what it has: a place
// with groups of its own first; then a region, a country, a city the
// hand-written cities.yaml lists (in its order: people ask about those), a
// hand-written province; then other places, those in a country with groups
// first.
func (x *Index) byLikelihood(places []ref) {
	if len(places) < 2 {
		return
	}
	type scored struct {
		r ref
		s float64
	}
	// On the stack for the few readings a name has.
	var buf [8]scored
	in := buf[:0]
	for _, r := range places {
		in = append(in, scored{r, x.likelihood(r)})
	}
	slices.SortStableFunc(in, func(a, b scored) int { return cmp.Compare(b.s, a.s) })
	for i := range in {
		places[i] = in[i].r
	}
}

// likelihood is byLikelihood's score of one reading: higher is likelier.
func (x *Index) likelihood(r ref) float64 {
	p := x.placeOf(r)
	countryOwn := 0.0
	if p.Country != "" && len(x.national.at(p.Country))+len(x.countryLocal.at(p.Country)) > 0 {
		countryOwn = 50
	}
	var s float64
	switch r.kind {
	case refRegion:
		s = 500
		if len(x.regional.at(p.Region)) > 0 {
			s += 1000
		}
	case refCountry:
		s = 400
		if countryOwn > 0 {
			s += 1000
		}
	case refSub:
		s = 100 + countryOwn
		if int(r.idx) < x.curatedSubs {
			s = 300
		}
		if len(x.subIn.at(p.Subdivision)) > 0 {
			s += 1000
		}
	case refCity:
		// A city before a generated province of the same name
		// (Minsk), a capital before other cities.
		s = 105 + countryOwn
		if int(r.idx) < len(x.countries) {
			s += 20
		}
		if pos, ok := x.cityListed[r.idx]; ok {
			s = 320 - float64(pos)/1000
		}
		if len(x.cityList(r.idx)) > 0 {
			s += 1000
		}
	}
	return s
}

func (x *Index) place(r ref) *Place {
	p := x.placeOf(r)
	if p.Kind == 0 {
		return nil
	}
	return &p
}

// placeOf is the place r names, by value (Kind 0 if r names none).
func (x *Index) placeOf(r ref) Place {
	switch r.kind {
	case refCountry:
		c := &x.countries[r.idx]
		return Place{Kind: PlaceCountry, Name: c.Name, Country: c.Code, Point: Point{c.Capital.Lat, c.Capital.Lon}}
	case refSub:
		s := &x.subs[r.idx]
		country, _, _ := strings.Cut(s.Code, "-")
		return Place{Kind: PlaceSubdivision, Name: s.Name, Country: country, Subdivision: s.Code, Point: s.Point}
	case refCity:
		c := &x.cities[r.idx]
		return Place{Kind: PlaceCity, Name: c.Name, Country: c.Country, Subdivision: c.Subdivision, Point: Point{c.Lat, c.Lon}}
	case refRegion:
		g := &x.regions[r.idx]
		return Place{Kind: PlaceRegion, Name: g.Name, Region: g.ID}
	}
	return Place{}
}
