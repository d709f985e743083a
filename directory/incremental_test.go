package directory

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

// TestRebuildAfterChangesEqualsFreshBuild applies a random sequence of
// additions, edits and removals the way Live does (each a new Index on the
// shared place index, the organisations' misspelling table built on first
// use), and checks at intervals that every search answers exactly as an
// Index built from a freshly loaded seed, whose places no earlier
// organisation layer has touched, answers it.
func TestRebuildAfterChangesEqualsFreshBuild(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(15, 2026))
	extra := syntheticOrgs(seed, 60)
	var changes []Change
	steps := 90
	if testing.Short() {
		steps = 30
	}
	for step := 1; step <= steps; step++ {
		changes = append(changes, randomChange(r, seed, extra, step))
		orgs := Merge(seed.Organisations, changes)
		live := Build(seed, orgs)
		// Half the time a misspelt query comes first, so that the lazily
		// built table is built by a search rather than by the checks.
		if r.IntN(2) == 0 {
			live.Search("Vancouvr drug usres")
		}
		if step%30 != 0 {
			continue
		}
		fresh, err := LoadSeed(i18n.Tags()...)
		if err != nil {
			t.Fatal(err)
		}
		want := Build(fresh, orgs)
		for _, q := range rebuildQueries(r, orgs) {
			if got, exp := live.Search(q), want.Search(q); !reflect.DeepEqual(got, exp) {
				t.Errorf("after %d changes, Search(%q) differs from a fresh build:\n got %s\nwant %s", step, q, brief(got), brief(exp))
			}
		}
		if got, exp := live.Autocomplete("dr", 20), want.Autocomplete("dr", 20); !slices.Equal(got, exp) {
			t.Errorf("after %d changes, Complete differs: %q, want %q", step, got, exp)
		}
	}
}

// randomChange adds a new organisation, edits one (its name, city or
// closure) or removes one.
func randomChange(r *rand.Rand, seed *Seed, extra []Organisation, step int) Change {
	pool := append(slices.Clone(seed.Organisations), extra...)
	o := pool[r.IntN(len(pool))]
	switch r.IntN(4) {
	case 0:
		return Change{ID: o.ID, Removed: true}
	case 1:
		o.Name = fmt.Sprintf("%s Renamed Harm Reduktion %d", o.Name, step)
	case 2:
		o = extra[r.IntN(len(extra))]
		o.ID = fmt.Sprintf("new-%d", step)
		o.Name = fmt.Sprintf("Peer Drug Users Union %s %d", o.City, step)
		o.Acronym = fmt.Sprintf("PDUU%d", step)
	default:
		o.Description = "People who use drugs organising for their rights, naloxone and safer supply."
	}
	return Change{ID: o.ID, Org: &o}
}

// rebuildQueries are searches that reach every part of an organisation
// layer: exact names and acronyms, misspelt names, vague words, places.
func rebuildQueries(r *rand.Rand, orgs []Organisation) []string {
	qs := append(slices.Clone(benchQueries), "drug users union", "harm reduction network canada",
		"users union paris", "peer drug users union vancouver", "naloxone", "Renamed Harm Reduction", "reduktion")
	for range 40 {
		o := orgs[r.IntN(len(orgs))]
		qs = append(qs, o.Name, o.Acronym, misspell(r, o.Name))
	}
	return qs
}

// misspell drops a letter from the longest word of s.
func misspell(r *rand.Rand, s string) string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return s
	}
	longest := 0
	for i, w := range words {
		if len(w) > len(words[longest]) {
			longest = i
		}
	}
	if w := words[longest]; len(w) > 5 {
		i := 1 + r.IntN(len(w)-2)
		words[longest] = w[:i] + w[i+1:]
	}
	return strings.Join(words, " ")
}

func brief(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "corrected=%v partial=%v", r.Corrected, r.Partial)
	for _, m := range r.Matches {
		if m.Place != nil {
			fmt.Fprintf(&b, " place=%s local=%d near=%d", m.Place.Name, len(m.Local), len(m.Near))
		}
		for i, o := range m.Orgs {
			if i == 5 {
				break
			}
			fmt.Fprintf(&b, " %s", o.ID)
		}
		fmt.Fprintf(&b, " more=%d;", m.More)
	}
	return b.String()
}

// TestCloseWordsFindsOrganisationWords checks the organisations' layer of
// the misspelling index as TestCloseWordsFindsWhatBruteForceFinds checks
// the places': a misspelt organisation word finds exactly the words an
// edit-distance scan of every indexed word (places' and organisations')
// finds.
func TestCloseWordsFindsOrganisationWords(t *testing.T) {
	x := MustIndex(t)
	d := x.orgDels
	indexed := func(yield func([]rune) bool) {
		for id, ok := range x.fuzzed {
			if ok && !yield(x.words[id]) {
				return
			}
		}
		for _, id := range d.words {
			if !yield(x.wordRunes(id)) {
				return
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	tried := 0
	for _, id := range d.words {
		w := slices.Clone(x.wordRunes(id))
		if len(w) < 5 || id < d.base {
			continue
		}
		i := r.IntN(len(w))
		w = slices.Delete(w, i, i+1)
		q := string(w)
		limit := maxEdits(len(w))
		if limit == 0 {
			continue
		}
		tried++
		got, gotD := x.closeWords(q)
		best := limit + 1
		var want []string
		for cand := range indexed {
			if len(cand) < 3 {
				continue
			}
			switch e := editDistance(w, cand, limit); {
			case e < best:
				best, want = e, []string{string(cand)}
			case e == best && e <= limit:
				want = append(want, string(cand))
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if best > limit {
			want, best = nil, 0
		}
		if !slices.Equal(got, want) || gotD != best {
			t.Errorf("closeWords(%q) = %q at %d; an edit-distance scan finds %q at %d", q, got, gotD, want, best)
		}
	}
	if tried < 50 {
		t.Fatalf("only %d organisation words tried", tried)
	}
}
