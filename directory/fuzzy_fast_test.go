package directory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/internal/benchtest"
)

// closeWordsRef is closeWords as it was before its lookups were staged and
// its set and candidates kept off the heap: every deletion of w looked up,
// a map of the words seen, a string per candidate.
func (x *Index) closeWordsRef(w string) ([]string, int) {
	rw := []rune(w)
	limit := maxEdits(len(rw))
	if limit == 0 {
		return nil, 0
	}
	best := limit + 1
	var out []string
	seen := map[int32]bool{}
	visit := func(id int32) {
		if seen[id] {
			return
		}
		seen[id] = true
		if !x.fuzzyLive(id) {
			return
		}
		cand := x.wordRunes(id)
		dist := editDistanceRef(rw, cand, min(limit, best))
		switch {
		case dist < best:
			best, out = dist, []string{string(cand)}
		case dist == best && dist <= limit:
			out = append(out, string(cand))
		}
	}
	deletions(rw, limit, func(d uint64) {
		places, orgs, since := x.deletionWords(d)
		for _, id := range places {
			visit(id)
		}
		for _, id := range orgs {
			visit(id)
		}
		for _, id := range since {
			visit(id)
		}
	})
	if best > limit {
		return nil, 0
	}
	sort.Strings(out)
	return out, best
}

// editDistanceRef is the plain optimal-string-alignment distance, full
// matrix, capped as editDistance caps it.
func editDistanceRef(a, b []rune, max int) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return min(d[len(a)][len(b)], max+1)
}

