package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/unionbot/unionbot/store/boltstore"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

// BenchmarkFollowerRefresh100k is what a follower (a second process on the
// same store) pays to catch up with one peer approval when the store holds
// 100,000 changes: its Refresh after the peer's write, by the change log
// ("log": Since its version, decode what changed) and by listing ("list":
// the store's Since hidden, so refresh lists every change, decodes and
// hashes each to find the one that differs), in the same run, over bolt
// and over Redis when one answers (UNIONBOT_TEST_REDIS_URL). Both end in
// the same Index.With of one change. The peer's write is not timed.
//
//	go test -run XXX -bench FollowerRefresh100k -benchtime 20x ./directory/
func BenchmarkFollowerRefresh100k(b *testing.B) {
	const n = 100_000
	seed, _ := approvalBench(b)
	orgs := syntheticOrgs(seed, n)
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	encode := func(o Organisation, i int) []byte {
		doc, err := json.Marshal(Change{ID: o.ID, Org: &o, At: at.Add(time.Duration(i) * time.Second), By: "benchmark"})
		if err != nil {
			b.Fatal(err)
		}
		return doc
	}
	ctx := context.Background()

	type docStore interface {
		ChangeStore
		changeLog
	}
	stores := []struct {
		name string
		open func(b *testing.B) docStore
	}{
		{"bolt", func(b *testing.B) docStore {
			dir := b.TempDir()
			// Loaded without fsync (100,000 of them take minutes), then
			// reopened as deployed.
			st, err := boltstore.Open(dir, boltstore.WithNoSync())
			if err != nil {
				b.Fatal(err)
			}
			for i, o := range orgs {
				doc := encode(o, i)
				if _, err := st.Update(ctx, ChangesCollection, o.ID, func([]byte) ([]byte, error) { return doc, nil }); err != nil {
					b.Fatal(err)
				}
			}
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
			if st, err = boltstore.Open(dir); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			return st
		}},
		{"redis", func(b *testing.B) docStore {
			st := redistest.MustOpen(b)
			// Loaded in pipelines through redisstore's documented layout
			// (a hash of documents and a version), as a deployment from
			// before the change log holds them: the follower's first
			// Since then relies on the log starting at the next write.
			c, docKey := st.Client(), st.Prefix()+"doc:{"+ChangesCollection+"}"
			for start := 0; start < n; start += 1000 {
				p := c.Pipeline()
				for i := start; i < min(start+1000, n); i++ {
					p.HSet(ctx, docKey, orgs[i].ID, encode(orgs[i], i))
				}
				if _, err := p.Exec(ctx); err != nil {
					b.Fatal(err)
				}
			}
			if err := c.Set(ctx, st.Prefix()+"ver:{"+ChangesCollection+"}", n, 0).Err(); err != nil {
				b.Fatal(err)
			}
			return st
		}},
	}
	// approvals numbers the peer's writes across sub-benchmarks (and their
	// repetitions by -count), so each writes bytes never stored before.
	approvals := 0
	for _, s := range stores {
		st := s.open(b) // closed when the whole benchmark ends
		for _, mode := range []string{"log", "list"} {
			b.Run(s.name+"/"+mode, func(b *testing.B) {
				var cs ChangeStore = st
				if mode == "list" {
					cs = struct{ ChangeStore }{st} // without Since
				}
				l := NewLive(seed, cs, slog.New(slog.DiscardHandler))
				if err := l.Refresh(ctx); err != nil {
					b.Fatal(err)
				}
				if l.Index().Len() < n {
					b.Fatalf("%d organisations, want at least %d", l.Index().Len(), n)
				}
				runtime.GC()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					b.StopTimer()
					o := orgs[(approvals*7919)%n]
					o.Name += fmt.Sprintf(" renamed %d", approvals)
					doc := encode(o, n+approvals)
					approvals++
					if _, err := st.Update(ctx, ChangesCollection, o.ID, func([]byte) ([]byte, error) { return doc, nil }); err != nil {
						b.Fatal(err)
					}
					i++
					b.StartTimer()
					if err := l.Refresh(ctx); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				wantLog := int64(0)
				if mode == "log" {
					wantLog = int64(i)
				}
				if l.Builds() != 1 || l.Steps() != int64(i) || l.LogRefreshes() != wantLog {
					b.Fatalf("%d builds, %d steps, %d by the log after %d approvals; want 1, %d, %d", l.Builds(), l.Steps(), l.LogRefreshes(), i, i, wantLog)
				}
			})
		}
	}
}
