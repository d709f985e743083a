package directory

import (
	"math"
	"slices"
)

// earthRadiusKm is the mean radius used for great-circle distances.
const earthRadiusKm = 6371.0

// DistanceKm is the great-circle distance between a and b (haversine).
func DistanceKm(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := la2 - la1
	dLon := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Valid reports whether p is a position on Earth.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 &&
		!math.IsNaN(p.Lat) && !math.IsNaN(p.Lon)
}

// unit maps a point to the unit sphere. The straight-line (chord) distance
// between two such vectors grows with the great-circle distance, so a plain
// 3-d k-d tree finds nearest neighbours on the globe with no special cases
// at the poles or the antimeridian.
func unit(p Point) [3]float64 {
	la, lo := p.Lat*math.Pi/180, p.Lon*math.Pi/180
	// cos(la) once: the compiler does not merge two calls. (Not Sincos,
	// whose results may differ in the last bit from Sin and Cos, and the
	// generated place file holds vectors made by this function.)
	cl := math.Cos(la)
	return [3]float64{cl * math.Cos(lo), cl * math.Sin(lo), math.Sin(la)}
}

func chord2(a, b [3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return dx*dx + dy*dy + dz*dz
}

// geoTree is a static k-d tree over points, stored implicitly in a slice:
// the median of each range is its node. Nearest-neighbour queries take
// O(log n) on average, so "groups nearest to X" stays fast however large the
// directory grows.
type geoTree struct {
	pts []geoPoint
}

type geoPoint struct {
	v  [3]float64
	id int32
}

func newGeoTree(pts []geoPoint) *geoTree {
	t := &geoTree{pts: pts}
	t.build(0, len(pts), 0)
	return t
}

func (t *geoTree) build(lo, hi, axis int) {
	if hi-lo <= 1 {
		return
	}
	mid := (lo + hi) / 2
	s := t.pts[lo:hi]
	// A full sort per level costs O(n log² n) overall, which is fine for a
	// tree rebuilt only when the directory changes.
	// slices.SortFunc runs the same pattern-defeating quicksort as
	// sort.Slice, comparison for comparison, so equal points end in the
	// same order; it only spares the reflection.
	slices.SortFunc(s, func(a, b geoPoint) int {
		switch {
		case a.v[axis] < b.v[axis]:
			return -1
		case a.v[axis] > b.v[axis]:
			return 1
		}
		return 0
	})
	next := (axis + 1) % 3
	t.build(lo, mid, next)
	t.build(mid+1, hi, next)
}

// nearest returns the ids of up to k points closest to p, nearest first,
// those at one distance by id, skipping ids for which skip returns true.
func (t *geoTree) nearest(p Point, k int, skip func(int32) bool) []int32 {
	if k <= 0 || len(t.pts) == 0 {
		return nil
	}
	best := make([]geoCand, 0, k+1)
	t.visitNearest(unit(p), 0, len(t.pts), 0, k, func(id int32, d float64) {
		if skip == nil || !skip(id) {
			keepNearest(&best, k, id, d)
		}
	}, &best)
	return candIDs(best)
}

type geoCand struct {
	d  float64
	id int32
}

// visitNearest is the walk of a k-nearest search over pts[lo:hi]: it
// offers every point it visits, with its squared chord from q, nearer
// half first, and passes over a half only when it cannot hold a point
// nearer than the k-th kept in best. Ties at the k-th's distance are still
// visited, so that offer (which keeps best, see keepNearest) breaks them
// by id whatever the tree's shape.
func (t *geoTree) visitNearest(q [3]float64, lo, hi, axis, k int, offer func(id int32, d float64), best *[]geoCand) {
	if lo >= hi {
		return
	}
	mid := (lo + hi) / 2
	n := t.pts[mid]
	offer(n.id, chord2(q, n.v))
	next := (axis + 1) % 3
	diff := q[axis] - n.v[axis]
	first, second := [2]int{lo, mid}, [2]int{mid + 1, hi}
	if diff > 0 {
		first, second = second, first
	}
	t.visitNearest(q, first[0], first[1], next, k, offer, best)
	if len(*best) < k || diff*diff <= (*best)[len(*best)-1].d {
		t.visitNearest(q, second[0], second[1], next, k, offer, best)
	}
}

// keepNearest adds id at d to best, the up to k nearest so far, nearest
// first and those at one distance by id.
func keepNearest(best *[]geoCand, k int, id int32, d float64) {
	b := *best
	if l := len(b); l == k && (d > b[l-1].d || d == b[l-1].d && id > b[l-1].id) {
		return
	}
	b = append(b, geoCand{d, id})
	j := len(b) - 1
	for j > 0 && (b[j-1].d > b[j].d || b[j-1].d == b[j].d && b[j-1].id > b[j].id) {
		b[j-1], b[j] = b[j], b[j-1]
		j--
	}
	if len(b) > k {
		b = b[:k]
	}
	*best = b
}

// candIDs are the ids of cands, in order.
func candIDs(cands []geoCand) []int32 {
	ids := make([]int32, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	return ids
}

// within calls fn with the id of every point at most km (great-circle) from
// p, and its squared chord distance from p, which orders points as their
// great-circle distance does at no trigonometry. The order is the tree's
// pre-order (a node, then its lower half, then its upper half), the same
// as appendWithin's: callers break ties between equal distances by it.
func (t *geoTree) within(p Point, km float64, fn func(id int32, chord2 float64)) {
	if len(t.pts) == 0 {
		return
	}
	t.walkWithin(unit(p), withinR2(km), 0, len(t.pts), 0, fn)
}

// withinR2 is the squared chord of a great-circle distance of km: the
// chord of an arc of angle a is 2 sin(a/2).
func withinR2(km float64) float64 {
	c := 2 * math.Sin(km/earthRadiusKm/2)
	return c * c
}

// appendWithin appends to dst a nearCand (id and d; order and pos left
// zero) for every point at most km from p, in within's order, and returns
// the extended slice. It is within without a call per point: a city's
// answer at 100,000 organisations takes a few hundred from it.
func (t *geoTree) appendWithin(dst []nearCand, p Point, km float64) []nearCand {
	q, r2 := unit(p), withinR2(km)
	pts := t.pts
	// The ranges still to visit: a node's upper half waits while its
	// lower half is walked, so the stack never holds more than the
	// tree's depth, at most 32 levels for an int32 id's worth of points.
	type span struct{ lo, hi, axis int32 }
	var stack [64]span
	top := 0
	if len(pts) > 0 {
		stack[0] = span{0, int32(len(pts)), 0}
		top = 1
	}
	for top > 0 {
		top--
		sp := stack[top]
		lo, hi, axis := int(sp.lo), int(sp.hi), int(sp.axis)
		for lo < hi {
			mid := (lo + hi) / 2
			n := &pts[mid]
			if d := chord2(q, n.v); d <= r2 {
				dst = append(dst, nearCand{id: n.id, d: d})
			}
			diff := q[axis] - n.v[axis]
			next := axis + 1
			if next == 3 {
				next = 0
			}
			goLow := diff <= 0 || diff*diff <= r2
			goHigh := diff >= 0 || diff*diff <= r2
			switch {
			case goLow && goHigh:
				if mid+1 < hi {
					stack[top] = span{int32(mid + 1), int32(hi), int32(next)}
					top++
				}
				hi = mid
			case goLow:
				hi = mid
			case goHigh:
				lo = mid + 1
			default:
				lo = hi
			}
			axis = next
		}
	}
	return dst
}

func (t *geoTree) walkWithin(q [3]float64, r2 float64, lo, hi, axis int, fn func(int32, float64)) {
	if lo >= hi {
		return
	}
	mid := (lo + hi) / 2
	n := t.pts[mid]
	if d := chord2(q, n.v); d <= r2 {
		fn(n.id, d)
	}
	next := (axis + 1) % 3
	diff := q[axis] - n.v[axis]
	if diff <= 0 || diff*diff <= r2 {
		t.walkWithin(q, r2, lo, mid, next, fn)
	}
	if diff >= 0 || diff*diff <= r2 {
		t.walkWithin(q, r2, mid+1, hi, next, fn)
	}
}