// TestEditDistanceEqualsReference compares editDistance with the full
// matrix on every pair of words of up to six letters over three, and on
// random longer words over a few more.
func TestEditDistanceEqualsReference(t *testing.T) {
	var all [][]rune
	var gen func(w []rune)
	gen = func(w []rune) {
		all = append(all, slices.Clone(w))
		if len(w) == 6 {
			return
		}
		for _, r := range "abc" {
			gen(append(w, r))
		}
	}
	gen(nil)
	check := func(a, b []rune) {
		for max := 0; max <= 3; max++ {
			if got, want := editDistance(a, b, max), editDistanceRef(a, b, max); got != want {
				t.Fatalf("editDistance(%q, %q, %d) = %d, want %d", string(a), string(b), max, got, want)
			}
		}
	}
	for _, a := range all {
		for _, b := range all {
			if d := len(a) - len(b); d <= 3 && d >= -3 {
				check(a, b)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	word := func() []rune {
		w := make([]rune, 1+r.IntN(40))
		for i := range w {
			w[i] = []rune("abcdeé")[r.IntN(6)]
		}
		return w
	}
	for range 20000 {
		a := word()
		b := slices.Clone(a)
		for range r.IntN(4) {
			switch i := r.IntN(len(b) + 1); r.IntN(4) {
			case 0:
				b = slices.Insert(b, i, 'a')
			case 1:
				if i < len(b) {
					b = slices.Delete(b, i, i+1)
				}
			case 2:
				if i < len(b) {
					b[i] = 'é'
				}
			default:
				if i+1 < len(b) {
					b[i], b[i+1] = b[i+1], b[i]
				}
			}
		}
		check(a, b)
		check(a, word())
	}
}

// TestDeletionHashesAreDeletions checks that deletionHashes gives the
// hashes deletions does, in its order: the no-or-one-rune ones, then the
// two-rune ones.
func TestDeletionHashesAreDeletions(t *testing.T) {
	for _, w := range []string{"", "a", "ab", "abc", "germny", "vancover", "abcdefghij", "ааббвв", "québec"} {
		rw := []rune(w)
		for d := range 3 {
			var want []uint64
			deletions(rw, d, func(h uint64) { want = append(want, h) })
			one := deletionHashes(nil, rw, d, false)
			got := deletionHashes(one, rw, d, true)
			if !slices.Equal(got, want) {
				t.Errorf("deletionHashes(%q, %d) = %x, want %x", w, d, got, want)
			}
			p := min(len(rw), fuzzyPrefix)
			wantOne := 1
			if d >= 1 && p > 1 {
				wantOne += p
			}
			if len(one) != wantOne {
				t.Errorf("deletionHashes(%q, %d, false): %d hashes, want %d", w, d, len(one), wantOne)
			}
		}
	}
}

func TestWordSet(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 10, 95, 96, 97, 500} {
		var s wordSet
		ref := map[int32]bool{}
		for range 3 * n {
			id := r.Int32N(int32(2*n + 1))
			if got, want := s.add(id), !ref[id]; got != want {
				t.Fatalf("n=%d: add(%d) = %v, want %v", n, id, got, want)
			}
			ref[id] = true
		}
	}
}

// misspellRunes makes a random misspelling of w: one or two deletions,
// insertions, substitutions or transpositions.
func misspellRunes(r *rand.Rand, w []rune) string {
	w = slices.Clone(w)
	letters := []rune("aeiounrstlvé")
	for range 1 + r.IntN(2) {
		if len(w) == 0 {
			break
		}
		switch i := r.IntN(len(w)); r.IntN(4) {
		case 0:
			w = slices.Delete(w, i, i+1)
		case 1:
			w = slices.Insert(w, i, letters[r.IntN(len(letters))])
		case 2:
			w[i] = letters[r.IntN(len(letters))]
		default:
			if i+1 < len(w) {
				w[i], w[i+1] = w[i+1], w[i]
			}
		}
	}
	return string(w)
}

// checkCloseWords compares closeWords with closeWordsRef on misspellings
// of words the index knows, and on the words themselves.
func checkCloseWords(t *testing.T, x *Index, r *rand.Rand, n int) {
	t.Helper()
	var vocab [][]rune
	for _, w := range x.words {
		vocab = append(vocab, w)
	}
	if d := x.orgDels; d != nil {
		for _, id := range d.words {
			vocab = append(vocab, x.wordRunes(id))
		}
		if x.spell != nil {
			for i := range x.spell.extra.len() {
				vocab = append(vocab, *x.spell.extra.at(int32(i)))
			}
		}
	}
	corrected := 0
	for i := range n {
		w := vocab[r.IntN(len(vocab))]
		q := string(w)
		if i%4 != 0 {
			q = misspellRunes(r, w)
		}
		got, gotD := x.closeWords(q)
		want, wantD := x.closeWordsRef(q)
		if !slices.Equal(got, want) || gotD != wantD {
			t.Fatalf("closeWords(%q) = %q at %d, want %q at %d", q, got, gotD, want, wantD)
		}
		if len(got) > 0 && gotD > 0 {
			corrected++
		}
	}
	if corrected < n/10 {
		t.Fatalf("only %d of %d queries corrected: the test tries too little", corrected, n)
	}
}

// TestCloseWordsEqualsReference checks closeWords against closeWordsRef on
// the seed, on the seed with synthetic organisations, and on an index
// derived from it by With (whose new words are in orgSpelling).
func TestCloseWordsEqualsReference(t *testing.T) {
	seed := mustSeed(t)
	r := rand.New(rand.NewPCG(15, 16))
	x := Build(seed, seed.Organisations)
	checkCloseWords(t, x, r, 20000)

	extra := syntheticOrgs(seed, 2000)
	big := Build(seed, append(append([]Organisation(nil), seed.Organisations...), extra...))
	checkCloseWords(t, big, r, 20000)

	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var changes []Change
	for i := range 40 {
		o := extra[r.IntN(len(extra))]
		o.ID = fmt.Sprintf("fz-%d", i)
		o.Name = fmt.Sprintf("Vancouvre Fentanylo Survivalists Kollektiv%d %s", i, o.City)
		changes = append(changes, Change{ID: o.ID, Org: &o, At: at.Add(time.Duration(i) * time.Minute)})
	}
	changes = append(changes, Change{ID: extra[0].ID, Removed: true, At: at.Add(time.Hour)})
	y, ok := big.With(changes)
	if !ok {
		t.Fatal("With could not derive the index")
	}
	checkCloseWords(t, y, r, 20000)
	for _, q := range []string{"vancouvr", "fentanilo", "survivalist", "kollektiv", "kolektiv7"} {
		got, gotD := y.closeWords(q)
		want, wantD := y.closeWordsRef(q)
		if !slices.Equal(got, want) || gotD != wantD {
			t.Errorf("closeWords(%q) = %q at %d, want %q at %d", q, got, gotD, want, wantD)
		}
	}
}

// fuzzyRef is fuzzy as it was before it went through the phrases without
// a closure: the reference TestFuzzyEqualsReference holds it to.
func (x *Index) fuzzyRef(q string) []ref {
	words := strings.Fields(q)
	if len(words) == 0 || len(words) > 6 {
		return nil
	}
	options := make([][]string, len(words))
	cost := make([][]int, len(words))
	changed := false
	for i, w := range words {
		if _, ok := x.wordID(w); ok {
			options[i], cost[i] = []string{w}, []int{0}
			continue
		}
		cands, d := x.closeWordsRef(w)
		if len(cands) == 0 {
			return nil
		}
		changed = true
		if len(cands) > 4 {
			cands = cands[:4]
		}
		options[i] = cands
		cost[i] = make([]int, len(cands))
		for j := range cands {
			cost[i][j] = d
		}
	}
	if !changed {
		return nil
	}
	best := -1
	var out []ref
	var walk func(i, total int, parts []string)
	walk = func(i, total int, parts []string) {
		if best >= 0 && total > best {
			return
		}
		if i == len(words) {
			refs := x.refsFor(strings.Join(parts, " "))
			if len(refs) == 0 {
				return
			}
			if best < 0 || total < best {
				best, out = total, nil
			}
			out = appendRefs(out, refs)
			return
		}
		for j, o := range options[i] {
			walk(i+1, total+cost[i][j], append(parts, o))
		}
	}
	walk(0, 0, make([]string, 0, len(words)))
	return out
}

// TestFuzzyEqualsReference checks fuzzy against fuzzyRef on misspellings
// of the names the index knows, of one word and of several.
func TestFuzzyEqualsReference(t *testing.T) {
	seed := mustSeed(t)
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 500)...))
	x.orgDeletionIndex()
	var names []string
	for k := range x.placeKeys {
		names = append(names, k)
	}
	x.okeys.all(func(k string, _ []ref) { names = append(names, k) })
	slices.Sort(names)
	r := rand.New(rand.NewPCG(17, 18))
	found, several := 0, 0
	for range 30000 {
		words := strings.Fields(names[r.IntN(len(names))])
		for i, w := range words {
			if len(w) >= 5 && r.IntN(2) == 0 {
				words[i] = misspellRunes(r, []rune(w))
			}
		}
		q := strings.Join(words, " ")
		got, want := x.fuzzy(q), x.fuzzyRef(q)
		if !slices.Equal(got, want) {
			t.Fatalf("fuzzy(%q) = %v, want %v", q, got, want)
		}
		if len(got) > 0 {
			found++
			if len(words) > 1 {
				several++
			}
		}
	}
	if found < 3000 || several < 300 {
		t.Fatalf("only %d corrections found, %d of several words: the test tries too little", found, several)
	}
}

