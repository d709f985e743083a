package directory

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
)

// TestIncrementalEqualsFreshBuild keeps an index up to date the way Live
// does after an approval, by With, through a random run of additions,
// edits (renames, new descriptions, moves to another city or country,
// closures and reopenings) and removals, seed organisations' included,
// and checks at intervals that every search and autocomplete answers
// exactly as a fresh build of the merged organisations: one given the
// BM25 statistics the chain keeps (bmStats) between compactions, and a
// plain Build right after Compacted.
func TestIncrementalEqualsFreshBuild(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(15, 2027))
	extra := syntheticOrgs(seed, 60)
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// Some changes before the first build, as a process starting finds
	// them in the store.
	var changes []Change
	for step := range 10 {
		changes = append(changes, incrementalChange(r, seed, extra, step, start))
	}
	live := Build(seed, Merge(seed.Organisations, changes))
	steps := 120
	if testing.Short() {
		steps = 40
	}
	sawProblem := false
	for step := 10; step < 10+steps; step++ {
		batch := []Change{incrementalChange(r, seed, extra, step, start)}
		if r.IntN(5) == 0 { // now and then two at once, as ApplyAll writes them
			batch = append(batch, incrementalChange(r, seed, extra, step, start))
		}
		changes = append(changes, batch...)
		next, ok := live.With(batch)
		if !ok {
			t.Fatalf("step %d: With(%v) could not derive the index", step, batch)
		}
		live = next
		sawProblem = sawProblem || len(live.Problems()) > 0
		if r.IntN(3) == 0 {
			live.Search("Vancouvr drug usres")
		}
		orgs := Merge(seed.Organisations, changes)
		switch {
		case step%40 == 39:
			live = live.Compacted()
			compareIndexes(t, r, fmt.Sprintf("after %d changes and a compaction", step), live, Build(fresh, orgs), orgs)
		case step%10 == 9:
			stats := live.bm.stats
			compareIndexes(t, r, fmt.Sprintf("after %d changes", step), live, build(fresh, orgs, &stats), orgs)
		}
	}
	if !sawProblem {
		t.Error("no change was ever left out as invalid: the run does not test that")
	}
}

// compareIndexes fails unless got answers every probe as want does.
func compareIndexes(t *testing.T, r *rand.Rand, when string, got, want *Index, orgs []Organisation) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Errorf("%s: %d organisations, want %d", when, got.Len(), want.Len())
	}
	if g, w := slices.Sorted(slices.Values(got.Problems())), slices.Sorted(slices.Values(want.Problems())); !slices.Equal(g, w) {
		t.Errorf("%s: problems %q, want %q", when, g, w)
	}
	qs := rebuildQueries(r, orgs)
	for _, o := range orgs {
		if o.City != "" {
			qs = append(qs, o.City)
		}
		if len(o.Countries) > 0 && r.IntN(4) == 0 {
			qs = append(qs, o.Countries[0])
		}
	}
	qs = append(qs, "Europe", "Africa", "Peer Drug Users Union", "pduu", "renamed", "harm reduktion")
	for _, q := range qs {
		if g, w := got.Search(q), want.Search(q); !reflect.DeepEqual(g, w) {
			t.Errorf("%s, Search(%q) differs from a fresh build:\n got %s\nwant %s", when, q, brief(g), brief(w))
		}
	}
	prefixes := []string{"dr", "pe", "va", "to", "ha", "g", "new", ""}
	for range 30 {
		if name := orgs[r.IntN(len(orgs))].Name; len(name) > 3 {
			prefixes = append(prefixes, name[:3])
		}
	}
	for _, p := range prefixes {
		if g, w := got.Autocomplete(p, 30), want.Autocomplete(p, 30); !slices.Equal(g, w) {
			t.Errorf("%s, Autocomplete(%q) = %q, want %q", when, p, g, w)
		}
	}
	for _, p := range []Point{{49.28, -123.12}, {48.86, 2.35}, {-1.29, 36.82}, {43.65, -79.38}} {
		if g, w := got.NearPoint(p), want.NearPoint(p); !reflect.DeepEqual(g, w) {
			t.Errorf("%s, NearPoint(%v) differs from a fresh build:\n got %s\nwant %s", when, p, brief(Result{Matches: []Match{g}}), brief(Result{Matches: []Match{w}}))
		}
		if g, w := got.Near(p, 7, nil), want.Near(p, 7, nil); !reflect.DeepEqual(g, w) {
			t.Errorf("%s, Near(%v) differs from a fresh build", when, p)
		}
	}
	for _, o := range orgs {
		g, gok := got.Org(o.ID)
		w, wok := want.Org(o.ID)
		if gok != wok || gok && !reflect.DeepEqual(g, w) {
			t.Errorf("%s, Org(%q) differs from a fresh build", when, o.ID)
		}
	}
}

