package directory

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

// benchQueries mix the kinds of /find people send: countries, cities,
// provinces, acronyms, misspellings and an ambiguous place.
var benchQueries = []string{"Canada", "Vancouver", "VANDU", "Vancover", "Holland", "Portugal", "Québec", "Germny", "Victoria", "Victoria, BC"}

func BenchmarkSearchSeed(b *testing.B) {
	x := MustIndex(b)
	x.orgDeletionIndex() // as Live has it after a swap
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		x.Search(benchQueries[i%len(benchQueries)])
	}
}

// syntheticOrgs makes n local groups spread over the seed's cities, with
// names drawn from a vocabulary large enough to look like real names.
func syntheticOrgs(seed *Seed, n int) []Organisation {
	r := rand.New(rand.NewPCG(7, 11))
	words := []string{"drug", "users", "union", "network", "people", "peer", "harm", "reduction", "alliance", "voices",
		"rights", "collective", "society", "league", "forum", "action", "community", "survivors", "advocates", "project"}
	x := Build(seed, nil)
	out := make([]Organisation, 0, n)
	for i := 0; i < n; i++ {
		c := x.cities[r.IntN(len(x.cities))]
		name := fmt.Sprintf("%s %s %s %s %d", c.Name, words[r.IntN(len(words))], words[r.IntN(len(words))], words[r.IntN(len(words))], i)
		out = append(out, Organisation{
			ID: fmt.Sprintf("gen-%d", i), Name: name, Acronym: fmt.Sprintf("G%dX", i), Kind: KindLocal,
			Countries: []string{c.Country}, City: c.Name, Source: "benchmark",
		})
	}
	return out
}

func benchmarkSearchN(b *testing.B, n int) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, n)...))
	x.orgDeletionIndex() // as Live has it after a swap
	if x.Len() < n {
		b.Fatalf("index has %d organisations, want at least %d (problems: %v)", x.Len(), n, x.Problems()[:min(3, len(x.Problems()))])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		x.Search(benchQueries[i%len(benchQueries)])
	}
}

// A vague query ("drug users union") matches parts of many names; its cost
// follows how common its rarest word is, not the directory's size alone.
func BenchmarkSearchPartial100k(b *testing.B) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	b.ReportAllocs()
	for b.Loop() {
		x.Search("drug users union")
	}
}

func BenchmarkSearch1k(b *testing.B)   { benchmarkSearchN(b, 1_000) }
func BenchmarkSearch10k(b *testing.B)  { benchmarkSearchN(b, 10_000) }
func BenchmarkSearch100k(b *testing.B) { benchmarkSearchN(b, 100_000) }

func BenchmarkBuildSeed(b *testing.B) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Build(seed, seed.Organisations)
	}
}

// BenchmarkLoadAndIndexSeed is a process's first build: loading the seed and
// indexing its places, which later builds (BenchmarkBuildSeed) reuse.
func BenchmarkLoadAndIndexSeed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		seed, err := LoadSeed(i18n.Tags()...)
		if err != nil {
			b.Fatal(err)
		}
		Build(seed, seed.Organisations)
	}
}
