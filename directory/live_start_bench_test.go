package directory

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// BenchmarkLiveStart100k is issue 15's "the whole process stays under 250
// MB" at a start on a store of 100,000 approved organisations: NewLive,
// then the first Refresh (listing the changes, decoding them, Merge, the
// build) and the misspelling table Live builds after the swap. The store
// makes its listing afresh at each call, as a client decodes a reply, so
// that the process holds no copy of its own beyond what Live keeps.
//
//	go test -run XXX -bench LiveStart100k -benchtime 1x ./directory/
func BenchmarkLiveStart100k(b *testing.B) {
	seed, _ := approvalBench(b)
	store := &generatedStore{seed: seed, n: 100_000}
	log := slog.New(slog.DiscardHandler)
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		report := peakFrom(b)
		b.StartTimer()
		l := NewLive(seed, store, log)
		if err := l.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
		x := l.Index()
		x.orgDeletionIndex() // waits for the one Live started
		b.StopTimer()
		if x.Len() < store.n {
			b.Fatalf("index has %d organisations, want at least %d", x.Len(), store.n)
		}
		report("peak")
		runtime.GC()
		b.ReportMetric(heapInUseMB(), "heap-inuse-MB")
		runtime.KeepAlive(l)
		b.StartTimer()
	}
}

// generatedStore is a ChangeStore holding n additions (syntheticOrgs),
// listed as JSON made at each List.
type generatedStore struct {
	seed *Seed
	n    int
}

func (s *generatedStore) List(context.Context, string) (map[string][]byte, error) {
	orgs := syntheticOrgs(s.seed, s.n)
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	docs := make(map[string][]byte, len(orgs))
	for i := range orgs {
		b, err := json.Marshal(Change{ID: orgs[i].ID, Org: &orgs[i], At: at.Add(time.Duration(i) * time.Second), By: "benchmark"})
		if err != nil {
			return nil, err
		}
		docs[orgs[i].ID] = b
	}
	return docs, nil
}

func (s *generatedStore) Update(context.Context, string, string, func([]byte) ([]byte, error)) ([]byte, error) {
	return nil, errors.New("generatedStore is read-only")
}

func (s *generatedStore) Version(context.Context, string) (int64, error) { return 1, nil }

func (s *generatedStore) Subscribe(ctx context.Context, _ string) (<-chan struct{}, error) {
	return make(chan struct{}), nil
}
