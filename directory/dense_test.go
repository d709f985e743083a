package directory

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

// TestDenseRankingEqualsAddingUp checks, over a directory large enough for
// common words to get bitsets, that ranking by their combinations finds
// the same best names in the same order, and the same count, as adding up
// every posting does, for queries mixing common, rare and unknown words and
// bonus words.
func TestDenseRankingEqualsAddingUp(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	orgs := syntheticOrgs(seed, 20_000)
	// Words just too rare for a bitset, whose names also hold common ones:
	// the combinations must leave out the names the postings scored.
	for i := range orgs {
		if i%50 == 0 {
			orgs[i].Name += " naloxone"
			orgs[i].Description = "A peer network of people who use drugs: harm reduction, rights and action."
		}
		if i%70 == 0 {
			orgs[i].Name += " safer supply"
			orgs[i].Description = "Drug users union and community alliance."
		}
	}
	x := Build(seed, append(slices.Clone(seed.Organisations), orgs...))
	ni := x.bm
	if len(ni.dense) < 10 {
		t.Fatalf("%d dense words; the test needs the synthetic vocabulary's", len(ni.dense))
	}
	common := []string{"drug", "users", "union", "network", "people", "peer", "harm", "reduction", "alliance", "voices",
		"rights", "collective", "society", "league", "forum", "action", "community", "survivors", "advocates", "project"}
	rare := []string{"vancouver", "toronto", "paris", "berlin", "asud", "naloxone", "nowhereland", "canada", "17", "g42x",
		"naloxone", "safer", "supply", "naloxone"}
	r := rand.New(rand.NewPCG(8, 9))
	dense := 0
	for range 600 {
		var words, bonus []string
		for range 1 + r.IntN(6) {
			if r.IntN(3) == 0 {
				words = append(words, rare[r.IntN(len(rare))])
			} else {
				words = append(words, common[r.IntN(len(common))])
			}
		}
		if r.IntN(3) == 0 {
			bonus = append(bonus, rare[r.IntN(len(rare))])
		}
		if r.IntN(4) == 0 {
			bonus = append(bonus, common[r.IntN(len(common))])
		}
		q := ni.query(words, bonus)
		if len(q.terms) == 0 || q.want == 0 {
			continue
		}
		need := float32(minCoverage * q.want * 0.9999)
		s := x.getScratch()
		gotIDs, gotTotal, ok := ni.rankDense(s, q, need)
		gotIDs = slices.Clone(gotIDs)
		clearScratch(s)
		ni.accumulate(s, q)
		wantIDs, wantTotal := ni.best(s, need, nil)
		clearScratch(s)
		x.putScratch(s)
		if !ok {
			continue
		}
		dense++
		if gotTotal != wantTotal || !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%q (bonus %q): dense ranking gives %d matches, best %v; adding up gives %d, best %v",
				strings.Join(words, " "), bonus, gotTotal, gotIDs[:min(5, len(gotIDs))], wantTotal, wantIDs[:min(5, len(wantIDs))])
		}
	}
	if dense < 300 {
		t.Fatalf("only %d queries ranked by the dense path", dense)
	}
}

func clearScratch(s *scratch) {
	for _, id := range s.touched {
		s.acc[id] = accum{}
	}
	s.touched = s.touched[:0]
}
