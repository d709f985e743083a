package directory

import (
	"testing"

	"github.com/unionbot/unionbot/internal/benchtest"
)

// BenchmarkSearchVaguePlace100k is Search at 100,000 organisations for
// vague names narrowed by a place (freeText: the place at either end, the
// organisations serving it ranked by name), beside the same vague name
// alone: a city, a province, a country and a region.
//
//	go test -run XXX -bench SearchVaguePlace100k -benchtime 2000x ./directory/
func BenchmarkSearchVaguePlace100k(b *testing.B) {
	seed := mustSeed(b)
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	x.orgDeletionIndex()
	for _, q := range []string{"drug users union", "drug users Vancouver", "harm reduction Toronto",
		"peer network British Columbia", "drug users union Canada", "drug users Europe",
		"drug users Africa", "drug users Asia", "drug users Latin America", "drug users North America"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				x.Search(q)
			}
		})
	}
}

// BenchmarkCrossBorderFill100k is what the first country- or
// region-narrowed search on a new Index (after Build or an approval) adds:
// filling its cross-border lists (crossBorderLists) at 100,000.
//
//	go test -run XXX -bench CrossBorderFill100k -benchtime 20x ./directory/
func BenchmarkCrossBorderFill100k(b *testing.B) {
	seed := mustSeed(b)
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	b.ReportAllocs()
	defer benchtest.ReportCPU(b, benchtest.CPUNow())
	for b.Loop() {
		x.crossBorderLists()
	}
}
