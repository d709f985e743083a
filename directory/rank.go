package directory

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
)

// How far "near" reaches. A city's answer lists the groups within NearKm
// (or in its province) after its own; a place with no group of its own is
// offered groups within FarKm; farther, groups in its own country (same
// laws, same language) and groups of one of its regions within RegionKm, and
// never one on another continent presented as near. A region such as Africa
// spans 8,000 km: sharing it does not make Nairobi near Algiers.
const (
	NearKm   = 150
	FarKm    = 1500
	RegionKm = 4000
)

// CountryCount is one entry of a region's index of countries: a country of
// the region and how many groups (local and national) it has.
type CountryCount struct {
	Code  string
	Count int
}

// orgInfo is what ranking needs to know about an organisation beyond its
// record, computed once per build.
type orgInfo struct {
	// real is true when the organisation's position is a real point: its
	// city's (or coordinates its entry gives), not a stand-in such as a
	// province's centre or a capital. Only real points get distances.
	real bool
	// city is the index of its seat city, or -1.
	city int32
	// serves are the further places it serves (Organisation.Serves),
	// resolved: subdivisions and cities.
	serves []ref
	// dead marks a removed organisation's slot (see Index.orgs).
	dead bool
	// docLen is its weighted length as a BM25 document (0 if closed).
	docLen float64
}

// rank fills the precomputed lists search slices from. Every list is in the
// order answers show it, allies after the peer-run groups of the same rank,
// so that a search only slices and never sorts what it did not compute.
// Each list is in its order, ties by slot (lists are filled in slot order
// and sorted stably): With inserts by the same order (placeLists).
func (x *Index) rank() {
	l := x.groupByPlace()
	x.buildGroupTrees()
	x.sortPlaceLists(l)
	x.cityIn = newCvec(l.cityIn)
	h := x.strHash
	x.subIn, x.countryLocal = newPmap(h, l.subIn), newPmap(h, l.countryLocal)
	x.national, x.regional = newPmap(h, l.national), newPmap(h, l.regional)
	x.international = l.international
	x.countRegionCountries()
}

// placeLists are the ranked lists as rank fills them, before they are
// frozen into the Index's persistent maps.
type placeLists struct {
	cityIn                                  [][]int32
	subIn, countryLocal, national, regional map[string][]int32
	international                           []int32
}

// groupByPlace files every listed organisation under the places it belongs
// to: international, its regions, its countries, its province, its seat
// city and the further places it serves.
func (x *Index) groupByPlace() *placeLists {
	l := &placeLists{cityIn: make([][]int32, len(x.cities)), subIn: map[string][]int32{},
		countryLocal: map[string][]int32{}, national: map[string][]int32{}, regional: map[string][]int32{}}
	for i := range x.orgs.len() {
		id := int32(i)
		x.placesOf(id, func(k listKind, key string, city int32) {
			switch k {
			case listCity:
				l.cityIn[city] = appendID(l.cityIn[city], id)
			case listSub:
				l.subIn[key] = appendID(l.subIn[key], id)
			case listCountryLocal:
				l.countryLocal[key] = append(l.countryLocal[key], id)
			case listNational:
				l.national[key] = append(l.national[key], id)
			case listRegional:
				l.regional[key] = append(l.regional[key], id)
			case listInternational:
				l.international = append(l.international, id)
			}
		})
	}
	return l
}

// listKind names one of the ranked lists.
type listKind uint8

const (
	listCity listKind = iota + 1
	listSub
	listCountryLocal
	listNational
	listRegional
	listInternational
)

