package directory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortNearFirst is sortNearHead for cands in the order found, their
// largest distance as dref (what near_sort_test.go checks).
func sortNearFirst(cands []nearCand, k int) {
	var dmax float64
	for i := range cands {
		cands[i].pos = int32(i)
		dmax = max(dmax, cands[i].d)
	}
	sortNearHead(cands, k, dmax)
}

// sortNearHead must give sortNear's head whatever dref is to the
// distances (all beyond it, all within, none), for lists longer and
// shorter than the head, with ties common, and leave every group in.
func TestSortNearHeadIsSortNearsHead(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 43))
	for trial := range 2000 {
		n := r.IntN(3000)
		if trial%2 == 0 {
			n = r.IntN(300)
		}
		cands := make([]nearCand, n)
		distinct := 1 + r.IntN(2*n+1)
		for i := range cands {
			cands[i] = nearCand{id: int32(i), pos: int32(i), d: float64(r.IntN(distinct)) / float64(distinct), order: uint8(r.IntN(4))}
			if r.IntN(3) == 0 {
				cands[i].order &^= 1 // more with a point than without
			}
		}
		want := slices.Clone(cands)
		sortNear(want)
		k := []int{0, 1, MaxPerTier, r.IntN(n + 10)}[r.IntN(4)]
		dref := []float64{0, 1e-3, 0.25, 1, 2}[r.IntN(5)]
		// Spare room for sortNearHead's buffer, too little, or none.
		got := append(make([]nearCand, 0, n+[]int{0, n / 3, n}[r.IntN(3)]), cands...)
		sortNearHead(got, k, dref)
		for i := range min(k, n) {
			if got[i].id != want[i].id {
				t.Fatalf("trial %d (n %d, k %d, dref %v): position %d is %d, sortNear has %d", trial, n, k, dref, i, got[i].id, want[i].id)
			}
		}
		seen := make([]bool, n)
		for _, c := range got {
			if seen[c.id] {
				t.Fatalf("trial %d: %d twice", trial, c.id)
			}
			seen[c.id] = true
		}
		if len(got) != n {
			t.Fatalf("trial %d: %d groups of %d", trial, len(got), n)
		}
	}
}

// nearCityPlain is nearCity the straightforward way, as it was first
// written: every group within NearKm through within's callback, then the
// province's, marked as found, all of them sorted by sortNear.
func nearCityPlain(x *Index, s *scratch, at Point, sub string) []nearCand {
	var cands []nearCand
	x.localTree.within(at, NearKm, func(id int32, d float64) {
		if s.mark(id) {
			cands = append(cands, x.nearCand(id, true, d))
		}
	})
	if sub != "" {
		u := unit(at)
		for _, id := range x.subIn.at(sub) {
			if !s.mark(id) {
				continue
			}
			if x.info.at(id).real {
				cands = append(cands, x.nearCand(id, true, chord2(u, unit(*x.org(id).Coordinates))))
			} else {
				cands = append(cands, x.nearCand(id, false, 0))
			}
		}
	}
	sortNear(cands)
	return cands
}

// nearTestIndex is the seed with n more local groups, made to exercise
// what orders a city's nearby groups: allies, groups at a point of their
// own or only at their province's centre, closed ones, groups serving a
// further city, and half of them crowded into the few dozen cities of
// the Low Countries, so that some cities have thousands of groups within
// NearKm and many at exactly the same distance.
func nearTestIndex(t *testing.T, n int) *Index {
	t.Helper()
	seed := mustSeed(t)
	places := Build(seed, nil)
	var dense []int
	for i, c := range places.cities {
		if c.Country == "NL" || c.Country == "BE" {
			dense = append(dense, i)
		}
	}
	if len(dense) < 20 {
		t.Fatalf("only %d cities in NL and BE", len(dense))
	}
	r := rand.New(rand.NewPCG(17, 19))
	orgs := slices.Clone(seed.Organisations)
	for i := range n {
		ci := r.IntN(len(places.cities))
		if i%2 == 0 {
			ci = dense[r.IntN(len(dense))]
		}
		c := places.cities[ci]
		o := Organisation{
			ID: fmt.Sprintf("near-%d", i), Name: fmt.Sprintf("%s group %d", c.Name, i), Kind: KindLocal,
			Countries: []string{c.Country}, City: c.Name, Source: "test", Ally: r.IntN(5) == 0,
		}
		switch r.IntN(10) {
		case 0: // a point of its own near its city
			o.Coordinates = &Point{c.Lat + (r.Float64()-0.5)*0.5, c.Lon + (r.Float64()-0.5)*0.5}
		case 1: // only a province: a stand-in point
			if c.Subdivision != "" {
				o.City, o.Province = "", c.Subdivision
			}
		case 2:
			o.Status = StatusClosed
		case 3: // serving another city as well
			o2 := places.cities[dense[r.IntN(len(dense))]]
			if o2.Subdivision != "" {
				o.Serves = []string{o2.Name + ", " + o2.Subdivision}
			}
		}
		orgs = append(orgs, o)
	}
	x := Build(seed, orgs)
	if x.Len() < n/2 {
		t.Fatalf("index has %d organisations of %d", x.Len(), n)
	}
	return x
}

