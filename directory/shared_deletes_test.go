package directory

import (
	"testing"
)

// found reports whether a search for q names the organisation id, and
// whether it took a correction.
func found(x *Index, q, id string) (bool, bool) {
	res := x.Search(q)
	for _, m := range res.Matches {
		for _, o := range m.Orgs {
			if o.ID == id {
				return true, res.Corrected
			}
		}
	}
	return false, res.Corrected
}

// TestRebuildsShareThePlacesMisspellings: indexes built from one seed share
// the places' misspelling index and keep the organisations' own, so a
// misspelt organisation is found in the index that lists it and not in
// another one, and a misspelt place is corrected in both.
func TestRebuildsShareThePlacesMisspellings(t *testing.T) {
	seed := mustSeed(t)
	org := Organisation{ID: "zqx-test", Name: "Quuxolotl Peer Collective", Kind: KindLocal, Countries: []string{"CA"}, City: "Vancouver", Province: "CA-BC", Source: "test"}
	with := Build(seed, append(append([]Organisation(nil), seed.Organisations...), org))
	without := Build(seed, seed.Organisations)
	if with.placeDels == nil || with.placeDels != without.placeDels {
		t.Fatal("the two indexes do not share the places' misspelling index")
	}
	if ok, corrected := found(with, "Quuxolotel", org.ID); !ok || !corrected {
		t.Errorf("misspelt organisation: found %v, corrected %v; want both", ok, corrected)
	}
	if ok, _ := found(without, "Quuxolotel", org.ID); ok {
		t.Error("an index built without the organisation found it: the organisations' layer is shared")
	}
	for _, x := range []*Index{with, without} {
		res := x.Search("Vancover")
		if !res.Corrected || len(res.Matches) == 0 || res.Matches[0].Place == nil || res.Matches[0].Place.Name != "Vancouver" {
			t.Errorf("misspelt place not corrected to Vancouver: %+v", res)
		}
	}
}