// placesOf calls fn with every list organisation id belongs in (a list
// may come more than once): international, its regions, its countries,
// its province, its seat city and the further places it serves. A dead
// slot or a closed organisation is in none.
func (x *Index) placesOf(id int32, fn func(k listKind, key string, city int32)) {
	o, info := x.org(id), x.info.at(id)
	if info.dead || !listed(o) {
		return
	}
	switch o.Kind {
	case KindInternational:
		fn(listInternational, "", -1)
	case KindRegional:
		for _, g := range o.Regions {
			fn(listRegional, g, -1)
		}
	case KindNational:
		for _, c := range o.Countries {
			fn(listNational, c, -1)
		}
	case KindLocal:
		for _, c := range o.Countries {
			fn(listCountryLocal, c, -1)
		}
		if o.Province != "" {
			fn(listSub, o.Province, -1)
		}
	}
	if o.Kind == KindLocal || o.Kind == KindNational {
		if ci := info.city; ci >= 0 {
			fn(listCity, "", ci)
		}
	}
	for _, s := range info.serves {
		switch s.kind {
		case refSub:
			fn(listSub, x.subs[s.idx].Code, -1)
		case refCity:
			fn(listCity, "", s.idx)
			if sub := x.cities[s.idx].Subdivision; sub != "" && o.Kind == KindLocal {
				fn(listSub, sub, -1)
			}
		}
	}
}

// inTree reports whether organisation id is in the tree of groups, and
// in the tree of local groups at a real point.
func (x *Index) inTree(id int32) (groups, local bool) {
	o, info := x.org(id), x.info.at(id)
	if info.dead || !listed(o) || (o.Kind != KindLocal && o.Kind != KindNational) || o.Coordinates == nil {
		return false, false
	}
	return true, info.real && o.Kind == KindLocal
}

// buildGroupTrees builds the trees that find groups near a point: every
// listed local and national group with a position, and the local groups
// whose position is a real point.
func (x *Index) buildGroupTrees() {
	// Sized for all: most organisations are local groups in a city.
	pts, realPts := make([]int32, 0, x.orgs.len()), make([]int32, 0, x.orgs.len())
	for i := range x.orgs.len() {
		g, l := x.inTree(int32(i))
		if g {
			pts = append(pts, int32(i))
		}
		if l {
			realPts = append(realPts, int32(i))
		}
	}
	x.groups = newOrgTree(x, pts)
	x.localTree = newOrgTree(x, realPts)
}

// sortPlaceLists puts every place's list in the order answers show it: a
// country's local groups by province, a province's by city, the others by
// name.
func (x *Index) sortPlaceLists(l *placeLists) {
	for _, ids := range l.countryLocal {
		x.byProvince(ids)
	}
	for _, ids := range l.subIn {
		x.byCity(ids)
	}
	for _, ids := range l.cityIn {
		x.byName(ids)
	}
	for _, ids := range l.national {
		x.byName(ids)
	}
	for _, ids := range l.regional {
		x.byName(ids)
	}
	x.byName(l.international)
}

// countRegionCountries builds each region's index of countries: those
// with groups, the most groups first, then by name.
func (x *Index) countRegionCountries() {
	x.regionCountries = make(map[string][]CountryCount, len(x.regions))
	for _, g := range x.regions {
		x.regionCountries[g.ID] = x.regionCountryCounts(g)
	}
}

// regionCountryCounts is one region's index of countries.
func (x *Index) regionCountryCounts(g Region) []CountryCount {
	{
		var cc []CountryCount
		for _, c := range g.Countries {
			if n := len(x.national.at(c)) + len(x.countryLocal.at(c)); n > 0 {
				cc = append(cc, CountryCount{c, n})
			}
		}
		sort.SliceStable(cc, func(i, j int) bool {
			if cc[i].Count != cc[j].Count {
				return cc[i].Count > cc[j].Count
			}
			return x.countries[x.countryBy[cc[i].Code]].Name < x.countries[x.countryBy[cc[j].Code]].Name
		})
		return cc
	}
}

