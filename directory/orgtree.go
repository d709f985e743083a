package directory

import "math"

// orgTree finds organisations near a point. It is a k-d tree over their
// distinct positions (geoTree), each with the organisations there in slot
// order, so that organisations at one position (a city's groups all have
// the city's) always come in slot order, whatever the tree's shape: two
// indexes of the same organisations, one built at once and one by a chain
// of approvals, list equally distant groups alike.
//
// With changes the organisations at a position by replacing its list
// (moved: a bitset of the positions replaced, their lists in a small map)
// and adds a position the tree lacks to extra, scanned whole; Compacted
// folds both into a new tree.
type orgTree struct {
	tree  *geoTree // over the positions; a point's id is its position's index
	pos   []Point  // position → where
	start []int32  // position p's organisations are ids[start[p]:start[p+1]]
	ids   []int32
	at    map[Point]int32 // where → position

	moved   []uint64          // bit p: position p's organisations are in repl
	repl    map[int32][]int32 // position → its organisations, replaced
	extra   []extraPos        // positions the tree lacks
	changed int               // positions replaced or added since the build
}

type extraPos struct {
	p   Point
	v   [3]float64
	ids []int32
}

// newOrgTree builds the tree of organisations ids (in slot order), which
// all have coordinates.
func newOrgTree(x *Index, ids []int32) *orgTree {
	t := &orgTree{at: map[Point]int32{}}
	of := make([]int32, 0, len(ids)) // by id (in ids' order): its position
	for _, id := range ids {
		p := *x.org(id).Coordinates
		i, ok := t.at[p]
		if !ok {
			i = int32(len(t.pos))
			t.at[p] = i
			t.pos = append(t.pos, p)
		}
		of = append(of, i)
	}
	t.start = make([]int32, len(t.pos)+1)
	for _, i := range of {
		t.start[i+1]++
	}
	for i := range t.pos {
		t.start[i+1] += t.start[i]
	}
	t.ids = make([]int32, len(ids))
	fill := append([]int32(nil), t.start[:len(t.pos)]...)
	for k, id := range ids {
		i := of[k]
		t.ids[fill[i]] = id
		fill[i]++
	}
	pts := make([]geoPoint, len(t.pos))
	for i, p := range t.pos {
		pts[i] = geoPoint{unit(p), int32(i)}
	}
	t.tree = newGeoTree(pts)
	return t
}

// idsAt are the organisations at position i.
func (t *orgTree) idsAt(i int32) []int32 {
	if bitIsSet(t.moved, i) {
		return t.repl[i]
	}
	return t.ids[t.start[i]:t.start[i+1]]
}

// within calls fn with every organisation at most km (great-circle) from
// p and its squared chord distance from p (see geoTree.within), those at
// one position in slot order.
func (t *orgTree) within(p Point, km float64, fn func(id int32, chord2 float64)) {
	t.tree.within(p, km, func(i int32, d float64) {
		for _, id := range t.idsAt(i) {
			fn(id, d)
		}
	})
	if len(t.extra) == 0 {
		return
	}
	c := 2 * math.Sin(km/earthRadiusKm/2)
	q := unit(p)
	for _, e := range t.extra {
		if d := chord2(q, e.v); d <= c*c {
			for _, id := range e.ids {
				fn(id, d)
			}
		}
	}
}

// appendWithin is within without a call per point (geoTree.appendWithin):
// it appends a nearCand (id and d; order and pos left zero) for every
// organisation at most km from p, in within's order, and returns the
// extended slice. The positions found are appended first and expanded
// into their organisations after them, then moved down over themselves,
// so dst's spare room serves both.
func (t *orgTree) appendWithin(dst []nearCand, p Point, km float64) []nearCand {
	start := len(dst)
	dst = t.tree.appendWithin(dst, p, km) // a point's id is its position
	end := len(dst)
	for i := start; i < end; i++ {
		for _, id := range t.idsAt(dst[i].id) {
			dst = append(dst, nearCand{id: id, d: dst[i].d})
		}
	}
	dst = append(dst[:start], dst[end:]...)
	if len(t.extra) == 0 {
		return dst
	}
	q, r2 := unit(p), withinR2(km)
	for _, e := range t.extra {
		if d := chord2(q, e.v); d <= r2 {
			for _, id := range e.ids {
				dst = append(dst, nearCand{id: id, d: d})
			}
		}
	}
	return dst
}

// nearest returns up to k organisations closest to p, nearest first,
// those at one distance in slot order, skipping those skip reports.
func (t *orgTree) nearest(p Point, k int, skip func(int32) bool) []int32 {
	if k <= 0 {
		return nil
	}
	q := unit(p)
	best := make([]geoCand, 0, k+1)
	offer := func(id int32, d float64) {
		if skip == nil || !skip(id) {
			keepNearest(&best, k, id, d)
		}
	}
	// The tree is over positions: each position found offers its
	// organisations.
	t.tree.visitNearest(q, 0, len(t.tree.pts), 0, k, func(i int32, d float64) {
		for _, id := range t.idsAt(i) {
			offer(id, d)
		}
	}, &best)
	for _, e := range t.extra {
		d := chord2(q, e.v)
		for _, id := range e.ids {
			offer(id, d)
		}
	}
	return candIDs(best)
}

// with is a copy of t in which the organisations at each position of
// lists are those lists (in slot order; empty for none), sharing what did
// not change.
func (t *orgTree) with(lists map[Point][]int32) *orgTree {
	u := *t
	u.moved = append([]uint64(nil), t.moved...)
	u.repl = make(map[int32][]int32, len(t.repl)+len(lists))
	for k, v := range t.repl {
		u.repl[k] = v
	}
	u.extra = append([]extraPos(nil), t.extra...)
	for p, ids := range lists {
		if i, ok := t.at[p]; ok {
			if !bitIsSet(u.moved, i) {
				u.changed++
			}
			u.moved = bitsetWith(u.moved, i, true)
			u.repl[i] = ids
			continue
		}
		found := false
		for j := range u.extra {
			if u.extra[j].p == p {
				u.extra[j].ids, found = ids, true
			}
		}
		if !found {
			u.extra = append(u.extra, extraPos{p, unit(p), ids})
			u.changed++
		}
	}
	return &u
}

// idsAtPoint are the organisations t has at p.
func (t *orgTree) idsAtPoint(p Point) []int32 {
	if i, ok := t.at[p]; ok {
		return t.idsAt(i)
	}
	for _, e := range t.extra {
		if e.p == p {
			return e.ids
		}
	}
	return nil
}
