package directory

import (
	"slices"
	"sync"
)

// crossBorder lists, for each country C, the organisations in the list of
// one of C's cities (cityList) that C's local groups and national bodies
// (countryLocal, national) do not hold: groups seated in or serving a
// city of C without being of C, and regional or international networks
// serving such a city. A country's or a region's served set is then its
// countries' lists and these, without reading every city's list, which
// was most of a region's search (acceptCountries).
//
// It is filled on first use, once per Index (sync.Once: readers run
// concurrently), from that Index's own lists, so it can never be stale:
// every Index gets a fresh one (buildIndex, derive), and an Index is never
// changed once it serves. An Index without one (nil) scans the cities'
// lists as before.
type crossBorder struct {
	once sync.Once
	by   map[string][]int32 // country → ids, ascending, each once
}

// crossBorderOf returns x's cross-border lists by country, filling them on
// first use, or nil when x has none.
func (x *Index) crossBorderOf() map[string][]int32 {
	if x.cross == nil {
		return nil
	}
	x.cross.once.Do(func() { x.cross.by = x.crossBorderLists() })
	return x.cross.by
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