func appendID(ids []int32, id int32) []int32 {
	if slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

// listed reports whether an organisation appears in answers: closed ones
// stay in the records (and /org) but leave every list.
func listed(o *Organisation) bool { return !isClosed(o) }

// peerFirst is the first key of every order: peer-run groups before allies.
func peerFirst(a, b *Organisation) int {
	switch aa, ba := isAlly(a), isAlly(b); {
	case aa == ba:
		return 0
	case ba:
		return -1
	}
	return 1
}

func (x *Index) byName(ids []int32) {
	// slices' stable sort, not sort's: the same order (a stable sort's is
	// unique), without reflection, which was most of a 100,000-organisation
	// build's sorting.
	slices.SortStableFunc(ids, func(i, j int32) int { return nameOrderOf(x.org(i), x.org(j)) })
}

// nameOrderOf is byName's order: peer-run first, then by name.
func nameOrderOf(a, b *Organisation) int {
	if c := peerFirst(a, b); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// byCity orders a province's groups: those serving the whole province
// first, then by city, then by name; allies last.
func (x *Index) byCity(ids []int32) {
	slices.SortStableFunc(ids, func(i, j int32) int { return x.cityOrder(x.org(i), x.org(j)) })
}

// cityOrder is byCity's order: peer-run first, then by city, then by name.
func (x *Index) cityOrder(a, b *Organisation) int {
	if c := peerFirst(a, b); c != 0 {
		return c
	}
	if c := strings.Compare(a.City, b.City); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// byProvince orders a country's local groups under their provinces, the
// provinces by name, groups without one last; within a province as byCity.
func (x *Index) byProvince(ids []int32) {
	slices.SortStableFunc(ids, func(i, j int32) int { return x.provinceOrder(x.org(i), x.org(j)) })
}

// provinceOrder is byProvince's order.
func (x *Index) provinceOrder(a, b *Organisation) int {
	name := func(o *Organisation) string {
		if o.Province == "" {
			return "\uffff"
		}
		return x.SubdivisionName(o.Province)
	}
	if a.Province != b.Province {
		if c := strings.Compare(name(a), name(b)); c != 0 {
			return c
		}
	}
	return x.cityOrder(a, b)
}

// listOrder is the order of a kind of list (see sortPlaceLists).
func (x *Index) listOrder(k listKind) func(a, b *Organisation) int {
	switch k {
	case listSub:
		return x.cityOrder
	case listCountryLocal:
		return x.provinceOrder
	}
	return nameOrderOf
}

// placeMatch is the answer for one place. See Match for what each list
// holds and in which order.
func (x *Index) placeMatch(r ref) Match {
	p := x.place(r)
	m := Match{Place: p}
	s := x.getScratch()
	defer x.putScratch(s)
	l := hitLists{buf: s.picks[:0]}
	switch p.Kind {
	case PlaceRegion:
		m.Regions = []*Region{&x.regions[r.idx]}
		l.put(mRegional, false, appendPicks(l.buf, x.regional.at(p.Region), &m.More))
		m.Countries = x.regionCountries[p.Region]
		l.put(mInternational, false, appendPicks(l.buf, x.international, &m.More))
		s.picks = x.give(&l, &m)
		return m
	case PlaceCountry:
		l.put(mNational, false, appendPicks(l.buf, x.national.at(p.Country), &m.More))
		l.put(mLocal, false, appendPicks(l.buf, x.countryLocal.at(p.Country), &m.More))
	case PlaceSubdivision:
		l.put(mLocal, false, appendPicks(l.buf, x.subIn.at(p.Subdivision), &m.More))
		l.put(mNational, false, appendPicks(l.buf, x.national.at(p.Country), &m.More))
	case PlaceCity:
		x.cityMatch(s, &l, r.idx, &m)
	}
	regional := x.appendCountryRegions(l.buf, p.Country, &m)
	slices.SortStableFunc(regional[len(l.buf):], func(a, b pick) int { return peerFirst(x.org(a.id), x.org(b.id)) })
	l.put(mRegional, false, regional)
	l.put(mInternational, false, appendPicks(l.buf, x.international, &m.More))
	s.picks = x.give(&l, &m)
	if !m.Own() {
		m.Nearest = x.nearest(p, m.listed())
	}
	return m
}

// pick is a hit while its match is being made: an organisation's slot and
// its distance, in scratch memory that holds no pointer.
type pick struct {
	id int32
	km float32
}

// hitLists collects a match's lists as picks in scratch memory, then gives
// them to the match in one allocation of Hits (give). A search at 100,000
// organisations allocated once per list, and filled each with pointers the
// collector had to follow; together those were a fifth of its time.
type hitLists struct {
	buf   []pick
	spans [8]hitSpan
	n     int
}

// matchList names one of a match's lists of hits.
type matchList uint8

const (
	mLocal matchList = iota
	mNear
	mNational
	mRegional
	mInternational
)

// field is m's list l. (A hitSpan names its list rather than pointing at
// it: a pointer into the match would move the match to the heap.)
func (l matchList) field(m *Match) *[]Hit {
	switch l {
	case mLocal:
		return &m.Local
	case mNear:
		return &m.Near
	case mNational:
		return &m.National
	case mRegional:
		return &m.Regional
	}
	return &m.International
}

// hitSpan is one list of a match: buf[from:end].
type hitSpan struct {
	list    matchList
	inPlace bool
	from    int
	end     int
}

// put records that buf is l.buf with one more list appended, list;
// inPlace marks its hits as in the city asked about. A list is put once,
// whole.
func (l *hitLists) put(list matchList, inPlace bool, buf []pick) {
	from := len(l.buf)
	l.buf = buf
	if len(buf) > from {
		l.spans[l.n] = hitSpan{list: list, inPlace: inPlace, from: from, end: len(buf)}
		l.n++
	}
}

// give sets in m every list put in l, each a slice of one allocation with
// its capacity cut at its length (a caller's append copies rather than
// overwriting the next list), and returns the scratch buffer emptied.
func (x *Index) give(l *hitLists, m *Match) []pick {
	if l.n > 0 {
		all := make([]Hit, len(l.buf))
		for _, sp := range l.spans[:l.n] {
			for i := sp.from; i < sp.end; i++ {
				all[i] = Hit{Org: x.org(l.buf[i].id), Km: l.buf[i].km, InPlace: sp.inPlace}
			}
			*sp.list.field(m) = all[sp.from:sp.end:sp.end]
		}
	}
	return l.buf[:0]
}

// cityMatch fills a city's lists: the groups in it (national bodies seated
// there too), then those within NearKm or in its province, nearest first,
// then the country's other national bodies.
func (x *Index) cityMatch(s *scratch, l *hitLists, ci int32, m *Match) {
	c := &x.cities[ci]
	at := Point{c.Lat, c.Lon}
	s.resetMarks()
	buf := l.buf
	for _, id := range x.cityList(ci) {
		s.mark(id)
		buf = append(buf, pick{id, -1})
	}
	l.put(mLocal, true, buf)
	s.near = x.nearCity(s, at, c.Subdivision)
	l.put(mNear, false, x.appendNearPicks(l.buf, s.near, &m.More))
	buf = l.buf
	for _, id := range x.national.at(c.Country) {
		if s.marks[id] != s.gen {
			buf = append(buf, pick{id, -1})
		}
	}
	l.put(mNational, false, buf)
}

// nearCand is a group near a city, with what orders it: peer-run groups
// before allies, those with a real point (nearest first) before those
// without. d is the squared chord from the city, which orders as the
// great-circle distance does.
type nearCand struct {
	id    int32
	pos   int32 // its position as found, which breaks ties (sortNear)
	d     float64
	order uint8 // 0 peer-run with a point, 1 peer-run without, 2 and 3 allies
}

// sortNear orders cands by order, then d, ties kept as found: a stable
// sort's order, from an unstable sort (pdqsort), which is about twice as
// fast on a city's few hundred groups.
func sortNear(cands []nearCand) {
	for i := range cands {
		cands[i].pos = int32(i)
	}
	slices.SortFunc(cands, cmpNear)
}

// nearBuckets is how many buckets of distance sortNearHead spreads each
// order's groups over; one more takes those at dref and beyond.
const nearBuckets = 64

// nearBucket is c's bucket (see sortNearHead), in sortNear's order: by
// order, then by d, which scale maps to [0, nearBuckets]. It is monotone
// in d (NaN never comes: distances are between valid points).
func nearBucket(c *nearCand, scale float64) int {
	b := 0
	if f := c.d * scale; f >= nearBuckets {
		b = nearBuckets
	} else if f > 0 {
		b = int(f)
	}
	return b + int(c.order)*(nearBuckets+1)
}

// sortNearHead puts the k first of cands in sortNear's order at its head,
// in that order; the others follow in no order. A city's answer shows
// MaxPerTier of the thousands of groups near it at 100,000 and only
// counts the rest, so they are not sorted. cands' pos must be set, in the
// order they were found, and most distances be at most dref.
//
// It spreads them over buckets by order and distance (the squared chord,
// which a uniform spread of groups spreads uniformly), keeping each
// bucket in the order found, and sorts only the buckets that hold the
// first k, the last only as far as k. Groups of one city share its
// distance, so a bucket is mostly in order already. Sorting a city's few
// hundred groups by comparisons was most of its answer; this is a few
// passes over them. Distances beyond dref share the last bucket of their
// order: the order stays right, only slower to sort. It uses cands' spare
// capacity, grown if too short, as its buffer.
func sortNearHead(cands []nearCand, k int, dref float64) {
	k = min(k, len(cands))
	if k <= 0 {
		return
	}
	if len(cands) <= 32 { // the seed's cities: fewer than the buckets
		selectNear(cands, k)
		return
	}
	var count, next [4 * (nearBuckets + 1)]int32
	scale := 0.0
	if dref > 0 {
		scale = nearBuckets / dref
	}
	for i := range cands {
		count[nearBucket(&cands[i], scale)]++
	}
	// The k-th group is in bucket t; front is how many are in t or
	// before.
	var t int
	var before int32
	for t = range count {
		if before+count[t] >= int32(k) {
			break
		}
		before += count[t]
	}
	front := int(before + count[t])
	// Those of buckets up to t each to its bucket's range in buf, in the
	// order found (a counting sort); the others to the tail of cands.
	// The buckets are computed again rather than kept: a narrow store
	// into each candidate, read back whole, stalled the passes.
	buf := slices.Grow(cands[len(cands):], front)[:front]
	var off int32
	for b := 0; b <= t; b++ {
		next[b] = off
		off += count[b]
	}
	w := 0
	for _, c := range cands {
		if b := nearBucket(&c, scale); b <= t {
			buf[next[b]] = c
			next[b]++
		} else {
			cands[w] = c // w is behind: that one was read already
			w++
		}
	}
	copy(cands[front:], cands[:w])
	for b := 0; b < t; b++ {
		sortNearBucket(buf[next[b]-count[b] : next[b]])
	}
	if last := buf[before:front]; len(last) > 2*MaxPerTier {
		selectNear(last, k-int(before))
	} else {
		sortNearBucket(last)
	}
	copy(cands, buf)
}

// sortNearBucket sorts one of sortNearHead's buckets, in the order found,
// into sortNear's order. Its groups have one order and their pos rises:
// an insertion sort, stable, keeps ties as found comparing distances
// alone, and has little to move. A large one, of many distances,
// is sorted by comparisons.
func sortNearBucket(c []nearCand) {
	if len(c) > 64 {
		sortNearAll(c, 2*bits.Len(uint(len(c))))
		return
	}
	for i := 1; i < len(c); i++ {
		if c[i].d >= c[i-1].d {
			continue
		}
		x := c[i]
		j := i
		for ; j > 0 && x.d < c[j-1].d; j-- {
			c[j] = c[j-1]
		}
		c[j] = x
	}
}

// selectNear puts the k first of c (pos set) in sortNear's order at its
// head, in that order: quickselect, then a sort of the head.
func selectNear(cands []nearCand, k int) {
	if k >= len(cands) {
		sortNearAll(cands, 2*bits.Len(uint(len(cands))))
		return
	}
	for lo, hi := 0, len(cands); hi-lo > 1; {
		p := lo + partitionNear(cands[lo:hi])
		switch {
		case p == k:
			hi = lo
		case p < k:
			lo = p + 1
		default:
			hi = p
		}
	}
	sortNearAll(cands[:k], 2*bits.Len(uint(k)))
}

// sortNearAll sorts c in sortNear's order (pos set): quicksort down to
// short ranges, which insertion sort finishes. Past depth levels of
// partitions, a sign of pivots chosen badly, it leaves the rest to
// slices.SortFunc, whose cost is bounded.
func sortNearAll(c []nearCand, depth int) {
	for len(c) > 12 {
		if depth == 0 {
			slices.SortFunc(c, cmpNear)
			return
		}
		depth--
		p := partitionNear(c)
		// The shorter side by recursion, the longer by the loop: the
		// stack stays logarithmic.
		if p < len(c)-1-p {
			sortNearAll(c[:p], depth)
			c = c[p+1:]
		} else {
			sortNearAll(c[p+1:], depth)
			c = c[:p]
		}
	}
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && nearLess(&c[j], &c[j-1]); j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
}

// partitionNear moves the elements of c before a pivot (the median of
// its first, middle and last) to its left and the others to its right,
// and returns where it lands.
func partitionNear(c []nearCand) int {
	last := len(c) - 1
	if m := len(c) / 2; len(c) >= 3 {
		// Order c[0], c[m], c[last] so that the median is at m.
		if nearLess(&c[m], &c[0]) {
			c[m], c[0] = c[0], c[m]
		}
		if nearLess(&c[last], &c[m]) {
			c[last], c[m] = c[m], c[last]
			if nearLess(&c[m], &c[0]) {
				c[m], c[0] = c[0], c[m]
			}
		}
	}
	c[len(c)/2], c[last] = c[last], c[len(c)/2]
	pv := c[last]
	p := 0
	for i := range last {
		if nearLess(&c[i], &pv) {
			c[i], c[p] = c[p], c[i]
			p++
		}
	}
	c[p], c[last] = c[last], c[p]
	return p
}

// nearLess is cmpNear(*a, *b) < 0, small enough to be inlined. Distances
// are never NaN (they are from valid points).
func nearLess(a, b *nearCand) bool {
	if a.order != b.order {
		return a.order < b.order
	}
	if a.d != b.d {
		return a.d < b.d
	}
	return a.pos < b.pos
}

// cmpNear is sortNear's order; pos makes it total.
func cmpNear(a, b nearCand) int {
	if a.order != b.order {
		return int(a.order) - int(b.order)
	}
	if c := cmp.Compare(a.d, b.d); c != 0 {
		return c
	}
	return int(a.pos - b.pos)
}

func (x *Index) nearCand(id int32, real bool, d float64) nearCand {
	c := nearCand{id: id, d: d}
	if !real {
		c.order = 1
	}
	if isAlly(x.org(id)) {
		c.order += 2
	}
	return c
}

// nearCity lists, in the order a city's answer shows them, the groups not
// marked in s yet that are within NearKm of at or in the province sub
// (those at a real point by distance, then the others as the province
// lists them; peer-run groups before allies), and marks them. Only the
// first MaxPerTier are in order: the answer shows no more (appendNearPicks).
func (x *Index) nearCity(s *scratch, at Point, sub string) []nearCand {
	// The tree's points in its order, those marked already (the city's
	// own groups) dropped: the order within would have called with.
	cands := x.localTree.appendWithin(s.near[:0], at, NearKm)
	n := 0
	for _, c := range cands {
		if s.mark(c.id) {
			var order uint8
			if isAlly(x.org(c.id)) {
				order = 2
			}
			// Written whole, field by field: c with a field changed
			// would be a narrow store read back wide, a stall each.
			cands[n] = nearCand{id: c.id, pos: int32(n), d: c.d, order: order}
			n++
		}
	}
	cands = cands[:n]
	if sub != "" {
		u := unit(at)
		for _, id := range x.subIn.at(sub) {
			if !s.mark(id) {
				continue
			}
			c := x.nearCand(id, false, 0)
			if x.info.at(id).real {
				c = x.nearCand(id, true, chord2(u, unit(*x.org(id).Coordinates)))
			}
			c.pos = int32(len(cands))
			cands = append(cands, c)
		}
	}
	// Room for sortNearHead's buffer, kept with s.near.
	cands = slices.Grow(cands, len(cands))
	sortNearHead(cands, MaxPerTier, withinR2(NearKm))
	return cands
}

// chordKm is the great-circle distance whose squared chord on the unit
// sphere is d: the same distance DistanceKm gives (to a billionth of a
// kilometre) without its trigonometry.
func chordKm(d float64) float64 {
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(d)/2))
}

// appendNearPicks appends the first MaxPerTier of cands to dst, with
// their distance when they have a real point, and counts the rest in more.
func (x *Index) appendNearPicks(dst []pick, cands []nearCand, more *int) []pick {
	// Groups of one city share its point, so equal distances come in
	// runs (cands are in order): each run's arcsine is taken once.
	lastD, lastKm := math.NaN(), float32(0)
	for _, c := range capped(cands, more) {
		km := float32(-1)
		if c.order&1 == 0 {
			if c.d != lastD {
				lastD, lastKm = c.d, float32(chordKm(c.d))
			}
			km = lastKm
		}
		dst = append(dst, pick{c.id, km})
	}
	return dst
}

// listed returns every organisation the match lists already.
func (m *Match) listed() map[*Organisation]bool {
	out := map[*Organisation]bool{}
	for _, l := range [][]Hit{m.Local, m.Near, m.National} {
		for _, h := range l {
			out[h.Org] = true
		}
	}
	return out
}

// nearest offers the groups really near a place that has none of its own:
// within FarKm, in its country, or within RegionKm in a country of one of
// its regions (Offered), nearest first. The
// distance is shown only from a city, never from a stand-in point.
func (x *Index) nearest(p *Place, skip map[*Organisation]bool) []Hit {
	const scan = 50
	ids := x.groups.nearest(p.Point, scan, func(id int32) bool { return skip[x.org(id)] })
	regions := x.countryRegion[p.Country]
	var out []Hit
	for _, id := range ids {
		o := x.org(id)
		km := DistanceKm(*o.Coordinates, p.Point)
		if !x.offered(o, p.Country, regions, km) {
			continue
		}
		h := Hit{Org: o, Km: -1}
		if p.Kind == PlaceCity && x.info.at(id).real {
			h.Km = float32(km)
		}
		out = append(out, h)
		if len(out) == NearestCount {
			break
		}
	}
	return out
}

// offered reports whether o, km away from a place in country (of the given
// regions) with no group of its own, may be offered as near it.
func (x *Index) offered(o *Organisation, country string, regions []int32, km float64) bool {
	switch {
	case km <= FarKm || slices.Contains(o.Countries, country):
		return true
	case km <= RegionKm:
		return x.sharesRegion(o, regions)
	}
	return false
}

func (x *Index) sharesRegion(o *Organisation, regions []int32) bool {
	for _, c := range o.Countries {
		for _, g := range x.countryRegion[c] {
			if slices.Contains(regions, g) {
				return true
			}
		}
	}
	return false
}

// MaxPerTier caps each list of a match (local groups, national bodies…) so
// that a search costs the same however many groups a place has; Match.More
// says how many were left out.
const MaxPerTier = 100

// capped is the first MaxPerTier of s; more counts the rest.
func capped[T any](s []T, more *int) []T {
	if len(s) > MaxPerTier {
		*more += len(s) - MaxPerTier
		return s[:MaxPerTier]
	}
	return s
}

// appendPicks appends the first MaxPerTier of ids to dst, with no
// distance, and counts the rest in more.
func appendPicks(dst []pick, ids []int32, more *int) []pick {
	for _, id := range capped(ids, more) {
		dst = append(dst, pick{id, -1})
	}
	return dst
}

// Near returns up to k local or national groups nearest to p, nearest
// first, leaving out those already in skip. Distances are from p, which
// the caller vouches is a real point (a shared location, a city); groups
// whose own position is a stand-in get none (Km -1).
func (x *Index) Near(p Point, k int, skip []Hit) []Hit {
	var skipFn func(int32) bool
	if len(skip) > 0 {
		skipFn = func(id int32) bool {
			for _, h := range skip {
				if h.Org == x.org(id) {
					return true
				}
			}
			return false
		}
	}
	ids := x.groups.nearest(p, k, skipFn)
	out := make([]Hit, len(ids))
	for i, id := range ids {
		out[i] = Hit{Org: x.org(id), Km: -1}
		if x.info.at(id).real {
			out[i].Km = float32(x.dist(id, p))
		}
	}
	return out
}

// NearPoint answers for a shared location as for a city: the groups within
// NearKm, nearest first (those in the nearest city's province too), then
// the national bodies of the country it is in, its regional networks and
// the international ones; the nearest groups elsewhere when none is near.
// The point is not kept.
func (x *Index) NearPoint(p Point) Match {
	m := Match{Place: &Place{Kind: PlaceCity, Point: p}}
	s := x.getScratch()
	defer x.putScratch(s)
	s.resetMarks()
	cands := s.near[:0]
	x.localTree.within(p, NearKm, func(id int32, d float64) {
		if s.mark(id) {
			cands = append(cands, nearCand{id: id, d: d})
		}
	})
	sortNear(cands)
	s.near = cands
	l := hitLists{buf: s.picks[:0]}
	buf := l.buf
	for _, c := range cands {
		buf = append(buf, pick{c.id, float32(chordKm(c.d))})
	}
	c, ok := x.WhereIs(p)
	if ok && c.Subdivision != "" {
		for _, id := range x.subIn.at(c.Subdivision) {
			if !x.info.at(id).real && s.mark(id) {
				buf = append(buf, pick{id, -1})
			}
		}
	}
	l.put(mNear, false, buf)
	if ok {
		m.Place.Country = c.Country
		m.Place.Subdivision = c.Subdivision
		buf = l.buf
		for _, id := range x.national.at(c.Country) {
			buf = append(buf, pick{id, -1})
		}
		l.put(mNational, false, buf)
		l.put(mRegional, false, x.appendCountryRegions(l.buf, c.Country, &m))
	}
	l.put(mInternational, false, appendPicks(l.buf, x.international, &m.More))
	s.picks = x.give(&l, &m)
	if !m.Own() {
		m.Nearest = x.nearest(m.Place, m.listed())
	}
	return m
}

// appendCountryRegions adds to m the regions country is in, and appends to
// dst their regional networks, each network once, in the regions' order.
func (x *Index) appendCountryRegions(dst []pick, country string, m *Match) []pick {
	regions := x.countryRegion[country]
	m.Regions = slices.Grow(m.Regions, len(regions)) // at once, as National
	start := len(dst)
	// A network serving two of the country's regions is listed once. The
	// first region's list has no repeats; later ones are checked against
	// those listed, by a scan while they are few (a country's regions have
	// a handful of networks), by a map past that.
	var seen map[int32]bool
	for i, g := range regions {
		m.Regions = append(m.Regions, &x.regions[g])
		for _, id := range x.regional.at(x.regions[g].ID) {
			if i > 0 {
				if seen == nil && len(dst)-start > 32 {
					seen = make(map[int32]bool, 2*(len(dst)-start))
					for _, p := range dst[start:] {
						seen[p.id] = true
					}
				}
				if seen != nil {
					if seen[id] {
						continue
					}
					seen[id] = true
				} else if slices.ContainsFunc(dst[start:], func(p pick) bool { return p.id == id }) {
					continue
				}
			}
			dst = append(dst, pick{id, -1})
		}
	}
	return dst
}

// RegionMatch is the answer for a region by id, as Search gives it.
func (x *Index) RegionMatch(id string) (Match, bool) {
	i, ok := x.regionBy[id]
	if !ok {
		return Match{}, false
	}
	return x.placeMatch(ref{refRegion, i}), true
}
