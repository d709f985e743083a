package directory

import (
	"slices"
	"testing"
)

// A country's answer lists each regional network serving one of its regions
// once, in the regions' order then each region's, peer-run ones first
// (the answer's stable sort): checked for every country against the plain
// union, including the countries whose regions share a network.
func TestCountryRegionalIsTheUnionOnce(t *testing.T) {
	seed := mustSeed(t)
	base := Build(seed, seed.Organisations)
	// Networks serving two regions of one country, peer-run and ally,
	// so that the repeats and the sort are both exercised.
	orgs := append([]Organisation(nil), seed.Organisations...)
	for code, gs := range base.countryRegion {
		if len(gs) < 2 {
			continue
		}
		r1, r2 := base.regions[gs[0]].ID, base.regions[gs[1]].ID
		orgs = append(orgs,
			Organisation{ID: "twin-" + code, Name: "Twin network " + code, Kind: KindRegional, Regions: []string{r2, r1}},
			Organisation{ID: "ally-" + code, Name: "Ally network " + code, Kind: KindRegional, Regions: []string{r1, r2}, Ally: true})
		break
	}
	x := Build(seed, orgs)
	if p := x.Problems(); len(p) > 0 {
		t.Fatal(p)
	}
	shared := 0
	for ci := range x.countries {
		code := x.countries[ci].Code
		var want []*Organisation
		n := 0
		for _, g := range x.countryRegion[code] {
			for _, id := range x.regional.at(x.regions[g].ID) {
				n++
				if o := x.org(id); !slices.Contains(want, o) {
					want = append(want, o)
				}
			}
		}
		if n > len(want) {
			shared++
		}
		slices.SortStableFunc(want, peerFirst)
		m := x.placeMatch(ref{refCountry, int32(ci)})
		var got []*Organisation
		for _, h := range m.Regional {
			got = append(got, h.Org)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: regional %v, want %v", code, orgIDs(got), orgIDs(want))
		}
	}
	if shared == 0 {
		t.Fatal("no country has a network in two of its regions: the test checks no repeat")
	}
}

func orgIDs(os []*Organisation) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}
