package directory

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// PlaceKind says what a Place is.
type PlaceKind uint8

const (
	PlaceCountry PlaceKind = iota + 1
	PlaceSubdivision
	PlaceCity
	PlaceRegion
)

// Place is somewhere a query can name.
type Place struct {
	Kind        PlaceKind
	Name        string
	Country     string // alpha-2; empty for a region
	Subdivision string // ISO 3166-2 code, for subdivisions and cities
	Region      string // region id, for regions
	Point       Point  // zero for a region
}

// refKind and ref name one thing a search key can lead to.
type refKind uint8

const (
	refOrg refKind = iota + 1
	refCountry
	refSub
	refCity
	refRegion
)

type ref struct {
	kind refKind
	idx  int32
}

// Languages whose country names the index understands, beyond the names in
// the seed files. They are the bot's reply languages.
var placeNameLanguages = []language.Tag{
	language.English, language.French, language.Spanish, language.Portuguese,
	language.Russian, language.German, language.Indonesian,
}

// Index is an immutable, in-memory snapshot of the directory built for
// search. It is safe for concurrent use; a changed directory gets a new
// Index rather than a changed one, so no search ever waits on a store.
type Index struct {
	seedVersion string

	orgs      []Organisation
	orgByID   map[string]int32
	countries []Country
	countryBy map[string]int32 // alpha-2 → countries
	subs      []Subdivision
	subBy     map[string]int32 // ISO 3166-2 → subs
	cities    []City           // every city, capitals included, Country always set
	cityKeys  map[string]int32 // folded name + "|" + country → cities
	regions   []Region
	regionBy  map[string]int32

	keys     map[string][]ref // folded name → what it names
	postings map[string][]ref // folded word → what has it in a name
	refWords map[ref][]string // what → the folded words of its names
	vocab    map[string]int32 // folded word → id
	words    [][]rune         // id → word
	deletes  map[string][]int32

	// Ranked lists, computed once so that a search only slices them.
	cityLocal     map[int32][]int32  // city → local groups in it, then its province-wide groups
	subLocal      map[string][]int32 // subdivision → local groups, nearest its point first
	countryLocal  map[string][]int32 // country → local groups, nearest its capital first
	national      map[string][]int32 // country → national bodies
	regional      map[string][]int32 // region id → regional networks
	regionOrgs    map[string][]int32 // region id → national then local groups in its countries
	countryRegion map[string][]int32 // country → regions it belongs to
	international []int32
	groups        *geoTree // local and national groups with coordinates
	cityTree      *geoTree // every city, for "where is this point"

	// names are display names for autocomplete, sorted by folded form.
	names []displayName

	problems []string
}

type displayName struct{ folded, display string }

// Problems lists entries that were left out of the index because they were
// inconsistent (an unknown country code, say). The seed has none; a test
// makes sure.
func (x *Index) Problems() []string { return x.problems }

// SeedVersion is the version of the seed the index was built from.
func (x *Index) SeedVersion() string { return x.seedVersion }

// Build makes an index from the places and regions of seed and the given
// organisations (the seed's, merged with community changes: see Merge).
// Organisations that refer to unknown places are left out and reported by
// Problems rather than failing the build, so one bad record cannot stop the
// bot from answering.
func Build(seed *Seed, orgs []Organisation) *Index {
	x := &Index{
		seedVersion:   seed.Version,
		orgByID:       make(map[string]int32, len(orgs)),
		countryBy:     make(map[string]int32, len(seed.Countries)),
		subBy:         make(map[string]int32, len(seed.Subdivisions)),
		regionBy:      make(map[string]int32, len(seed.Regions)),
		keys:          make(map[string][]ref),
		postings:      make(map[string][]ref),
		refWords:      make(map[ref][]string),
		vocab:         make(map[string]int32),
		deletes:       make(map[string][]int32),
		cityLocal:     make(map[int32][]int32),
		subLocal:      make(map[string][]int32),
		countryLocal:  make(map[string][]int32),
		national:      make(map[string][]int32),
		regional:      make(map[string][]int32),
		regionOrgs:    make(map[string][]int32),
		countryRegion: make(map[string][]int32),
	}
	f := newFolder()
	x.addPlaces(f, seed)
	x.addOrgs(f, orgs)
	x.rank()
	x.completions(f)
	return x
}

// completions lists what autocomplete offers: organisations by acronym and
// name, countries, provinces, cities with groups, and regions.
func (x *Index) completions(f *folder) {
	add := func(s string) {
		if s != "" {
			x.names = append(x.names, displayName{f.fold(s), s})
		}
	}
	for _, o := range x.orgs {
		add(o.Acronym)
		add(o.Name)
	}
	for _, c := range x.countries {
		add(c.Name)
	}
	for _, s := range x.subs {
		if len(x.subLocal[s.Code]) > 0 {
			add(s.Name)
		}
	}
	for ci := range x.cityLocal {
		add(x.cities[ci].Name)
	}
	for _, g := range x.regions {
		add(g.Name)
	}
	sort.Slice(x.names, func(i, j int) bool { return x.names[i].folded < x.names[j].folded })
}

