package directory

// Search set against the cost it is compared with in issue 15: one Redis
// GET round trip, measured in the same run on the same machine, so that a
// loaded machine shows in both figures and their ratio stays meaningful.
//
//	go test -run XXX -bench SearchVsRedis -benchtime 20000x ./directory/

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

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

// BenchmarkApproval is what one approval costs the running index, on the
// seed and on the seed with 100,000 more organisations: the next Index
// derived from the previous one with the approved organisation added, as
// Live.ApplyAll derives it (Index.With), which includes its words in the
// misspelling table. "-edit" approves an edit of an existing organisation
// (a new name: its postings move in the commonest words); "-full" is the
// rebuild of the organisation layer an approval cost before With (Build,
// on the shared place index), and "-full-spelling" that with the
// organisations' misspelling table, which Live built after the swap.
//
//	go test -run XXX -bench Approval -benchtime 20x ./directory/
func BenchmarkApproval(b *testing.B) {
	seed, approved := approvalBench(b)
	Build(seed, nil) // the places, built once per process
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 100_000} {
		orgs := append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, n)...)
		name := "seed"
		if n > 0 {
			name = "100k"
		}
		prev := Build(seed, orgs)
		prev.orgDeletionIndex() // as Live has it
		add := []Change{{ID: approved.ID, Org: &approved, At: at}}
		edited := orgs[len(orgs)-1]
		edited.Name = "Renamed " + edited.Name + " Drug Users Union"
		edit := []Change{{ID: edited.ID, Org: &edited, At: at}}
		for _, c := range []struct {
			name string
			cs   []Change
		}{{name, add}, {name + "-edit", edit}} {
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				defer benchtest.ReportCPU(b, benchtest.CPUNow())
				for b.Loop() {
					if _, ok := prev.With(c.cs); !ok {
						b.Fatal("With could not derive the index")
					}
				}
			})
		}
		next := append(orgs[:len(orgs):len(orgs)], approved)
		b.Run(name+"-full", func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				Build(seed, next)
			}
		})
		b.Run(name+"-full-spelling", func(b *testing.B) {
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			for b.Loop() {
				Build(seed, next).orgDeletionIndex()
			}
		})
	}
}

// BenchmarkCompact100k is the background compaction Live runs every
// compactEvery approvals (Index.Compacted) at 100,000 organisations.
//
//	go test -run XXX -bench Compact100k -benchtime 5x ./directory/
func BenchmarkCompact100k(b *testing.B) {
	seed, approved := approvalBench(b)
	x := Build(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
	y, ok := x.With([]Change{{ID: approved.ID, Org: &approved}})
	if !ok {
		b.Fatal("With could not derive the index")
	}
	b.ReportAllocs()
	defer benchtest.ReportCPU(b, benchtest.CPUNow())
	for b.Loop() {
		y.Compacted()
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

// BenchmarkMemory100k is issue 15's "with 100,000 organisations the whole
// process stays under 250 MB", measured on this test process: its VmRSS
// (/proc/self/status) and heap after building the seed with 100,000 more
// organisations as Live holds them (misspelling table built, one search of
// each kind, a collection), then the peak while one approval makes the next
// Index the way Live.ApplyAll does (Index.With), with the old one still
// serving; and first the peak of that build, as a start has it (the
// list built from taken for the Index's own, as Live's is). The
// peak is VmHWM after resetting it (/proc/self/clear_refs), and the most
// heap in use the runtime reported, sampled every millisecond, during the
// approval; and the same peaks while the approved index is compacted
// (Index.Compacted), which Live does in the background every so many
// approvals. Nothing is collected by hand during either: the peak is the
// one GOGC gives a running process.
//
//	go test -run XXX -bench Memory100k -benchtime 1x ./directory/
func BenchmarkMemory100k(b *testing.B) {
	seed, approved := approvalBench(b)
	for b.Loop() {
		b.StopTimer()
		// The start's full build, peak included: a process starting on a
		// store of 100,000 organisations goes through it once.
		runtime.GC()
		debug.FreeOSMemory()
		report := peakFrom(b)
		// Built as Live.Refresh builds Merge's list, which the Index
		// takes for its own (buildOwned).
		x := buildOwned(seed, append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 100_000)...))
		x.orgDeletionIndex()
		report("build-peak")
		for _, q := range append(benchQueries, "drug users union", "drug usrs unoin") {
			x.Search(q)
		}
		runtime.GC()
		runtime.GC()
		debug.FreeOSMemory()
		b.ReportMetric(procStatusMB(b, "VmRSS"), "rss-MB")
		b.ReportMetric(heapInUseMB(), "heap-inuse-MB")
		report = peakFrom(b)
		b.StartTimer()
		// The approval as Live.ApplyAll makes it: the next Index derived
		// from the one serving, which keeps serving.
		y, ok := x.With([]Change{{ID: approved.ID, Org: &approved}})
		if !ok {
			b.Fatal("With could not derive the index")
		}
		y.Search("drug users union")
		y.Search("drug usrs unoin")
		b.StopTimer()
		report("peak")
		// Then the compaction Live runs in the background now and then,
		// while y serves (x is gone, as Live drops it).
		runtime.KeepAlive(x)
		x = nil
		runtime.GC()
		debug.FreeOSMemory()
		report = peakFrom(b)
		z := y.Compacted()
		z.Search("drug users union")
		report("compact-peak")
		runtime.KeepAlive(y)
		runtime.KeepAlive(z)
		b.StartTimer()
	}
}

// approvalBench is the seed and the organisation the approval benchmarks
// approve.
func approvalBench(tb testing.TB) (*Seed, Organisation) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		tb.Fatal(err)
	}
	return seed, Organisation{ID: "bench-approved", Name: "Bench Approved Drug Users Union", Acronym: "BADUU",
		Kind: KindLocal, Countries: []string{"CA"}, City: "Vancouver", Source: "benchmark"}
}

