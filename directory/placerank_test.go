package directory

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The name ranking narrowed by a place as it was before the place's
// organisations were listed from its side (servedSet): every match of the
// name filtered by serves. Copied here, with the serves and within of
// then, as the reference the faster paths are compared with.

func refRankNamesKeep(x *Index, words, bonus []string, keep func(int32) bool) ([]int32, int) {
	ni := x.bm
	q := ni.query(words, bonus)
	if len(q.terms) == 0 || q.want == 0 {
		return nil, 0
	}
	acc := map[int32]*accum{}
	var touched []int32
	for _, t := range q.terms {
		idf := float32(ni.idfOf(t))
		for _, p := range ni.post(t) {
			a := acc[p.org]
			if a == nil {
				a = &accum{}
				acc[p.org] = a
			}
			if a.cover == 0 {
				touched = append(touched, p.org)
			}
			a.score += p.impact
			a.cover += idf
		}
	}
	for _, t := range q.extra {
		for _, p := range ni.post(t) {
			if a := acc[p.org]; a != nil && a.cover != 0 {
				a.score += p.impact
			}
		}
	}
	need := float32(minCoverage * q.want * 0.9999)
	var out []int32
	total := 0
	for _, id := range touched {
		if a := acc[id]; a.cover >= need && (keep == nil || keep(id)) {
			total++
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if sa, sb := acc[out[i]].score, acc[out[j]].score; sa != sb {
			return sa > sb
		}
		return *ni.nameOrder.at(out[i]) < *ni.nameOrder.at(out[j])
	})
	return out[:min(len(out), MaxPerTier)], total
}

