// Package directorytest holds test support for code that reads the
// directory: the index of the embedded seed, built once per test binary. It
// imports testing, so only _test.go files may import it.
package directorytest

import (
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// Dir always answers from one index. It has the method set of the core's
// bot.Directory (this package does not import the core, so that the core's
// own tests can use it).
type Dir struct{ X *directory.Index }

// Index returns the fixed index.
func (d Dir) Index() *directory.Index { return d.X }

// seedIndex builds the index of the embedded seed once per test binary:
// building it is the slow part of starting a core, and the seed never
// changes while tests run.
var seedIndex = sync.OnceValues(func() (*directory.Index, error) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		return nil, err
	}
	return directory.Build(seed, seed.Organisations), nil
})

// MustSeedIndex returns the index of the embedded seed, shared by every
// caller in the test binary (treat it as read-only).
func MustSeedIndex(t testing.TB) *directory.Index {
	t.Helper()
	x, err := seedIndex()
	if err != nil {
		t.Fatalf("directorytest: load seed: %v", err)
	}
	return x
}

// MustSeed returns the seed's Dir.
func MustSeed(t testing.TB) Dir {
	t.Helper()
	return Dir{MustSeedIndex(t)}
}

// GroupsByCountry lists, for each country with open local groups or
// national bodies, those organisations, in the index's order: what a
// country's answer must show, for tests that check every country's.
func GroupsByCountry(x *directory.Index) map[string][]*directory.Organisation {
	out := map[string][]*directory.Organisation{}
	x.Orgs(func(o *directory.Organisation) bool {
		if o.Closed() || (o.Kind != directory.KindLocal && o.Kind != directory.KindNational) {
			return true
		}
		for _, c := range o.Countries {
			out[c] = append(out[c], o)
		}
		return true
	})
	return out
}

// EachCountry runs test as one subtest per country of GroupsByCountry(x),
// named by the country's English name, in the order of the country codes,
// with that country's groups. It fails first if fewer than 20 countries
// have groups: the seed has more, so the index is not the seed's.
func EachCountry(t *testing.T, x *directory.Index, test func(t *testing.T, name string, groups []*directory.Organisation)) {
	t.Helper()
	byCountry := GroupsByCountry(x)
	codes := slices.Sorted(maps.Keys(byCountry))
	if len(codes) < 20 {
		t.Fatalf("%d countries with groups; the seed has more", len(codes))
	}
	for _, code := range codes {
		name := x.CountryName(code, "en")
		t.Run(name, func(t *testing.T) { test(t, name, byCountry[code]) })
	}
}
