package directory

import (
	"slices"
	"sync/atomic"
)

// crossBorder lists, for each country C, the organisations in the list of
// one of C's cities (cityList) that C's local groups and national bodies
// (countryLocal, national) do not hold: groups seated in or serving a
// city of C without being of C, and regional or international networks
// serving such a city. A country's or a region's served set is then its
// countries' lists and these, without reading every city's list, which
// was most of a region's search (acceptCountries).
//
// An Index made by a build fills its lists at once; one derived by With
// (an approval) starts filling them in the background at its first search
// that needs them, which reads the cities' lists as before until they are
// ready: the fill takes some 10 ms at 100,000 organisations, which an
// approval should not add to itself nor to the first search after it.
// The lists are made from that Index's own, so they are never stale:
// every Index gets a fresh crossBorder (buildIndex, derive), and an Index
// is never changed once it serves. An Index without one (nil) always
// reads the cities' lists.
type crossBorder struct {
	started atomic.Bool
	by      atomic.Pointer[map[string][]int32] // country → ids, ascending, each once
}

// crossBorderOf returns x's cross-border lists by country, or nil when x
// has none or they are not filled yet (then it starts filling them).
func (x *Index) crossBorderOf() map[string][]int32 {
	c := x.cross
	if c == nil {
		return nil
	}
	if p := c.by.Load(); p != nil {
		return *p
	}
	if c.started.CompareAndSwap(false, true) {
		go c.fill(x)
	}
	return nil
}

// fill makes x's lists and publishes them. Filling twice is harmless: the
// lists are a function of x.
func (c *crossBorder) fill(x *Index) {
	by := x.crossBorderLists()
	c.by.Store(&by)
}

// crossBorderLists reads every city's list once for the organisations
// crossBorder holds. Those that are local groups or national bodies with
// the city's country among theirs are in that country's countryLocal or
// national list (placesOf files a listed organisation under both), so
// they are left out.
func (x *Index) crossBorderLists() map[string][]int32 {
	by := map[string][]int32{}
	for i := range x.cities {
		country := x.cities[i].Country
		for _, id := range x.cityList(int32(i)) {
			o := x.org(id)
			if (o.Kind == KindLocal || o.Kind == KindNational) && slices.Contains(o.Countries, country) {
				continue
			}
			by[country] = append(by[country], id)
		}
	}
	for c, ids := range by {
		slices.Sort(ids)
		by[c] = slices.Clip(slices.Compact(ids))
	}
	return by
}
