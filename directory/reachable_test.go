package directory

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// reachable may turn a query away only when no name could match it: for
// random queries of known and unknown words, whenever it says no, adding
// up every posting finds no match either; and it says no to some.
func TestReachableTurnsAwayOnlyTheHopeless(t *testing.T) {
	seed := mustSeed(t)
	x := Build(seed, append(slices.Clone(seed.Organisations), syntheticOrgs(seed, 5_000)...))
	ni := x.bm
	known := []string{"drug", "users", "union", "network", "peer", "harm", "reduction", "alliance", "rights", "vancouver", "asud"}
	unknown := []string{"netwrok", "nowhereland", "qqzx", "reducton"}
	r := rand.New(rand.NewPCG(21, 22))
	refused, matched := 0, 0
	for range 3000 {
		var words []string
		for range 1 + r.IntN(4) {
			if r.IntN(3) == 0 {
				words = append(words, unknown[r.IntN(len(unknown))])
			} else {
				words = append(words, known[r.IntN(len(known))])
			}
		}
		q := ni.query(words, nil)
		if len(q.terms) == 0 || q.want == 0 {
			continue
		}
		need := float32(minCoverage * q.want * 0.9999)
		s := x.getScratch()
		ni.accumulate(s, q)
		_, total := ni.best(s, need, nil)
		clearScratch(s)
		x.putScratch(s)
		if total > 0 {
			matched++
		}
		if !ni.reachable(q) {
			refused++
			if total > 0 {
				t.Fatalf("%q: reachable says no, but %d names match", strings.Join(words, " "), total)
			}
		}
	}
	if refused == 0 || matched == 0 {
		t.Fatalf("%d refused, %d matched: the queries do not exercise both", refused, matched)
	}
}
