package directory

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// With returns the Index x becomes with the given community changes, made
// from x rather than built: the places are x's (shared as always), and of
// the organisation layer only what the changed organisations touch is
// copied: their chunks of records, the shards of the maps holding their
// names and words, the ranked lists and tree positions they are in, the
// postings of their words (re-weighed, since a word's document frequency
// moves its idf). Everything else is shared with x, which keeps serving
// unchanged (issue 15: an approval in under 2 ms at 100,000 organisations,
// without a second index in memory).
//
// The result answers every search as Build of the merged organisations
// does (TestIncrementalEqualsFreshBuild), with two documented departures,
// both undone by Compacted: BM25's global statistics (the number of
// documents and their average length) stay those of the last build, so
// scores drift by what a few changes among N move them (bmStats); and
// autocomplete names that fold alike list With's after Build's.
//
// Slots: an edit of a seed organisation keeps its slot, as Merge keeps its
// place; a removed organisation leaves its slot dead; an addition, or an
// edit of one, takes a new slot at the end, as Merge lists additions by
// the time of their last change (Change.At, then ID). So a chain of With
// keeps the order a fresh build has, given changes that come in time
// order; changes are applied in that order within one call.
//
// A change whose record is invalid leaves the organisation out, reported
// by Problems, as Build does (the list's order may differ from a build's).
//
// ok is false when With cannot derive the index and the caller must Build
// it: a change whose id differs from its organisation's, a seed
// organisation coming back that was not in the list x was built from in
// the seed's order, or more additions than x's arrays have room for
// (slotCap).
func (x *Index) With(changes []Change) (_ *Index, ok bool) {
	if x.orgDels == nil || x.spell == nil {
		return nil, false
	}
	cs := lastChanges(changes)
	y := x.derive()
	d := &delta{x: x, y: y, f: newFolder(), room: len(cs), slots: map[int32]bool{}, terms: map[int32]bool{},
		lists: map[listKey]bool{}, groupsAt: map[Point]bool{}, localAt: map[Point]bool{}}
	for _, c := range cs {
		if !d.apply(c) {
			return nil, false
		}
	}
	if y.orgs.len() > y.work.n {
		return nil, false
	}
	d.finish()
	y.bm.blocks = (y.orgs.len() + 63) / 64
	y.changes += len(cs)
	return y, true
}