// incrementalChange is one moderator's change at step: a removal, a
// rename, a new description, a move to another city (and perhaps
// country), a closure or reopening, an invalid record, or an addition.
func incrementalChange(r *rand.Rand, seed *Seed, extra []Organisation, step int, start time.Time) Change {
	at := start.Add(time.Duration(step) * time.Minute)
	pool := append(slices.Clone(seed.Organisations), extra...)
	o := pool[r.IntN(len(pool))]
	switch r.IntN(8) {
	case 0:
		return Change{ID: o.ID, Removed: true, At: at}
	case 1:
		o.Name = fmt.Sprintf("%s Renamed Harm Reduktion %d", o.Name, step)
	case 2:
		o.Description = "People who use drugs organising for their rights, naloxone and safer supply."
	case 3:
		if o.Kind == KindLocal || o.Kind == KindNational {
			to := extra[r.IntN(len(extra))]
			o.City, o.Countries, o.Province, o.Coordinates, o.Serves = to.City, to.Countries, "", nil, nil
		}
	case 6: // a record no build accepts: left out and reported
		o.Countries = []string{"ZZ"}
	case 4:
		o.Status = StatusClosed
		if r.IntN(2) == 0 {
			o.Status = StatusActive
		}
	default:
		o = extra[r.IntN(len(extra))]
		o.ID = fmt.Sprintf("new-%d-%d", step, r.IntN(1000))
		o.Name = fmt.Sprintf("Peer Drug Users Union %s %d", o.City, step)
		o.Acronym = fmt.Sprintf("PDUU%d", step)
	}
	return Change{ID: o.ID, Org: &o, At: at}
}

// TestIncrementalScoresStayNearFresh bounds what With's frozen BM25
// statistics cost: after a run of changes without compaction, every
// posting's impact is within a relative 3·c/N of a fresh build's, c the
// changes applied and N the organisations. (Each change moves the number
// of documents by one at most, which moves an idf by about 1/N, and the
// average length by one document's share of it.)
func TestIncrementalScoresStayNearFresh(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	extra := syntheticOrgs(seed, 2000)
	base := append(slices.Clone(seed.Organisations), extra[:1500]...)
	x := Build(seed, base)
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var changes []Change
	for step := range 60 {
		c := incrementalChange(r, seed, extra[1500:], step, start)
		changes = append(changes, c)
		next, ok := x.With([]Change{c})
		if !ok {
			t.Fatalf("With(%v) failed", c)
		}
		x = next
	}
	want := Build(seed, Merge(base, changes))
	bound := 3 * float64(len(changes)) / float64(want.Len())
	worst, compared := 0.0, 0
	want.bm.terms.all(func(w string, wt int32) {
		gt, ok := x.bm.term(w)
		if !ok {
			if len(want.bm.post(wt)) > 0 {
				t.Errorf("word %q missing from the incremental index", w)
			}
			return
		}
		gp := map[string]float32{}
		for _, p := range x.bm.post(gt) {
			gp[x.org(p.org).ID] = p.impact
		}
		for _, p := range want.bm.post(wt) {
			g, ok := gp[want.org(p.org).ID]
			if !ok {
				t.Errorf("word %q: %s has no posting in the incremental index", w, want.org(p.org).ID)
				continue
			}
			compared++
			worst = max(worst, math.Abs(float64(g-p.impact))/float64(p.impact))
		}
	})
	t.Logf("%d postings compared, worst relative error %.5f, bound %.5f", compared, worst, bound)
	if compared < 1000 || worst > bound {
		t.Errorf("worst relative error of %d impacts %.5f, want at most %.5f", compared, worst, bound)
	}
}

// TestIncrementalDenseEqualsFreshBuild is TestIncrementalEqualsFreshBuild
// for a directory large enough for its common words to have bitsets
// (dense.go), which With re-makes block by block: vague queries, ranked
// through them, answer as a fresh build given the same statistics.
func TestIncrementalDenseEqualsFreshBuild(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(8, 9))
	extra := syntheticOrgs(seed, 6000)
	base := append(slices.Clone(seed.Organisations), extra[:5000]...)
	x := Build(seed, base)
	if len(x.bm.dense) == 0 {
		t.Fatal("no dense words: the test needs a larger directory")
	}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var changes []Change
	pool := append(slices.Clone(base[len(base)-200:]), extra[5000:]...)
	steps := 60
	if testing.Short() {
		steps = 20
	}
	for step := range steps {
		c := incrementalChange(r, seed, pool, step, start)
		changes = append(changes, c)
		next, ok := x.With([]Change{c})
		if !ok {
			t.Fatalf("With(%v) failed", c)
		}
		x = next
		if step%10 != 9 {
			continue
		}
		stats := x.bm.stats
		want := build(seed, Merge(base, changes), &stats)
		for _, q := range []string{"drug users union", "peer harm reduction network", "users union", "harm reduction",
			"peer drug users union vancouver", "voices rights collective", "union", "league forum action"} {
			if g, w := x.Search(q), want.Search(q); !reflect.DeepEqual(g, w) {
				t.Errorf("after %d changes, Search(%q) differs from a fresh build:\n got %s\nwant %s", step+1, q, brief(g), brief(w))
			}
		}
	}
}