func (x *Index) addKey(f *folder, name string, r ref) {
	k := f.fold(name)
	if k == "" {
		return
	}
	for _, have := range x.keys[k] {
		if have == r {
			return
		}
	}
	x.keys[k] = append(x.keys[k], r)
	for _, w := range strings.Fields(k) {
		x.addWord(w, r)
	}
}

func (x *Index) addWord(w string, r ref) {
	p := x.postings[w]
	if n := len(p); n == 0 || p[n-1] != r {
		x.postings[w] = append(p, r)
		x.refWords[r] = append(x.refWords[r], w)
	}
	if _, ok := x.vocab[w]; ok {
		return
	}
	id := int32(len(x.words))
	rw := []rune(w)
	x.vocab[w] = id
	x.words = append(x.words, rw)
	if len(rw) < 3 {
		return
	}
	seen := map[string]bool{}
	deletions(rw, 2, func(d string) {
		if !seen[d] {
			seen[d] = true
			x.deletes[d] = append(x.deletes[d], id)
		}
	})
}

func (x *Index) addPlaces(f *folder, seed *Seed) {
	namers := make([]display.Namer, len(placeNameLanguages))
	for i, t := range placeNameLanguages {
		namers[i] = display.Regions(t)
	}
	cityKey := map[string]int32{}
	addCity := func(c City) int32 {
		k := f.fold(c.Name) + "|" + c.Country
		if i, ok := cityKey[k]; ok {
			// Listed twice (a capital that also has groups): keep the
			// fuller record's subdivision and aliases.
			have := &x.cities[i]
			if have.Subdivision == "" {
				have.Subdivision = c.Subdivision
			}
			have.Aliases = append(have.Aliases, c.Aliases...)
			return i
		}
		i := int32(len(x.cities))
		cityKey[k] = i
		x.cities = append(x.cities, c)
		return i
	}
	x.countries = append(x.countries, seed.Countries...)
	for i, c := range x.countries {
		r := ref{refCountry, int32(i)}
		x.countryBy[c.Code] = int32(i)
		x.addKey(f, c.Name, r)
		x.addKey(f, c.Code, r)
		x.addKey(f, c.Alpha3, r)
		for _, a := range c.Aliases {
			x.addKey(f, a, r)
		}
		for _, a := range c.Local {
			x.addKey(f, a, r)
		}
		if reg, err := language.ParseRegion(c.Code); err == nil {
			for _, n := range namers {
				if name := n.Name(reg); name != "" {
					x.addKey(f, name, r)
				}
			}
		}
		capital := c.Capital
		capital.Country = c.Code
		addCity(capital)
	}
	x.subs = append(x.subs, seed.Subdivisions...)
	for i, s := range x.subs {
		r := ref{refSub, int32(i)}
		x.subBy[s.Code] = int32(i)
		x.addKey(f, s.Name, r)
		x.addKey(f, s.Code, r)
		for _, a := range s.Aliases {
			x.addKey(f, a, r)
		}
	}
	for _, c := range seed.Cities {
		addCity(c)
	}
	cityPts := make([]geoPoint, 0, len(x.cities))
	for i, c := range x.cities {
		r := ref{refCity, int32(i)}
		x.addKey(f, c.Name, r)
		for _, a := range c.Aliases {
			x.addKey(f, a, r)
		}
		cityPts = append(cityPts, geoPoint{unit(Point{c.Lat, c.Lon}), int32(i)})
	}
	x.cityTree = newGeoTree(cityPts)
	x.regions = append(x.regions, seed.Regions...)
	for i, g := range x.regions {
		r := ref{refRegion, int32(i)}
		x.regionBy[g.ID] = int32(i)
		x.addKey(f, g.Name, r)
		x.addKey(f, g.ID, r)
		for _, a := range g.Aliases {
			x.addKey(f, a, r)
		}
		for _, c := range g.Countries {
			x.countryRegion[c] = append(x.countryRegion[c], int32(i))
		}
	}
	x.cityKeys = cityKey
}

// addOrgs validates each organisation, fills in its coordinates and indexes
// its names.
func (x *Index) addOrgs(f *folder, orgs []Organisation) {
	for _, o := range orgs {
		if err := x.complete(f, &o); err != nil {
			x.problems = append(x.problems, fmt.Sprintf("%s: %v", o.ID, err))
			continue
		}
		if _, dup := x.orgByID[o.ID]; dup {
			x.problems = append(x.problems, fmt.Sprintf("%s: listed twice", o.ID))
			continue
		}
		i := int32(len(x.orgs))
		x.orgByID[o.ID] = i
		x.orgs = append(x.orgs, o)
		r := ref{refOrg, i}
		x.addKey(f, o.Name, r)
		x.addKey(f, o.Acronym, r)
		for _, n := range o.OtherNames {
			x.addKey(f, n, r)
		}
	}
}