// procStatusMB reads a "kB" field of /proc/self/status, in MB.
func procStatusMB(b *testing.B, field string) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				b.Fatalf("%s: %v", line, err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// peakFrom starts measuring a step's peak: it resets VmHWM and samples
// the heap in use until report, which reports the two peaks as
// name+"-heap-inuse-MB" and name+"-rss-MB". Callers collect first, so that
// the peak is the step's and not earlier garbage's.
func peakFrom(b *testing.B) (report func(name string)) {
	resetPeakRSS(b)
	stop := sampleHeapInUse()
	return func(name string) {
		b.ReportMetric(stop(), name+"-heap-inuse-MB")
		b.ReportMetric(procStatusMB(b, "VmHWM"), name+"-rss-MB")
	}
}

// resetPeakRSS makes VmHWM start again from the current VmRSS (Linux
// clear_refs "5").
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS: %v", err)
	}
}

// heapInUseMB is the heap in use (HeapInuse: objects and the unused part
// of their spans), from runtime/metrics, which does not stop the world.
func heapInUseMB() float64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return float64(s[0].Value.Uint64()+s[1].Value.Uint64()) / (1 << 20)
}

// sampleHeapInUse samples the heap in use every millisecond until stop,
// which returns the most it saw, in MB.
func sampleHeapInUse() (stop func() float64) {
	done := make(chan struct{})
	out := make(chan float64)
	go func() {
		best := heapInUseMB()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				out <- max(best, heapInUseMB())
				return
			case <-t.C:
				best = max(best, heapInUseMB())
			}
		}
	}()
	return func() float64 { close(done); return <-out }
}

// BenchmarkApprovalChain is what one approval costs a running process:
// a chain of distinct approvals (additions, renames of added
// organisations, edits of the seed's), each derived from the index the
// one before it made, as Live.ApplyAll derives them, so that nothing an
// approval builds or touches is warm from the one before, unlike
// BenchmarkApproval's same change from the same index. The compactions
// Live runs in the background (NeedsCompaction) are made outside the
// timer. Per approval, at 100,000 organisations:
//
//	go test -run XXX -bench 'ApprovalChain/100k' -benchtime 200x ./directory/
func BenchmarkApprovalChain(b *testing.B) {
	seed, approved := approvalBench(b)
	Build(seed, nil) // the places, built once per process
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 100_000} {
		extra := syntheticOrgs(seed, n)
		orgs := append(append([]Organisation(nil), seed.Organisations...), extra...)
		name := "seed"
		if n > 0 {
			name = "100k"
		}
		b.Run(name, func(b *testing.B) {
			x := Build(seed, orgs)
			x.orgDeletionIndex() // as Live has it
			b.ReportAllocs()
			defer benchtest.ReportCPU(b, benchtest.CPUNow())
			// The pages touched for the first time, which a lone
			// approval's fresh copies pay for (some 1.5 µs each here).
			if f0, ok := minorFaults(); ok {
				defer func() {
					f1, _ := minorFaults()
					b.ReportMetric(float64(f1-f0)/float64(b.N), "faults/op")
				}()
			}
			for i := 0; b.Loop(); i++ {
				c := chainChange(seed, orgs, approved, i, start)
				y, ok := x.With([]Change{c})
				if !ok {
					b.Fatalf("approval %d: With could not derive the index", i)
				}
				x = y
				if x.NeedsCompaction() {
					b.StopTimer()
					x = x.Compacted()
					b.StartTimer()
				}
			}
		})
	}
}

// chainChange is BenchmarkApprovalChain's approval i: an addition (a new
// id each time), the rename of one added before, or an edit of one of the
// listed organisations, in time order.
func chainChange(seed *Seed, orgs []Organisation, approved Organisation, i int, start time.Time) Change {
	at := start.Add(time.Duration(i) * time.Second)
	var o Organisation
	switch i % 3 {
	case 0:
		o = approved
		o.ID = fmt.Sprintf("chain-%d", i)
		o.Name = fmt.Sprintf("Chain %d Drug Users Union", i)
		o.Acronym = fmt.Sprintf("CDUU%d", i)
		if len(orgs) > len(seed.Organisations) {
			// Somewhere else each time, as approvals come from everywhere.
			from := orgs[len(seed.Organisations)+(i*7919)%(len(orgs)-len(seed.Organisations))]
			o.City, o.Countries = from.City, from.Countries
		}
	case 1:
		o = approved
		o.ID = fmt.Sprintf("chain-%d", i-1)
		o.Name = fmt.Sprintf("Chain %d Peer Network Renamed", i-1)
		o.Acronym = fmt.Sprintf("CPN%d", i-1)
	default:
		o = orgs[(i*104729)%len(orgs)]
		o.Description = fmt.Sprintf("People who use drugs organising for their rights, edit %d.", i)
	}
	return Change{ID: o.ID, Org: &o, At: at}
}
