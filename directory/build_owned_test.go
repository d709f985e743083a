package directory

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBuildOwnedEqualsBuild: a build that takes its list's array for its
// own (a start's, on Merge's list) makes the index Build makes of a copy
// of the list: with the seed's organisations all listed (the array
// reused), with one removed (slots reserved, so the list copied), with
// organisations listed twice or left out as problems (the array reused,
// its tail cleared), and out of the seed's order.
func TestBuildOwnedEqualsBuild(t *testing.T) {
	seed := mustSeed(t)
	extra := syntheticOrgs(seed, 40)
	bad := extra[3]
	bad.ID, bad.City = "owned-bad", "Nowhere At All"
	removed := slices.Clone(seed.Organisations[1:])
	reversed := slices.Clone(seed.Organisations)
	slices.Reverse(reversed)
	cases := map[string][]Organisation{
		"all listed":  append(slices.Clone(seed.Organisations), extra...),
		"one removed": append(removed, extra...),
		"twice and a problem": append(append(slices.Clone(seed.Organisations), extra[:10]...),
			bad, extra[2], extra[5]),
		"out of order": append(reversed, extra[:5]...),
	}
	r := rand.New(rand.NewPCG(3, 15))
	for name, orgs := range cases {
		want := Build(seed, orgs)
		owned := slices.Clone(orgs)
		got := buildOwned(seed, owned)
		compareIndexes(t, r, name, got, want, orgs)
		if name == "twice and a problem" {
			if len(got.Problems()) < 3 {
				t.Errorf("%s: problems %q, want the bad one and two listed twice", name, got.Problems())
			}
			if n := got.orgs.len(); n >= len(owned) || owned[n].ID != "" || &owned[0] != got.org(0) {
				t.Errorf("%s: the list's array was not reused, its tail not cleared (%d slots of %d)", name, n, len(owned))
			}
		}
		if name == "one removed" && &owned[0] == got.org(0) {
			t.Errorf("%s: the list's array was reused though slots are reserved in it", name)
		}
	}
}