// complete checks that o refers only to known places and gives it
// coordinates when it has none: its city's, else its province's, else its
// country's capital. Regional and international networks need none.
func (x *Index) complete(f *folder, o *Organisation) error {
	if o.ID == "" || o.Name == "" {
		return fmt.Errorf("no id or name")
	}
	if !o.Kind.Valid() {
		return fmt.Errorf("unknown kind %q", o.Kind)
	}
	for _, c := range o.Countries {
		if _, ok := x.countryBy[c]; !ok {
			return fmt.Errorf("unknown country %q", c)
		}
	}
	for _, g := range o.Regions {
		if _, ok := x.regionBy[g]; !ok {
			return fmt.Errorf("unknown region %q", g)
		}
	}
	if (o.Kind == KindLocal || o.Kind == KindNational) && len(o.Countries) == 0 {
		return fmt.Errorf("a %s group needs a country", o.Kind)
	}
	if o.Kind == KindRegional && len(o.Regions) == 0 {
		return fmt.Errorf("a regional network needs a region")
	}
	if o.Province != "" {
		if _, ok := x.subBy[o.Province]; !ok {
			return fmt.Errorf("unknown province %q", o.Province)
		}
	}
	if o.Coordinates != nil {
		if !o.Coordinates.Valid() {
			return fmt.Errorf("coordinates out of range")
		}
		return nil
	}
	if o.City != "" && len(o.Countries) > 0 {
		i, ok := x.cityKeys[f.fold(o.City)+"|"+o.Countries[0]]
		if !ok {
			return fmt.Errorf("unknown city %q in %s", o.City, o.Countries[0])
		}
		c := x.cities[i]
		o.Coordinates = &Point{c.Lat, c.Lon}
		return nil
	}
	if o.Province != "" {
		p := x.subs[x.subBy[o.Province]].Point
		o.Coordinates = &p
		return nil
	}
	if len(o.Countries) > 0 {
		c := x.countries[x.countryBy[o.Countries[0]]].Capital
		o.Coordinates = &Point{c.Lat, c.Lon}
	}
	return nil
}

// rank fills the precomputed lists search slices from.
func (x *Index) rank() {
	f := newFolder()
	var pts []geoPoint
	for i := range x.orgs {
		o := &x.orgs[i]
		id := int32(i)
		switch o.Kind {
		case KindInternational:
			x.international = append(x.international, id)
		case KindRegional:
			for _, g := range o.Regions {
				x.regional[g] = append(x.regional[g], id)
			}
		case KindNational:
			for _, c := range o.Countries {
				x.national[c] = append(x.national[c], id)
			}
		case KindLocal:
			for _, c := range o.Countries {
				x.countryLocal[c] = append(x.countryLocal[c], id)
			}
			if o.Province != "" {
				x.subLocal[o.Province] = append(x.subLocal[o.Province], id)
			}
			if o.City != "" && len(o.Countries) > 0 {
				if ci, ok := x.cityKeys[f.fold(o.City)+"|"+o.Countries[0]]; ok {
					x.cityLocal[ci] = append(x.cityLocal[ci], id)
				}
			}
		}
		if (o.Kind == KindLocal || o.Kind == KindNational) && o.Coordinates != nil {
			pts = append(pts, geoPoint{unit(*o.Coordinates), id})
		}
	}
	x.groups = newGeoTree(pts)

	byName := func(ids []int32) {
		sort.SliceStable(ids, func(i, j int) bool { return x.orgs[ids[i]].Name < x.orgs[ids[j]].Name })
	}
	byDistance := func(ids []int32, p Point) {
		sort.SliceStable(ids, func(i, j int) bool {
			return x.dist(ids[i], p) < x.dist(ids[j], p)
		})
	}
	for c, ids := range x.countryLocal {
		cap := x.countries[x.countryBy[c]].Capital
		byDistance(ids, Point{cap.Lat, cap.Lon})
	}
	for s, ids := range x.subLocal {
		byDistance(ids, x.subs[x.subBy[s]].Point)
	}
	for ci, ids := range x.cityLocal {
		byName(ids)
		// Then the groups that serve the whole province the city is in.
		if s := x.cities[ci].Subdivision; s != "" {
			for _, id := range x.subLocal[s] {
				if x.orgs[id].City == "" {
					ids = append(ids, id)
				}
			}
		}
		x.cityLocal[ci] = ids
	}
	// Cities with no group of their own still get their province's groups.
	for ci, c := range x.cities {
		if _, ok := x.cityLocal[int32(ci)]; ok || c.Subdivision == "" {
			continue
		}
		var ids []int32
		for _, id := range x.subLocal[c.Subdivision] {
			if x.orgs[id].City == "" {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			x.cityLocal[int32(ci)] = ids
		}
	}
	for _, ids := range x.national {
		byName(ids)
	}
	for _, ids := range x.regional {
		byName(ids)
	}
	byName(x.international)
	for gi, g := range x.regions {
		var nat, loc []int32
		for _, c := range g.Countries {
			nat = append(nat, x.national[c]...)
			loc = append(loc, x.countryLocal[c]...)
		}
		byName(nat)
		byName(loc)
		x.regionOrgs[x.regions[gi].ID] = append(nat, loc...)
	}
}

func (x *Index) dist(id int32, p Point) float64 {
	o := &x.orgs[id]
	if o.Coordinates == nil {
		return -1
	}
	return DistanceKm(*o.Coordinates, p)
}
