package directory

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
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

// TestBuildDeletionsEqualsFreeze: the organisations' misspelling index,
// built in two passes over their words, is the one the map of lists
// (addDeletions, then freezeDeletions) makes of the same words in the same
// order, byte for byte: words that repeat letters (a deletion made twice),
// words sharing deletions, short and long ones, and words given twice.
func TestBuildDeletionsEqualsFreeze(t *testing.T) {
	seed := mustSeed(t)
	var words [][]rune
	for _, w := range []string{"aab", "abab", "abba", "aaaaaaa", "ab", "a", "", "drug", "drugs", "rdug", "mississippi", "users", "usres", "ünïcödé", "abab"} {
		words = append(words, []rune(w))
	}
	// Enough words for their deletions to come in many batches.
	for _, o := range append(slices.Clone(seed.Organisations), syntheticOrgs(seed, 3000)...) {
		for _, w := range strings.Fields(newFolder().fold(o.Name + " " + o.Acronym)) {
			words = append(words, []rune(w))
		}
	}
	// Ids out of order and repeated, as organisations' and places' words
	// mix in an orgDeletions' list.
	id := func(i int) int32 { return int32((i * 7) % (len(words) - 3)) }
	deletes := map[uint64]int32{}
	var lists [][]int32
	for i, w := range words {
		addDeletions(deletes, &lists, id(i), w)
	}
	want := freezeDeletions(deletes, lists)
	got := buildDeletions(len(words), func(i int) (int32, []rune) { return id(i), words[i] })
	if got.hashes != want.hashes || got.dir != want.dir || got.shift != want.shift ||
		!slices.Equal(got.start, want.start) || !slices.Equal(got.ids, want.ids) {
		t.Fatalf("buildDeletions differs from freezeDeletions: %d keys, %d ids; want %d keys, %d ids",
			len(got.hashes)/8, len(got.ids), len(want.hashes)/8, len(want.ids))
	}
	if len(want.ids) < len(words) {
		t.Fatalf("only %d ids for %d words: the test lists too few deletions", len(want.ids), len(words))
	}
}

// TestMergeKeys: merging sorted runs of hashes, each once, into a sorted
// list of hashes, each once, keeps each hash once and in order, however
// the runs overlap.
func TestMergeKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 15))
	var keys []uint64
	seen := map[uint64]bool{}
	for range 200 {
		run := make([]uint64, r.IntN(40))
		for i := range run {
			run[i] = r.Uint64N(3000) // often already in keys
			seen[run[i]] = true
		}
		slices.Sort(run)
		keys = mergeKeys(keys, slices.Compact(run))
	}
	want := slices.Sorted(maps.Keys(seen))
	if !slices.Equal(keys, want) {
		t.Fatalf("merged %d keys, want %d: %v...", len(keys), len(want), keys[:min(10, len(keys))])
	}
}