// nearCity at 100,000 organisations must give what nearCityPlain gives:
// the same number of groups, and the first MaxPerTier (all an answer
// shows) the same, in the same order, at the same distances, ties broken
// the same way; and appendNearPicks must give every one the same distance.
func TestNearCityIsPlain(t *testing.T) {
	x := nearTestIndex(t, 100_000)
	r := rand.New(rand.NewPCG(23, 29))
	s := x.getScratch()
	defer x.putScratch(s)
	// The most groups near one place, and how many heads had ties in
	// distance, which only the order found breaks.
	var most, tied int
	check := func(name string, at Point, sub string, own []int32) {
		t.Helper()
		s.resetMarks()
		for _, id := range own {
			s.mark(id)
		}
		want := nearCityPlain(x, s, at, sub)
		s.resetMarks()
		for _, id := range own {
			s.mark(id)
		}
		got := x.nearCity(s, at, sub)
		if len(got) != len(want) {
			t.Fatalf("%s: %d groups near, want %d", name, len(got), len(want))
		}
		most = max(most, len(want))
		for i := range min(MaxPerTier, len(want)) {
			if i > 0 && want[i].d == want[i-1].d && want[i].order == want[i-1].order {
				tied++
			}
			g, w := got[i], want[i]
			if g.id != w.id || g.d != w.d || g.order != w.order {
				t.Fatalf("%s: position %d is %+v, want %+v", name, i, g, w)
			}
		}
		var moreGot, moreWant int
		picks := x.appendNearPicks(nil, got, &moreGot)
		_ = capped(want, &moreWant)
		if moreGot != moreWant || len(picks) != min(MaxPerTier, len(want)) {
			t.Fatalf("%s: %d hits and %d more, want %d more", name, len(picks), moreGot, moreWant)
		}
		for i, h := range picks {
			km := float32(-1)
			if want[i].order&1 == 0 {
				km = float32(chordKm(want[i].d))
			}
			if h.id != want[i].id || h.km != km {
				t.Fatalf("%s: hit %d is %s at %v km, want %s at %v", name, i, x.org(h.id).ID, h.km, x.org(want[i].id).ID, km)
			}
		}
		s.near = got[:0]
	}
	for range 400 {
		ci := int32(r.IntN(len(x.cities)))
		if r.IntN(2) == 0 { // the cities with groups, crowded ones among them
			ci = x.info.at(int32(x.info.len() - 1 - r.IntN(100_000))).city
			if ci < 0 {
				continue
			}
		}
		c := &x.cities[ci]
		check(c.Name, Point{c.Lat, c.Lon}, c.Subdivision, x.cityList(ci))
	}
	for range 200 { // points that are not cities, inside a province or not
		c := &x.cities[r.IntN(len(x.cities))]
		at := Point{c.Lat + (r.Float64()-0.5)*2, c.Lon + (r.Float64()-0.5)*2}
		sub := ""
		if r.IntN(2) == 0 {
			sub = c.Subdivision
		}
		check(fmt.Sprint(at), at, sub, nil)
	}
	if most < 20*MaxPerTier || tied < 1000 {
		t.Fatalf("the test reached at most %d groups near one place and %d ties: it does not test the crowded case", most, tied)
	}
	t.Logf("at most %d groups near one place, %d ties in the heads", most, tied)
}

// appendWithin must find what within finds, in the same order (the one
// that breaks ties), at the same squared chords: over 100,000 points, a
// third of them sharing a few positions, from points anywhere, the poles
// and the antimeridian included, and radii from none to half the globe.
func TestAppendWithinIsWithin(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 37))
	randPoint := func() Point { return Point{r.Float64()*180 - 90, r.Float64()*360 - 180} }
	shared := make([]Point, 50)
	for i := range shared {
		shared[i] = randPoint()
	}
	pts := make([]geoPoint, 100_000)
	for i := range pts {
		p := randPoint()
		if i%3 == 0 {
			p = shared[r.IntN(len(shared))]
		}
		pts[i] = geoPoint{unit(p), int32(i)}
	}
	tree := newGeoTree(pts)
	var found int
	for trial := range 300 {
		at := randPoint()
		switch trial % 5 {
		case 0:
			at = shared[r.IntN(len(shared))]
		case 1:
			at = Point{90 * float64(1-2*r.IntN(2)), at.Lon}
		case 2:
			at.Lon = 180 * float64(1-2*r.IntN(2))
		}
		km := []float64{0, NearKm, FarKm, 10_000}[r.IntN(4)]
		var want []nearCand
		tree.within(at, km, func(id int32, d float64) { want = append(want, nearCand{id: id, d: d}) })
		got := tree.appendWithin(nil, at, km)
		if !slices.Equal(got, want) {
			t.Fatalf("near %v within %v km: appendWithin found %d, within %d, or in another order", at, km, len(got), len(want))
		}
		found += len(got)
	}
	if found == 0 {
		t.Fatal("no point was found near any")
	}
	if got := (&geoTree{}).appendWithin(nil, Point{}, FarKm); len(got) != 0 {
		t.Fatalf("an empty tree found %d", len(got))
	}
}
