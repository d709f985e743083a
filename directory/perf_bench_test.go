package directory

// Search set against the cost it is compared with in issue 15: one Redis
// GET round trip, measured in the same run on the same machine, so that a
// loaded machine shows in both figures and their ratio stays meaningful.
//
//	go test -run XXX -bench SearchVsRedis -benchtime 20000x ./directory/

import (
	"runtime"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/internal/benchtest"
)

func BenchmarkSearchVsRedis(b *testing.B) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	small := Build(seed, seed.Organisations)
	big := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	// As a running process has them (Live builds them after a swap).
	small.orgDeletionIndex()
	big.orgDeletionIndex()
	b.Run("search-seed", func(b *testing.B) {
		b.ReportAllocs()
		defer benchtest.ReportCPU(b, benchtest.CPUNow())
		for i := 0; b.Loop(); i++ {
			small.Search(benchQueries[i%len(benchQueries)])
		}
	})
	b.Run("search-100k", func(b *testing.B) {
		b.ReportAllocs()
		defer benchtest.ReportCPU(b, benchtest.CPUNow())
		for i := 0; b.Loop(); i++ {
			big.Search(benchQueries[i%len(benchQueries)])
		}
	})
	b.Run("vague-100k", func(b *testing.B) {
		b.ReportAllocs()
		defer benchtest.ReportCPU(b, benchtest.CPUNow())
		for b.Loop() {
			big.Search("drug users union")
		}
	})
	b.Run("redis-get", benchtest.RedisGet)
}

// BenchmarkApproval is what one approval costs the running index: the
// next Index built from the previous one's places with one organisation
// more (Live.Refresh does this), on the seed and on the seed with 100,000
// more. The place index is built before the timer starts, as a running
// process has it.
//
//	go test -run XXX -bench Approval -benchtime 20x ./directory/
func BenchmarkApproval(b *testing.B) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	approved := Organisation{ID: "bench-approved", Name: "Bench Approved Drug Users Union", Acronym: "BADUU",
		Kind: KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "benchmark"}
	Build(seed, nil) // the places, built once per process
	for _, n := range []int{0, 100_000} {
		orgs := append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, n)...)
		name := "seed"
		if n > 0 {
			name = "100k"
		}
		next := append(orgs[:len(orgs):len(orgs)], approved)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				Build(seed, next)
			}
		})
		// With the organisations' misspelling table, which Live builds
		// after the swap, off the approval's path.
		b.Run(name+"-spelling", func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				Build(seed, next).orgDeletionIndex()
			}
		})
	}
}

// BenchmarkHeap100k reports the live heap of a process holding the seed
// with 100,000 more organisations, after one search of each kind and a
// collection (issue 15: the whole process under 250 MB at that size).
//
//	go test -run XXX -bench Heap100k -benchtime 1x ./directory/
func BenchmarkHeap100k(b *testing.B) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
		x.orgDeletionIndex()
		for _, q := range append(benchQueries, "drug users union") {
			x.Search(q)
		}
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-MB")
		b.ReportMetric(float64(m.HeapSys)/(1<<20), "heap-sys-MB")
		runtime.KeepAlive(x)
	}
}
