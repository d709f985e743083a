package directory

import (
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/internal/benchtest"
)

// BenchmarkSearchEach100k is SearchVsRedis's search-100k one query at a
// time, to see which of benchQueries its mean comes from; SearchEachSeed is
// search-seed's.
//
//	go test -run XXX -bench 'SearchEach(Seed|100k)' -benchtime 20000x ./directory/
func BenchmarkSearchEach100k(b *testing.B) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	searchEach(b, Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...)))
}

func BenchmarkSearchEachSeed(b *testing.B) { searchEach(b, MustIndex(b)) }

func searchEach(b *testing.B, x *Index) {
	x.orgDeletionIndex() // as Live has it after a swap
	for _, q := range benchQueries {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				x.Search(q)
			}
		})
	}
}