// lastChanges is the last change of each id, in the order Merge lists
// additions: by At, then ID.
func lastChanges(changes []Change) []Change {
	last := make(map[string]int, len(changes))
	for i, c := range changes {
		last[c.ID] = i
	}
	out := make([]Change, 0, len(last))
	for i, c := range changes {
		if last[c.ID] == i {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, changeOrder)
	return out
}

// changeOrder is the order Merge lists additions in.
func changeOrder(a, b Change) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// derive is a copy of x whose organisation layer's persistent structures
// can be changed without changing x's.
func (x *Index) derive() *Index {
	y := *x
	y.orgs, y.info = x.orgs.clone(), x.info.clone()
	y.orgByID, y.deadSeed = x.orgByID.clone(), x.deadSeed.clone()
	y.okeys, y.ovocab = x.okeys.clone(), x.ovocab.clone()
	y.spell = x.spell.clone()
	y.cityIn = x.cityIn.clone()
	y.cross = new(crossBorder) // its own, filled from y's lists in the background
	y.subIn, y.countryLocal = x.subIn.clone(), x.countryLocal.clone()
	y.national, y.regional = x.national.clone(), x.regional.clone()
	bm := *x.bm
	bm.terms, bm.postings, bm.idf = x.bm.terms.clone(), x.bm.postings.clone(), x.bm.idf.clone()
	bm.gs = x.bm.gs.clone()
	y.bm = &bm
	return &y
}

// delta is one With under way: what its changes touched, which finish
// brings up to date.
type delta struct {
	x, y  *Index
	f     *folder
	room  int            // the changes: at most one posting each a term gains
	slots map[int32]bool // slots whose organisation changed (or died, or was born)
	terms map[int32]bool // terms whose postings changed
	lists map[listKey]bool
	// groupsAt and localAt are the positions in the trees whose
	// organisations may have changed.
	groupsAt, localAt map[Point]bool
	names             []displayName // autocomplete names to add
	gone              []displayName // and to take away
}

type listKey struct {
	kind listKind
	key  string
	city int32
}

// apply applies one change (see With for where its organisation goes).
func (d *delta) apply(c Change) bool {
	y := d.y
	var o *Organisation
	if !c.Removed && c.Org != nil {
		cp := *c.Org
		o = &cp
		if o.ID != c.ID {
			return false
		}
	}
	var info orgInfo
	y.setProblem(c.ID, "")
	if o != nil {
		var err error
		if info, err = y.resolvePlaces(d.f, o); err == nil {
			err = y.checkFacts(d.f, o)
		}
		if err != nil {
			// Left out and reported, as Build leaves it out.
			y.setProblem(c.ID, fmt.Sprintf("%s: %v", c.ID, err))
			o = nil
		}
	}
	s, live := y.orgByID.get(c.ID)
	seed := y.seedIDs[c.ID]
	switch {
	case live && seed:
		d.remove(s)
		if o == nil {
			y.deadSeed.set(c.ID, s)
			return true
		}
		d.add(s, o, info)
	case live:
		d.remove(s)
		if o != nil {
			d.add(int32(y.orgs.len()), o, info)
		}
	case o == nil:
	case seed:
		ds, ok := y.deadSeed.get(c.ID)
		if !ok {
			return false // removed before the build: its place in seed order is not kept
		}
		y.deadSeed.del(c.ID)
		d.add(ds, o, info)
	default:
		d.add(int32(y.orgs.len()), o, info)
	}
	return true
}

// remove takes the organisation in slot s out of every structure, leaving
// the slot dead.
func (d *delta) remove(s int32) {
	y := d.y
	o := *y.org(s)
	d.touch(s)
	keys, folded := orgKeyList(d.f, &o, nil)
	for _, k := range keys {
		refs := y.okeys.at(k.key)
		i := slices.Index(refs, ref{refOrg, s})
		if i >= 0 {
			if len(refs) == 1 {
				y.okeys.del(k.key)
			} else {
				y.okeys.set(k.key, slices.Delete(slices.Clone(refs), i, i+1))
			}
		}
		for _, w := range strings.Fields(k.key) {
			y.useWord(w, k.fuzzy, -1)
		}
	}
	if listed(&o) {
		doc, _ := documentWords(d.f, &o, folded, nil)
		for _, t := range doc {
			id, _ := y.bm.terms.get(t.word)
			p, g := d.termLists(id)
			if j, found := slices.BinarySearchFunc(p, s, func(q posting, s int32) int { return cmp.Compare(q.org, s) }); found {
				y.bm.postings.set(id, slices.Delete(p, j, j+1))
				y.bm.gs.set(id, slices.Delete(g, j, j+1))
			}
		}
	}
	d.gone = append(d.gone, orgNames(&o, folded)...)
	y.orgByID.del(o.ID)
	y.orgs.set(s, Organisation{})
	y.info.set(s, orgInfo{dead: true, city: -1})
	y.live--
}

// add puts organisation o (resolved: info) in slot s, which is dead or
// the next.
func (d *delta) add(s int32, o *Organisation, info orgInfo) {
	y := d.y
	d.slots[s] = true
	r := ref{refOrg, s}
	keys, folded := orgKeyList(d.f, o, nil)
	for _, k := range keys {
		refs := y.okeys.at(k.key)
		i, _ := slices.BinarySearchFunc(refs, s, func(a ref, s int32) int { return cmp.Compare(a.idx, s) })
		y.okeys.set(k.key, slices.Insert(slices.Clone(refs), i, r))
		for _, w := range strings.Fields(k.key) {
			y.useWord(w, k.fuzzy, 1)
		}
	}
	if listed(o) {
		doc, n := documentWords(d.f, o, folded, nil)
		info.docLen = n
		for _, t := range doc {
			id, ok := y.bm.terms.get(t.word)
			if !ok {
				id = int32(y.bm.postings.len())
				y.bm.terms.set(t.word, id)
				y.bm.postings.push(nil)
				y.bm.gs.push(nil)
				y.bm.idf.push(0)
			}
			p, g := d.termLists(id)
			j, _ := slices.BinarySearchFunc(p, s, func(q posting, s int32) int { return cmp.Compare(q.org, s) })
			y.bm.postings.set(id, slices.Insert(p, j, posting{org: s}))
			y.bm.gs.set(id, slices.Insert(g, j, tfNorm(float32(t.tf), n, y.bm.stats.avg)))
		}
	}
	d.names = append(d.names, orgNames(o, folded)...)
	y.orgByID.set(o.ID, s)
	y.orgs.set(s, *o)
	y.info.set(s, info)
	y.live++
	d.touch(s)
}

// termLists are term id's postings and normalised frequencies as y's own
// to change: copied from x's the first time this With touches the term.
func (d *delta) termLists(id int32) ([]posting, []float32) {
	ni := d.y.bm
	if !d.terms[id] {
		d.terms[id] = true
		// With room for this With's insertions: a clone to the length
		// grew again at the first, copying a common word's tens of
		// thousands of postings twice (BenchmarkApprovalChain).
		ni.postings.set(id, cloneRoom(ni.post(id), d.room))
		ni.gs.set(id, cloneRoom(*ni.gs.at(id), d.room))
	}
	return ni.post(id), *ni.gs.at(id)
}

// cloneRoom is a copy of s with room for extra more elements, made in one
// allocation.
func cloneRoom[T any](s []T, extra int) []T {
	out := make([]T, len(s), len(s)+extra)
	copy(out, s)
	return out
}

// orgNames are the autocomplete names of an organisation.
func orgNames(o *Organisation, folded orgKeys) []displayName {
	var out []displayName
	if o.Acronym != "" {
		out = append(out, displayName{folded.acronym, o.Acronym})
	}
	if o.Name != "" {
		out = append(out, displayName{folded.name, o.Name})
	}
	return out
}

// touch notes the lists and tree positions slot s is in now (before a
// change and after it, both are noted).
func (d *delta) touch(s int32) {
	y := d.y
	d.slots[s] = true
	y.placesOf(s, func(k listKind, key string, city int32) {
		d.lists[listKey{k, key, city}] = true
	})
	g, l := y.inTree(s)
	if g {
		d.groupsAt[*y.org(s).Coordinates] = true
	}
	if l {
		d.localAt[*y.org(s).Coordinates] = true
	}
}

// finish brings up to date what the changes touched: the postings'
// weights, the order of names, the ranked lists, the trees and the
// autocomplete names.
func (d *delta) finish() {
	y := d.y
	d.reweigh()
	d.reorderNames()
	for k := range d.lists {
		d.relist(k)
	}
	d.recountRegions()
	y.groups = d.retree(y.groups, d.groupsAt, func(s int32) bool { g, _ := y.inTree(s); return g })
	y.localTree = d.retree(y.localTree, d.localAt, func(s int32) bool { _, l := y.inTree(s); return l })
	d.renames()
}

// reweigh weighs again the postings of the terms whose document frequency
// changed, under the index's statistics, and makes their bitsets again if
// they are dense (keeping their low tier's bound).
func (d *delta) reweigh() {
	y := d.y
	ni := y.bm
	var dense map[int32]*denseTerm
	for t := range d.terms {
		p := ni.post(t) // y's own: add and remove made it
		idf := ni.idfFor(len(p))
		weigh(p, *ni.gs.at(t), idf)
		ni.idf.set(t, idf)
		if old := ni.dense[t]; old != nil {
			if dense == nil {
				dense = make(map[int32]*denseTerm, len(ni.dense))
				for k, v := range ni.dense {
					dense[k] = v
				}
			}
			dense[t] = old.with(p, *ni.gs.at(t), idf, d.slots)
		}
	}
	if dense != nil {
		ni.dense = dense
	}
}

// reorderNames puts the changed slots in their place in name order, each
// with a key between its neighbours' (or all keys anew when there is no
// room).
func (d *delta) reorderNames() {
	y := d.y
	ni := y.bm
	// Out first, found by their names before the changes (x's): the list
	// is in that order until they are out.
	names := d.x.orderedNames().clone()
	x := d.x
	for s := range d.slots {
		if int(s) >= x.orgs.len() || x.info.at(s).dead {
			continue
		}
		if c, i, ok := names.search(s, byNameOf(x)); ok {
			names.delete(c, i)
		}
	}
	nameCmp := byNameOf(y)
	keys := ni.nameOrder.clone()
	for keys.len() < y.orgs.len() {
		keys.push(0)
	}
	renumber := false
	for s := range d.slots {
		if y.info.at(s).dead {
			continue
		}
		c, i, _ := names.search(s, nameCmp)
		names.insert(c, i, s)
		c, i, _ = names.search(s, nameCmp) // where it is now, should its chunk have split
		lo, hi := uint32(0), uint32(1<<32-1)
		prev, next, hasPrev, hasNext := names.neighbours(c, i)
		if hasPrev {
			lo = *keys.at(prev)
		}
		if hasNext {
			hi = *keys.at(next)
		}
		if hi-lo < 2 || hi < lo {
			renumber = true
			continue
		}
		keys.set(s, lo+(hi-lo)/2)
	}
	// Build's flat list is x's, and out of date in y: y's is names.
	y.nameSeq, ni.byName = names, nil
	if renumber {
		ni.nameOrder = nameKeys(names.flat(), y.orgs.len())
		return
	}
	ni.nameOrder = keys
}

// byNameOf is the order of name keys over x's organisations: by name,
// then by slot.
func byNameOf(x *Index) func(a, b int32) int {
	return func(a, b int32) int {
		if c := strings.Compare(x.org(a).Name, x.org(b).Name); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
}

// relist makes one ranked list again: the unchanged organisations in their
// order, the changed ones inserted by the list's order, ties by slot (the
// order rank's stable sorts of lists filled in slot order give).
func (d *delta) relist(k listKey) {
	y := d.y
	var old []int32
	switch k.kind {
	case listCity:
		old = y.cityList(k.city)
	case listSub:
		old = y.subIn.at(k.key)
	case listCountryLocal:
		old = y.countryLocal.at(k.key)
	case listNational:
		old = y.national.at(k.key)
	case listRegional:
		old = y.regional.at(k.key)
	case listInternational:
		old = y.international
	}
	list := make([]int32, 0, len(old)+1)
	for _, s := range old {
		if !d.slots[s] {
			list = append(list, s)
		}
	}
	order := y.listOrder(k.kind)
	byOrder := func(a, b int32) int {
		if c := order(y.org(a), y.org(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	for s := range d.slots {
		n := 0
		y.placesOf(s, func(kind listKind, key string, city int32) {
			if (listKey{kind, key, city}) == k {
				n++
			}
		})
		if n > 1 && (k.kind == listCity || k.kind == listSub) {
			n = 1 // appendID's lists hold an organisation once
		}
		for range n {
			i, _ := slices.BinarySearchFunc(list, s, byOrder)
			for i < len(list) && list[i] == s {
				i++
			}
			list = slices.Insert(list, i, s)
		}
	}
	cityWas, subWas := len(old) > 0, len(old) > 0
	switch k.kind {
	case listCity:
		y.cityIn.set(k.city, list)
		if name := y.cities[k.city].Name; cityWas != (len(list) > 0) && name != "" {
			d.placeName(name, len(list) > 0)
		}
	case listSub:
		y.subIn.set(k.key, list)
		if subWas != (len(list) > 0) {
			if i, ok := y.subBy[k.key]; ok && y.subs[i].Name != "" {
				d.placeName(y.subs[i].Name, len(list) > 0)
			}
		}
	case listCountryLocal:
		y.countryLocal.set(k.key, list)
	case listNational:
		y.national.set(k.key, list)
	case listRegional:
		y.regional.set(k.key, list)
	case listInternational:
		y.international = list
	}
}

// placeName adds (or takes away) the autocomplete name of a place whose
// list of groups became non-empty (or empty).
func (d *delta) placeName(name string, add bool) {
	n := displayName{d.f.fold(name), name}
	if add {
		d.names = append(d.names, n)
	} else {
		d.gone = append(d.gone, n)
	}
}

// recountRegions makes again the index of countries of every region a
// changed country list belongs to.
func (d *delta) recountRegions() {
	y := d.y
	var rc map[string][]CountryCount
	for k := range d.lists {
		if k.kind != listCountryLocal && k.kind != listNational {
			continue
		}
		for _, g := range y.countryRegion[k.key] {
			if rc == nil {
				rc = make(map[string][]CountryCount, len(y.regionCountries))
				for id, v := range y.regionCountries {
					rc[id] = v
				}
			}
			rc[y.regions[g].ID] = y.regionCountryCounts(y.regions[g])
		}
	}
	if rc != nil {
		y.regionCountries = rc
	}
}

// retree is t with the organisations at the positions at made again:
// those of the unchanged slots there, and the changed slots in holds.
func (d *delta) retree(t *orgTree, at map[Point]bool, in func(int32) bool) *orgTree {
	if len(at) == 0 {
		return t
	}
	lists := make(map[Point][]int32, len(at))
	for p := range at {
		var ids []int32
		for _, s := range t.idsAtPoint(p) {
			if !d.slots[s] {
				ids = append(ids, s)
			}
		}
		for s := range d.slots {
			if in(s) && *d.y.org(s).Coordinates == p {
				ids = append(ids, s)
			}
		}
		slices.Sort(ids)
		lists[p] = ids
	}
	return t.with(lists)
}

// renames brings the autocomplete names up to date: a name taken away is
// one With added before, or one of Build's to pass over.
func (d *delta) renames() {
	y := d.y
	if len(d.names) == 0 && len(d.gone) == 0 {
		return
	}
	add := slices.Clone(y.namesAdd)
	del := make(map[displayName]int, len(y.namesDel)+len(d.gone))
	for k, v := range y.namesDel {
		del[k] = v
	}
	for _, n := range d.gone {
		if i := slices.Index(add, n); i >= 0 {
			add = slices.Delete(add, i, i+1)
			continue
		}
		del[n]++
	}
	for _, n := range d.names {
		if del[n] > 0 {
			// One of Build's again, rather than a second copy.
			if del[n]--; del[n] == 0 {
				delete(del, n)
			}
			continue
		}
		i, _ := slices.BinarySearchFunc(add, n.folded, func(a displayName, f string) int {
			if a.folded <= f {
				return -1
			}
			return 1
		})
		add = slices.Insert(add, i, n)
	}
	y.namesAdd, y.namesDel = add, del
}

// compactEvery is how many changes With applies before Compacted should
// fold them in: one in a hundred of the organisations (at least 256), so
// that BM25's frozen statistics are off by about 1% at most (bmStats) and
// the trees' and names' deltas stay small.
func compactEvery(live int) int { return max(256, live/100) }

// NeedsCompaction reports whether enough changes were applied by With
// since the last build or compaction for Compacted to be worth running
// (Live runs it in the background, off the approval's path).
func (x *Index) NeedsCompaction() bool { return x.changes >= compactEvery(x.live) }

// Compacted returns x with what With accumulated folded in: BM25's
// statistics computed afresh (every posting re-weighed, the dense words
// chosen again), and once their deltas have grown, the trees built again
// over the positions of today and the autocomplete names merged into one
// list. The organisations, their keys,
// words and ranked lists are shared with x, not copied: compacting at
// 100,000 organisations costs tens of megabytes, not a second index. The
// result answers as Build of the same organisations does, but for the
// tie order of autocomplete names folding alike.
func (x *Index) Compacted() *Index {
	y := x.derive()
	ni := y.bm
	docLen := make([]float64, 0, y.live)
	for s := range int32(y.orgs.len()) {
		if info := y.info.at(s); !info.dead {
			docLen = append(docLen, info.docLen)
		}
	}
	ni.stats = *docStats(docLen)
	ni.maxIDF = math.Log(1 + (ni.stats.n+0.5)/0.5)
	n := ni.postings.len()
	postings, gs, idf := make([][]posting, n), make([][]float32, n), make([]float64, n)
	// The new postings and weights laid out in one array each, every
	// term's full (With's appends copy it), rather than two small
	// allocations a term: fewer objects, none rounded up to a size class,
	// while the index compacted still serves beside its compaction.
	total := 0
	for t := range int32(n) {
		total += len(ni.post(t))
	}
	flat, flatG := make([]posting, total), make([]float32, total)
	for t := range int32(n) {
		old := *ni.gs.at(t)
		k := len(ni.post(t))
		p, g := flat[:k:k], flatG[:k:k]
		flat, flatG = flat[k:], flatG[k:]
		copy(p, ni.post(t))
		for j := range p {
			dl := y.info.at(p[j].org).docLen
			g[j] = tfNorm(tfFromNorm(old[j], dl, x.bm.stats.avg), dl, ni.stats.avg)
		}
		idf[t] = ni.idfFor(len(p))
		weigh(p, g, idf[t])
		postings[t], gs[t] = p, g
	}
	ni.postings, ni.gs, ni.idf = newCvec(postings), newCvec(gs), newCvec(idf)
	// Room for more additions, if they have used up much of it: the
	// scratch arrays and the bitsets (made again just below) are sized
	// afresh, so that With never runs out of room while compactions run.
	if slots := y.orgs.len(); y.work.n-slots < (slotCap(slots)-slots)/2 {
		y.work = newScratchPool(slotCap(slots))
		ni.words = (y.work.n + 63) / 64
	}
	ni.dense = nil
	ni.buildDense(postings, gs, idf, y.live)
	// The trees and the autocomplete names answer alike folded or not:
	// they are made again only once their deltas are a sizeable part of
	// them, which keeps a compaction's memory to the postings' new weights.
	if g, l := y.groups, y.localTree; 64*(g.changed+l.changed) > len(g.pos)+len(l.pos) {
		var groups, local []int32
		for s := range int32(y.orgs.len()) {
			g, l := y.inTree(s)
			if g {
				groups = append(groups, s)
			}
			if l {
				local = append(local, s)
			}
		}
		y.groups, y.localTree = newOrgTree(y, groups), newOrgTree(y, local)
	}
	if 64*(len(y.namesAdd)+len(y.namesDel)) > len(y.names) {
		names := make([]displayName, 0, len(y.names)+len(y.namesAdd))
		y.eachName(func(n *displayName) bool { names = append(names, *n); return true })
		y.names, y.namesAdd, y.namesDel = names, nil, nil
	}
	y.changes = 0
	return y
}

// setProblem replaces what Problems reports about id by problem ("" for
// nothing).
func (y *Index) setProblem(id, problem string) {
	prefix := id + ": "
	var out []string
	changed := false
	for _, p := range y.problems {
		if strings.HasPrefix(p, prefix) {
			changed = true
			continue
		}
		out = append(out, p)
	}
	if problem != "" {
		out, changed = append(out, problem), true
	}
	if changed {
		y.problems = out
	}
}
