package directory

import (
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

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

// Index is an immutable, in-memory snapshot of the directory built for
// search. It is safe for concurrent use; a changed directory gets a new
// Index rather than a changed one, so no search ever waits on a store.
type Index struct {
	seedVersion string
	// strHash hashes the keys of the persistent maps: one seed per Build,
	// shared by every Index With derives from it.
	strHash func(string) uint64

	// The organisations, by slot. A slot is an organisation's id within
	// this index (ref.idx, the lists' int32s): it keeps it while it is
	// edited, and a removed organisation leaves its slot dead (info.dead,
	// a zero Organisation) so that no other moves (see With). Slots are in
	// Merge's order, which is what every tie between two organisations
	// falls back on.
	orgs      cvec[Organisation]
	info      cvec[orgInfo]
	live      int             // slots not dead
	orgByID   smap[int32]     // live organisations' ids → slot
	deadSeed  smap[int32]     // removed seed organisations' ids → their slot, which they take again
	seedIDs   map[string]bool // the seed's organisations, which keep their slot (With)
	countries []Country
	countryBy map[string]int32 // alpha-2 → countries
	subs      []Subdivision
	subBy     map[string]int32 // ISO 3166-2 → subs
	cities    []City           // every city, capitals included, Country always set
	cityKeys  map[string]int32 // folded name + "|" + country → cities
	regions   []Region
	regionBy  map[string]int32

	// keys and vocab are the place index's own (a place index builds
	// them), and an organisation layer's while Build fills it; Build then
	// freezes the organisations' into okeys and ovocab and drops them.
	keys   map[string][]ref // folded name → what it names (see refsFor)
	vocab  map[string]int32 // folded word → id (see wordID)
	okeys  smap[[]ref]      // the organisations' names → their refs, by slot
	ovocab smap[int32]      // the organisations' words → id (see orgSpelling for which are in use)
	// placeKeys is the place index's keys, shared the same way; keys then
	// holds the organisations' names (see refsFor).
	placeKeys map[string][]ref
	// placeVocab is the place index's vocab, shared read-only by every
	// Index extending it instead of copied into each (issue 15: heap).
	placeVocab map[string]int32
	words      [][]rune         // id → word (the places'; the organisations' are in orgDels)
	fuzzed     []bool           // id → its deletions are indexed
	deletes    map[uint64]int32 // hash of a deletion of a word (see deletions) → delLists
	delLists   [][]int32        // the words each deletion comes from
	// placeDels is the place index's deletion index, frozen and shared
	// read-only by every Index extending it (y := *x copies the pointer);
	// deletes and delLists only serve the place index's build (see
	// shared_deletes.go).
	placeDels *deletionIndex
	// orgDels is the organisations' words and their deletion index as
	// Build made them, built on first use and shared by every Index With
	// derives; nil in a place index. spell is what changed since.
	orgDels *orgDeletions
	spell   *orgSpelling

	bm   *nameIndex   // name matching (BM25F) over the organisations
	work *scratchPool // searches' reusable working memory (scratch.go)

	// What makes one reading of an ambiguous name likelier than another:
	// cityListed is a city's position in the hand-written cities.yaml (people
	// ask about those), curatedSubs how many subdivisions are hand-written
	// (they come first in subs).
	cityListed  map[int32]int
	curatedSubs int

	// Ranked lists, computed once so that a search only slices them (see
	// rank for their orders), and kept up to date by With.
	cityIn          cvec[[]int32] // city → groups seated in it or serving it
	cross           *crossBorder  // country → cross-border servers of its cities (crossborder.go)
	subIn           smap[[]int32] // subdivision → local groups seated in it or serving it
	countryLocal    smap[[]int32] // country → local groups, under their provinces
	national        smap[[]int32] // country → national bodies
	regional        smap[[]int32] // region id → regional networks
	regionCountries map[string][]CountryCount
	countryRegion   map[string][]int32 // country → regions it belongs to
	international   []int32
	groups          *orgTree // local and national groups with coordinates
	localTree       *orgTree // local groups at a real point (their city's)
	cityTree        *geoTree // every city, for "where is this point"

	// names are display names for autocomplete, sorted by folded form:
	// Build's, and what With added (namesAdd, sorted too) and took away
	// (namesDel, how many of an entry of names to pass over).
	names    []displayName
	namesAdd []displayName
	namesDel map[displayName]int

	// changes counts the changes With applied since Build or the last
	// compaction (see Compacted).
	changes int
	// nameSeq is the organisations' slots in name order once With has
	// changed it (approve_names.go); a built index has only bm.byName.
	nameSeq nameList

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
//
// Build is the start-up path and the fallback: a running process derives
// the index an approval makes from the one it serves (With), at a small
// fraction of a build's cost.
func Build(seed *Seed, orgs []Organisation) *Index { return buildIndex(seed, orgs, nil, false) }

// buildOwned is Build of a list that nobody else holds or will use again
// (Merge's, at a start): its array becomes the index's organisations
// rather than being copied, so that a start does not hold every
// organisation twice while it builds (37 MB at 100,000 organisations,
// part of its peak: issue 15, the process under 250 MB). The index it
// makes is Build's.
func buildOwned(seed *Seed, orgs []Organisation) *Index { return buildIndex(seed, orgs, nil, true) }

// build is Build, with the BM25 statistics given (stats not nil) rather
// than computed: what an Index derived by With holds until it is
// compacted, so that tests can compare it with a build of the same
// organisations.
func build(seed *Seed, orgs []Organisation, stats *bmStats) *Index {
	return buildIndex(seed, orgs, stats, false)
}

// buildIndex is build, taking orgs' array for its own if own (see
// buildOwned).
func buildIndex(seed *Seed, orgs []Organisation, stats *bmStats, own bool) *Index {
	x := seed.placeIndex().extend()
	// Sized once: grown by appends, the organisations (about 400 bytes
	// each) and their keys were copied several times over, which at
	// 100,000 organisations was a large part of an approval's time and of
	// its peak memory (issue 15).
	// Filled in place, at their size: a name, an acronym and an id each;
	// the words, shared by many names, grow from one an organisation (at
	// three, most of their room stayed empty: 7 MB at 100,000).
	x.okeys = newPmapSized[string, []ref](x.strHash, 3*len(orgs))
	x.ovocab = newPmapSized[string, int32](x.strHash, len(orgs))
	f := newBuildFolder()
	list, info, dead, folded := x.addOrgs(f, orgs, seed.Organisations, own)
	x.buildNames(f, list, info, folded, stats)
	x.freezeOrgs(list, info, dead)
	x.seedIDs = make(map[string]bool, len(seed.Organisations))
	for i := range seed.Organisations {
		x.seedIDs[seed.Organisations[i].ID] = true
	}
	x.work = newScratchPool(slotCap(len(list)))
	x.rank()
	x.cross = new(crossBorder)
	x.cross.fill(x)
	x.buildAutocompleteNames(f, list, folded)
	return x
}

// slotCap is how many slots the arrays indexed by slot (a search's
// scratch, the dense words' bitsets) are made for after a build (or a
// compaction) of n: room for the additions of a long run of approvals.
// Compacted makes more when half of it is used; With, should it run out,
// asks for a build.
func slotCap(n int) int { return n + n/8 + 1024 }

// freezeOrgs puts what addOrgs listed into the persistent structures With
// derives the next Index's from.
func (x *Index) freezeOrgs(list []Organisation, info []orgInfo, dead map[string]int32) {
	h := x.strHash
	x.orgs, x.info, x.live = newCvec(list), newCvec(info), x.orgByID.len()
	x.deadSeed = newPmap(h, dead)
	// Filled in place by Build: from now on, changed only through clones.
	x.okeys.fresh, x.ovocab.fresh, x.orgByID.fresh = false, false, false
	// Their room for growth is of no use now (With keeps what it adds
	// apart), and the counts of uses are the spelling's from now on.
	d := x.orgDels
	d.names, d.fuzzed, d.words = fit(d.names), fit(d.fuzzed), fit(d.words)
	x.spell = newOrgSpelling(d)
	d.refs, d.fuzzy, d.placeUse = nil, nil, nil
}

// placeIndex returns the index of the seed's places alone, built on first
// use and shared by every Index built from this seed: rebuilding after a
// moderator's change then costs only the organisations. It must not be
// changed; extend copies what an Index adds to.
func (s *Seed) placeIndex() *Index {
	s.places.once.Do(func() {
		x := &Index{
			seedVersion:   s.Version,
			countryBy:     make(map[string]int32, len(s.Countries)),
			subBy:         make(map[string]int32, len(s.Subdivisions)+len(s.WorldSubdivisions)),
			regionBy:      make(map[string]int32, len(s.Regions)),
			keys:          make(map[string][]ref),
			vocab:         make(map[string]int32),
			deletes:       make(map[uint64]int32, deletesHint(s)),
			countryRegion: make(map[string][]int32),
		}
		x.addPlaces(newFolder(), s)
		// Full slices, so that an append by an Index extending this one
		// copies rather than writes into what they share.
		for k, v := range x.keys {
			x.keys[k] = slices.Clip(v)
		}
		// The places' misspellings are final: freeze them into the compact
		// form every Index built from this seed shares (shared_deletes.go).
		x.placeDels = freezeDeletions(x.deletes, x.delLists)
		x.deletes, x.delLists = nil, nil
		x.words = slices.Clip(x.words)
		x.fuzzed = slices.Clip(x.fuzzed)
		s.places.x = x
	})
	return s.places.x
}

// extend returns a copy of a place index that organisations can be added
// to: the maps and lists that addOrgs extends are its own; the places
// themselves are shared, read-only.
func (x *Index) extend() *Index {
	if x.placeVocab != nil {
		panic("directory: extending an index that already extends another")
	}
	y := *x
	y.placeKeys, y.keys = x.keys, nil
	y.placeVocab, y.vocab = x.vocab, nil
	// The places' deletion index, the biggest part, is shared, not copied;
	// the organisations' is built on first use (orgDeletions).
	y.deletes, y.delLists = nil, nil
	y.orgDels = &orgDeletions{base: int32(len(x.words)), placeUse: map[int32]int32{}}
	// The organisation layer's maps hash with a seed of their own, which
	// every Index With derives from this one shares.
	y.strHash = stringHash(maphash.MakeSeed())
	// The places' words are shared too; the organisations' own are in
	// orgDels.
	return &y
}

// refsFor is what the folded name k names: places first (the shared
// layer), then organisations, the order one map appended in would give.
func (x *Index) refsFor(k string) []ref {
	p, o := x.placeKeys[k], x.orgRefs(k)
	if len(o) == 0 {
		return p
	}
	if len(p) == 0 {
		return o
	}
	return append(p[:len(p):len(p)], o...)
}

// wordID is the id of the folded word w: a place's word (shared layer) or
// an organisation's (this index's own).
func (x *Index) wordID(w string) (int32, bool) {
	if id, ok := x.placeVocab[w]; ok {
		return id, true
	}
	if x.vocab != nil { // a place index
		id, ok := x.vocab[w]
		return id, ok
	}
	id, ok := x.ovocab.get(w)
	if ok && x.spell != nil && id >= x.orgDels.base && x.spell.use(x.orgDels, id).refs == 0 {
		return 0, false // a word no organisation's name has any more
	}
	return id, ok
}

// orgRefs is what the folded name k names among the organisations.
func (x *Index) orgRefs(k string) []ref {
	if x.keys != nil {
		return x.keys[k]
	}
	return x.okeys.at(k)
}

// deletesHint guesses how many deletion keys the seed's names make, so the
// map is sized once rather than grown many times.
func deletesHint(seed *Seed) int {
	names := len(seed.Countries)*8 + len(seed.Subdivisions)*3 + len(seed.Cities)*2 +
		len(seed.WorldSubdivisions)*4 + len(seed.WorldCities) + len(seed.Organisations)*3
	return names * 12
}

// buildAutocompleteNames lists what autocomplete offers: organisations by acronym and
// name, countries, provinces, cities with groups, and regions. folded are
// the organisations' names and acronyms as addOrgs folded them (by
// organisation), so their keys' strings are shared rather than folded and
// held a second time.
func (x *Index) buildAutocompleteNames(f *folder, orgs []Organisation, folded []orgKeys) {
	add := func(s string) {
		if s != "" {
			x.names = append(x.names, displayName{f.fold(s), s})
		}
	}
	// Sized once, places included: grown past its size, the list (some
	// 6 MB at 100,000 organisations) was copied whole.
	n := 2*len(orgs) + len(x.countries) + len(x.regions)
	for _, s := range x.subs {
		if len(x.subIn.at(s.Code)) > 0 {
			n++
		}
	}
	for ci := range x.cityIn.len() {
		if len(*x.cityIn.at(int32(ci))) > 0 {
			n++
		}
	}
	x.names = make([]displayName, 0, n)
	for i := range orgs {
		o := &orgs[i]
		if o.Acronym != "" {
			x.names = append(x.names, displayName{folded[i].acronym, o.Acronym})
		}
		if o.Name != "" {
			x.names = append(x.names, displayName{folded[i].name, o.Name})
		}
	}
	for _, c := range x.countries {
		add(c.Name)
	}
	for _, s := range x.subs {
		if len(x.subIn.at(s.Code)) > 0 {
			add(s.Name)
		}
	}
	for ci := range x.cityIn.len() {
		if len(*x.cityIn.at(int32(ci))) > 0 {
			add(x.cities[ci].Name)
		}
	}
	for _, g := range x.regions {
		add(g.Name)
	}
	// The same sort as sort.Slice's, comparison for comparison (so names
	// folding alike keep their order), without its reflection.
	slices.SortFunc(x.names, func(a, b displayName) int { return strings.Compare(a.folded, b.folded) })
}

// addKey indexes one name of r, its words corrected when misspelt, and
// returns it folded.
func (x *Index) addKey(f *folder, name string, r ref) string { return x.addName(f, name, r, true) }

// addName indexes one name of r and returns it folded. Its words are
// corrected when misspelt only if fuzzy: the names of provinces in other
// languages are matched exactly (after folding), which keeps the first
// build quick.
func (x *Index) addName(f *folder, name string, r ref, fuzzy bool) string {
	k := f.fold(name)
	if k == "" {
		return k
	}
	for _, have := range x.refsFor(k) {
		if have == r {
			return k
		}
	}
	x.keys[k] = append(x.keys[k], r)
	for w := range strings.FieldsSeq(k) {
		x.addWord(w, r, fuzzy)
	}
	return k
}

func (x *Index) addWord(w string, r ref, fuzzy bool) {
	if x.orgDels != nil {
		x.orgDels.addWord(x, w, fuzzy)
		return
	}
	id, ok := x.wordID(w)
	if !ok {
		id = int32(len(x.words))
		x.vocab[w] = id
		x.words = append(x.words, []rune(w))
		x.fuzzed = append(x.fuzzed, false)
	}
	if !fuzzy || x.fuzzed[id] {
		return
	}
	x.fuzzed[id] = true
	addDeletions(x.deletes, &x.delLists, id, x.words[id])
}

// addDeletions indexes the deletions of word id (rw) in deletes and lists.
func addDeletions(deletes map[uint64]int32, lists *[][]int32, id int32, rw []rune) {
	indexedDeletions(rw, func(d uint64) {
		i, ok := deletes[d]
		if !ok {
			i = int32(len(*lists))
			deletes[d] = i
			*lists = append(*lists, nil)
		}
		// A word repeating letters yields a deletion twice, in a row.
		if l := (*lists)[i]; len(l) == 0 || l[len(l)-1] != id {
			(*lists)[i] = append(l, id)
		}
	})
}

// indexedDeletions calls fn with each deletion of word rw that the
// misspelling index holds, in order; a deletion can come more than once.
func indexedDeletions(rw []rune, fn func(uint64)) {
	if len(rw) < 3 {
		return
	}
	// A query word is corrected by two edits only when it has 8 letters
	// or more (maxEdits), so only words of 6 or more can be two edits
	// from one: shorter words need only their one-letter deletions.
	depth := 2
	if len(rw) < 6 {
		depth = 1
	}
	deletions(rw, depth, fn)
}

// orgDeletions is the organisations' layer of the vocabulary's spelling:
// their words that no place has, and the misspelling index of the words
// their names make fuzzy, as Build made them. The places' words and index
// are shared, never copied, and the misspelling index is built on first
// use, not by Build: a built Index is ready for every exact search at once,
// and the table (the largest part of an organisation layer's build)
// follows on the first misspelt query. Searches stay lock-free once it is
// built (sync.Once's fast path). The indexes With derives share it as it
// is, and keep what changed since in their orgSpelling.
type orgDeletions struct {
	base   int32    // the first organisation word's id: the places' word count
	names  []string // id-base → word
	fuzzed []bool   // id-base → its deletions are indexed
	// placeFuzzed are the places' words (indexed unfuzzy by the places)
	// whose deletions an organisation's name needs.
	placeFuzzed map[int32]bool
	words       []int32 // the words whose deletions it indexes, in order
	// refs and fuzzy count, by id-base, the organisations' names using
	// each word (and fuzzily); placeUse, by place word, the fuzzy uses:
	// what With's changes count on (orgSpelling), which takes them over
	// when Build is done (nil from then on).
	refs, fuzzy []int32
	placeUse    map[int32]int32

	once sync.Once
	// runes are the words as runes, for edit distances, end to end:
	// word id-base is runes[runeAt[id-base]:runeAt[id-base+1]]. One array
	// rather than one per word saves a slice header and an allocation's
	// rounding for each of 300,000 words at 100,000 organisations.
	runes  []rune
	runeAt []int32
	idx    *deletionIndex
}

func (d *orgDeletions) addWord(x *Index, w string, fuzzy bool) {
	id, ok := x.wordID(w)
	if !ok {
		id = d.base + int32(len(d.names))
		x.ovocab.set(w, id)
		d.names = push(d.names, w)
		d.fuzzed = push(d.fuzzed, false)
		d.refs = push(d.refs, 0)
		d.fuzzy = push(d.fuzzy, 0)
	}
	if id >= d.base {
		d.refs[id-d.base]++
	}
	if !fuzzy {
		return
	}
	if id >= d.base {
		d.fuzzy[id-d.base]++
	} else {
		d.placeUse[id]++
	}
	if id < d.base {
		if x.fuzzed[id] || d.placeFuzzed[id] {
			return
		}
		if d.placeFuzzed == nil {
			d.placeFuzzed = map[int32]bool{}
		}
		d.placeFuzzed[id] = true
	} else {
		if d.fuzzed[id-d.base] {
			return
		}
		d.fuzzed[id-d.base] = true
	}
	d.words = push(d.words, id)
}

// fit is s, copied to its length if push left it much room.
func fit[T any](s []T) []T {
	if cap(s)-len(s) > len(s)/8+16 {
		return slices.Clone(s)
	}
	return s
}

// push is append, doubling a full slice's capacity rather than growing
// it by a quarter as append does a long one: a build appends a few
// hundred thousand words one by one, and quarter steps made some four
// times the lists' final size in garbage (issue 15: a start's peak).
func push[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		s = slices.Grow(s, max(len(s), 16))
	}
	return append(s, v)
}

// wordRunes is word id as runes, a place's or an organisation's.
func (x *Index) wordRunes(id int32) []rune {
	if d := x.orgDels; d != nil && id >= d.base {
		if int(id-d.base) >= len(d.names) {
			return *x.spell.extra.at(id - d.base - int32(len(d.names)))
		}
		x.orgDeletionIndex() // builds d.runes
		return d.wordRunes(id - d.base)
	}
	return x.words[id]
}

// wordRunes is organisation word i (id-base) as runes, once built.
func (d *orgDeletions) wordRunes(i int32) []rune {
	from, to := d.runeAt[i], d.runeAt[i+1]
	return d.runes[from:to:to]
}

// bigSpelling is how many words make the organisations' misspelling
// table big enough to collect a build's garbage before it is made (some
// 10,000 organisations).
const bigSpelling = 1 << 15

// orgDeletionIndex returns the organisations' misspelling index, building
// it (and their words' runes) on first use.
func (x *Index) orgDeletionIndex() *deletionIndex {
	d := x.orgDels
	d.once.Do(func() {
		// It is built right after the organisation layer (Live starts it
		// after the swap), whose scratch, some 60 MB at 100,000
		// organisations, is garbage by then but not yet collected. Collected
		// first, its room is what the table's own scratch reuses rather
		// than more on top of it, which was a start's peak (issue 15: the
		// process under 250 MB at all times). It is kept, not returned to
		// the system: the searches and approvals that follow would fault
		// every page they allocate back in, some microseconds a search. A
		// small layer's garbage is not worth a collection.
		if len(d.words) >= bigSpelling {
			runtime.GC()
		}
		n := 0
		for _, w := range d.names {
			n += utf8.RuneCountInString(w)
		}
		d.runes, d.runeAt = make([]rune, 0, n), make([]int32, 0, len(d.names)+1)
		for _, w := range d.names {
			d.runeAt = append(d.runeAt, int32(len(d.runes)))
			for _, r := range w {
				d.runes = append(d.runes, r)
			}
		}
		d.runeAt = append(d.runeAt, int32(len(d.runes)))
		d.idx = buildDeletions(len(d.words), func(i int) (int32, []rune) {
			if id := d.words[i]; id < d.base {
				return id, x.words[id]
			} else {
				return id, d.wordRunes(id - d.base)
			}
		})
	})
	return d.idx
}

// addPlaces indexes the seed's places, in steps whose order matters: the
// countries first (their keys decide which generated names are left out),
// then the cities, whose list the subdivisions' names are checked against,
// then the subdivisions, the cities' names and the regions.
func (x *Index) addPlaces(f *folder, seed *Seed) {
	capitals, countryKeys := x.addCountries(f, seed)
	m := x.addCities(f, seed, capitals)
	x.addSubdivisions(seed)
	x.indexSubdivisionNames(f, countryKeys)
	x.indexCityNames(f, m.generated, countryKeys, curatedSubdivisionKeys(f, seed))
	x.addRegions(f, seed)
}

// addCountries indexes the seed's countries by their names, codes, aliases
// and their names in the seed's languages. It returns their capitals (each
// with its country set) and the folded keys that name a country, which
// generated names may not take.
func (x *Index) addCountries(f *folder, seed *Seed) (capitals []City, countryKeys map[string]bool) {
	namers := make([]display.Namer, len(seed.Languages))
	for i, t := range seed.Languages {
		namers[i] = display.Regions(t)
	}
	x.countries = append(x.countries, seed.Countries...)
	capitals = make([]City, 0, len(x.countries))
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
		for _, a := range c.Names {
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
		capitals = append(capitals, capital)
	}
	// Every key so far names a country; generated names that would make a
	// country ambiguous are left out of search below.
	countryKeys = make(map[string]bool, len(x.keys))
	for k := range x.keys {
		countryKeys[k] = true
	}
	return capitals, countryKeys
}

// addCities lists the cities, each once: the capitals and the hand-written
// list, then the generated world list. Their names are indexed later
// (indexCityNames). The merger it returns says which came from the
// generated list.
func (x *Index) addCities(f *folder, seed *Seed, capitals []City) *cityMerger {
	cityKey := map[string]int32{} // folded name + "|" + country → the first city so named
	m := newCityMerger(f, x, cityKey)
	for _, c := range capitals {
		m.addCurated(c)
	}
	x.cityListed = make(map[int32]int, len(seed.Cities))
	for pos, c := range seed.Cities {
		m.addCurated(c)
		if i, ok := cityKey[f.fold(c.Name)+"|"+c.Country]; ok {
			if _, dup := x.cityListed[i]; !dup {
				x.cityListed[i] = pos
			}
		}
	}
	for _, c := range seed.WorldCities {
		// Places in a country the seed does not list (GeoNames has
		// Kosovo as XK) are left out, like their country.
		if _, ok := x.countryBy[c.Country]; ok {
			m.addWorld(c)
		}
	}
	x.cityKeys = cityKey
	return m
}

// curatedSubdivisionKeys are the folded names and codes of the hand-written
// subdivisions, which a generated city may not take.
func curatedSubdivisionKeys(f *folder, seed *Seed) map[string]bool {
	keys := map[string]bool{}
	for _, s := range seed.Subdivisions {
		for _, n := range append([]string{s.Name, s.Code}, s.Aliases...) {
			keys[f.fold(n)] = true
		}
	}
	return keys
}

// addSubdivisions lists the hand-written subdivisions, then the generated
// ones they do not already list, whose names in other languages they take
// too. Their names are indexed by indexSubdivisionNames.
func (x *Index) addSubdivisions(seed *Seed) {
	x.subs = append(x.subs, seed.Subdivisions...)
	x.curatedSubs = len(x.subs)
	for i := range x.subs {
		x.subBy[x.subs[i].Code] = int32(i)
	}
	for _, w := range seed.WorldSubdivisions {
		if country, _, _ := strings.Cut(w.Code, "-"); !x.hasCountry(country) {
			continue
		}
		if i, ok := x.subBy[w.Code]; ok {
			s := &x.subs[i]
			if s.Names == nil && len(w.Names) > 0 {
				s.Names = w.Names
			}
			continue
		}
		x.subBy[w.Code] = int32(len(x.subs))
		x.subs = append(x.subs, w)
	}
}

// indexSubdivisionNames indexes the subdivisions' names. A hand-written
// name is always searchable; a generated name is unless it would only echo
// another place: a country ("England" is the United Kingdom's), or a city
// within the subdivision (the Community of Madrid is "Madrid" in GeoNames;
// /find Madrid means the city, whose answer includes the region's groups).
func (x *Index) indexSubdivisionNames(f *folder, countryKeys map[string]bool) {
	citiesIn := x.cityNamesBySubdivision(f)
	for i, s := range x.subs {
		r := ref{refSub, int32(i)}
		curated := i < x.curatedSubs
		addGenerated := func(name string, fuzzy bool) {
			k := f.fold(name)
			if k == "" || countryKeys[k] || citiesIn[s.Code][k] {
				return
			}
			x.addName(f, name, r, fuzzy)
		}
		if curated {
			x.addKey(f, s.Name, r)
			x.addKey(f, s.Code, r)
			for _, a := range s.Aliases {
				x.addKey(f, a, r)
			}
		} else {
			addGenerated(s.Name, true)
			x.addKey(f, s.Code, r)
			for _, a := range s.Aliases {
				addGenerated(a, false)
			}
		}
		for _, n := range namesOf(s.Names) {
			addGenerated(n, false)
		}
	}
}

// cityNamesBySubdivision maps each subdivision code to the folded names
// (and aliases) of the cities listed in it.
func (x *Index) cityNamesBySubdivision(f *folder) map[string]map[string]bool {
	citiesIn := map[string]map[string]bool{}
	for _, c := range x.cities {
		if c.Subdivision == "" {
			continue
		}
		names := citiesIn[c.Subdivision]
		if names == nil {
			names = map[string]bool{}
			citiesIn[c.Subdivision] = names
		}
		names[f.fold(c.Name)] = true
		for _, a := range c.Aliases {
			names[f.fold(a)] = true
		}
	}
	return citiesIn
}

// indexCityNames indexes the cities' names and aliases and builds the tree
// that finds the city nearest a point. generated says, by city, which came
// from the generated list.
func (x *Index) indexCityNames(f *folder, generated []bool, countryKeys, curatedSubKeys map[string]bool) {
	cityPts := make([]geoPoint, 0, len(x.cities))
	for i, c := range x.cities {
		r := ref{refCity, int32(i)}
		names := append([]string{c.Name}, c.Aliases...)
		for _, n := range names {
			// A generated city does not take a name that a country or a
			// hand-written province has: "Ontario" stays the province,
			// not also a city in California.
			if generated[i] {
				if k := f.fold(n); countryKeys[k] || curatedSubKeys[k] {
					continue
				}
			}
			x.addKey(f, n, r)
		}
		cityPts = append(cityPts, geoPoint{unit(Point{c.Lat, c.Lon}), int32(i)})
	}
	x.cityTree = newGeoTree(cityPts)
}

// addRegions indexes the seed's regions and which regions each country is
// in.
func (x *Index) addRegions(f *folder, seed *Seed) {
	x.regions = append(x.regions, seed.Regions...)
	for i, g := range x.regions {
		r := ref{refRegion, int32(i)}
		x.regionBy[g.ID] = int32(i)
		x.addKey(f, g.Name, r)
		x.addKey(f, g.ID, r)
		for _, a := range g.Aliases {
			x.addKey(f, a, r)
		}
		for _, n := range namesOf(g.Names) {
			x.addKey(f, n, r)
		}
		for _, c := range g.Countries {
			x.countryRegion[c] = append(x.countryRegion[c], int32(i))
		}
	}
}

func (x *Index) hasCountry(code string) bool {
	_, ok := x.countryBy[code]
	return ok
}

// cityMerger adds cities to an index so that each place is listed once:
// a generated city that names a hand-written one (by its name or an
// alias, in the same country) or lies beside one with a name that contains
// the other's ("Québec" beside "Quebec City") adds nothing but the
// province the hand-written one may lack.
type cityMerger struct {
	f         *folder
	x         *Index
	byName    map[string]int32   // folded name + "|" + country → first city so named
	byAlias   map[string]int32   // folded alias + "|" + country → hand-written city
	byCountry map[string][]int32 // country → hand-written cities
	generated []bool             // by city: from the generated list
}

func newCityMerger(f *folder, x *Index, byName map[string]int32) *cityMerger {
	return &cityMerger{f: f, x: x, byName: byName, byAlias: map[string]int32{}, byCountry: map[string][]int32{}}
}

func (m *cityMerger) add(c City, generated bool) int32 {
	i := int32(len(m.x.cities))
	m.x.cities = append(m.x.cities, c)
	m.generated = append(m.generated, generated)
	k := m.f.fold(c.Name) + "|" + c.Country
	if _, ok := m.byName[k]; !ok {
		m.byName[k] = i
	}
	return i
}

// addCurated adds a hand-written city (or capital). Listed twice (a
// capital that also has groups), the fuller record's subdivision and
// aliases are kept.
func (m *cityMerger) addCurated(c City) {
	k := m.f.fold(c.Name) + "|" + c.Country
	if i, ok := m.byName[k]; ok {
		have := &m.x.cities[i]
		if have.Subdivision == "" {
			have.Subdivision = c.Subdivision
		}
		have.Aliases = append(have.Aliases, c.Aliases...)
		for _, a := range c.Aliases {
			m.byAlias[m.f.fold(a)+"|"+c.Country] = i
		}
		return
	}
	i := m.add(c, false)
	m.byCountry[c.Country] = append(m.byCountry[c.Country], i)
	for _, a := range c.Aliases {
		m.byAlias[m.f.fold(a)+"|"+c.Country] = i
	}
}

// addWorld adds a generated city unless it is one already listed.
func (m *cityMerger) addWorld(c City) {
	name := m.f.fold(c.Name)
	k := name + "|" + c.Country
	p := Point{c.Lat, c.Lon}
	same := func(i int32) bool {
		have := &m.x.cities[i]
		if have.Subdivision != "" && c.Subdivision != "" && have.Subdivision != c.Subdivision {
			// Two places of one name in two provinces ("Kansas City" in
			// Missouri and in Kansas), unless a hand-written province
			// is wrong: they are close.
			return !m.generated[i] && DistanceKm(Point{have.Lat, have.Lon}, p) < 50
		}
		return true
	}
	for _, i := range []int32{m.lookup(m.byName, k), m.lookup(m.byAlias, k)} {
		if i >= 0 && same(i) {
			m.merge(i, c)
			return
		}
	}
	for _, i := range m.byCountry[c.Country] {
		have := &m.x.cities[i]
		if DistanceKm(Point{have.Lat, have.Lon}, p) > 15 {
			continue
		}
		for _, n := range append([]string{have.Name}, have.Aliases...) {
			if hn := m.f.fold(n); hn != "" && (strings.Contains(hn, name) || strings.Contains(name, hn)) {
				m.merge(i, c)
				return
			}
		}
	}
	m.add(c, true)
}

func (m *cityMerger) lookup(in map[string]int32, k string) int32 {
	if i, ok := in[k]; ok {
		return i
	}
	return -1
}

// merge completes a listed city with what a generated record knows.
func (m *cityMerger) merge(i int32, c City) {
	if have := &m.x.cities[i]; have.Subdivision == "" {
		have.Subdivision = c.Subdivision
	}
}

// addOrgs validates each organisation, fills in its coordinates and indexes
// its names. It returns the organisations it kept (by slot), what ranking
// needs of each, their slots by id and their names and acronyms folded.
//
// The slots by id go straight into x.orgByID, filled in place (a map
// copied into its shards after would be both alive at once). If own, the
// list it returns may be orgs' array (see buildOwned).
func (x *Index) addOrgs(f *folder, orgs, seed []Organisation, own bool) (list []Organisation, infos []orgInfo, dead map[string]int32, folded []orgKeys) {
	folded = make([]orgKeys, 0, len(orgs))
	infos = make([]orgInfo, 0, len(orgs))
	x.orgByID = newPmapSized[string, int32](x.strHash, len(orgs))
	// Merge lists the seed's organisations in the seed's order: a removed
	// one gets a dead slot where it was, which it takes again if it comes
	// back (With). A list in another order gets none.
	seedPos := make(map[string]int, len(seed))
	for i := range seed {
		seedPos[seed[i].ID] = i
	}
	next, inOrder, seedListed := 0, true, 0
	for i := range orgs {
		p, ok := seedPos[orgs[i].ID]
		switch {
		case !ok:
			next = len(seed)
		case p < next:
			inOrder = false
		default:
			next = p + 1
			seedListed++ // each once, while they are in order
		}
	}
	// An organisation is listed at or before its place in orgs, so orgs'
	// array can hold the list while it is read, unless slots are reserved
	// for removed seed organisations (see reserve).
	inPlace := own && !(inOrder && seedListed < len(seed))
	if inPlace {
		list = orgs[:0]
	} else {
		list = make([]Organisation, 0, len(orgs))
	}
	dead = map[string]int32{}
	next = 0
	var keyBuf []keyUse
	reserve := func(upto int) {
		for ; inOrder && next < upto; next++ {
			dead[seed[next].ID] = int32(len(list))
			list = append(list, Organisation{})
			infos = append(infos, orgInfo{dead: true, city: -1})
			folded = append(folded, orgKeys{})
		}
	}
	for _, o := range orgs {
		if p, isSeed := seedPos[o.ID]; !isSeed {
			reserve(len(seed))
		} else {
			reserve(p)
			next = p + 1
		}
		info, err := x.resolvePlaces(f, &o)
		if err == nil {
			err = x.checkFacts(f, &o)
		}
		if err != nil {
			x.problems = append(x.problems, fmt.Sprintf("%s: %v", o.ID, err))
			if _, isSeed := seedPos[o.ID]; isSeed && inOrder {
				// Its slot kept, dead, for when a change mends it.
				dead[o.ID] = int32(len(list))
				list = append(list, Organisation{})
				infos = append(infos, orgInfo{dead: true, city: -1})
				folded = append(folded, orgKeys{})
			}
			continue
		}
		if _, dup := x.orgByID.get(o.ID); dup {
			x.problems = append(x.problems, fmt.Sprintf("%s: listed twice", o.ID))
			continue
		}
		i := int32(len(list))
		x.orgByID.set(o.ID, i)
		list = append(list, o)
		infos = append(infos, info)
		var k orgKeys
		keyBuf, k = x.addOrgKeys(f, &o, ref{refOrg, i}, keyBuf[:0])
		folded = append(folded, k)
	}
	reserve(len(seed))
	if inPlace {
		// What was left out is not the index's to keep alive.
		clear(orgs[len(list):])
	}
	return list, infos, dead, folded
}

// orgKeyList lists the keys an organisation is indexed by, folded, in the
// order they are added, each once: its name, its acronym, its id (so
// that "/report <id>", a card's Report button, and "/find <id>" name it
// exactly) and its other names. fuzzy says which are corrected when
// misspelt: all but the id, as the first time a key comes decides. It
// returns its name and acronym folded too, the same strings as their keys
// (autocomplete and name matching share them rather than fold again).
func orgKeyList(f *folder, o *Organisation, out []keyUse) ([]keyUse, orgKeys) {
	add := func(name string, fuzzy bool) string {
		k := f.fold(name)
		if k == "" {
			return k
		}
		for _, have := range out {
			if have.key == k {
				return have.key
			}
		}
		out = append(out, keyUse{k, fuzzy})
		return k
	}
	var folded orgKeys
	folded.name = add(o.Name, true)
	folded.acronym = add(o.Acronym, true)
	add(o.ID, false)
	for _, n := range o.OtherNames {
		add(n, true)
	}
	return out, folded
}

type keyUse struct {
	key   string
	fuzzy bool
}

// addOrgKeys indexes organisation r's keys (orgKeyList) during Build.
// buf is reused for the list.
func (x *Index) addOrgKeys(f *folder, o *Organisation, r ref, buf []keyUse) ([]keyUse, orgKeys) {
	keys, folded := orgKeyList(f, o, buf)
	for _, k := range keys {
		x.okeys.set(k.key, append(x.okeys.at(k.key), r))
		for w := range strings.FieldsSeq(k.key) {
			x.addWord(w, r, k.fuzzy)
		}
	}
	return keys, folded
}

// orgKeys are an organisation's name and acronym, folded.
type orgKeys struct{ name, acronym string }

// resolvePlaces checks that o refers only to known places and gives it
// coordinates when it has none: its city's, else its province's, else its
// country's capital. Regional and international networks need none. The
// info it returns says whether the position is a real point (its city's, or
// given) and resolves the places it serves.
func (x *Index) resolvePlaces(f *folder, o *Organisation) (orgInfo, error) {
	info := orgInfo{city: -1}
	if err := x.checkRecord(o); err != nil {
		return info, err
	}
	serves, err := x.resolveServes(f, o)
	if err != nil {
		return info, err
	}
	info.serves = serves
	if info.city, err = x.seatCity(f, o); err != nil {
		return info, err
	}
	info.real, err = x.position(o, info.city)
	return info, err
}

// checkRecord checks what an organisation's record must hold for its kind
// and that the countries, regions and province it names exist.
func (x *Index) checkRecord(o *Organisation) error {
	switch {
	case o.ID == "" || o.Name == "":
		return fmt.Errorf("no id or name")
	case !o.Kind.Valid():
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
	switch {
	case (o.Kind == KindLocal || o.Kind == KindNational) && len(o.Countries) == 0:
		return fmt.Errorf("a %s group needs a country", o.Kind)
	case o.Kind == KindRegional && len(o.Regions) == 0:
		return fmt.Errorf("a regional network needs a region")
	}
	if o.Province != "" {
		if _, ok := x.subBy[o.Province]; !ok {
			return fmt.Errorf("unknown province %q", o.Province)
		}
	}
	return nil
}

// seatCity is the index of o's city in its first country, or -1 if it
// names none.
func (x *Index) seatCity(f *folder, o *Organisation) (int32, error) {
	if o.City == "" || len(o.Countries) == 0 {
		return -1, nil
	}
	var buf [64]byte // the key looked up without making it a string
	i, ok := x.cityKeys[string(append(append(append(buf[:0], f.foldPlace(o.City)...), '|'), o.Countries[0]...))]
	if !ok {
		return -1, fmt.Errorf("unknown city %q in %s", o.City, o.Countries[0])
	}
	return i, nil
}

// position checks o's coordinates or gives it some (see resolvePlaces),
// and reports whether they are a real point.
func (x *Index) position(o *Organisation, city int32) (bool, error) {
	if o.Coordinates != nil {
		if !o.Coordinates.Valid() {
			return false, fmt.Errorf("coordinates out of range")
		}
		return true, nil
	}
	switch {
	case city >= 0:
		c := x.cities[city]
		o.Coordinates = &Point{c.Lat, c.Lon}
		return true, nil
	case o.Province != "":
		p := x.subs[x.subBy[o.Province]].Point
		o.Coordinates = &p
	case len(o.Countries) > 0:
		c := x.countries[x.countryBy[o.Countries[0]]].Capital
		o.Coordinates = &Point{c.Lat, c.Lon}
	}
	return false, nil
}

func (x *Index) dist(id int32, p Point) float64 {
	o := x.org(id)
	if o.Coordinates == nil {
		return -1
	}
	return DistanceKm(*o.Coordinates, p)
}

// namesOf lists a place's names in other languages in a fixed order, so
// that two builds of the same data make the same index.
func namesOf(m map[string]string) []string {
	langs := make([]string, 0, len(m))
	for l := range m {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	out := make([]string, 0, len(langs))
	for _, l := range langs {
		out = append(out, m[l])
	}
	return out
}