// BenchmarkCloseWords is the misspelling lookup alone, on the seed, for
// the misspelt words of benchQueries and one of two edits.
func BenchmarkCloseWords(b *testing.B) {
	x := MustIndex(b)
	x.orgDeletionIndex()
	for _, w := range []string{"vancover", "germny", "organisaton", "vancuover"} {
		b.Run(w, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.closeWords(w)
			}
		})
	}
}

// BenchmarkSearchMisspelt100k is Search at 100,000 organisations for
// queries of several words with one misspelt, which look the misspelt word
// up once for each way of splitting the query (qualified) and again when
// correcting the whole.
func BenchmarkSearchMisspelt100k(b *testing.B) {
	seed := mustSeed(b)
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	x.orgDeletionIndex()
	for _, q := range []string{"drug usres union", "Vancouvr drug users", "harm reducton Toronto", "peer netwrok"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				x.Search(q)
			}
		})
	}
}

// BenchmarkCorrection100k sets each misspelling beside the query it is
// corrected to, at 100,000 organisations: the difference is what the
// correction costs, the rest is the answer's.
func BenchmarkCorrection100k(b *testing.B) {
	seed := mustSeed(b)
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	x.orgDeletionIndex()
	for _, q := range []string{"Vancouver", "Vancover", "Vancuover", "Germany", "Germny", "Toronto", "Torotno"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				x.Search(q)
			}
		})
	}
}
