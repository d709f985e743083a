package bot_test

// /find through the core as an adapter calls it, the answer rendered to
// text, against one Redis GET round trip measured in the same run (issue
// 15: the first should cost at most a fifth of the second).
//
//	go test -run XXX -bench FindVsRedis -benchtime 20000x ./bot/

import (
	"syscall"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

func BenchmarkFindVsRedis(b *testing.B) {
	core := bottest.MustBot(b, bot.Options{})
	queries := []string{"/find Canada", "/find Vancouver", "/find VANDU", "/find Vancover", "/find Portugal", "/find Germny", "/find Victoria, BC"}
	b.Run("find-rendered", func(b *testing.B) {
		ctx := b.Context()
		b.ReportAllocs()
		defer reportCPU(b, cpuNow())
		for i := 0; b.Loop(); i++ {
			m := &bot.Message{Platform: "console", Text: queries[i%len(queries)], User: bot.User{ID: "7"}, Chat: bot.Chat{ID: "7", Private: true}, Lang: "en", PageSize: 5}
			r, err := core.Handle(ctx, m)
			if err != nil || r == nil {
				b.Fatalf("%s: %v", m.Text, err)
			}
			if bottest.Text(r) == "" {
				b.Fatalf("%s: empty answer", m.Text)
			}
		}
	})
	b.Run("redis-get", func(b *testing.B) {
		s := redistest.MustOpen(b)
		ctx := b.Context()
		if err := s.Put(ctx, "bench", []byte("x"), time.Minute); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer reportCPU(b, cpuNow())
		for b.Loop() {
			if _, err := s.Peek(ctx, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuNow is the CPU time this process has used. On a machine shared with
// other work, wall-clock time per operation mostly measures the wait for a
// core; CPU time per operation measures the work.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per operation since start to b's results.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuNow()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