// TestTfFromNormInvertsTfNorm checks that a compaction recovers every
// frequency a name can have from its normalised form.
func TestTfFromNormInvertsTfNorm(t *testing.T) {
	for tf := float32(1); tf <= 400; tf++ {
		for _, dl := range []float64{float64(tf), 2 * float64(tf), 40, 400, 4000} {
			for _, avg := range []float64{1, 7.5, 30, 300} {
				if got := tfFromNorm(tfNorm(tf, dl, avg), dl, avg); got != tf {
					t.Fatalf("tfFromNorm(tfNorm(%v, %v, %v)) = %v", tf, dl, avg, got)
				}
			}
		}
	}
}

// TestWithLeavesTheOldIndexAlone derives indexes from one another, and
// several from the same one, while searches run on the first: every
// index derived from keeps answering exactly as before (With copies what
// it changes; run it with -race too).
func TestWithLeavesTheOldIndexAlone(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(21, 22))
	extra := syntheticOrgs(seed, 5200)
	base := append(slices.Clone(seed.Organisations), extra[:5000]...)
	x := Build(seed, base)
	qs := append(rebuildQueries(r, base), "Vancouver", "Paris", "Canada")
	answers := func(x *Index) []Result {
		out := make([]Result, len(qs))
		for i, q := range qs {
			out[i] = x.Search(q)
		}
		return out
	}
	before := answers(x)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 3*len(qs); i++ {
			x.Search(qs[i%len(qs)])
		}
	}()
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	y := x
	for step := range 40 {
		from := y
		if step%4 == 0 { // a branch from an index already derived from
			from = x
		}
		next, ok := from.With([]Change{incrementalChange(r, seed, extra[5000:], step, start)})
		if !ok {
			t.Fatal("With could not derive the index")
		}
		if step%13 == 12 {
			next = next.Compacted()
		}
		y = next
	}
	<-done
	if !reflect.DeepEqual(answers(x), before) {
		t.Error("the index changes were derived from answers otherwise")
	}
}

// TestNameKeysStayInOrder adds, one approval at a time, many
// organisations between the same two neighbours in name order, until
// their keys must be numbered again, and checks that the keys follow the
// names throughout and that a vague search answers as a fresh build's.
func TestNameKeysStayInOrder(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	x := Build(seed, seed.Organisations)
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var changes []Change
	for i := range 60 {
		o := Organisation{ID: fmt.Sprintf("same-%02d", i), Name: "Same Name Drug Users Union", Kind: KindLocal,
			Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
		c := Change{ID: o.ID, Org: &o, At: start.Add(time.Duration(i) * time.Second)}
		changes = append(changes, c)
		next, ok := x.With([]Change{c})
		if !ok {
			t.Fatal("With could not derive the index")
		}
		x = next
		ni, byName := x.bm, x.orderedNames().flat()
		if len(byName) != x.Len() {
			t.Fatalf("after %d additions, %d slots in name order, want %d", i+1, len(byName), x.Len())
		}
		for j := 1; j < len(byName); j++ {
			if a, b := *ni.nameOrder.at(byName[j-1]), *ni.nameOrder.at(byName[j]); a >= b {
				t.Fatalf("after %d additions, name keys %d and %d out of order", i+1, a, b)
			}
		}
	}
	stats := x.bm.stats
	want := build(seed, Merge(seed.Organisations, changes), &stats)
	for _, q := range []string{"same name drug users union", "drug users union", "same name"} {
		if g, w := x.Search(q), want.Search(q); !reflect.DeepEqual(g, w) {
			t.Errorf("Search(%q) differs from a fresh build:\n got %s\nwant %s", q, brief(g), brief(w))
		}
	}
}

// TestCompactionsMakeRoomForAdditions adds, through With and the
// compactions Live runs between approvals, more organisations than the
// first build made room for: With never has to ask for a build.
func TestCompactionsMakeRoomForAdditions(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	x := Build(seed, seed.Organisations)
	room := x.work.n
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var all []Change
	for batch := 0; x.orgs.len() <= room+100; batch++ {
		var cs []Change
		for i := range 50 {
			o := Organisation{ID: fmt.Sprintf("room-%d-%d", batch, i), Name: fmt.Sprintf("Room Drug Users Union %d %d", batch, i),
				Kind: KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "test"}
			cs = append(cs, Change{ID: o.ID, Org: &o, At: start.Add(time.Duration(batch) * time.Minute)})
		}
		all = append(all, cs...)
		next, ok := x.With(cs)
		if !ok {
			t.Fatalf("after %d additions (room for %d), With asked for a build", len(all)-50, x.work.n-len(seed.Organisations))
		}
		x = next
		if x.NeedsCompaction() || batch%4 == 3 {
			x = x.Compacted()
		}
	}
	want := Build(seed, Merge(seed.Organisations, all))
	for _, q := range []string{"room drug users union", "Vancouver", "room 3 7"} {
		if g, w := x.Compacted().Search(q), want.Search(q); !reflect.DeepEqual(g, w) {
			t.Errorf("Search(%q) differs from a fresh build:\n got %s\nwant %s", q, brief(g), brief(w))
		}
	}
}