func refServes(x *Index, id int32, places []ref) bool {
	o := x.org(id)
	for _, p := range places {
		if p.kind != refCity {
			if refWithin(x, ref{refOrg, id}, p) {
				return true
			}
			for _, s := range x.info.at(id).serves {
				if s == p || (s.kind == refCity && refWithin(x, s, p)) {
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

func refWithin(x *Index, r, w ref) bool {
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
			if refWithin(x, ref{refCountry, x.countryBy[c]}, w) {
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
		return slices.Contains(x.countryRegion[country], w.idx)
	}
	return false
}

// placeRankOrgs are synthetic organisations of every kind and shape serves
// looks at: many local groups (a fifth of them in a few cities, so that a
// city serves hundreds), national bodies seated in a city, regional and
// international networks with countries and seats, groups with a
// province (not always their city's), groups serving a city or a province
// elsewhere, groups at coordinates of their own, and closed ones.
func placeRankOrgs(t *testing.T, r *rand.Rand, n int) (*Seed, []Organisation) {
	seed := mustSeed(t)
	x := Build(seed, nil)
	orgs := syntheticOrgs(seed, n)
	busy := []string{"Vancouver", "Toronto", "Montreal", "Paris", "Berlin", "Ottawa"}
	var busyCities []City
	for _, c := range x.cities {
		if slices.Contains(busy, c.Name) {
			busyCities = append(busyCities, c)
		}
	}
	if len(busyCities) < 4 {
		t.Fatalf("only %d of the busy cities found", len(busyCities))
	}
	for i := range orgs {
		o := &orgs[i]
		if i%5 == 0 {
			c := busyCities[r.IntN(len(busyCities))]
			o.City, o.Countries = c.Name, []string{c.Country}
			o.Name = fmt.Sprintf("%s %s", c.Name, o.Name)
		}
		switch i % 41 {
		case 3:
			o.Kind = KindNational
		case 7:
			o.Kind = KindRegional
			o.Regions = []string{x.regions[r.IntN(len(x.regions))].ID}
		case 11:
			o.Kind = KindInternational
		case 13:
			o.Status = StatusClosed
		}
		if i%17 == 0 {
			o.Province = x.subs[r.IntN(len(x.subs))].Code
		}
		if i%19 == 0 {
			c := busyCities[r.IntN(len(busyCities))]
			o.Serves = append(o.Serves, c.Name+", "+c.Country)
		}
		if i%23 == 0 {
			o.Serves = append(o.Serves, x.subs[r.IntN(len(x.subs))].Code)
		}
		if i%29 == 0 {
			c := busyCities[r.IntN(len(busyCities))]
			// Around the city, some of them farther than NearKm.
			o.Coordinates = &Point{c.Lat + (r.Float64()-0.5)*3, c.Lon + (r.Float64()-0.5)*3}
		}
		if i%31 == 0 {
			o.Countries = append(o.Countries, x.countries[r.IntN(len(x.countries))].Code)
		}
	}
	return seed, append(slices.Clone(seed.Organisations), orgs...)
}

// placeRankPlaces are random places to narrow names by: of every kind,
// one or several at once (an ambiguous name). Most provinces are those an
// organisation other than a local group names (its province or one it
// serves) and the busy cities', so that the odd cases (a national body
// with a province, or serving a city of one) are asked about.
func placeRankPlaces(r *rand.Rand, x *Index) [][]ref {
	var named []int32
	for id := range int32(x.orgs.len()) {
		o := x.org(id)
		if o.Province != "" && o.Kind != KindLocal {
			named = append(named, x.subBy[o.Province])
		}
		for _, sv := range x.info.at(id).serves {
			if sv.kind == refSub && o.Kind != KindLocal {
				named = append(named, sv.idx)
			}
		}
	}
	busy := map[string]bool{"Vancouver": true, "Toronto": true, "Montreal": true, "Paris": true, "Berlin": true, "Ottawa": true}
	var cities, subless []int32
	for i, c := range x.cities {
		if busy[c.Name] {
			cities = append(cities, int32(i))
			if c.Subdivision != "" {
				named = append(named, x.subBy[c.Subdivision])
			}
		}
		if c.Subdivision == "" {
			subless = append(subless, int32(i))
		}
	}
	one := func() ref {
		switch r.IntN(7) {
		case 0, 1:
			return ref{refCity, cities[r.IntN(len(cities))]}
		case 2:
			return ref{refCity, int32(r.IntN(len(x.cities)))}
		case 3:
			if len(subless) > 0 {
				return ref{refCity, subless[r.IntN(len(subless))]}
			}
			return ref{refCity, int32(r.IntN(len(x.cities)))}
		case 4:
			if r.IntN(4) != 0 && len(named) > 0 {
				return ref{refSub, named[r.IntN(len(named))]}
			}
			return ref{refSub, int32(r.IntN(len(x.subs)))}
		case 5:
			return ref{refCountry, int32(r.IntN(len(x.countries)))}
		}
		return ref{refRegion, int32(r.IntN(len(x.regions)))}
	}
	var out [][]ref
	for range 80 {
		places := []ref{one()}
		if r.IntN(4) == 0 {
			places = appendRefs(places, []ref{one()})
		}
		out = append(out, places)
	}
	return out
}

var placeRankCommon = []string{"drug", "users", "union", "network", "people", "peer", "harm", "reduction", "alliance", "voices",
	"rights", "collective", "society", "league", "forum", "action", "community", "survivors", "advocates", "project"}

var placeRankRare = []string{"vancouver", "toronto", "paris", "berlin", "asud", "nowhereland", "canada", "17", "montreal", "ottawa"}

func placeRankWords(r *rand.Rand) (words, bonus []string) {
	for range 1 + r.IntN(4) {
		if r.IntN(4) == 0 {
			words = append(words, placeRankRare[r.IntN(len(placeRankRare))])
		} else {
			words = append(words, placeRankCommon[r.IntN(len(placeRankCommon))])
		}
	}
	if r.IntN(2) == 0 {
		bonus = append(bonus, placeRankRare[r.IntN(len(placeRankRare))])
	}
	return words, bonus
}

// TestPlaceRankingEqualsFiltering checks, over a directory large enough
// for common words to get bitsets and on an Index derived from it by
// With (dead slots, new slots, re-weighed words), that a name narrowed by
// a place is ranked exactly as filtering every match by serves ranks it:
// the set servedSet lists is every listed organisation serves accepts, and
// each way of ranking within it (scoring each, the dense ranking narrowed
// to it, and rankNamesServing's choice) gives the same best in the same
// order and the same count.
func TestPlaceRankingEqualsFiltering(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 77))
	seed, orgs := placeRankOrgs(t, r, 9000)
	x := Build(seed, orgs)
	if len(x.bm.dense) < 10 {
		t.Fatalf("%d dense words; the test needs the synthetic vocabulary's", len(x.bm.dense))
	}
	// Derived: removals, edits (new names, a closure) and additions.
	var changes []Change
	for i := range 300 {
		o := orgs[len(seed.Organisations)+r.IntN(len(orgs)-len(seed.Organisations))]
		switch i % 4 {
		case 0:
			changes = append(changes, Change{ID: o.ID, Removed: true})
			continue
		case 1:
			o.Name = fmt.Sprintf("%s peer harm reduction %d", o.Name, i)
		case 2:
			o.Status = StatusClosed
		default:
			o.ID = fmt.Sprintf("added-%d", i)
			o.Name = fmt.Sprintf("%s drug users union %d", o.City, i)
			o.Acronym = ""
		}
		changes = append(changes, Change{ID: o.ID, Org: &o})
	}
	y, ok := x.With(changes)
	if !ok {
		t.Fatal("With could not derive the index")
	}
	if x.cross.by.Load() == nil {
		t.Fatal("a built index has not filled its cross-border lists")
	}
	// The derived index, first as its searches find it until its lists
	// are filled (the cities' lists read instead: a crossBorder marked
	// started that no fill will complete), then with them filled.
	y.cross = new(crossBorder)
	y.cross.started.Store(true)
	t.Run("built", func(t *testing.T) { checkPlaceRanking(t, r, x) })
	t.Run("derived, lists unfilled", func(t *testing.T) { checkPlaceRanking(t, r, y) })
	if y.crossBorderOf() != nil {
		t.Fatal("the derived index's cross-border lists were filled, which this test did not ask for")
	}
	y.cross.fill(y)
	if y.crossBorderOf() == nil {
		t.Fatal("the derived index's cross-border lists are not there after fill")
	}
	t.Run("derived, lists filled", func(t *testing.T) { checkPlaceRanking(t, r, y) })
}

// TestDerivedIndexFillsItsCrossBorderListsInTheBackground: an index made
// by With answers before its cross-border lists are filled, starts filling
// them at the first search that needs them, and then has the lists a fresh
// fill of it gives.
func TestDerivedIndexFillsItsCrossBorderListsInTheBackground(t *testing.T) {
	seed := mustSeed(t)
	x := Build(seed, seed.Organisations)
	o := seed.Organisations[0]
	o.Name += " Peer Network"
	y, ok := x.With([]Change{{ID: o.ID, Org: &o}})
	if !ok {
		t.Fatal("With could not derive the index")
	}
	if y.cross == nil || y.cross.by.Load() != nil {
		t.Fatal("a derived index should start with its own, unfilled, cross-border lists")
	}
	if len(y.Search("drug users Europe").Matches) == 0 && len(x.Search("drug users Europe").Matches) != 0 {
		t.Fatal("the derived index found nothing before its lists were filled")
	}
	deadline := time.Now().Add(10 * time.Second)
	for y.crossBorderOf() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the derived index's cross-border lists were not filled within 10 s of a search")
		}
		runtime.Gosched()
	}
	if got, want := y.crossBorderOf(), y.crossBorderLists(); !maps.EqualFunc(got, want, slices.Equal) {
		t.Error("the lists filled in the background are not those of a fresh fill")
	}
}

func checkPlaceRanking(t *testing.T, r *rand.Rand, x *Index) {
	ni := x.bm
	var sets, among, dense, queries int
	for _, places := range placeRankPlaces(r, x) {
		s := x.getScratch()
		n, ok := x.servedSet(s, places)
		served := slices.Clone(s.servedList())
		if len(served) != n {
			t.Errorf("places %v: servedSet counts %d, lists %d", places, n, len(served))
		}
		if ok {
			sets++
			var want []int32
			for id := range int32(x.orgs.len()) {
				if !x.info.at(id).dead && listed(x.org(id)) && refServes(x, id, places) {
					want = append(want, id)
				}
			}
			got := slices.Clone(served)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("places %v: servedSet lists %d organisations, serves accepts %d", places, len(got), len(want))
			}
		}
		for range 10 {
			words, bonus := placeRankWords(r)
			keep := func(id int32) bool { return refServes(x, id, places) }
			wantIDs, wantTotal := refRankNamesKeep(x, words, bonus, keep)
			check := func(how string, ids []int32, total int) {
				if total != wantTotal || !slices.Equal(ids, wantIDs) {
					t.Errorf("%q (bonus %q) in %v, %s: %d matches, best %v; filtering gives %d, best %v",
						strings.Join(words, " "), bonus, places, how, total, ids[:min(5, len(ids))], wantTotal, wantIDs[:min(5, len(wantIDs))])
				}
			}
			queries++
			ids, total := x.rankNamesServing(words, bonus, places)
			check("rankNamesServing", ids, total)
			q := ni.query(words, bonus)
			if !ok || len(q.terms) == 0 || q.want == 0 {
				continue
			}
			need := float32(minCoverage * q.want * 0.9999)
			ids, total = ni.rankAmong(s, q, need, served)
			among++
			check("scoring each", slices.Clone(ids), total)
			if ids, total, ok := ni.rankDenseIn(s, q, need, s.served); ok {
				dense++
				check("dense ranking", slices.Clone(ids), total)
			}
			// As putScratch leaves it, but for the set served.
			for _, id := range s.exclIDs {
				s.excl[id>>6] = 0
			}
			s.exclIDs = s.exclIDs[:0]
		}
		x.putScratch(s)
	}
	t.Logf("%d queries; %d places listed from their side; %d ranked by scoring each, %d by the dense ranking", queries, sets, among, dense)
	if sets < 20 || dense < 50 {
		t.Fatalf("too few places listed (%d) or dense rankings (%d): the test tries too little", sets, dense)
	}
}
